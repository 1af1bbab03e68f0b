"""Immigration Alien Query (IAQ) and Response (IAR) in Nlets text form, with their parsers.

Layout (DOMAIN.md section 4)::

    IAQ.VTICE0900.TX1010000.
    PUR/C.ATN/SGT J SMITH.PHN/7135550100.NAM/DOE,JOHN.DOB/19800101.SEX/M.POB/MX.CUS/Y.OFF/1313.

The first line names the message kind, the destination ORI and the originating ORI;
every segment is ``XYZ/value`` ended by a period, so values may not contain a period.
The IAR reuses the identity segments and adds ``STA/`` (status determination) and
``REM/`` (remarks): these two segment names are ours (unconfirmed) and live here only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from securecomm.ansi_nist.errors import AnsiNistBuildError, NletsParseError

STATUS_CENTRE_ORI = "VTICE0900"
NO_CHARGE_OFFENCE_CODE = "0399"

_HEADER = re.compile(r"(IAQ|IAR)\.([A-Z0-9]{9})\.([A-Z0-9]{9})\.")
_SEGMENT = re.compile(r"([A-Z]{3})/([^./\n]*)")
_FORBIDDEN = frozenset("./\n\r")


@dataclass(frozen=True, slots=True)
class ImmigrationAlienQuery:
    """IAQ: the query the immigration side sends the status centre after a biometric match."""

    originating_ori: str
    purpose: str  # PUR: "C" criminal justice
    attention: str  # ATN: requesting officer
    phone: str  # PHN
    name: str  # NAM: SURNAME,GIVEN MIDDLE
    date_of_birth: date | None  # DOB: None is sent as 00000000
    sex: str  # SEX: M, F, U
    place_of_birth: str  # POB: NCIC state/country code
    in_custody: bool  # CUS: Y/N
    offence_code: str = NO_CHARGE_OFFENCE_CODE  # OFF: NCIC code of the most serious charge
    a_number: str | None = None  # ARN
    fbi_number: str | None = None  # FBI
    state_id: str | None = None  # SID
    destination_ori: str = STATUS_CENTRE_ORI


@dataclass(frozen=True, slots=True)
class ImmigrationAlienResponse:
    """IAR: the status centre's answer, addressed back to the querying agency."""

    destination_ori: str
    name: str
    date_of_birth: date | None
    sex: str
    place_of_birth: str
    status: str  # STA: a StatusCategory value or free text from the status centre
    remarks: str = ""  # REM
    a_number: str | None = None
    fbi_number: str | None = None
    state_id: str | None = None
    originating_ori: str = STATUS_CENTRE_ORI


# attribute name -> segment, in the order they are written
_IAQ_SEGMENTS = {
    "purpose": "PUR",
    "attention": "ATN",
    "phone": "PHN",
    "name": "NAM",
    "date_of_birth": "DOB",
    "sex": "SEX",
    "place_of_birth": "POB",
    "in_custody": "CUS",
    "offence_code": "OFF",
    "a_number": "ARN",
    "fbi_number": "FBI",
    "state_id": "SID",
}
_IAR_SEGMENTS = {
    "name": "NAM",
    "date_of_birth": "DOB",
    "sex": "SEX",
    "place_of_birth": "POB",
    "a_number": "ARN",
    "fbi_number": "FBI",
    "state_id": "SID",
    "status": "STA",
    "remarks": "REM",
}
_OPTIONAL = frozenset({"a_number", "fbi_number", "state_id", "remarks"})


def format_iaq(query: ImmigrationAlienQuery) -> str:
    if not re.fullmatch(r"\d{4}", query.offence_code):
        raise AnsiNistBuildError("OFF", "the NCIC offence code is four digits")
    return _format("IAQ", query.destination_ori, query.originating_ori, query, _IAQ_SEGMENTS)


def format_iar(response: ImmigrationAlienResponse) -> str:
    return _format(
        "IAR", response.destination_ori, response.originating_ori, response, _IAR_SEGMENTS
    )


def parse_iaq(text: str) -> ImmigrationAlienQuery:
    destination, origin, values = _parse("IAQ", text, _IAQ_SEGMENTS)
    custody = values.pop("in_custody", "")
    if custody not in ("Y", "N"):
        raise NletsParseError("CUS", f"custody must be Y or N, got {custody!r}")
    offence = values.get("offence_code", "")
    if not re.fullmatch(r"\d{4}", offence):
        raise NletsParseError("OFF", f"the NCIC offence code is four digits, got {offence!r}")
    return ImmigrationAlienQuery(
        originating_ori=origin,
        destination_ori=destination,
        in_custody=custody == "Y",
        date_of_birth=_parse_date(values.pop("date_of_birth", "")),
        **values,  # keys come from the segment table
    )


def parse_iar(text: str) -> ImmigrationAlienResponse:
    destination, origin, values = _parse("IAR", text, _IAR_SEGMENTS)
    return ImmigrationAlienResponse(
        destination_ori=destination,
        originating_ori=origin,
        date_of_birth=_parse_date(values.pop("date_of_birth", "")),
        remarks=values.pop("remarks", ""),
        **values,
    )


def _format(
    kind: str, destination: str, origin: str, message: object, segments: Mapping[str, str]
) -> str:
    for label, ori in (("destination ORI", destination), ("originating ORI", origin)):
        if not re.fullmatch(r"[A-Z0-9]{9}", ori):
            raise AnsiNistBuildError(
                label, f"an ORI is nine capital letters or digits, got {ori!r}"
            )
    parts = []
    for attribute, segment in segments.items():
        raw = getattr(message, attribute)
        value = "00000000" if attribute == "date_of_birth" and raw is None else _segment_text(raw)
        if value is None or (value == "" and attribute in _OPTIONAL):
            continue
        if value == "" or not _FORBIDDEN.isdisjoint(value):
            raise AnsiNistBuildError(
                segment, "must be non-empty and contain no '.', '/' or line break"
            )
        parts.append(f"{segment}/{value}.")
    return f"{kind}.{destination}.{origin}.\n" + "".join(parts)


def _segment_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, date):
        return value.strftime("%Y%m%d")
    return str(value)


def _parse(kind: str, text: str, segments: Mapping[str, str]) -> tuple[str, str, dict[str, str]]:
    if not isinstance(text, str):
        raise NletsParseError(kind, "expected text")
    header_line, _, body = text.strip().partition("\n")
    header = _HEADER.fullmatch(header_line.strip())
    if header is None or header.group(1) != kind:
        raise NletsParseError("header", f"expected '{kind}.<destination ORI>.<originating ORI>.'")
    attribute_of = {segment: attribute for attribute, segment in segments.items()}
    values: dict[str, str] = {}
    for segment, value in _segments(body.replace("\n", "").strip()):
        attribute = attribute_of.get(segment)
        if attribute is None:
            raise NletsParseError(segment, f"not a segment of an {kind}")
        if attribute in values:
            raise NletsParseError(segment, "appears twice")
        values[attribute] = value
    missing = [s for a, s in segments.items() if a not in values and a not in _OPTIONAL]
    if missing:
        raise NletsParseError(missing[0], f"mandatory segment missing from the {kind}")
    return header.group(2), header.group(3), values


def _segments(body: str) -> Iterable[tuple[str, str]]:
    position = 0
    while position < len(body):
        match = _SEGMENT.match(body, position)
        if match is None or match.end() >= len(body) or body[match.end()] != ".":
            raise NletsParseError(body[position : position + 4] or "body", "expected 'XYZ/value.'")
        yield match.group(1), match.group(2)
        position = match.end() + 1


def _parse_date(text: str) -> date | None:
    if text == "00000000":
        return None
    try:
        return datetime.strptime(text, "%Y%m%d").date()
    except ValueError as error:
        raise NletsParseError("DOB", f"expected CCYYMMDD or 00000000, got {text!r}") from error


__all__ = [
    "NO_CHARGE_OFFENCE_CODE",
    "STATUS_CENTRE_ORI",
    "ImmigrationAlienQuery",
    "ImmigrationAlienResponse",
    "format_iaq",
    "format_iar",
    "parse_iaq",
    "parse_iar",
]
