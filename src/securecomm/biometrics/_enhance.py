"""Contextual Gabor filtering of a fingerprint image before minutiae detection.

mindtct on raw FVC 2002 images misses minutiae in faint, dark or smudged areas and
invents others there; the genuine pairs our matcher failed on were exactly such images.
Filtering each pixel with a Gabor kernel tuned to the local ridge orientation (Hong,
Wan and Jain, 1998) restores the ridge flow there. The recipe:

1. normalise contrast locally (mean 0, standard deviation 1 over a 16 px window);
2. estimate the ridge orientation from smoothed gradient moments;
3. filter with a bank of even Gabor kernels (one per orientation bin, one ridge period)
   through the FFT, keeping per pixel the response of its own orientation;
4. blend the filtered image with the normalised original: the filter alone smooths
   real ridge endings away (a pure filter doubled the EER), the original alone keeps
   the noise; how much of the original is kept follows the local ridge share (step 5),
   so dry and broken ridges are joined and clean ones keep their endings;
5. mark the foreground and whiten the rest: where the local contrast is a fair share of
   the print's *and* a ridge filter (of the print's orientation, at a fine, a typical or
   a coarse ridge period) explains a fair share of the local signal, as it does not for
   a sensor's stripes, dust or noise; holes inside the print (wet or smudged patches)
   are filled.

Minutiae found near the edge of the foreground are cut ridges, not minutiae;
:meth:`Enhanced.deep_inside` lets the extractor drop them.

The filter's constants were chosen on FVC 2002 DB1_B and DB2_B (docs/benchmarks.md lists
the variants tried): the EER of DB1_B fell from 2.85 % to 1.07 %, DB2_B went from 0.72 %
to 1.02 %. The ridge-share test of the foreground and the blend that follows the ridge
share were chosen by leave-one-database-out on four databases (``benchmarks/bench_loo.py
--ridge-share``, ``--enhance BLEND_SHARE_LOW=... --enhance BLEND_SHARE_HIGH=...``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from scipy import fft, ndimage

F32 = npt.NDArray[np.float32]
C64 = npt.NDArray[np.complex64]

ORIENTATIONS = 12  # Gabor bank: one kernel per 15 degrees
# One ridge period for every print: estimating it per print from the spectrum (FVC 2002
# DB1_B near 9 px, DB2_B, a 569 ppi sensor, near 10.5) did no better on either database.
RIDGE_PERIOD_PX = 9.0
GABOR_SIGMA_PX = 2.75  # Gaussian envelope; wider kernels bridge real ridge endings
GABOR_PAD_PX = 9  # the kernel's reach (3 sigma)
ORIGINAL_SHARE = 0.6  # of the normalised original kept, at most (see BLEND_SHARE_LOW)
NORMALISE_WINDOW_PX = 16
ORIENTATION_SMOOTHING_PX = 6.0
ORIENTATION_BLOCK_PX = 4
FOREGROUND_CONTRAST_SHARE = 0.25  # of the median contrast of the print's brighter half
FOREGROUND_WINDOW_PX = 15
# Ridge share: the energy of the ridge filter's response over the normalised image's, in
# a window of about two ridge periods. The kernels answer a unit ridge wave of their own
# period with 1, so the share reads the same on any sensor: 0.5-0.8 inside prints, 0.05-0.2
# on a background's noise, dust or stripes. A pixel needs RIDGE_SHARE_MIN, the middle of
# the range (0.1-0.2) that scores alike on the four development databases; chosen by
# leave-one-database-out (docs/benchmarks.md). FVC 2002 DB3_B's dusty, striped
# backgrounds were foreground by contrast alone (EER 8.9 -> 4.3 %).
RIDGE_SHARE_WINDOW_PX = 21
RIDGE_SHARE_MIN = 0.15
# The share is the best over these periods and the filter's own: a fixed period alone
# explains little of fine (6 px) or coarse ridges, and would cut them from the print.
RIDGE_SHARE_OTHER_PERIODS_PX = (6.5, 12.0)
RIDGE_SHARE_ORIENTATIONS = 6  # bins for those: a share needs no finer (half the time)
# Holes are filled in the mask opened by this radius, so a thin line joining the print to
# a sensor's frame cannot enclose background as a "hole".
HOLE_OPENING_PX = 8
# How much of the original the output keeps follows the local ridge share: ORIGINAL_SHARE
# x (share - LOW) / (HIGH - LOW), clipped to [0, 1]. Where a ridge filter explains little
# of the signal (dry, broken or smudged ridges; share 0.4 and below) the output is the
# filter's, which joins the broken ridges; where it explains most (clean ridges, share
# 0.6-0.8) 0.15 to 0.3 of the original stays, so real ridge endings survive.
# Chosen by leave-one-database-out (docs/benchmarks.md, "The blend follows the ridge
# share"); the fixed blend (0.6 everywhere) kept the breaks of dry prints as false ridge
# endings (FVC 2002 DB3_B EER 4.28 % against 2.50 %).
BLEND_SHARE_LOW = 0.4
BLEND_SHARE_HIGH = 1.2


@dataclass(frozen=True, eq=False)
class Enhanced:
    """The filtered image (uint8, ridges dark, background white) and its foreground."""

    pixels: npt.NDArray[np.uint8]
    foreground: npt.NDArray[np.bool_]

    def deep_inside(self, xy: npt.NDArray[np.float32], distance: int) -> npt.NDArray[np.bool_]:
        """Which points (x, y) have no background pixel closer than ``distance``."""
        offsets = _disk_offsets(distance)
        height, width = self.foreground.shape
        rows = xy[:, 1].astype(np.int64)[:, None] + offsets[None, :, 0]
        cols = xy[:, 0].astype(np.int64)[:, None] + offsets[None, :, 1]
        inside_image = (rows >= 0) & (rows < height) & (cols >= 0) & (cols < width)
        looked_up = self.foreground[np.clip(rows, 0, height - 1), np.clip(cols, 0, width - 1)]
        # off the image counts as neither, as for a distance transform of the foreground
        deep: npt.NDArray[np.bool_] = np.all(looked_up | ~inside_image, axis=1)
        return deep


@lru_cache(maxsize=4)
def _disk_offsets(distance: int) -> npt.NDArray[np.int64]:
    """(row, column) offsets strictly closer than ``distance`` to the origin."""
    dy, dx = np.mgrid[-distance : distance + 1, -distance : distance + 1]
    near = dy * dy + dx * dx < distance * distance
    return np.stack([dy[near], dx[near]], axis=1).astype(np.int64)


def enhance(pixels: npt.NDArray[np.uint8]) -> Enhanced:
    """Gabor-filtered ``pixels`` (500 ppi grey), see the module notes."""
    image = pixels.astype(np.float32)
    normalised, contrast = _normalised(image)
    orientation = _ridge_orientation(normalised)
    spectrum = _Spectrum.of(normalised)
    (filtered,) = _gabor_filtered(spectrum, orientation, (RIDGE_PERIOD_PX,), ORIENTATIONS)
    share = _ridge_share_map(normalised, spectrum, orientation, filtered)
    foreground = _foreground(contrast, share)
    scale = _robust_scale(filtered, foreground)
    keep = _original_kept(share)
    ridges = (1.0 - keep) * np.clip(filtered / scale, -1.0, 1.0)
    ridges += keep * np.clip(normalised / 2.0, -1.0, 1.0)
    grey = np.where(foreground, 127.5 + 127.5 * ridges, 255.0)
    return Enhanced(grey.astype(np.uint8), foreground)


def _original_kept(ridge_share: F32) -> F32:
    """Per pixel, the share of the normalised original in the output (see BLEND_SHARE_LOW)."""
    span = BLEND_SHARE_HIGH - BLEND_SHARE_LOW
    kept: F32 = np.clip((ridge_share - BLEND_SHARE_LOW) / np.float32(span), 0.0, 1.0)
    kept *= np.float32(ORIGINAL_SHARE)
    return kept


def _normalised(image: F32) -> tuple[F32, F32]:
    """Locally zero-mean, unit-variance image, and the local standard deviation."""
    mean = ndimage.uniform_filter(image, NORMALISE_WINDOW_PX)
    square = ndimage.uniform_filter(image * image, NORMALISE_WINDOW_PX)
    deviation = np.sqrt(np.maximum(square - mean * mean, 1e-6)).astype(np.float32)
    return (image - mean) / deviation, deviation


def _ridge_orientation(image: F32) -> F32:
    """Ridge orientation in [0, pi) per pixel: perpendicular to the mean gradient.

    The gradient moments are averaged over 4 x 4 blocks and smoothed there, and each
    pixel takes its block's orientation: the field varies slowly, the bank's bins are 15
    degrees wide, and smoothing at full resolution cost half the time of the whole
    enhancement."""
    gx = ndimage.sobel(image, axis=1)
    gy = ndimage.sobel(image, axis=0)
    cos2 = _smoothed_blocks(gx * gx - gy * gy)
    sin2 = _smoothed_blocks(2.0 * gx * gy)
    ridge = (0.5 * np.arctan2(sin2, cos2) + math.pi / 2.0) % math.pi
    full = np.repeat(np.repeat(ridge, ORIENTATION_BLOCK_PX, 0), ORIENTATION_BLOCK_PX, 1)
    return np.ascontiguousarray(full[: image.shape[0], : image.shape[1]], dtype=np.float32)


def _smoothed_blocks(moment: F32) -> F32:
    """``moment`` averaged over blocks (the last partial ones padded) and smoothed."""
    height, width = moment.shape
    rows, cols = -(-height // ORIENTATION_BLOCK_PX), -(-width // ORIENTATION_BLOCK_PX)
    padded = np.zeros((rows * ORIENTATION_BLOCK_PX, cols * ORIENTATION_BLOCK_PX), np.float32)
    padded[:height, :width] = moment
    blocks = padded.reshape(rows, ORIENTATION_BLOCK_PX, cols, ORIENTATION_BLOCK_PX).mean((1, 3))
    smoothed: F32 = ndimage.gaussian_filter(blocks, ORIENTATION_SMOOTHING_PX / ORIENTATION_BLOCK_PX)
    return smoothed


@dataclass(frozen=True, eq=False)
class _Spectrum:
    """An image's spectrum, computed once for every filter bank run on it."""

    values: C64
    size: tuple[int, int]  # the padded size transformed
    shape: tuple[int, int]  # the image's own

    @classmethod
    def of(cls, image: F32) -> _Spectrum:
        height, width = image.shape
        # zero padding to sizes the FFT factors well (388 = 4 x 97 is slow) also keeps
        # one edge of the print from wrapping round onto the other
        size = (fft.next_fast_len(height + GABOR_PAD_PX), fft.next_fast_len(width + GABOR_PAD_PX))
        return cls(fft.rfft2(image, s=size), size, (height, width))


def _gabor_filtered(
    spectrum: _Spectrum, orientation: F32, periods: tuple[float, ...], orientations: int
) -> list[F32]:
    """Per pixel, the response of the Gabor kernel of its orientation bin (one of
    ``orientations``), one image for each ridge period in ``periods``."""
    height, width = spectrum.shape
    bins = np.rint(orientation / (math.pi / orientations)).astype(np.int64) % orientations
    chosen = [bins == k for k in range(orientations)]
    responses = []
    for period in periods:
        out = np.zeros(spectrum.shape, dtype=np.float32)
        for k, kernel in enumerate(_gabor_bank(*spectrum.size, period, orientations)):
            if chosen[k].any():
                response = fft.irfft2(spectrum.values * kernel, s=spectrum.size)[:height, :width]
                np.copyto(out, response, where=chosen[k])
        responses.append(out)
    return responses


@lru_cache(maxsize=12)  # a bank of a 400 x 400 image holds 7.7 MB
def _gabor_bank(height: int, width: int, period: float, orientations: int) -> tuple[C64, ...]:
    """Spectra of the even Gabor kernels, one per orientation, for this image size."""
    radius = math.ceil(3.0 * GABOR_SIGMA_PX)
    y, x = np.mgrid[-radius : radius + 1, -radius : radius + 1].astype(np.float64)
    envelope = np.exp(-(x * x + y * y) / (2.0 * GABOR_SIGMA_PX**2))
    bank = []
    for k in range(orientations):
        theta = k * math.pi / orientations
        across = -x * math.sin(theta) + y * math.cos(theta)  # along the ridge normal
        wave = np.cos(2.0 * math.pi * across / period)
        kernel = envelope * wave
        kernel -= kernel.mean()  # no response to flat areas
        kernel /= (kernel * wave).sum()  # a unit ridge wave of this period answers 1
        padded = np.zeros((height, width), dtype=np.float32)
        padded[: 2 * radius + 1, : 2 * radius + 1] = kernel
        padded = np.roll(padded, (-radius, -radius), axis=(0, 1))  # centre on the origin
        bank.append(fft.rfft2(padded).astype(np.complex64))
    return tuple(bank)


def _foreground(contrast: F32, ridge_share: F32) -> npt.NDArray[np.bool_]:
    """Where the print is: contrasted, ridge-like, and its inner holes filled."""
    contrasted = _contrasted(contrast)
    if not contrasted.any():
        return contrasted
    mask = _majority(contrasted & (ridge_share > RIDGE_SHARE_MIN))
    return mask | _holes(_opened(mask, HOLE_OPENING_PX))


def _majority(strong: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Where most of the pixels around (FOREGROUND_WINDOW_PX) are ``strong``."""
    mask: npt.NDArray[np.bool_] = (
        ndimage.uniform_filter(strong.astype(np.float32), FOREGROUND_WINDOW_PX) > 0.5
    )
    return mask


def _opened(mask: npt.NDArray[np.bool_], radius: int) -> npt.NDArray[np.bool_]:
    """``mask`` opened by a square of side ``2 * radius + 1`` (separable box filters: a
    disk this large as a structuring element cost a third of the enhancement)."""
    side = 2 * radius + 1
    eroded = ndimage.uniform_filter(mask.astype(np.float32), side, mode="nearest") > 0.999
    opened: npt.NDArray[np.bool_] = ndimage.uniform_filter(eroded.astype(np.float32), side) > 0.001
    return opened


def _holes(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """The parts of the background that do not reach the image's edge."""
    labels, _count = ndimage.label(~mask)
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    holes: npt.NDArray[np.bool_] = (labels > 0) & ~np.isin(labels, edge)
    return holes


def _contrasted(contrast: F32) -> npt.NDArray[np.bool_]:
    """Where the local contrast is a fair share of the print's typical contrast."""
    upper_half = contrast[contrast > np.percentile(contrast, 50)]
    if upper_half.size == 0:
        return np.zeros(contrast.shape, dtype=np.bool_)
    return _majority(contrast > FOREGROUND_CONTRAST_SHARE * np.median(upper_half))


def _ridge_share_map(normalised: F32, spectrum: _Spectrum, orientation: F32, filtered: F32) -> F32:
    """Per pixel, the best share of the local signal energy that a ridge filter explains,
    over the filter's own period and RIDGE_SHARE_OTHER_PERIODS_PX."""
    signal = np.maximum(_local_energy(normalised), np.float32(1e-6))
    share = np.divide(_local_energy(filtered), signal, dtype=np.float32)
    others = _gabor_filtered(
        spectrum, orientation, RIDGE_SHARE_OTHER_PERIODS_PX, RIDGE_SHARE_ORIENTATIONS
    )
    for response in others:
        np.maximum(share, np.divide(_local_energy(response), signal, dtype=np.float32), out=share)
    return share


def _local_energy(image: F32) -> F32:
    """Mean of ``image`` squared over the ridge-share window."""
    energy: F32 = ndimage.uniform_filter(image * image, RIDGE_SHARE_WINDOW_PX)
    return energy


def _robust_scale(filtered: F32, foreground: npt.NDArray[np.bool_]) -> float:
    if not foreground.any():
        return 1.0
    scale = float(np.percentile(np.abs(filtered[foreground]), 95))
    return scale if scale > 0.0 else 1.0
