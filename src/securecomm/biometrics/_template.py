"""The minutiae template: validated on construction, with a compact versioned byte form.

A template extracted from an image carries two minutiae sets of the same filtered
image: mindtct's (``minutiae``, what Type-9 records and the index use) and the skeleton
finder's (``second``), which the matcher pairs under the alignment the first set found:
two finders rarely invent the same false minutia, so an alignment both confirm is
trusted more (see :mod:`._compare`). Templates from minutiae alone have no second set.

Byte layout (all big-endian), version 1 (no second set) or 2::

    offset size  field
    0      4     magic b"SCMT"
    4      1     version (1)
    5      1     finger position (0 unknown, 1-10)
    6      2     width in pixels (500 ppi)
    8      2     height in pixels
    10     1     quality (0-100)
    11     2     minutiae count n
    13     8n    minutiae: x, y as uint16 in 1/8 pixel; direction as uint16 in 2*pi/65536;
                 kind uint8 (0 ending, 1 bifurcation); reliability uint8 in 1/255
    13+8n  2     version 2 only: second set's count m, then its 8m bytes of minutiae
    end-4  4     CRC-32 of everything before it

Coordinates, directions and reliabilities are quantised on the way out, so
``Template.from_bytes(t.to_bytes())`` equals ``t`` within those steps and its bytes equal
``t.to_bytes()`` exactly.
"""

from __future__ import annotations

import math
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from securecomm.biometrics._errors import TemplateError

MAGIC = b"SCMT"
VERSION = 1  # written when there is no second set, so such bytes never change
VERSION_WITH_SECOND = 2
MAX_MINUTIAE = 65535  # a count is two bytes
MAX_SIDE_PX = 4096  # 8 inches at 500 ppi; also keeps 1/8-pixel coordinates inside uint16
_HEADER = struct.Struct(">4sBBHHBH")
_MINUTIA = np.dtype([("x", ">u2"), ("y", ">u2"), ("t", ">u2"), ("kind", "u1"), ("rel", "u1")])
_CRC = struct.Struct(">I")
_COUNT = struct.Struct(">H")
SUBPIXEL = 8.0
ANGLE_STEPS = 65536.0
TWO_PI = 2.0 * math.pi

# Columns of Template.minutiae
X, Y, DIRECTION, KIND, RELIABILITY = range(5)


@dataclass(frozen=True, eq=False)
class Template:
    """Minutiae of one finger: ``minutiae`` float32 (n, 5) = x_px, y_px, direction_rad in
    [0, 2*pi), kind (0 ridge ending, 1 bifurcation), reliability in [0, 1]."""

    minutiae: npt.NDArray[np.float32]
    width: int
    height: int
    quality: int
    finger_position: int = 0
    # The skeleton finder's minutiae of the same image, same columns; None without one.
    second: npt.NDArray[np.float32] | None = None
    # How the quality was found when NFIQ 2 did not score the whole image (on the central
    # region of a larger print; unavailable, so estimated from the minutiae). Kept for
    # the booking's record at intake; not part of the byte form.
    quality_note: str = field(default="", compare=False)
    # Matcher features, computed on first use and kept with the template (private).
    _features: Any = field(default=None, init=False, repr=False)
    _second_features: Any = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        _check_int("width", self.width, 1, MAX_SIDE_PX)
        _check_int("height", self.height, 1, MAX_SIDE_PX)
        _check_int("quality", self.quality, 0, 100)
        _check_int("finger_position", self.finger_position, 0, 10)
        frozen = _validated_minutiae(self.minutiae, self.width, self.height)
        object.__setattr__(self, "minutiae", frozen)
        if self.second is not None:
            second = _validated_minutiae(self.second, self.width, self.height, "second")
            object.__setattr__(self, "second", second)

    def __repr__(self) -> str:
        return (
            f"Template(n={len(self)}, finger_position={self.finger_position}, "
            f"width={self.width}, height={self.height}, quality={self.quality}"
            + ("" if self.second is None else f", second={len(self.second)}")
            + ")"
        )

    def __len__(self) -> int:
        return int(self.minutiae.shape[0])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Template):
            return NotImplemented
        return (
            (self.width, self.height, self.quality, self.finger_position)
            == (
                other.width,
                other.height,
                other.quality,
                other.finger_position,
            )
            and np.array_equal(self.minutiae, other.minutiae)
            and _same_second(self, other)
        )

    def __hash__(self) -> int:
        return hash((self.width, self.height, self.quality, self.finger_position, len(self)))

    def to_bytes(self) -> bytes:
        version = VERSION if self.second is None else VERSION_WITH_SECOND
        header = _HEADER.pack(
            MAGIC, version, self.finger_position, self.width, self.height, self.quality, len(self)
        )
        body = header + quantised(self.minutiae).tobytes()
        if self.second is not None:
            body += _COUNT.pack(len(self.second)) + quantised(self.second).tobytes()
        return body + _CRC.pack(zlib.crc32(body))

    @classmethod
    def from_bytes(cls, data: bytes) -> Template:
        if not isinstance(data, bytes | bytearray | memoryview):
            raise TemplateError("data", "type", f"expected bytes, got {type(data).__name__}")
        data = bytes(data)
        if len(data) < _HEADER.size + _CRC.size:
            raise TemplateError("data", "length", f"{len(data)} bytes is shorter than a header")
        magic, version, position, width, height, quality, count = _HEADER.unpack_from(data)
        if magic != MAGIC:
            raise TemplateError("magic", "format", f"expected {MAGIC!r}, found {magic!r}")
        if version not in (VERSION, VERSION_WITH_SECOND):
            raise TemplateError("version", "supported", f"version {version} is not supported")
        end = _HEADER.size + count * _MINUTIA.itemsize
        second_count = 0
        if version == VERSION_WITH_SECOND:
            if len(data) < end + _COUNT.size + _CRC.size:
                raise TemplateError(
                    "data",
                    "length",
                    f"{count} minutiae and a second set need more than {len(data)} bytes",
                )
            (second_count,) = _COUNT.unpack_from(data, end)
            end += _COUNT.size + second_count * _MINUTIA.itemsize
        expected = end + _CRC.size
        if len(data) != expected:
            raise TemplateError(
                "data",
                "length",
                f"{count} + {second_count} minutiae need {expected} bytes, found {len(data)}",
            )
        (stored_crc,) = _CRC.unpack_from(data, end)
        if zlib.crc32(data[:end]) != stored_crc:
            raise TemplateError("crc", "checksum", "CRC-32 does not match: bytes are corrupt")
        minutiae = _read_records(data, count, _HEADER.size)
        second = None
        if version == VERSION_WITH_SECOND:
            offset = _HEADER.size + count * _MINUTIA.itemsize + _COUNT.size
            second = _read_records(data, second_count, offset)
        return cls(minutiae, width, height, quality, position, second)


def quantised(
    minutiae: npt.NDArray[np.float32], dtype: np.dtype[np.void] = _MINUTIA
) -> npt.NDArray[np.void]:
    """Minutiae as records of ``dtype`` (x, y, t, kind, rel; the byte form's by default,
    the gallery store's little-endian one there): 1/8 pixel, 2*pi/65536, 1/255."""
    m = minutiae.astype(np.float64)
    records = np.empty(len(m), dtype=dtype)
    # floor, not round: a coordinate just below the width must stay below it
    records["x"] = np.floor(m[:, X] * SUBPIXEL)
    records["y"] = np.floor(m[:, Y] * SUBPIXEL)
    records["t"] = np.rint(m[:, DIRECTION] / TWO_PI * ANGLE_STEPS).astype(np.int64) % 65536
    records["kind"] = m[:, KIND]
    records["rel"] = np.rint(m[:, RELIABILITY] * 255.0)
    return records


def dequantised(records: npt.NDArray[np.void]) -> npt.NDArray[np.float32]:
    """:func:`quantised` undone: a template's (n, 5) minutiae."""
    minutiae = np.empty((len(records), 5), dtype=np.float32)
    minutiae[:, X] = records["x"] / SUBPIXEL
    minutiae[:, Y] = records["y"] / SUBPIXEL
    minutiae[:, DIRECTION] = records["t"] / ANGLE_STEPS * TWO_PI
    minutiae[:, KIND] = records["kind"]
    minutiae[:, RELIABILITY] = records["rel"] / 255.0
    return minutiae


def _read_records(data: bytes, count: int, offset: int) -> npt.NDArray[np.float32]:
    return dequantised(np.frombuffer(data, dtype=_MINUTIA, count=count, offset=offset))


def _same_second(a: Template, b: Template) -> bool:
    if a.second is None or b.second is None:
        return a.second is None and b.second is None
    return np.array_equal(a.second, b.second)


def _check_int(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TemplateError(name, "type", f"expected an integer, got {type(value).__name__}")
    if not low <= value <= high:
        raise TemplateError(name, "range", f"{value} is outside {low}..{high}")


def _validated_minutiae(
    minutiae: object, width: int, height: int, name: str = "minutiae"
) -> npt.NDArray[np.float32]:
    if not isinstance(minutiae, np.ndarray):
        raise TemplateError(name, "type", f"expected numpy.ndarray, got {type(minutiae)}")
    if minutiae.dtype != np.float32:
        raise TemplateError(name, "dtype", f"expected float32, got {minutiae.dtype}")
    if minutiae.ndim != 2 or minutiae.shape[1] != 5:
        raise TemplateError(name, "shape", f"expected (n, 5), got {minutiae.shape}")
    if len(minutiae) > MAX_MINUTIAE:
        raise TemplateError(name, "count", f"{len(minutiae)} minutiae exceed {MAX_MINUTIAE}")
    if not np.all(np.isfinite(minutiae)):
        raise TemplateError(name, "finite", "contains NaN or infinity")
    _check_column(minutiae, X, name, "x", 0.0, float(width), "0 <= x < width")
    _check_column(minutiae, Y, name, "y", 0.0, float(height), "0 <= y < height")
    _check_column(minutiae, DIRECTION, name, "direction", 0.0, TWO_PI, "0 <= direction < 2*pi")
    kinds = minutiae[:, KIND]
    if not np.all((kinds == 0) | (kinds == 1)):
        row = int(np.flatnonzero((kinds != 0) & (kinds != 1))[0])
        raise TemplateError(f"{name}[{row}].kind", "code", "kind must be 0 or 1")
    reliability = minutiae[:, RELIABILITY]
    bad = (reliability < 0) | (reliability > 1)
    if np.any(bad):
        row = int(np.flatnonzero(bad)[0])
        raise TemplateError(f"{name}[{row}].reliability", "range", "must lie in [0, 1]")
    frozen = np.array(minutiae, dtype=np.float32, copy=True, order="C")
    frozen.setflags(write=False)
    return frozen


def _check_column(
    minutiae: npt.NDArray[np.float32],
    column: int,
    array_name: str,
    name: str,
    low: float,
    high: float,
    rule: str,
) -> None:
    values = minutiae[:, column]
    bad = (values < low) | (values >= high)
    if np.any(bad):
        row = int(np.flatnonzero(bad)[0])
        raise TemplateError(
            f"{array_name}[{row}].{name}", "range", f"{float(values[row])!r} breaks {rule}"
        )
