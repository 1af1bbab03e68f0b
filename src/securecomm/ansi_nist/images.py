"""Fingerprint image payloads: compression codes, encoding, decoding and summaries.

Type-4 names the compression with a number (CGA byte), Type-13/14/15 with text
(14.011). WSQ comes from the ``wsq`` package, which registers a Pillow plugin.
"""

from __future__ import annotations

import enum
import io
import warnings
from dataclasses import dataclass

import wsq  # noqa: F401  (registers the WSQ codec with Pillow)
from PIL import Image

from securecomm.ansi_nist._isolated import DecoderCrashError, decode_isolated
from securecomm.ansi_nist.errors import AnsiNistBuildError
from securecomm.ansi_nist.records import (
    OpaqueRecord,
    Record,
    TaggedRecord,
    Type4Record,
    ascii_digits,
)

# No fingerprint image is larger than 4096 x 4096 pixels (8 inches at 500 ppi): the size
# is read from the image header and refused before a single pixel is decoded, and
# Pillow's own decompression-bomb limit is set to the same figure instead of its default.
MAX_IMAGE_SIDE = 4096
MAX_IMAGE_PIXELS = MAX_IMAGE_SIDE * MAX_IMAGE_SIDE
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS


class Compression(enum.StrEnum):
    """Compression algorithm, by its Type-14 text code; ``type4_code`` is the Type-4 byte."""

    NONE = "NONE"
    WSQ = "WSQ20"
    JPEGB = "JPEGB"
    JPEGL = "JPEGL"
    JP2 = "JP2"
    JP2L = "JP2L"
    PNG = "PNG"

    @property
    def type4_code(self) -> int:
        return _TYPE4_CODES[self]

    @classmethod
    def from_type4_code(cls, code: int) -> Compression | None:
        return next((c for c, n in _TYPE4_CODES.items() if n == code), None)

    @classmethod
    def from_text(cls, text: str | None) -> Compression | None:
        return next((c for c in cls if c.value == (text or "").strip().upper()), None)


_TYPE4_CODES = {
    Compression.NONE: 0,
    Compression.WSQ: 1,
    Compression.JPEGB: 2,
    Compression.JPEGL: 3,
    Compression.JP2: 4,
    Compression.JP2L: 5,
    Compression.PNG: 6,
}

_PILLOW_FORMATS = {
    Compression.WSQ: "WSQ",
    Compression.PNG: "PNG",
    Compression.JP2: "JPEG2000",
    Compression.JP2L: "JPEG2000",
    Compression.JPEGB: "JPEG",
}

FingerprintImage = Image.Image | bytes


def as_grayscale(
    image: FingerprintImage, *, width: int | None = None, height: int | None = None
) -> Image.Image:
    """A PIL 8-bit grayscale image from a PIL image or raw row-major 8-bit bytes."""
    if isinstance(image, Image.Image):
        return image if image.mode == "L" else image.convert("L")
    if width is None or height is None or width <= 0 or height <= 0:
        raise AnsiNistBuildError("image", "raw grayscale bytes need a positive width and height")
    if len(image) != width * height:
        raise AnsiNistBuildError(
            "image", f"raw grayscale bytes are {len(image)} long, expected {width}x{height}"
        )
    return Image.frombytes("L", (width, height), image)


def encode_image(image: Image.Image, compression: Compression) -> bytes:
    """Compress an 8-bit grayscale image for a .999 or Type-4 payload."""
    gray = as_grayscale(image)
    if compression is Compression.NONE:
        return gray.tobytes()
    pillow_format = _PILLOW_FORMATS.get(compression)
    if pillow_format is None:
        raise AnsiNistBuildError("image", f"writing {compression.value} is not supported")
    buffer = io.BytesIO()
    if compression is Compression.JP2L:
        gray.save(buffer, pillow_format, irreversible=False)
    else:
        gray.save(buffer, pillow_format)
    return buffer.getvalue()


def _check_side(field: str, width: int, height: int) -> None:
    if not (0 < width <= MAX_IMAGE_SIDE and 0 < height <= MAX_IMAGE_SIDE):
        raise AnsiNistBuildError(
            field,
            f"{width} x {height} pixels: each side must be 1 to {MAX_IMAGE_SIDE} "
            "(checked before decoding)",
        )


def decode_image(data: bytes, compression: Compression, *, width: int, height: int) -> Image.Image:
    """Decompress a payload back to an 8-bit grayscale image.

    The size comes from the image's own header first and is checked against the limit
    and against the record's declared size (``width`` x ``height``, 0 when the record
    does not say); only then are pixels decoded. Every codec failure, including the WSQ
    library's bare ``Exception``, becomes an :class:`AnsiNistBuildError`.
    """
    if compression is Compression.NONE:
        _check_side("image", width, height)
        return as_grayscale(data, width=width, height=height)
    try:
        with warnings.catch_warnings():  # a bomb warning is a refusal here, not a log line
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data))  # reads the header only
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise AnsiNistBuildError("image", f"{compression.value} header: {error}") from error
    except Exception as error:  # the codecs raise anything, WSQ a bare Exception
        raise AnsiNistBuildError(
            "image", f"cannot read the {compression.value} header: {_first_line(error)}"
        ) from error
    with opened:
        actual_width, actual_height = opened.size
        _check_side("image", actual_width, actual_height)
        if (width, height) != (0, 0) and (width, height) != opened.size:
            raise AnsiNistBuildError(
                "image",
                f"the record declares {width} x {height} pixels but the "
                f"{compression.value} data holds {actual_width} x {actual_height}",
            )
        if compression is Compression.WSQ:
            return _decode_wsq(data)
        try:
            opened.load()
            return as_grayscale(opened.copy())
        except Exception as error:  # the codecs raise anything on corrupt data
            raise AnsiNistBuildError(
                "image", f"cannot decode {compression.value} data: {_first_line(error)}"
            ) from error


def _decode_wsq(data: bytes) -> Image.Image:
    """WSQ pixels from the isolated decoder (``_isolated``: hostile WSQ can crash it)."""
    try:
        decoded = decode_isolated(data)
    except DecoderCrashError as error:
        raise AnsiNistBuildError(
            "image", f"the WSQ decoder crashed on this data and was restarted ({error})"
        ) from error
    except ValueError as error:  # the WSQ library's own refusal (-93, -51, ...)
        raise AnsiNistBuildError(
            "image", f"cannot decode WSQ20 data: {_first_line(error)}"
        ) from error
    return Image.frombytes("L", (decoded.width, decoded.height), decoded.pixels)


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0][:200]


@dataclass(frozen=True, slots=True)
class ImageSummary:
    """What ``show`` prints for an image record, without decoding the image."""

    record_type: int
    idc: str | None
    width: int | None
    height: int | None
    compression: str
    fingers: tuple[int, ...]
    impression: int | None
    size_bytes: int


def summarize_image(record: Record) -> ImageSummary | None:
    """Summarise an image record (Type-4, or a tagged record with a .999 block)."""
    if isinstance(record, Type4Record):
        header = record.header
        code = Compression.from_type4_code(header.compression)
        return ImageSummary(
            record_type=4,
            idc=record.idc,
            width=header.width,
            height=header.height,
            compression=code.value if code else f"code {header.compression}",
            fingers=tuple(header.fingers),
            impression=header.impression,
            size_bytes=len(record.data),
        )
    if isinstance(record, OpaqueRecord):
        return None
    data = record.binary_data
    if data is None:
        return None
    return ImageSummary(
        record_type=record.type,
        idc=record.idc,
        width=_small_int(record.get(6)),
        height=_small_int(record.get(7)),
        compression=(record.get(11) or "NONE").strip(),
        fingers=_finger_positions(record),
        impression=_small_int(record.get(3)),
        size_bytes=len(data),
    )


def _finger_positions(record: TaggedRecord) -> tuple[int, ...]:
    field = record.field(13)
    if field is None:
        return ()
    positions = (_small_int(subfield[0]) for subfield in field.subfields)
    return tuple(p for p in positions if p is not None)


def _small_int(text: str | None) -> int | None:
    if text is None:
        return None
    stripped = text.strip()
    return int(stripped) if ascii_digits(stripped) and len(stripped) <= 9 else None
