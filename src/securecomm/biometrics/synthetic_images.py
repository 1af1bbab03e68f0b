"""Synthetic fingerprint IMAGES of people who do not exist (the SFinGe family).

A *master* finger follows Cappelli and Maltoni's SFinGe recipe:

1. a finger area shape: four elliptical quarters joined by a rectangle;
2. an orientation field from the singular points of a pattern class (arch, tented arch,
   left/right loop, whorl) with the zero-pole model of Sherlock and Monro and the
   piecewise-linear correction of Vizcaya and Gerhardt, or the arch model without
   singular points;
3. a smooth ridge-period map around 8-12 px (500 ppi);
4. a ridge pattern grown from random seeds by iterative contextual Gabor filtering
   (every pixel filtered with the kernel of its own orientation and period).

An *impression* is one capture of a master: ridge thickness changed by pressure and
skin dryness (grey erosion/dilation plus a smooth bias field), small breaks and
smudges, an elastic skin distortion around a random contact point, a global rotation
and displacement, a partial contact area, blur, uneven background, varying contrast
and sensor noise. ``severity`` scales every perturbation (0 gives the master's ridges
at the master's place).

Images are 8-bit grayscale, 500 ppi, on a 416 x 560 canvas (ridges dark). Everything is
drawn from the ``numpy.random.Generator`` passed in, so one seed gives one set of fingers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import ndimage

from securecomm.biometrics import _ridges
from securecomm.biometrics._impressions import (
    CANVAS_HEIGHT,
    CANVAS_WIDTH,
    capture_mapping,
    contact_area,
    render,
    skin_condition,
)
from securecomm.exceptions import FieldProblem, InputError

__all__ = [
    "CANVAS_HEIGHT",
    "CANVAS_WIDTH",
    "PATTERNS",
    "PPI",
    "FingerShape",
    "ImageSpecError",
    "MasterFingerImage",
    "impression_image",
    "impressions_of_images",
    "measured_ridge_period_px",
    "synthesize_master_image",
    "synthesize_tenprint_images",
]

F64 = npt.NDArray[np.float64]
F32 = npt.NDArray[np.float32]
U8 = npt.NDArray[np.uint8]
BOOL = npt.NDArray[np.bool_]

PPI = 500
PATTERNS = ("left_loop", "right_loop", "whorl", "arch", "tented_arch")
MAX_SEVERITY = 3.0

# Pattern frequencies by hand: ulnar loops dominate (right loops on the right hand as
# imaged, left loops on the left), index fingers carry more radial loops and arches,
# thumbs more whorls. Order as PATTERNS. Position 0 (unknown) uses the population mix.
_RIGHT_HAND = (0.05, 0.60, 0.28, 0.04, 0.03)
_LEFT_HAND = (0.60, 0.05, 0.28, 0.04, 0.03)
_PATTERN_FREQUENCIES: dict[int, tuple[float, ...]] = {
    0: (0.33, 0.32, 0.28, 0.04, 0.03),
    1: (0.03, 0.52, 0.40, 0.03, 0.02),
    2: (0.15, 0.40, 0.31, 0.07, 0.07),
    3: _RIGHT_HAND,
    4: (0.03, 0.52, 0.40, 0.03, 0.02),
    5: (0.02, 0.78, 0.16, 0.02, 0.02),
    6: (0.52, 0.03, 0.40, 0.03, 0.02),
    7: (0.40, 0.15, 0.31, 0.07, 0.07),
    8: _LEFT_HAND,
    9: (0.52, 0.03, 0.40, 0.03, 0.02),
    10: (0.78, 0.02, 0.16, 0.02, 0.02),
}

MEAN_PERIOD_PX = (8.6, 10.2)  # per finger; the map varies about +-0.8 px around it
PERIOD_LIMITS_PX = (8.0, 11.5)
SEED_AREA_PX = (800.0, 1200.0)  # one growth seed per this much finger area
GROWTH_ITERATIONS = 16
VIZCAYA_KNOT_SD = 0.15  # rad; knots 45 degrees apart, so |jump| < pi/4 keeps g monotone


class ImageSpecError(InputError):
    """An argument of the image generator breaks a rule (names the argument)."""

    def __init__(self, field_name: str, rule: str, message: str) -> None:
        self.field = field_name
        self.rule = rule
        super().__init__([FieldProblem(field_name, rule, message)], summary="invalid image spec")


@dataclass(frozen=True)
class FingerShape:
    """The finger area: a rectangle of height ``middle`` between an upper half-ellipse of
    height ``top`` and a lower one of height ``bottom``; ``left``/``right`` are the
    half-widths on each side of ``centre_x``. Pixels at 500 ppi on the canvas."""

    centre_x: float
    centre_y: float
    left: float
    right: float
    top: float
    bottom: float
    middle: float

    @property
    def top_y(self) -> float:
        return self.centre_y - self.middle / 2.0 - self.top

    @property
    def height(self) -> float:
        return self.top + self.middle + self.bottom

    @property
    def width(self) -> float:
        return self.left + self.right

    def mask(self, xs: F64, ys: F64) -> BOOL:
        half_width = np.where(xs < self.centre_x, self.left, self.right)
        u = (xs - self.centre_x) / half_width
        upper = self.centre_y - self.middle / 2.0
        lower = self.centre_y + self.middle / 2.0
        v = np.where(
            ys < upper,
            (ys - upper) / self.top,
            np.where(ys > lower, (ys - lower) / self.bottom, 0.0),
        )
        inside: BOOL = u * u + v * v <= 1.0
        return inside


@dataclass(frozen=True, eq=False)
class MasterFingerImage:
    """One synthetic finger: the parameters it was drawn from and its ridge pattern.

    ``ridges`` is float32 in [-1, 1] on the canvas (negative on a ridge, 0 off the
    finger); ``orientation`` (radians mod pi) and ``period`` (pixels) are the fields the
    ridges were grown from; ``image`` renders the master as 8-bit grayscale.
    """

    finger_position: int
    pattern: str
    shape: FingerShape
    cores: F64
    deltas: F64
    base_angle: float
    mean_period_px: float
    seed_count: int
    orientation: F32 = field(repr=False)
    period: F32 = field(repr=False)
    mask: BOOL = field(repr=False)
    ridges: F32 = field(repr=False)

    def __post_init__(self) -> None:
        for name in ("cores", "deltas", "orientation", "period", "mask", "ridges"):
            getattr(self, name).setflags(write=False)

    @property
    def image(self) -> U8:
        """The master rendered as a clean 8-bit print: ridges black, valleys white."""
        grey = np.where(self.mask, 127.5 * (self.ridges + 1.0), 255.0)
        return np.clip(np.rint(grey), 0, 255).astype(np.uint8)


def synthesize_master_image(rng: np.random.Generator, finger_position: int) -> MasterFingerImage:
    """A synthetic master finger at ``finger_position`` (0 unknown, 1-10)."""
    _check_position(finger_position)
    shape = _draw_shape(rng)
    frequencies = np.array(_PATTERN_FREQUENCIES[finger_position])
    pattern = PATTERNS[int(rng.choice(len(PATTERNS), p=frequencies / frequencies.sum()))]
    ys, xs = np.mgrid[0:CANVAS_HEIGHT, 0:CANVAS_WIDTH].astype(np.float64)
    mask = shape.mask(xs, ys)
    cores, deltas = _singular_points(rng, pattern, shape)
    base_angle = float(rng.normal(0.0, 0.08))
    orientation = _orientation_field(rng, pattern, shape, cores, deltas, base_angle, xs, ys)
    mean_period = float(rng.uniform(*MEAN_PERIOD_PX))
    period = np.clip(
        mean_period + 0.8 * _ridges.smooth_noise(rng, mask.shape, 140.0) / 1.5,
        *PERIOD_LIMITS_PX,
    )
    seeds, seed_count = _seed_image(rng, mask)
    growth_area = ndimage.binary_dilation(mask, iterations=4)
    o_bins, p_bins = _ridges.bin_indices(orientation, period)
    ridges = _ridges.grow_ridges(seeds, o_bins, p_bins, growth_area, GROWTH_ITERATIONS)
    ridges = np.where(mask, ridges, 0.0).astype(np.float32)
    return MasterFingerImage(
        finger_position=finger_position,
        pattern=pattern,
        shape=shape,
        cores=cores,
        deltas=deltas,
        base_angle=base_angle,
        mean_period_px=mean_period,
        seed_count=seed_count,
        orientation=np.mod(orientation, math.pi).astype(np.float32),
        period=period.astype(np.float32),
        mask=mask,
        ridges=ridges,
    )


def synthesize_tenprint_images(rng: np.random.Generator) -> dict[int, MasterFingerImage]:
    """Ten distinct master fingers of one synthetic person, positions 1-10."""
    return {position: synthesize_master_image(rng, position) for position in range(1, 11)}


def impression_image(
    master: MasterFingerImage, rng: np.random.Generator, *, severity: float = 1.0
) -> U8:
    """One capture of ``master`` as a 416 x 560 uint8 image; ``severity`` in 0..3."""
    if not isinstance(master, MasterFingerImage):
        raise ImageSpecError("master", "type", f"expected MasterFingerImage, got {type(master)}")
    _check_severity(severity)
    ridges = skin_condition(master, rng, severity)
    source_x, source_y = capture_mapping(master.shape, rng, severity)
    warped = ndimage.map_coordinates(ridges, [source_y, source_x], order=1, cval=0.0)
    finger = ndimage.map_coordinates(
        master.mask.astype(np.float32), [source_y, source_x], order=1, cval=0.0
    )
    contact = contact_area(master.shape, rng, severity, source_x, source_y) * finger
    return render(warped, contact, rng, severity)


def impressions_of_images(
    tenprint: Mapping[int, MasterFingerImage], rng: np.random.Generator, severity: float = 1.0
) -> dict[int, U8]:
    """A fresh capture of every finger of ``tenprint`` (in position order)."""
    return {
        position: impression_image(tenprint[position], rng, severity=severity)
        for position in sorted(tenprint)
    }


# --- master: shape, singular points, orientation, seeds


def _check_position(finger_position: object) -> None:
    if isinstance(finger_position, bool) or not isinstance(finger_position, int | np.integer):
        raise ImageSpecError(
            "finger_position", "type", f"expected an integer, got {type(finger_position).__name__}"
        )
    if not 0 <= finger_position <= 10:
        raise ImageSpecError("finger_position", "range", f"{finger_position} is outside 0..10")


def _check_severity(severity: object) -> None:
    if isinstance(severity, bool) or not isinstance(severity, int | float | np.floating):
        raise ImageSpecError("severity", "type", f"expected a number, got {type(severity)}")
    if not 0.0 <= float(severity) <= MAX_SEVERITY:
        raise ImageSpecError("severity", "range", f"{severity} is outside 0..{MAX_SEVERITY:g}")


def _draw_shape(rng: np.random.Generator) -> FingerShape:
    half_width = rng.uniform(135.0, 165.0)
    return FingerShape(
        centre_x=CANVAS_WIDTH / 2.0 + rng.normal(0.0, 4.0),
        centre_y=CANVAS_HEIGHT / 2.0 + rng.normal(0.0, 4.0),
        left=half_width * rng.uniform(0.94, 1.06),
        right=half_width * rng.uniform(0.94, 1.06),
        top=rng.uniform(140.0, 175.0),
        bottom=rng.uniform(100.0, 135.0),
        middle=rng.uniform(80.0, 140.0),
    )


def _singular_points(rng: np.random.Generator, pattern: str, shape: FingerShape) -> tuple[F64, F64]:
    """Cores and deltas where the pattern class puts them, with per-finger jitter."""
    cx, top, w, h = shape.centre_x, shape.top_y, shape.width, shape.height
    core_y = top + rng.uniform(0.36, 0.46) * h
    jitter = rng.normal(0.0, 0.03 * w)
    if pattern in ("left_loop", "right_loop"):
        # The delta sits on the side the loop does not open to.
        side = 1.0 if pattern == "left_loop" else -1.0
        cores = [[cx - side * 0.04 * w + jitter, core_y]]
        deltas = [[cx + side * rng.uniform(0.22, 0.34) * w, core_y + rng.uniform(0.22, 0.32) * h]]
    elif pattern == "whorl":
        spread = rng.uniform(10.0, 28.0)
        tilt = rng.uniform(0.0, math.pi)
        offset = spread * np.array([math.cos(tilt), math.sin(tilt)])
        centre = np.array([cx + jitter, core_y + 0.03 * h])
        cores = [list(centre - offset), list(centre + offset)]
        delta_y = core_y + rng.uniform(0.22, 0.30) * h
        deltas = [
            [cx - rng.uniform(0.26, 0.36) * w, delta_y + rng.normal(0.0, 10.0)],
            [cx + rng.uniform(0.26, 0.36) * w, delta_y + rng.normal(0.0, 10.0)],
        ]
    elif pattern == "tented_arch":
        cores = [[cx + jitter, core_y]]
        deltas = [[cx + jitter + rng.normal(0.0, 6.0), core_y + rng.uniform(45.0, 80.0)]]
    else:  # arch: no singular point
        return np.empty((0, 2)), np.empty((0, 2))
    return np.array(cores, dtype=np.float64), np.array(deltas, dtype=np.float64)


def _orientation_field(
    rng: np.random.Generator,
    pattern: str,
    shape: FingerShape,
    cores: F64,
    deltas: F64,
    base_angle: float,
    xs: F64,
    ys: F64,
) -> F64:
    if pattern == "arch":
        arch = _ridges.arch_orientation(
            xs,
            ys,
            shape.centre_x + rng.normal(0.0, 10.0),
            0.55 * shape.width,
            shape.top_y,
            shape.height,
            rng.uniform(0.4, 0.8),
        )
        return arch + base_angle
    knots_per_point = 8
    core_knots = np.clip(
        rng.normal(0.0, VIZCAYA_KNOT_SD, (len(cores), knots_per_point)), -0.35, 0.35
    )
    delta_knots = np.clip(
        rng.normal(0.0, VIZCAYA_KNOT_SD, (len(deltas), knots_per_point)), -0.35, 0.35
    )
    return _ridges.zero_pole_orientation(xs, ys, cores, deltas, base_angle, core_knots, delta_knots)


def _seed_image(rng: np.random.Generator, mask: BOOL) -> tuple[F32, int]:
    """Small discs of random polarity scattered over the finger: where ridges start."""
    area = float(mask.sum())
    count = max(4, round(area / rng.uniform(*SEED_AREA_PX)))
    inside = np.flatnonzero(mask.ravel())
    picks = rng.choice(inside, size=count, replace=False)
    seeds = np.zeros(mask.shape, dtype=np.float32)
    signs = rng.choice(np.array([-1.0, 1.0], dtype=np.float32), size=count)
    for pick, sign in zip(picks, signs, strict=True):
        y, x = divmod(int(pick), mask.shape[1])
        seeds[max(y - 2, 0) : y + 3, max(x - 2, 0) : x + 3] = sign
    return seeds, count


def measured_ridge_period_px(image: U8, *, window: int = 128) -> float:
    """The dominant ridge period of ``image`` in pixels, from the FFT power spectrum.

    Removes the slow background (a wide Gaussian blur), takes the ``window``-pixel
    square with the most remaining variance (ridges, not the edge of the finger),
    applies a Hann window and returns the period of the strongest spatial frequency
    between 3 and 25 px. A check that the generator draws
    fingerprint-like ridges (8-12 px at 500 ppi), not part of the generator itself.
    """
    pixels = np.asarray(image, dtype=np.float64)
    if pixels.ndim != 2 or min(pixels.shape) < window:
        raise ImageSpecError("image", "shape", f"need a 2-D image of at least {window} px a side")
    detail = pixels - ndimage.gaussian_filter(pixels, 8.0)
    patch = _busiest_patch(detail, window)
    taper = np.outer(np.hanning(window), np.hanning(window))
    padded = 4 * window  # zero padding interpolates the spectrum: finer period steps
    spectrum = np.fft.fft2((patch - patch.mean()) * taper, s=(padded, padded))
    power = np.abs(np.fft.fftshift(spectrum)) ** 2
    freq = np.fft.fftshift(np.fft.fftfreq(padded))
    fy, fx = np.meshgrid(freq, freq, indexing="ij")
    radius = np.hypot(fx, fy)
    band = (radius >= 1.0 / 25.0) & (radius <= 1.0 / 3.0)
    peak = np.argmax(np.where(band, power, 0.0))
    return float(1.0 / radius.ravel()[peak])


def _busiest_patch(pixels: F64, window: int) -> F64:
    step = window // 4
    best, best_variance = pixels[:window, :window], -1.0
    for top in range(0, pixels.shape[0] - window + 1, step):
        for left in range(0, pixels.shape[1] - window + 1, step):
            patch = pixels[top : top + window, left : left + window]
            variance = float(patch.var())
            if variance > best_variance:
                best, best_variance = patch, variance
    return best
