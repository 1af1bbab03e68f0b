"""Property tests: built transactions round-trip; arbitrary or mutated bytes only ever raise
AnsiNistParseError (and whatever does parse writes back to the same bytes)."""

from __future__ import annotations

from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from securecomm.ansi_nist import (
    AnsiNistParseError,
    OpaqueRecord,
    TaggedRecord,
    Transaction,
    Type4Header,
    Type4Record,
    dump,
    encode,
    parse,
    validate,
)

text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x2FF), max_size=40)
subfields = st.lists(st.lists(text, min_size=1, max_size=3), min_size=1, max_size=3)
field_numbers = st.integers(min_value=3, max_value=998)


@st.composite
def tagged_records(draw: st.DrawFn, record_type: int) -> TaggedRecord:
    record = TaggedRecord(record_type)
    record.set(2, str(draw(st.integers(0, 99))))
    for number in draw(st.sets(field_numbers, max_size=6)):
        record.set(number, draw(st.one_of(text, subfields)))
    if record_type == 14 and draw(st.booleans()):
        record.set(999, draw(st.binary(max_size=200)))
    return record


@st.composite
def type4_records(draw: st.DrawFn) -> Type4Record:
    header = Type4Header(
        0,
        draw(st.integers(0, 255)),
        draw(st.integers(0, 255)),
        draw(st.binary(min_size=6, max_size=6)),
        draw(st.integers(0, 255)),
        draw(st.integers(0, 65535)),
        draw(st.integers(0, 65535)),
        draw(st.integers(0, 255)),
    )
    return Type4Record(header, draw(st.binary(max_size=300)))


@st.composite
def transactions(draw: st.DrawFn) -> Transaction:
    type1 = TaggedRecord(1)
    type1.set(2, "0500")
    type1.set(4, draw(st.sampled_from(["CAR", "SRE", "ERRT", "IDR", "XYZ"])))
    for number in draw(st.sets(st.integers(5, 15), max_size=5)):
        type1.set(number, draw(text))
    others = draw(
        st.lists(
            st.one_of(
                tagged_records(2),
                tagged_records(14),
                tagged_records(10),
                type4_records(),
                st.builds(lambda raw: OpaqueRecord(7, b"\0\0\0\0" + raw), st.binary(min_size=1)),
            ),
            max_size=5,
        )
    )
    return Transaction([type1, *others])


@settings(max_examples=150, deadline=None)
@given(transactions())
def test_built_transactions_round_trip(transaction: Transaction) -> None:
    data = encode(transaction)
    parsed = parse(data)
    assert dump(parsed) == data
    assert parsed == transaction
    validate(parsed)  # never raises on anything the parser accepts


def _check_only_parse_errors(data: bytes) -> None:
    try:
        transaction = parse(data)
    except AnsiNistParseError as error:
        offset = error.offset
    else:
        assert dump(transaction) == data
        validate(transaction)
        return
    assert 0 <= offset <= len(data)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_only_raise_parse_errors(data: bytes) -> None:
    _check_only_parse_errors(data)


@cache
def _seed_file() -> bytes:
    type2 = TaggedRecord(2)
    type2.set(2, "0")
    type2.set(18, "DOE,JOHN")
    type2.set(47, [["20240101", "THEFT"]])
    type14 = TaggedRecord(14)
    type14.set(2, "2")
    type14.set(13, "1")
    type14.set(999, bytes(range(256)))
    header = Type4Header(0, 1, 1, b"\x02\xff\xff\xff\xff\xff", 0, 500, 500, 1)
    type1 = TaggedRecord(1)
    for number, value in ((2, "0500"), (4, "CAR"), (5, "20240101"), (9, "TX000001")):
        type1.set(number, value)
    return encode(Transaction([type1, type2, Type4Record(header, b"img" * 10), type14]))


mutations = st.lists(
    st.tuples(
        st.integers(0, 10_000), st.integers(0, 255), st.sampled_from(["set", "insert", "delete"])
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations, st.integers(0, 10_000))
def test_mutated_files_only_raise_parse_errors(
    changes: list[tuple[int, int, str]], cut: int
) -> None:
    data = bytearray(_seed_file())
    for position, byte, kind in changes:
        index = position % (len(data) + 1)
        if kind == "insert":
            data.insert(index, byte)
        elif kind == "delete" and index < len(data):
            del data[index]
        elif index < len(data):
            data[index] = byte
    _check_only_parse_errors(bytes(data[: len(data) - cut % 8]))


def test_seed_file_is_valid_input() -> None:
    assert dump(parse(_seed_file())) == _seed_file()


field_keys = st.sampled_from(
    [(1, n) for n in range(2, 16)]
    + [(2, n) for n in (5, 14, 18, 19, 20, 22, 24, 25, 27, 29, 31, 45, 59, 60, 73, 75)]
    + [(14, n) for n in range(2, 14)]
    + [(10, n) for n in range(2, 14)]
)
field_values = st.text(alphabet="0123456789ABCWXYZabc ,.-/:", max_size=12).map(str.encode)


@settings(max_examples=600, deadline=None)
@given(field_keys, st.sampled_from(["CAR", "SRE", "ERRT", "IDR", ""]), field_values)
def test_fast_path_never_clears_a_value_the_detailed_checks_reject(
    key: tuple[int, int], tot: str, value: bytes
) -> None:
    from securecomm.ansi_nist.fields import _field_plan, _field_violations

    record_type, number = key
    plan = _field_plan(record_type, number, tot)
    if plan.passes_fast(value):
        assert list(_field_violations(record_type, value, plan, tot, 0)) == []
