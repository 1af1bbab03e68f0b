"""Test helpers: a synthetic booking with ridge-like fingerprint images (no real prints)."""

from __future__ import annotations

from datetime import date
from functools import cache

import numpy as np
from PIL import Image

from securecomm.ansi_nist import Booking, Charge, Compression, FingerprintCapture


@cache
def ridge_image(seed: int, size: int = 500) -> Image.Image:
    """A sinusoidal grating whose orientation swirls around a seed-dependent centre."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size].astype(np.float64)
    cy, cx = rng.uniform(size * 0.3, size * 0.7, 2)
    orientation = 0.5 * np.arctan2(y - cy, x - cx) + rng.uniform(0, np.pi)
    period = rng.uniform(8.0, 11.0)
    phase = (x * np.cos(orientation) + y * np.sin(orientation)) * (2 * np.pi / period)
    pixels = 128 + 100 * np.sin(phase)
    return Image.fromarray(pixels.clip(0, 255).astype(np.uint8), "L")


def make_booking(
    *, fingers: int = 14, compression: Compression = Compression.WSQ, size: int = 500
) -> Booking:
    positions = [*range(1, 11), 11, 12, 13, 14]
    return Booking(
        tcn="TX20240101000001",
        originating_agency="TX1010000",
        destination_agency="TXSIB0000",
        submitted_on=date(2024, 1, 2),
        name="DOE,JOHN Q",
        date_of_birth=date(1980, 5, 17),
        sex="M",
        race="W",
        place_of_birth="MX",
        height="510",
        weight=180,
        eye_color="BRO",
        hair_color="BLK",
        arrest_date=date(2024, 1, 1),
        charges=(Charge("SIMPLE ASSAULT", date(2023, 12, 31)), Charge("RESISTING ARREST")),
        controlling_agency="TX1010000",
        fingerprints=tuple(
            FingerprintCapture(position=p, image=ridge_image(p, size)) for p in positions[:fingers]
        ),
        aliases=("DOE,JACK",),
        compression=compression,
    )
