"""A synthetic sample booking, for tests and benchmarks (no real person, no real prints).

The ANSI/NIST tests and ``benchmarks/bench_ansi_nist.py`` both need an EBTS CAR ten-print
submission; a benchmark cannot import test helpers, so the one sample lives here:

* ``ridge_image``     a ridge-like grating standing in for a fingerprint image
* ``sample_booking``  the booking (fixed TCN, agencies, subject and dates), 1 to 14 prints
* ``sample_car``      its CAR, as bytes

Everything is deterministic: the same arguments give the same bytes.
"""

from __future__ import annotations

from datetime import date

import numpy as np
from PIL import Image

from securecomm.ansi_nist.codec import dump
from securecomm.ansi_nist.images import Compression
from securecomm.ansi_nist.messages import Booking, Charge, FingerprintCapture, build_car

# Ten rolled prints, then the plain thumbs (11, 12) and four-finger slaps (13, 14).
SAMPLE_FINGER_POSITIONS: tuple[int, ...] = (*range(1, 11), 11, 12, 13, 14)


def ridge_image(seed: int, size: int = 500, *, period: float | None = None) -> Image.Image:
    """A sinusoidal grating whose orientation swirls around a seed-dependent centre.

    ``period`` is the ridge spacing in pixels; ``None`` draws it from the seed, between
    8 and 11 px (a real finger at 500 ppi).
    """
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size].astype(np.float64)
    cy, cx = rng.uniform(size * 0.3, size * 0.7, 2)
    orientation = 0.5 * np.arctan2(y - cy, x - cx) + rng.uniform(0, np.pi)
    # Drawn last, and only when needed, so a fixed period leaves the other draws unchanged.
    spacing = float(rng.uniform(8.0, 11.0)) if period is None else period
    phase = (x * np.cos(orientation) + y * np.sin(orientation)) * (2 * np.pi / spacing)
    pixels = 128 + 100 * np.sin(phase)
    return Image.fromarray(pixels.clip(0, 255).astype(np.uint8), "L")


def sample_booking(
    *,
    fingers: int = 14,
    compression: Compression = Compression.WSQ,
    size: int = 500,
    ridge_period: float | None = None,
) -> Booking:
    """The sample booking with the first ``fingers`` of ``SAMPLE_FINGER_POSITIONS``.

    Each print is a ``size`` x ``size`` ``ridge_image`` seeded by its finger position
    (``ridge_period`` as there), stored with ``compression``.
    """
    fingerprints = tuple(
        FingerprintCapture(position=p, image=ridge_image(p, size, period=ridge_period))
        for p in SAMPLE_FINGER_POSITIONS[:fingers]
    )
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
        charges=(Charge("SIMPLE ASSAULT", date(2023, 12, 31)),),
        controlling_agency="TX1010000",
        fingerprints=fingerprints,
        compression=compression,
    )


def sample_car(booking: Booking | None = None) -> bytes:
    """The CAR for ``booking`` (default: ``sample_booking()``), as transmitted bytes."""
    return dump(build_car(booking if booking is not None else sample_booking()))
