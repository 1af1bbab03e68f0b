"""Test helpers: the sample booking, with a second charge and an alias (no real prints)."""

from __future__ import annotations

from dataclasses import replace

from securecomm.ansi_nist import Booking, Charge, Compression
from securecomm.ansi_nist.samples import ridge_image, sample_booking

__all__ = ["make_booking", "ridge_image"]


def make_booking(
    *, fingers: int = 14, compression: Compression = Compression.WSQ, size: int = 500
) -> Booking:
    booking = sample_booking(fingers=fingers, compression=compression, size=size)
    # A repeated arrest segment (2.047) and an AKA (2.019) exercise the repeating fields.
    return replace(
        booking,
        charges=(*booking.charges, Charge("RESISTING ARREST")),
        aliases=("DOE,JACK",),
    )
