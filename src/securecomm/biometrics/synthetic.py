"""Synthetic fingers and their captures, for tests, benchmarks and the demo world.

A *master* finger is the ground truth: 30-70 minutiae spread over an elliptical finger
area (300-400 x 400-500 px at 500 ppi), no two closer than a minimum ridge-scale
distance, each pointing along a smooth orientation field built with the zero-pole model
of Sherlock and Monro from the singular points of a pattern class (arch, tented arch,
left/right loop, whorl) drawn with roughly population frequencies.

An *impression* is one capture of a master: a global rotation (up to 20 degrees) and
translation, a smooth non-linear (elastic) distortion with a small pressure-dependent
scale change, position and direction jitter, missing minutiae (10-25 %), spurious ones
(3-10 %), cropping to the capture window and a capture-dependent drop in reliability.
``severity`` scales every perturbation (0 gives the master back, up to quantisation).

Everything is drawn from the ``numpy.random.Generator`` passed in, so one seed gives
one world.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from securecomm.biometrics._quality import estimate_quality
from securecomm.biometrics._template import DIRECTION, KIND, RELIABILITY, TWO_PI, Template, X, Y

__all__ = ["impression", "impressions_of", "synthesize_master", "synthesize_tenprint"]

F64 = npt.NDArray[np.float64]

# Pattern classes and rough population frequencies (loops dominate, arches are rare).
PATTERNS = ("left_loop", "right_loop", "whorl", "arch", "tented_arch")
PATTERN_FREQUENCIES = (0.33, 0.32, 0.28, 0.04, 0.03)
MIN_MINUTIAE, MAX_MINUTIAE = 30, 70
MIN_SPACING_PX = 16.0  # about two ridge periods at 500 ppi
MAX_ROTATION_RAD = math.radians(20.0)
MAX_SHIFT_PX = 30.0
ELASTIC_AMPLITUDE_PX = 7.0
POSITION_JITTER_PX = 1.5
DIRECTION_JITTER_RAD = math.radians(4.0)
MISSING_FRACTION = (0.10, 0.25)
SPURIOUS_FRACTION = (0.03, 0.10)
MAX_CROP_FRACTION = 0.08  # per image side
BIFURCATION_SHARE = 0.45


def synthesize_master(rng: np.random.Generator, finger_position: int) -> Template:
    """A ground-truth finger at ``finger_position`` (0 unknown, 1-10)."""
    width = int(rng.integers(300, 401))
    height = int(rng.integers(400, 501))
    pattern = PATTERNS[int(rng.choice(len(PATTERNS), p=PATTERN_FREQUENCIES))]
    cores, deltas, base = _singular_points(rng, pattern, width, height)
    count = int(rng.integers(MIN_MINUTIAE, MAX_MINUTIAE + 1))
    points = _spread_points(rng, count, width, height)
    orientation = _orientation(points, cores, deltas, base, pattern, width, height)
    directions = orientation + math.pi * rng.integers(0, 2, size=len(points))
    kinds = (rng.random(len(points)) < BIFURCATION_SHARE).astype(np.float64)
    reliability = np.clip(rng.beta(8.0, 1.5, size=len(points)), 0.3, 1.0)
    return _template(points, directions, kinds, reliability, width, height, finger_position)


def synthesize_tenprint(rng: np.random.Generator) -> dict[int, Template]:
    """Ten distinct master fingers, positions 1-10."""
    return {position: synthesize_master(rng, position) for position in range(1, 11)}


def impression(master: Template, rng: np.random.Generator, *, severity: float = 1.0) -> Template:
    """One fresh capture of ``master``; ``severity`` scales every perturbation."""
    if not 0.0 <= severity <= 3.0:
        raise ValueError(f"severity {severity} is outside 0..3")
    m = master.minutiae.astype(np.float64)
    kept = rng.random(len(m)) >= rng.uniform(*MISSING_FRACTION) * severity
    m = m[kept]
    warp = _Warp(rng, master.width, master.height, severity)
    points = warp.apply(m[:, [X, Y]])
    ahead = m[:, [X, Y]] + np.stack([np.cos(m[:, DIRECTION]), np.sin(m[:, DIRECTION])], axis=1)
    moved = warp.apply(ahead) - points
    directions = np.arctan2(moved[:, 1], moved[:, 0])
    points = points + rng.normal(0.0, POSITION_JITTER_PX * severity, size=points.shape)
    directions = directions + rng.normal(0.0, DIRECTION_JITTER_RAD * severity, size=len(m))
    reliability = (
        m[:, RELIABILITY] * rng.uniform(1.0 - 0.25 * severity, 1.0)
        if severity
        else m[:, RELIABILITY]
    )
    kinds = m[:, KIND]
    extra = _spurious(rng, points, directions, severity, len(master))
    if extra is not None:
        points = np.concatenate([points, extra[0]])
        directions = np.concatenate([directions, extra[1]])
        kinds = np.concatenate([kinds, extra[2]])
        reliability = np.concatenate([reliability, extra[3]])
    window = _capture_window(rng, master.width, master.height, severity)
    return _template(
        points,
        directions,
        kinds,
        np.clip(reliability, 0.0, 1.0),
        master.width,
        master.height,
        master.finger_position,
        window,
    )


def impressions_of(
    tenprint: Mapping[int, Template], rng: np.random.Generator, severity: float = 1.0
) -> dict[int, Template]:
    """A fresh capture of every finger of ``tenprint`` (in position order)."""
    return {
        position: impression(tenprint[position], rng, severity=severity)
        for position in sorted(tenprint)
    }


class _Warp:
    """Global rigid move plus a smooth elastic displacement and a slight pressure scale."""

    def __init__(self, rng: np.random.Generator, width: int, height: int, severity: float):
        self.centre = np.array([width / 2.0, height / 2.0])
        self.rotation = rng.uniform(-MAX_ROTATION_RAD, MAX_ROTATION_RAD) * severity
        self.shift = rng.uniform(-MAX_SHIFT_PX, MAX_SHIFT_PX, size=2) * severity
        self.scale = 1.0 + rng.uniform(-0.03, 0.03, size=2) * severity
        # Three low-frequency plane waves (wavelengths 250-600 px) per axis.
        self.wave_vectors = rng.normal(size=(2, 3, 2))
        self.wave_vectors /= np.linalg.norm(self.wave_vectors, axis=2, keepdims=True)
        self.wave_vectors *= TWO_PI / rng.uniform(250.0, 600.0, size=(2, 3, 1))
        self.phases = rng.uniform(0.0, TWO_PI, size=(2, 3))
        self.amplitudes = rng.uniform(0.3, 1.0, size=(2, 3)) * ELASTIC_AMPLITUDE_PX * severity / 2

    def apply(self, points: F64) -> F64:
        displaced = points.copy()
        for axis in range(2):
            waves = points @ self.wave_vectors[axis].T + self.phases[axis]
            displaced[:, axis] += np.sin(waves) @ self.amplitudes[axis]
        local = (displaced - self.centre) * self.scale
        c, s = math.cos(self.rotation), math.sin(self.rotation)
        turned = local @ np.array([[c, s], [-s, c]])
        result: F64 = turned + self.centre + self.shift
        return result


def _singular_points(
    rng: np.random.Generator, pattern: str, width: int, height: int
) -> tuple[F64, F64, float]:
    cx, jitter = width / 2.0, rng.normal(0.0, 12.0, size=2)
    side = -1.0 if pattern == "left_loop" else 1.0
    if pattern in ("left_loop", "right_loop"):
        cores = np.array([[cx - side * 0.05 * width, 0.38 * height]])
        deltas = np.array([[cx + side * 0.30 * width, 0.72 * height]])
    elif pattern == "whorl":
        cores = np.array([[cx - 0.05 * width, 0.40 * height], [cx + 0.05 * width, 0.45 * height]])
        deltas = np.array([[cx - 0.35 * width, 0.74 * height], [cx + 0.35 * width, 0.74 * height]])
    elif pattern == "tented_arch":
        cores = np.array([[cx, 0.50 * height]])
        deltas = np.array([[cx, 0.70 * height]])
    else:
        cores = np.empty((0, 2))
        deltas = np.empty((0, 2))
    base = rng.normal(0.0, 0.15)
    return cores + jitter, deltas + jitter, base


def _orientation(
    points: F64, cores: F64, deltas: F64, base: float, pattern: str, width: int, height: int
) -> F64:
    """Ridge orientation (mod pi) at ``points``: zero-pole model, or a wave for arches."""
    if pattern == "arch":
        bump = np.exp(-(((points[:, 1] - 0.55 * height) / (0.3 * height)) ** 2))
        slope = np.sin(math.pi * (points[:, 0] / width - 0.5)) * 0.9 * bump
        result: F64 = base + slope
        return result
    angle = np.full(len(points), base)
    for core in cores:
        angle += 0.5 * np.arctan2(points[:, 1] - core[1], points[:, 0] - core[0])
    for delta in deltas:
        angle -= 0.5 * np.arctan2(points[:, 1] - delta[1], points[:, 0] - delta[0])
    return angle


def _spread_points(rng: np.random.Generator, count: int, width: int, height: int) -> F64:
    """Dart throwing inside the finger ellipse with a minimum spacing."""
    centre = np.array([width / 2.0, height / 2.0])
    axes = np.array([0.45 * width, 0.46 * height])
    accepted = np.empty((count, 2))
    n = 0
    for _ in range(40):  # batches of candidates; ends early once enough are placed
        angle = rng.uniform(0.0, TWO_PI, size=4 * count)
        radius = np.sqrt(rng.uniform(0.0, 1.0, size=4 * count))
        candidates = (
            centre + axes * np.stack([np.cos(angle), np.sin(angle)], axis=1) * radius[:, None]
        )
        for candidate in candidates:
            if n and np.min(np.sum((accepted[:n] - candidate) ** 2, axis=1)) < MIN_SPACING_PX**2:
                continue
            accepted[n] = candidate
            n += 1
            if n == count:
                return accepted
    return accepted[:n]


def _spurious(
    rng: np.random.Generator, points: F64, directions: F64, severity: float, master_count: int
) -> tuple[F64, F64, F64, F64] | None:
    """False minutiae from noise and scars: near the print, following nearby ridge flow."""
    count = round(rng.uniform(*SPURIOUS_FRACTION) * severity * master_count)
    if count == 0 or len(points) == 0:
        return None
    low, high = points.min(axis=0), points.max(axis=0)
    where = rng.uniform(low, high, size=(count, 2))
    nearest = np.argmin(((where[:, None, :] - points[None, :, :]) ** 2).sum(axis=2), axis=1)
    flow = directions[nearest] + math.pi * rng.integers(0, 2, size=count)
    flow = flow + rng.normal(0.0, 0.3, size=count)
    kinds = rng.integers(0, 2, size=count).astype(np.float64)
    reliability = rng.uniform(0.2, 0.6, size=count)
    return where, flow, kinds, reliability


def _capture_window(
    rng: np.random.Generator, width: int, height: int, severity: float
) -> tuple[float, float, float, float]:
    crop = rng.uniform(0.0, MAX_CROP_FRACTION, size=4) * severity
    return crop[0] * width, crop[1] * height, width * (1 - crop[2]), height * (1 - crop[3])


def _template(
    points: F64,
    directions: F64,
    kinds: F64,
    reliability: F64,
    width: int,
    height: int,
    finger_position: int,
    window: tuple[float, float, float, float] | None = None,
) -> Template:
    x0, y0, x1, y1 = window if window is not None else (0.0, 0.0, float(width), float(height))
    minutiae = np.empty((len(points), 5), dtype=np.float32)
    minutiae[:, X] = points[:, 0]
    minutiae[:, Y] = points[:, 1]
    angle = np.mod(directions, TWO_PI).astype(np.float32)
    angle[angle >= np.float32(TWO_PI)] = 0.0  # float32 rounding can land on 2*pi itself
    minutiae[:, DIRECTION] = angle
    minutiae[:, KIND] = kinds
    minutiae[:, RELIABILITY] = reliability
    xs, ys = minutiae[:, X], minutiae[:, Y]
    inside = (
        (xs >= max(x0, 0.0)) & (xs < min(x1, width)) & (ys >= max(y0, 0.0)) & (ys < min(y1, height))
    )
    minutiae = np.ascontiguousarray(minutiae[inside])
    return Template(minutiae, width, height, estimate_quality(minutiae), finger_position)
