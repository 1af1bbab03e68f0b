"""The in-memory model of an ANSI/NIST-ITL traditional-encoding transaction.

A :class:`Transaction` is an ordered list of records. Tagged records keep their
fields in file order with the tag text and value bytes exactly as read, so that
writing an unmodified transaction gives back the identical bytes; LEN and CNT are
only recomputed by :func:`securecomm.ansi_nist.codec.finalize` when building.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from securecomm.ansi_nist.errors import AnsiNistBuildError

FS = b"\x1c"  # ends a record
GS = b"\x1d"  # separates fields
RS = b"\x1e"  # separates repeated subfields
US = b"\x1f"  # separates items inside a subfield
SEPARATOR_BYTES = frozenset(b"\x1c\x1d\x1e\x1f")

# Record types whose traditional encoding is binary (no tags); Type-4 is the one we interpret.
BINARY_RECORD_TYPES = frozenset({3, 4, 5, 6, 7, 8})
# Tagged record types whose field 999 (if present) is text, not a binary image block.
TEXT_ONLY_RECORD_TYPES = frozenset({1, 2, 9, 18, 98})
BINARY_DATA_FIELD = 999

_TAG_PATTERN = re.compile(r"(\d{1,2})\.(\d{1,9})")

SubfieldValues = Sequence[Sequence[str]]
FieldValue = str | bytes | SubfieldValues


def split_tag(tag: str) -> tuple[int, int]:
    """``"2.018"`` -> ``(2, 18)``; raises :class:`AnsiNistBuildError` on anything else."""
    match = _TAG_PATTERN.fullmatch(tag)
    if match is None:
        raise AnsiNistBuildError(tag, "a tag is '<record type>.<field number>', e.g. '2.018'")
    return int(match.group(1)), int(match.group(2))


def format_tag(record_type: int, number: int) -> str:
    """Canonical tag text: field number at least three digits (``14.013``)."""
    return f"{record_type}.{number:03d}"


def decode_text(value: bytes) -> str:
    """Text fields are ASCII or UTF-8; anything else is shown as Latin-1 rather than failing."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def encode_value(tag: str, value: FieldValue) -> bytes:
    """Encode a text value or a list of subfields (each a list of items) into field bytes."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return _encode_text(tag, value)
    subfields = []
    for subfield in value:
        if isinstance(subfield, str):
            raise AnsiNistBuildError(tag, "subfields must be sequences of item strings")
        subfields.append(US.join(_encode_text(tag, item) for item in subfield))
    return RS.join(subfields)


def _encode_text(tag: str, text: str) -> bytes:
    encoded = text.encode("utf-8")
    if not SEPARATOR_BYTES.isdisjoint(encoded):
        raise AnsiNistBuildError(tag, "text may not contain the separators FS, GS, RS or US")
    return encoded


@dataclass(slots=True)
class Field:
    """One tagged field. ``tag`` is the tag text as written (kept for identical round-trips)."""

    tag: str
    number: int
    value: bytes

    @classmethod
    def of(cls, tag: str, value: FieldValue) -> Field:
        _, number = split_tag(tag)
        return cls(tag, number, encode_value(tag, value))

    @property
    def text(self) -> str:
        return decode_text(self.value)

    @property
    def subfields(self) -> list[list[str]]:
        """Repeated subfields (RS), each split into its items (US)."""
        return [
            [decode_text(item) for item in subfield.split(US)] for subfield in self.value.split(RS)
        ]

    def to_bytes(self) -> bytes:
        return self.tag.encode("ascii") + b":" + self.value


@dataclass(slots=True)
class TaggedRecord:
    """A record written as ``tag:value`` fields (Type-1, 2, 9, 10, 13, 14, 15 and others)."""

    type: int
    fields: list[Field] = field(default_factory=list)

    def field(self, tag_or_number: str | int) -> Field | None:
        number = self._number(tag_or_number)
        for candidate in self.fields:
            if candidate.number == number:
                return candidate
        return None

    def get(self, tag_or_number: str | int) -> str | None:
        """The field's text, or ``None`` when absent."""
        found = self.field(tag_or_number)
        return None if found is None else found.text

    def set(self, tag_or_number: str | int, value: FieldValue) -> None:
        """Replace a field's value, or insert the field in ascending field-number order."""
        number = self._number(tag_or_number)
        tag = format_tag(self.type, number)
        encoded = encode_value(tag, value)  # bytes pass through: image blocks are binary
        for existing in self.fields:
            if existing.number == number:
                existing.value = encoded
                return
        position = next(
            (i for i, existing in enumerate(self.fields) if existing.number > number),
            len(self.fields),
        )
        self.fields.insert(position, Field(tag, number, encoded))

    def remove(self, tag_or_number: str | int) -> None:
        number = self._number(tag_or_number)
        self.fields = [f for f in self.fields if f.number != number]

    @property
    def idc(self) -> str | None:
        return self.get(2) if self.type != 1 else None

    @property
    def binary_data(self) -> bytes | None:
        """The ``.999`` image block of an image record, raw bytes."""
        if self.type in TEXT_ONLY_RECORD_TYPES:
            return None
        found = self.field(BINARY_DATA_FIELD)
        return None if found is None else found.value

    def to_bytes(self) -> bytes:
        return GS.join([f.to_bytes() for f in self.fields]) + FS

    def _number(self, tag_or_number: str | int) -> int:
        if isinstance(tag_or_number, int):
            return tag_or_number
        record_type, number = split_tag(tag_or_number)
        if record_type != self.type:
            raise AnsiNistBuildError(
                tag_or_number, f"tag belongs to Type-{record_type}, not this Type-{self.type}"
            )
        return number


@dataclass(slots=True)
class Type4Header:
    """The 18-byte big-endian header of a Type-4 (high-resolution grayscale fingerprint) record.

    Layout (``struct`` format ``>IBB6sBHHB``)::

        offset size field
        0      4    LEN  record length in bytes, header included   I
        4      1    IDC  information designation character         B
        5      1    IMP  impression type (0 live plain, 1 rolled)   B
        6      6    FGP  finger positions, unused bytes 255         6s
        12     1    ISR  image scanning resolution (0 = 19.69 ppmm) B
        13     2    HLL  horizontal line length (width, pixels)     H
        15     2    VLL  vertical line length (height, pixels)      H
        17     1    CGA  compression (0 none, 1 WSQ, ... 6 PNG)     B
    """

    STRUCT: ClassVar[struct.Struct] = struct.Struct(">IBB6sBHHB")
    SIZE: ClassVar[int] = 18

    length: int
    idc: int
    impression: int
    finger_positions: bytes
    resolution: int
    width: int
    height: int
    compression: int

    @classmethod
    def unpack(cls, raw: bytes) -> Type4Header:
        length, idc, imp, fgp, isr, hll, vll, cga = cls.STRUCT.unpack(raw[: cls.SIZE])
        return cls(length, idc, imp, fgp, isr, hll, vll, cga)

    def pack(self) -> bytes:
        return self.STRUCT.pack(
            self.length,
            self.idc,
            self.impression,
            self.finger_positions,
            self.resolution,
            self.width,
            self.height,
            self.compression,
        )

    @property
    def fingers(self) -> list[int]:
        """Finger positions in use (255 marks an unused byte)."""
        return [b for b in self.finger_positions if b != 255]


@dataclass(slots=True)
class Type4Record:
    """A Type-4 record: binary header plus the image bytes (kept compressed)."""

    header: Type4Header
    data: bytes
    type: int = 4

    @property
    def idc(self) -> str:
        return str(self.header.idc)

    def to_bytes(self) -> bytes:
        return self.header.pack() + self.data


@dataclass(slots=True)
class OpaqueRecord:
    """A binary record type we do not interpret (Type-3, 5, 6, 7, 8): kept byte for byte."""

    type: int
    raw: bytes

    @property
    def idc(self) -> str | None:
        return str(self.raw[4]) if len(self.raw) > 4 else None

    def to_bytes(self) -> bytes:
        return self.raw


Record = TaggedRecord | Type4Record | OpaqueRecord


@dataclass(slots=True)
class Transaction:
    """An ordered list of records; the first is the Type-1 transaction information record."""

    records: list[Record] = field(default_factory=list)

    @property
    def type1(self) -> TaggedRecord:
        first = self.records[0] if self.records else None
        if not isinstance(first, TaggedRecord) or first.type != 1:
            raise AnsiNistBuildError("1.001", "a transaction starts with its Type-1 record")
        return first

    @property
    def tot(self) -> str | None:
        return self.type1.get(4)

    def records_of_type(self, record_type: int) -> list[Record]:
        return [r for r in self.records if r.type == record_type]

    def tagged(self, record_type: int) -> Iterator[TaggedRecord]:
        for record in self.records:
            if isinstance(record, TaggedRecord) and record.type == record_type:
                yield record

    def get(self, tag: str) -> str | None:
        """The field's text in the first record of the tag's type (``"2.018"`` -> name)."""
        record_type, _ = split_tag(tag)
        for record in self.tagged(record_type):
            return record.get(tag)
        return None

    def to_bytes(self) -> bytes:
        return b"".join(r.to_bytes() for r in self.records)


def ascii_digits(text: str) -> bool:
    """Whether ``text`` is a number as ANSI/NIST-ITL writes one: ASCII digits only.
    (``str.isdigit`` also accepts "²" and other scripts' digits, which ``int`` refuses.)"""
    return text.isascii() and text.isdigit()
