"""One capture of a synthetic master finger: skin, geometry, contact and rendering.

The impression half of :mod:`.synthetic_images` (the SFinGe recipe): ridge thickness
changed by pressure and skin dryness, an elastic distortion around a random contact
point, a global rotation and displacement, a partial contact area, then blur, uneven
background, contrast and sensor noise. ``severity`` scales every perturbation.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from scipy import ndimage

from securecomm.biometrics import _ridges

if TYPE_CHECKING:  # the master's type lives with the public API that makes it
    from securecomm.biometrics.synthetic_images import FingerShape, MasterFingerImage

F64 = npt.NDArray[np.float64]
F32 = npt.NDArray[np.float32]
U8 = npt.NDArray[np.uint8]

CANVAS_WIDTH, CANVAS_HEIGHT = 416, 560
MAX_ROTATION_RAD = math.radians(15.0)
MAX_SHIFT_PX = 25.0
ELASTIC_PX = 6.0
CONTACT_RADIUS_PX = (50.0, 90.0)


def skin_condition(master: MasterFingerImage, rng: np.random.Generator, severity: float) -> F32:
    """Ridge thickness and continuity for this capture: pressure, dryness, smudges."""
    ridges = master.ridges.astype(np.float32)
    if severity == 0.0:
        return ridges
    pressure = float(np.clip(rng.normal(0.0, 0.5), -1.2, 1.2)) * severity
    if pressure > 0.6:  # heavy pressure or wet skin: ridges spread (dark grows)
        ridges = ndimage.grey_erosion(ridges, size=(3, 3) if pressure > 1.1 else (2, 2))
    elif pressure < -0.6:  # light touch or dry skin: ridges thin out
        ridges = ndimage.grey_dilation(ridges, size=(3, 3) if pressure < -1.1 else (2, 2))
    # Uneven pressure across the finger shifts the ridge/valley threshold locally.
    bias = 0.25 * severity * _ridges.smooth_noise(rng, ridges.shape, 90.0) - 0.15 * pressure
    # Dry skin breaks ridges in small white specks.
    dryness = max(0.0, -pressure) + 0.3 * severity
    specks = rng.random(ridges.shape) < 0.004 * dryness
    specks = ndimage.binary_dilation(specks, iterations=1)
    shifted = np.clip(ridges + bias.astype(np.float32), -1.0, 1.0)
    shifted[specks & master.mask] = 1.0
    return shifted.astype(np.float32)


def capture_mapping(
    shape: FingerShape, rng: np.random.Generator, severity: float
) -> tuple[F64, F64]:
    """For every output pixel, where on the master it comes from (backward warp).

    Rotation and displacement of the whole finger, then Cappelli's skin model: the skin
    under a random contact point stays put, the skin further out is dragged by a small
    extra shift and twist, blended in smoothly, plus low-frequency elastic waves.
    """
    ys, xs = np.mgrid[0:CANVAS_HEIGHT, 0:CANVAS_WIDTH].astype(np.float64)
    centre = np.array([shape.centre_x, shape.centre_y])
    angle = rng.uniform(-MAX_ROTATION_RAD, MAX_ROTATION_RAD) * severity
    shift = rng.uniform(-MAX_SHIFT_PX, MAX_SHIFT_PX, size=2) * severity
    c, s = math.cos(angle), math.sin(angle)
    lx, ly = xs - centre[0] - shift[0], ys - centre[1] - shift[1]
    sx = c * lx + s * ly + centre[0]
    sy = -s * lx + c * ly + centre[1]
    contact = centre + rng.normal(0.0, 25.0, size=2)
    inner = rng.uniform(*CONTACT_RADIUS_PX)
    distance = np.hypot(sx - contact[0], sy - contact[1])
    brake = np.clip((distance - inner) / 120.0, 0.0, 1.0)
    brake = brake * brake * (3.0 - 2.0 * brake)  # smoothstep: no crease at the boundary
    drag = rng.normal(0.0, ELASTIC_PX, size=2) * severity
    twist = rng.normal(0.0, math.radians(2.5)) * severity
    dx = (
        drag[0]
        - twist * (sy - contact[1])
        + 0.5 * ELASTIC_PX * severity * _ridges.smooth_noise(rng, xs.shape, 160.0)
    )
    dy = (
        drag[1]
        + twist * (sx - contact[0])
        + 0.5 * ELASTIC_PX * severity * _ridges.smooth_noise(rng, xs.shape, 160.0)
    )
    return sx + brake * dx, sy + brake * dy


def contact_area(
    shape: FingerShape, rng: np.random.Generator, severity: float, source_x: F64, source_y: F64
) -> F32:
    """How much of the finger touched the platen: an ellipse with a ragged edge, in
    master coordinates so it moves with the finger. Soft-edged weights in [0, 1]."""
    if severity == 0.0:
        return np.ones(source_x.shape, dtype=np.float32)
    shrink = 1.0 - rng.uniform(0.0, 0.10, size=4) * min(severity, 2.0)
    left, right = shape.left * shrink[0], shape.right * shrink[1]
    top, bottom = (
        (shape.top + shape.middle / 2) * shrink[2],
        (shape.bottom + shape.middle / 2) * shrink[3],
    )
    centre_y = shape.centre_y + rng.normal(0.0, 10.0)
    u = (source_x - shape.centre_x) / np.where(source_x < shape.centre_x, left, right)
    v = (source_y - centre_y) / np.where(source_y < centre_y, top, bottom)
    ragged = 0.04 * severity * _ridges.smooth_noise(rng, source_x.shape, 60.0)
    edge = 1.0 - np.sqrt(u * u + v * v) + ragged
    weights: F32 = np.clip(edge / 0.06, 0.0, 1.0).astype(np.float32)
    return weights


def render(warped: F32, contact: F32, rng: np.random.Generator, severity: float) -> U8:
    """Grey levels of the capture: paper/platen background, dark ridges, blur, noise."""
    shape = warped.shape
    background = 235.0 - 15.0 * severity * np.abs(_ridges.smooth_noise(rng, shape, 150.0)) / 2.0
    contrast = rng.uniform(150.0, 210.0) * (1.0 - 0.15 * min(severity, 2.0) * rng.random())
    darkness = 0.5 * (1.0 - warped) * contact * contrast
    # Pressure is uneven: contrast fades towards parts of the contact area.
    fade = 1.0 - 0.25 * severity * np.clip(_ridges.smooth_noise(rng, shape, 120.0), 0.0, 1.5)
    grey = background - darkness * np.clip(fade, 0.4, 1.0)
    blur = 0.55 + 0.25 * severity * rng.random()
    grey = ndimage.gaussian_filter(grey, blur)
    noise_sd = (3.0 + 3.0 * rng.random()) * severity
    if noise_sd > 0.0:
        grey = grey + rng.normal(0.0, noise_sd, size=shape)
    image: U8 = np.clip(np.rint(grey), 0, 255).astype(np.uint8)
    return image
