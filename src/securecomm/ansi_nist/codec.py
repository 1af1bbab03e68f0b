"""Read and write the ANSI/NIST-ITL traditional encoding.

``parse(data)`` never raises anything but :class:`AnsiNistParseError`, never reads
past a LEN that overruns the input, and always advances, so it cannot hang.
``dump(tx)`` writes records exactly as held (identical bytes after a parse);
``finalize(tx)`` recomputes CNT (1.003) and every LEN for a newly built transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from securecomm.ansi_nist.errors import AnsiNistParseError
from securecomm.ansi_nist.records import (
    BINARY_DATA_FIELD,
    BINARY_RECORD_TYPES,
    FS,
    GS,
    RS,
    TEXT_ONLY_RECORD_TYPES,
    US,
    Field,
    OpaqueRecord,
    Record,
    TaggedRecord,
    Transaction,
    Type4Header,
    Type4Record,
    format_tag,
)

_TAG_BYTES = re.compile(rb"(\d{1,2})\.(\d{1,9})")
_FIELD = re.compile(rb"(\d{1,2})\.(\d{1,9}):([^\x1c\x1d]*)")  # tag, then value up to GS/FS
_MAX_TAG_SPAN = 13  # "99.999999999:" is the longest tag we accept
_MAX_LEN_DIGITS = 10
_MIN_BINARY_LENGTH = {4: Type4Header.SIZE, 3: 18, 5: 18, 6: 18, 7: 5, 8: 5}


def parse(data: bytes) -> Transaction:
    """Parse a whole transaction; raises :class:`AnsiNistParseError` on any malformation."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise AnsiNistParseError("input must be bytes", offset=0)
    return _Reader(bytes(data)).read()


def dump(transaction: Transaction) -> bytes:
    """Write the records exactly as held: no LEN or CNT is recomputed."""
    return transaction.to_bytes()


def finalize(transaction: Transaction) -> Transaction:
    """Recompute CNT and every record's LEN in place (for built transactions); returns it."""
    _write_content_field(transaction)
    for record in transaction.records:
        _fix_length(record)
    return transaction


def encode(transaction: Transaction) -> bytes:
    """``dump(finalize(transaction))``: the bytes of a newly built transaction."""
    return dump(finalize(transaction))


@dataclass(frozen=True, slots=True)
class _Tag:
    text: str
    record_type: int
    number: int
    colon: int  # offset of the ':' after the tag


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.size = len(data)

    def fail(self, reason: str, offset: int, index: int | None, tag: str | None = None) -> None:
        raise AnsiNistParseError(reason, offset=offset, record_index=index, tag=tag)

    def read(self) -> Transaction:
        if self.size == 0:
            self.fail("empty input", 0, None)
        first, position = self.read_tagged(0, 0)
        if first.type != 1:
            self.fail(f"the first record must be Type-1, found Type-{first.type}", 0, 0)
        content_types = _content_types(first)
        records: list[Record] = [first]
        while position < self.size:
            index = len(records)
            listed = content_types[index - 1] if index - 1 < len(content_types) else None
            record, position = self.read_record(position, index, listed)
            records.append(record)
        return Transaction(records)

    def read_record(self, start: int, index: int, listed_type: int | None) -> tuple[Record, int]:
        if listed_type in BINARY_RECORD_TYPES:
            assert listed_type is not None
            return self.read_binary(start, index, listed_type)
        if listed_type is None and _TAG_BYTES.match(self.data, start) is None:
            self.fail(
                "record is not listed in CNT (1.003) and is not a tagged record", start, index
            )
        return self.read_tagged(start, index)

    def read_binary(self, start: int, index: int, record_type: int) -> tuple[Record, int]:
        if start + 4 > self.size:
            self.fail(f"Type-{record_type} record truncated before its 4-byte LEN", start, index)
        length = int.from_bytes(self.data[start : start + 4], "big")
        minimum = _MIN_BINARY_LENGTH[record_type]
        tag = format_tag(record_type, 1)
        if length < minimum:
            self.fail(f"LEN {length} is shorter than the {minimum}-byte header", start, index, tag)
        end = start + length
        if end > self.size:
            remaining = self.size - start
            self.fail(f"LEN {length} exceeds the {remaining} bytes remaining", start, index, tag)
        if record_type == 4:
            header = Type4Header.unpack(self.data[start : start + Type4Header.SIZE])
            return Type4Record(header, self.data[start + Type4Header.SIZE : end]), end
        return OpaqueRecord(record_type, self.data[start:end]), end

    def read_tagged(self, start: int, index: int) -> tuple[TaggedRecord, int]:
        length_tag = self.read_tag(start, start + _MAX_TAG_SPAN, index)
        if length_tag.number != 1:
            self.fail("a tagged record must start with its LEN field (x.001)", start, index)
        value_start = length_tag.colon + 1
        stop = self.first_separator(value_start, value_start + _MAX_LEN_DIGITS + 1)
        length_text = self.data[value_start:stop]
        if stop < 0 or not length_text.isdigit():
            self.fail(
                "LEN must be 1 to 10 digits ended by GS or FS", value_start, index, length_tag.text
            )
        length = int(length_text)
        end = start + length
        if length < stop - start + 1:
            self.fail(
                f"LEN {length} is shorter than the LEN field itself", start, index, length_tag.text
            )
        if end > self.size:
            remaining = self.size - start
            self.fail(
                f"LEN {length} exceeds the {remaining} bytes remaining",
                start,
                index,
                length_tag.text,
            )
        if self.data[end - 1] != FS[0]:
            self.fail(
                "the byte LEN points to is not the FS record separator",
                end - 1,
                index,
                length_tag.text,
            )
        if self.data[stop] == FS[0] and stop != end - 1:
            self.fail(
                "FS ends the record before the byte LEN points to", stop, index, length_tag.text
            )
        record = TaggedRecord(length_tag.record_type, [Field(length_tag.text, 1, length_text)])
        self.read_fields(record, stop + 1, end, index)
        return record, end

    def read_fields(self, record: TaggedRecord, start: int, end: int, index: int) -> None:
        """Read the fields after LEN; one regex match per field keeps this fast."""
        data, last, fields = self.data, end - 1, record.fields  # ``last`` is the record's FS
        binary_allowed = record.type not in TEXT_ONLY_RECORD_TYPES
        position = start
        while position < end:
            match = _FIELD.match(data, position, last)
            if match is None:
                self.fail("expected a tag '<type>.<field>:'", position, index)
                raise AssertionError("unreachable")
            value_start = match.start(3)
            tag = data[position : value_start - 1].decode("ascii")
            if int(match.group(1)) != record.type:
                self.fail(
                    f"field of Type-{int(match.group(1))} inside a Type-{record.type} record",
                    position,
                    index,
                    tag,
                )
            number = int(match.group(2))
            if number == BINARY_DATA_FIELD and binary_allowed:
                fields.append(Field(tag, number, data[value_start:last]))
                return
            value_end = match.end()
            if value_end < last and data[value_end] != GS[0]:
                self.fail(
                    "FS inside a field value: LEN does not match the record", value_end, index, tag
                )
            fields.append(Field(tag, number, match.group(3)))
            position = value_end + 1

    def read_tag(self, start: int, limit: int, index: int) -> _Tag:
        colon = self.data.find(b":", start, limit)
        match = _TAG_BYTES.fullmatch(self.data, start, colon) if colon > start else None
        if match is None:
            self.fail("expected a tag '<type>.<field>:'", start, index)
            raise AssertionError("unreachable")  # fail() always raises; keeps mypy informed
        return _Tag(match.group(0).decode("ascii"), int(match.group(1)), int(match.group(2)), colon)

    def first_separator(self, start: int, limit: int) -> int:
        limit = min(limit, self.size)
        for position in range(start, limit):
            if self.data[position] in (GS[0], FS[0]):
                return position
        return -1


def _content_types(type1: TaggedRecord) -> list[int | None]:
    """Record types listed in CNT (1.003) after its first subfield; unreadable entries -> None."""
    content = type1.field(3)
    if content is None:
        return []
    types: list[int | None] = []
    for subfield in content.value.split(RS)[1:]:
        first_item = subfield.split(US, 1)[0]
        types.append(int(first_item) if first_item.isdigit() and len(first_item) <= 3 else None)
    return types


def _record_idc(record: Record) -> str:
    if isinstance(record, Type4Record):
        return str(record.header.idc)
    if isinstance(record, OpaqueRecord):
        return record.idc or "0"
    return record.idc or "0"


def _write_content_field(transaction: Transaction) -> None:
    type1 = transaction.type1
    others = transaction.records[1:]
    subfields = [["1", str(len(others))]]
    subfields += [[str(record.type), _record_idc(record)] for record in others]
    type1.set(3, subfields)


def _fix_length(record: Record) -> None:
    if isinstance(record, Type4Record):
        record.header.length = Type4Header.SIZE + len(record.data)
    elif isinstance(record, OpaqueRecord):
        record.raw = len(record.raw).to_bytes(4, "big") + record.raw[4:]
    else:
        _fix_tagged_length(record)


def _fix_tagged_length(record: TaggedRecord) -> None:
    """LEN counts every byte including itself and the final FS: iterate to a fixed point."""
    tag = format_tag(record.type, 1)
    if record.field(1) is None:
        record.fields.insert(0, Field(tag, 1, b"0"))
    length_field = record.fields[0]
    if length_field.number != 1:
        record.remove(1)
        record.fields.insert(0, Field(tag, 1, b"0"))
        length_field = record.fields[0]
    rest = sum(len(f.tag) + 1 + len(f.value) + 1 for f in record.fields[1:])  # tag ':' value GS
    fixed = len(length_field.tag) + 1 + 1 + rest  # LEN tag, ':', final FS (last GS is the FS)
    digits = 1
    while len(str(fixed + digits)) != digits:
        digits += 1
    length_field.value = str(fixed + digits).encode("ascii")
