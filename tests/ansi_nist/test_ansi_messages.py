"""Message builders (CAR, SRE, ERRT, IDR) and the Nlets IAQ/IAR text form."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from ansi_helpers import make_booking, ridge_image

from securecomm.ansi_nist import (
    AnsiNistBuildError,
    Compression,
    CriminalSearchResult,
    FingerprintCapture,
    ImmigrationAlienQuery,
    ImmigrationAlienResponse,
    NletsParseError,
    ReplyTo,
    ResponseControl,
    TaggedRecord,
    Transaction,
    Violation,
    build_car,
    build_errt,
    build_idr,
    build_sre,
    decode_image,
    dump,
    format_iaq,
    format_iar,
    parse,
    parse_iaq,
    parse_iar,
    validate,
)

CONTROL = ResponseControl(tcn="TXSIB20240102000009", responded_on=date(2024, 1, 3))


@pytest.fixture(scope="module")
def car(car_bytes: bytes) -> Transaction:
    return parse(car_bytes)


def test_car_carries_the_booking(car: Transaction) -> None:
    assert car.tot == "CAR"
    assert car.get("1.009") == "TX20240101000001"
    assert car.get("1.011") == car.get("1.012") == "19.69"
    assert car.get("2.018") == "DOE,JOHN Q"
    assert car.get("2.022") == "19800517"
    assert car.get("2.029") == "180"
    type2 = next(car.tagged(2))
    assert type2.field("2.047").subfields == [
        ["20231231", "SIMPLE ASSAULT"],
        ["", "RESISTING ARREST"],
    ]
    prints = list(car.tagged(14))
    assert [p.get("14.013") for p in prints] == [str(n) for n in range(1, 15)]
    assert {p.get("14.011") for p in prints} == {"WSQ20"}


def test_car_fingerprint_decodes_to_the_given_size(car: Transaction) -> None:
    first = next(car.tagged(14))
    assert first.binary_data is not None
    image = decode_image(first.binary_data, Compression.WSQ, width=500, height=500)
    assert image.size == (500, 500)


def test_car_with_png_and_raw_bytes_input_is_lossless() -> None:
    pixels = ridge_image(4, 128).tobytes()
    booking = replace(
        make_booking(fingers=1),
        fingerprints=(FingerprintCapture(position=2, image=pixels, width=128, height=128),),
        compression=Compression.PNG,
    )
    transaction = build_car(booking)
    assert validate(transaction) == []
    record = next(transaction.tagged(14))
    assert record.binary_data is not None
    assert (
        decode_image(record.binary_data, Compression.PNG, width=128, height=128).tobytes() == pixels
    )


@pytest.mark.parametrize(
    ("change", "tag"),
    [
        ({"fingerprints": ()}, "14.013"),
        ({"charges": ()}, "2.047"),
        ({"name": "DOE\x1dJOHN"}, "2.018"),
    ],
)
def test_car_builder_refuses_bad_bookings(change: dict[str, object], tag: str) -> None:
    with pytest.raises(AnsiNistBuildError) as caught:
        build_car(replace(make_booking(fingers=1, size=64), **change))  # type: ignore[arg-type]
    assert caught.value.tag == tag


def _assert_reply_header(response: Transaction, tot: str) -> None:
    assert response.tot == tot
    assert response.get("1.010") == "TX20240101000001"  # TCR echoes the submission's TCN
    assert response.get("1.009") == CONTROL.tcn
    assert response.get("1.008") == "TXSIB0000"  # ORI and DAI swapped
    assert response.get("1.007") == "TX1010000"
    assert validate(response) == []
    assert dump(parse(dump(response))) == dump(response)


def test_sre_identified(car: Transaction) -> None:
    result = CriminalSearchResult(True, "123456AB1", "TX12345678", "CYCLE 1\nARREST 2024")
    sre = build_sre(ReplyTo.from_submission(car), CONTROL, result)
    _assert_reply_header(sre, "SRE")
    assert (sre.get("2.059"), sre.get("2.014"), sre.get("2.015")) == (
        "I",
        "123456AB1",
        "TX12345678",
    )
    assert sre.get("2.075") == "CYCLE 1 ARREST 2024"
    assert sre.get("2.018") == "DOE,JOHN Q"


def test_sre_not_identified(car: Transaction) -> None:
    sre = build_sre(ReplyTo.from_submission(car), CONTROL, CriminalSearchResult(False))
    _assert_reply_header(sre, "SRE")
    assert sre.get("2.059") == "N"
    assert sre.get("2.014") is None


def test_errt_lists_violations_within_ebts_limits(car: Transaction) -> None:
    problems: list[Violation | str] = [
        Violation("2.018", "NAM", "ebts91.mandatory", "missing", 1),
        "x" * 400,
        *[f"problem {i}" for i in range(20)],
    ]
    errt = build_errt(ReplyTo.from_submission(car), CONTROL, problems)
    _assert_reply_header(errt, "ERRT")
    type2 = next(errt.tagged(2))
    lines = [items[0] for items in type2.field("2.060").subfields]
    assert len(lines) == 11
    assert lines[0] == "2.018 NAM: missing [ebts91.mandatory]"
    assert lines[1] == "x" * 300
    assert lines[-1] == "... and 12 more problems"


def test_errt_needs_a_message(car: Transaction) -> None:
    with pytest.raises(AnsiNistBuildError):
        build_errt(ReplyTo.from_submission(car), CONTROL, [])


def test_idr_no_match_and_combined_with_iar(car: Transaction) -> None:
    reply_to = ReplyTo.from_submission(car)
    no_match = build_idr(reply_to, CONTROL)
    _assert_reply_header(no_match, "IDR")
    assert no_match.get("2.059") == "N"
    assert no_match.get("2.075") is None
    iar = ImmigrationAlienResponse(
        "TX1010000",
        "DOE,JOHN Q",
        date(1980, 5, 17),
        "M",
        "MX",
        "lawful_permanent_resident",
        a_number="A012345678",
    )
    combined = build_idr(reply_to, CONTROL, iar)
    _assert_reply_header(combined, "IDR")
    assert combined.get("2.059") == "I"
    carried = combined.get("2.075")
    assert carried is not None
    assert parse_iar(carried.replace(". ", ".\n", 1)) == iar


def test_reply_to_needs_the_submission_header() -> None:
    type1 = TaggedRecord(1)
    type1.set("1.009", "TX0000000001")
    with pytest.raises(AnsiNistBuildError) as caught:
        ReplyTo.from_submission(Transaction([type1]))
    assert caught.value.tag == "1.007"


QUERY = ImmigrationAlienQuery(
    originating_ori="TXIDENT00",
    purpose="C",
    attention="SGT J SMITH",
    phone="7135550100",
    name="DOE,JOHN Q",
    date_of_birth=date(1980, 5, 17),
    sex="M",
    place_of_birth="MX",
    in_custody=True,
    offence_code="1313",
    fbi_number="123456AB1",
)


def test_iaq_text_form() -> None:
    text = format_iaq(QUERY)
    assert text == (
        "IAQ.VTICE0900.TXIDENT00.\n"
        "PUR/C.ATN/SGT J SMITH.PHN/7135550100.NAM/DOE,JOHN Q.DOB/19800517.SEX/M.POB/MX."
        "CUS/Y.OFF/1313.FBI/123456AB1."
    )
    assert parse_iaq(text) == QUERY


def test_iaq_unknown_birth_date_and_no_charge() -> None:
    query = replace(QUERY, date_of_birth=None, offence_code="0399", in_custody=False)
    text = format_iaq(query)
    assert "DOB/00000000." in text
    assert "OFF/0399." in text
    assert parse_iaq(text) == query


def test_iar_round_trip() -> None:
    iar = ImmigrationAlienResponse(
        "TX1010000", "DOE,JOHN Q", None, "M", "MX", "unable_to_determine", remarks="NO RECORD"
    )
    assert parse_iar(format_iar(iar)) == iar


@pytest.mark.parametrize(
    ("text", "segment"),
    [
        ("IAQ.VTICE0900.TXIDENT00.\nPUR/C.", "ATN"),
        ("IAR.VTICE0900.TXIDENT00.\nPUR/C.", "header"),
        ("IAQ.VTICE09.TXIDENT00.\n", "header"),
        ("IAQ.VTICE0900.TXIDENT00.\nPUR/C.PUR/C.", "PUR"),
        ("IAQ.VTICE0900.TXIDENT00.\nXYZ/C.", "XYZ"),
        ("IAQ.VTICE0900.TXIDENT00.\nPUR/C", "PUR/"),
    ],
)
def test_nlets_parse_errors_name_the_segment(text: str, segment: str) -> None:
    with pytest.raises(NletsParseError) as caught:
        parse_iaq(text)
    assert caught.value.segment == segment


def test_nlets_field_checks() -> None:
    text = format_iaq(QUERY)
    with pytest.raises(NletsParseError, match="CUS"):
        parse_iaq(text.replace("CUS/Y", "CUS/MAYBE"))
    with pytest.raises(NletsParseError, match="OFF"):
        parse_iaq(text.replace("OFF/1313", "OFF/13"))
    with pytest.raises(NletsParseError, match="DOB"):
        parse_iaq(text.replace("DOB/19800517", "DOB/19801317"))
    with pytest.raises(AnsiNistBuildError, match="NAM"):
        format_iaq(replace(QUERY, name="DOE. JOHN"))
    with pytest.raises(AnsiNistBuildError, match="OFF"):
        format_iaq(replace(QUERY, offence_code="13"))
