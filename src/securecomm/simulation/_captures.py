"""Where a synthetic person's fingerprints come from: none, minutiae drawn directly, or
rendered images run through the extractor as at a booking station. Each person has
their own random stream (``[seed, biometric stream, person id]``), apart from the
world's structure, so either stays reproducible on its own.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from securecomm.biometrics import ImageError, Template, extract, synthetic, synthetic_images
from securecomm.simulation.world import FingerImages, TenPrint

BIOMETRIC_STREAM = 1
CAPTURE_ATTEMPTS = 3  # a finger that fails extraction is rolled again, as at a station


class PrintSource(Protocol):
    """Where one person's captures come from: a ground-truth master and fresh captures."""

    master: TenPrint

    def fresh(self) -> TenPrint: ...

    def booking_capture(self) -> tuple[TenPrint, FingerImages | None]:
        """A fresh capture at a booking, and its images where the source draws images."""
        ...


class NoCaptures:
    """No fingerprints at all: for worlds that are analysed but never searched."""

    def __init__(self) -> None:
        self.master: TenPrint = {}

    def fresh(self) -> TenPrint:
        return {}

    def booking_capture(self) -> tuple[TenPrint, FingerImages | None]:
        return {}, None


class Captures:
    """One person's fingerprints: a master ten-print, then fresh impressions on demand."""

    def __init__(self, *, seed: int, person_id: int, severity: float) -> None:
        self._rng = np.random.default_rng([seed, BIOMETRIC_STREAM, person_id])
        self._severity = severity
        self.master: TenPrint = synthetic.synthesize_tenprint(self._rng)

    def fresh(self) -> TenPrint:
        return synthetic.impressions_of(self.master, self._rng, severity=self._severity)

    def booking_capture(self) -> tuple[TenPrint, FingerImages | None]:
        return self.fresh(), None


class ImageCaptures:
    """One person's fingers as images: each capture is rendered, then extracted."""

    def __init__(self, *, seed: int, person_id: int, severity: float) -> None:
        self._rng = np.random.default_rng([seed, BIOMETRIC_STREAM, person_id])
        self._severity = severity
        self._fingers = synthetic_images.synthesize_tenprint_images(self._rng)
        self.master = {
            position: template
            for position, finger in self._fingers.items()
            if (template := _extracted(finger.image, position)) is not None
        }

    def fresh(self) -> TenPrint:
        return self.booking_capture()[0]

    def booking_capture(self) -> tuple[TenPrint, FingerImages | None]:
        """Each finger scanned until the extractor takes it (a live-scan station's quality
        check), with the image it took."""
        captured: TenPrint = {}
        images: dict[int, np.ndarray[Any, np.dtype[np.uint8]]] = {}
        for position, finger in self._fingers.items():
            for _ in range(CAPTURE_ATTEMPTS):
                image = synthetic_images.impression_image(
                    finger, self._rng, severity=self._severity
                )
                template = _extracted(image, position)
                if template is not None:
                    captured[position], images[position] = template, image
                    break
        return captured, images


def _extracted(image: np.ndarray[Any, np.dtype[np.uint8]], position: int) -> Template | None:
    """The template of one finger image, or None when the extractor refuses it."""
    try:
        return extract(image, finger_position=position)
    except ImageError:
        return None
