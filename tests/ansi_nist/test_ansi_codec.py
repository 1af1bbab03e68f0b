"""Codec: exact round-trips, LEN/CNT computation, Type-4 layout, images, typed parse errors."""

from __future__ import annotations

import struct

import pytest
from ansi_helpers import ridge_image

from securecomm.ansi_nist import (
    AnsiNistBuildError,
    AnsiNistParseError,
    Compression,
    OpaqueRecord,
    TaggedRecord,
    Transaction,
    Type4Header,
    Type4Record,
    decode_image,
    dump,
    encode,
    encode_image,
    parse,
)


def _type1(tot: str = "CAR") -> TaggedRecord:
    record = TaggedRecord(1)
    for number, value in ((2, "0500"), (3, [["1", "0"]]), (4, tot), (5, "20240102")):
        record.set(number, value)
    for number, value in ((7, "TXSIB0000"), (8, "TX1010000"), (9, "TX2024000001")):
        record.set(number, value)
    record.set(11, "19.69")
    record.set(12, "19.69")
    return record


def _type4(idc: int = 1, data: bytes = b"\x00\x01image") -> Type4Record:
    header = Type4Header(0, idc, 1, bytes([2, 255, 255, 255, 255, 255]), 0, 500, 500, 1)
    return Type4Record(header, data)


def test_car_round_trips_to_identical_bytes(car_bytes: bytes) -> None:
    assert dump(parse(car_bytes)) == car_bytes


def test_len_counts_every_byte_including_itself_and_fs(car_bytes: bytes) -> None:
    transaction = parse(car_bytes)
    for record in transaction.records:
        assert isinstance(record, TaggedRecord)
        assert int(record.get(1) or "") == len(record.to_bytes())


@pytest.mark.parametrize("extra", [0, 1, 80, 9_890, 9_893])
def test_len_fixed_point_across_digit_boundaries(extra: int) -> None:
    record = TaggedRecord(2)
    record.set(2, "0")
    record.set(18, "X" * (extra + 3))
    transaction = Transaction([_type1(), record])
    encode(transaction)
    assert int(record.get(1) or "") == len(record.to_bytes())


def test_cnt_lists_every_record_with_its_idc() -> None:
    type2 = TaggedRecord(2)
    type2.set(2, "0")
    transaction = Transaction([_type1(), type2, _type4(idc=1), _type4(idc=2)])
    data = encode(transaction)
    assert parse(data).type1.field(3).subfields == [["1", "3"], ["2", "0"], ["4", "1"], ["4", "2"]]


def test_type4_header_is_the_documented_18_byte_layout() -> None:
    record = _type4(idc=7, data=b"WSQDATA")
    data = encode(Transaction([_type1(), record]))
    start = len(data) - 18 - 7
    fields = struct.unpack(">IBB6sBHHB", data[start : start + 18])
    assert fields == (25, 7, 1, bytes([2, 255, 255, 255, 255, 255]), 0, 500, 500, 1)
    parsed = parse(data).records[1]
    assert isinstance(parsed, Type4Record)
    assert parsed.header.fingers == [2]
    assert parsed.data == b"WSQDATA"


def test_binary_999_block_may_contain_separators() -> None:
    record = TaggedRecord(14)
    record.set(2, "1")
    record.set(999, b"\x1c\x1d\x1e\x1f:14.001:")
    data = encode(Transaction([_type1(), record]))
    parsed = parse(data).records[1]
    assert isinstance(parsed, TaggedRecord)
    assert parsed.binary_data == b"\x1c\x1d\x1e\x1f:14.001:"
    assert dump(parse(data)) == data


def test_unknown_binary_record_type_kept_as_opaque_bytes() -> None:
    raw7 = (9).to_bytes(4, "big") + b"\x01abcd"
    data = encode(Transaction([_type1(), OpaqueRecord(7, raw7)]))
    transaction = parse(data)
    assert transaction.records[1].type == 7
    assert transaction.records[1].to_bytes() == raw7
    assert dump(transaction) == data


def test_original_tag_text_and_field_order_are_kept() -> None:
    body = b"1.002:0500\x1d1.04:CAR\x1d1.003:1\x1f0"
    length = len(b"1.001:") + len(body) + 1 + 3
    data = b"1.001:%d\x1d" % length + body + b"\x1c"
    assert len(data) == length
    parsed = parse(data)
    assert parsed.type1.get(4) == "CAR"
    assert dump(parsed) == data


def test_get_and_set_by_tag() -> None:
    record = TaggedRecord(2)
    record.set("2.018", "DOE,JOHN")
    record.set("2.002", "0")
    record.set("2.019", [["A B"], ["C D"]])
    assert [f.number for f in record.fields] == [2, 18, 19]
    assert record.get("2.018") == "DOE,JOHN"
    assert record.field("2.019").subfields == [["A B"], ["C D"]]
    record.set("2.018", "ROE,JANE")
    assert record.get(18) == "ROE,JANE"
    transaction = Transaction([_type1(), record])
    assert transaction.get("2.018") == "ROE,JANE"
    assert transaction.get("14.013") is None


@pytest.mark.parametrize(
    ("tag", "value"),
    [("2.018", "A\x1dB"), ("2.0x8", "A"), ("14.013", "1"), ("2.019", ["AB"])],
)
def test_setters_refuse_values_that_cannot_be_encoded(tag: str, value: object) -> None:
    with pytest.raises(AnsiNistBuildError):
        TaggedRecord(2).set(tag, value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "compression", [Compression.WSQ, Compression.PNG, Compression.JP2L, Compression.NONE]
)
def test_image_payloads_decode_back(compression: Compression) -> None:
    image = ridge_image(3, 128)
    data = encode_image(image, compression)
    decoded = decode_image(data, compression, width=128, height=128)
    assert decoded.size == (128, 128)
    assert decoded.mode == "L"
    if compression is not Compression.WSQ:  # WSQ is lossy
        assert decoded.tobytes() == image.tobytes()


def _error(data: bytes) -> AnsiNistParseError:
    with pytest.raises(AnsiNistParseError) as caught:
        parse(data)
    return caught.value


def test_len_beyond_the_input_is_an_error_not_an_allocation(car_bytes: bytes) -> None:
    error = _error(b"1.001:999999999\x1d1.002:0500\x1c")
    assert "exceeds" in error.reason
    assert (error.offset, error.record_index, error.tag) == (0, 0, "1.001")


def test_truncated_file_names_the_record(car_bytes: bytes) -> None:
    error = _error(car_bytes[:-100])
    assert error.record_index == 15
    assert error.tag == "14.001"


def test_trailing_garbage_after_the_last_record(car_bytes: bytes) -> None:
    error = _error(car_bytes + b"xyz")
    assert error.record_index == 16
    assert error.offset == len(car_bytes)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty input"),
        (b"2.001:17\x1d2.002:0\x1c", "first record must be Type-1"),
        (b"1.002:0500\x1c", "must start with its LEN"),
        (b"1.001:5\x1d1.002:0500\x1c", "LEN 5 is shorter"),
        (b"1.001:19\x1c1.004:CAR\x1c", "FS ends the record"),
        (b"1.001:19\x1d2.004:CAR\x1c", "field of Type-2 inside a Type-1"),
        (b"1.001:14\x1d1.004:CA\x1c\x1c", "not the FS record separator"),
        (b"1.001:abc\x1c", "LEN must be"),
    ],
)
def test_malformed_input_gets_a_specific_reason(data: bytes, reason: str) -> None:
    assert reason in _error(data).reason


def test_binary_record_needs_its_cnt_entry() -> None:
    data = encode(Transaction([_type1()])) + b"\x00\x00\x00\x20\x01"
    assert "not listed in CNT" in _error(data).reason


def test_binary_len_shorter_than_header_is_an_error() -> None:
    data = encode(Transaction([_type1(), _type4(data=b"x" * 20)]))
    start = len(data) - 38
    error = _error(data[:start] + (5).to_bytes(4, "big") + data[start + 4 :])
    assert "shorter than the 18-byte header" in error.reason
    assert error.record_index == 1


def test_parse_rejects_text_input() -> None:
    with pytest.raises(AnsiNistParseError):
        parse("1.001:")  # type: ignore[arg-type]


def test_errors_join_the_product_hierarchy() -> None:
    from securecomm.exceptions import SecurecommError

    with pytest.raises(SecurecommError):
        parse(b"garbage")
    with pytest.raises(ValueError, match=r"2\.018"):
        TaggedRecord(2).set("2.018", "A\x1cB")
