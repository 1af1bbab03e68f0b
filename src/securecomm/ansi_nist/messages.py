"""Pure builders for the Secure Communities messages, on plain frozen dataclasses.

* ``build_car``  booking -> CAR (Type-1, Type-2 descriptors, one Type-14 per finger image,
                 then any Type-9 minutiae records the caller built)
* ``build_sre``  criminal search answer (2.059 SRF I/N, FBI 2.014, SID 2.015, rap sheet 2.075)
* ``build_errt`` error answer (2.060 MSG: at most 11 lines of 300 characters)
* ``build_idr``  IDENT Data Response: no-match, or match combined with the IAR text

Every response echoes the submission's TCN in TCR (1.010) and swaps ORI and DAI.
The IDR's TOT (``IDR``) and its carrying the IAR text in 2.075 are our own choices
(unconfirmed: the DHS layout is not in our sources).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from securecomm.ansi_nist.codec import finalize
from securecomm.ansi_nist.errors import AnsiNistBuildError
from securecomm.ansi_nist.images import Compression, FingerprintImage, as_grayscale, encode_image
from securecomm.ansi_nist.nlets import ImmigrationAlienResponse, format_iar
from securecomm.ansi_nist.quality import FQM_FIELD, nfiq2_entry
from securecomm.ansi_nist.records import TaggedRecord, Transaction
from securecomm.ansi_nist.validation import Violation

VERSION_2011 = "0500"
FINGERPRINT_RESOLUTION = "19.69"  # px/mm = 500 ppi
NO_IMAGE_RESOLUTION = "00.00"
ERRT_MAX_MESSAGES = 11
ERRT_MAX_MESSAGE_LENGTH = 300
UNKNOWN_DATE_OF_BIRTH = "00000000"


@dataclass(frozen=True, slots=True)
class Charge:
    """One arrest segment (2.047 ASL): offence date and the charge as free text."""

    text: str
    offence_date: date | None = None


@dataclass(frozen=True, slots=True)
class FingerprintCapture:
    """One finger's 8-bit grayscale image (PIL image, or raw bytes with width/height)."""

    position: int  # 1-10 rolled, 11-15 plain (DOMAIN.md section 1)
    image: FingerprintImage
    width: int | None = None
    height: int | None = None
    impression: int = 1  # live-scan rolled
    nfiq2: int | None = None  # the station's NFIQ 2 score, sent in 14.024 FQM


@dataclass(frozen=True, slots=True)
class Booking:
    """What a booking station knows when it sends the CAR."""

    tcn: str
    originating_agency: str  # ORI of the booking agency
    destination_agency: str  # DAI, the state bureau
    submitted_on: date
    name: str  # SURNAME,GIVEN MIDDLE
    date_of_birth: date | None
    sex: str
    race: str
    place_of_birth: str
    height: str  # feet and inches, e.g. "510"
    weight: int  # pounds
    eye_color: str
    hair_color: str
    arrest_date: date
    charges: tuple[Charge, ...]
    controlling_agency: str  # CRI
    fingerprints: tuple[FingerprintCapture, ...]
    retain: bool = True
    aliases: tuple[str, ...] = ()
    citizenship: str | None = None
    attention: str | None = None  # ATN: the arresting officer, to whose attention answers go
    fbi_number: str | None = None
    state_id: str | None = None
    compression: Compression = Compression.WSQ
    transaction_type: str = "CAR"
    # Type-9 records (IDC set by the caller); a CAR with minutiae may carry no image,
    # which only securecomm's minutiae-only intake profile accepts (see ``validate``).
    minutiae: tuple[TaggedRecord, ...] = ()
    transmitted_at: datetime | None = None  # 1.014 GMT, the moment of the booking


@dataclass(frozen=True, slots=True)
class ReplyTo:
    """What a response needs from the submission it answers."""

    submission_tcn: str
    submitter_ori: str  # becomes the response's DAI
    responder_ori: str  # the submission's DAI, becomes the response's ORI
    name: str | None = None
    controlling_agency: str | None = None

    @classmethod
    def from_submission(cls, submission: Transaction) -> ReplyTo:
        type1 = submission.type1
        missing = [tag for tag in ("1.007", "1.008", "1.009") if not type1.get(tag)]
        if missing:
            raise AnsiNistBuildError(
                missing[0], "a response needs the submission's DAI, ORI and TCN"
            )
        return cls(
            submission_tcn=type1.get(9) or "",
            submitter_ori=type1.get(8) or "",
            responder_ori=type1.get(7) or "",
            name=submission.get("2.018"),
            controlling_agency=submission.get("2.073"),
        )


@dataclass(frozen=True, slots=True)
class ResponseControl:
    """The response's own control number and date."""

    tcn: str
    responded_on: date


@dataclass(frozen=True, slots=True)
class CriminalSearchResult:
    identified: bool
    fbi_number: str | None = None
    state_id: str | None = None
    rap_sheet: str | None = None


@dataclass(frozen=True, slots=True)
class _Header:
    tot: str
    tcn: str
    origin: str
    destination: str
    on: date
    reference: str | None = None
    resolution: str = NO_IMAGE_RESOLUTION
    moment: datetime | None = None


def build_car(booking: Booking) -> Transaction:
    """The CAR for a booking, LEN and CNT computed."""
    if len(booking.fingerprints) > 14 or not (booking.fingerprints or booking.minutiae):
        raise AnsiNistBuildError(
            "14.013", "a CAR carries 1 to 14 fingerprint images (or Type-9 minutiae)"
        )
    if any(record.type != 9 for record in booking.minutiae):
        raise AnsiNistBuildError("9.001", "minutiae records must be Type-9")
    if not booking.charges:
        raise AnsiNistBuildError("2.047", "a CAR carries at least one arrest segment (charge)")
    header = _Header(
        booking.transaction_type,
        booking.tcn,
        booking.originating_agency,
        booking.destination_agency,
        booking.submitted_on,
        resolution=FINGERPRINT_RESOLUTION,
        moment=booking.transmitted_at,
    )
    records: list[TaggedRecord] = [_type1(header), _car_type2(booking)]
    for idc, capture in enumerate(booking.fingerprints, start=1):
        records.append(_type14(capture, idc, booking))
    records.extend(booking.minutiae)
    return finalize(Transaction(list(records)))


def build_sre(
    reply_to: ReplyTo, control: ResponseControl, result: CriminalSearchResult
) -> Transaction:
    """Submission Results - Electronic."""
    type2 = _response_type2(reply_to)
    type2.set(59, "I" if result.identified else "N")
    if result.fbi_number:
        type2.set(14, result.fbi_number)
    if result.state_id:
        type2.set(15, result.state_id)
    if result.rap_sheet:
        type2.set(75, _printable(result.rap_sheet))
    return _response("SRE", reply_to, control, type2)


def build_errt(
    reply_to: ReplyTo, control: ResponseControl, problems: Sequence[Violation | str]
) -> Transaction:
    """Tenprint Transaction Error: the problems as 2.060 MSG lines."""
    if not problems:
        raise AnsiNistBuildError("2.060", "an ERRT needs at least one message")
    type2 = _response_type2(reply_to, with_name=False)
    type2.set(60, [[line] for line in errt_messages(problems)])
    return _response("ERRT", reply_to, control, type2)


def build_idr(
    reply_to: ReplyTo,
    control: ResponseControl,
    iar: ImmigrationAlienResponse | None = None,
) -> Transaction:
    """IDENT Data Response: no match (``iar`` None) or match combined with the IAR."""
    type2 = _response_type2(reply_to)
    type2.set(59, "I" if iar is not None else "N")
    if iar is not None:
        type2.set(75, format_iar(iar).replace("\n", " "))
    return _response("IDR", reply_to, control, type2)


def errt_messages(problems: Sequence[Violation | str]) -> list[str]:
    """At most 11 printable lines of at most 300 characters; the last says what was cut."""
    lines = [_printable(_describe(p))[:ERRT_MAX_MESSAGE_LENGTH] for p in problems]
    if len(lines) > ERRT_MAX_MESSAGES:
        hidden = len(lines) - (ERRT_MAX_MESSAGES - 1)
        lines = [*lines[: ERRT_MAX_MESSAGES - 1], f"... and {hidden} more problems"]
    return lines


def _describe(problem: Violation | str) -> str:
    if isinstance(problem, str):
        return problem or "unspecified error"
    return f"{problem.tag} {problem.mnemonic}: {problem.message} [{problem.rule}]"


def _printable(text: str) -> str:
    """EBTS ANS text: printable ASCII only; separators and other bytes become spaces."""
    return "".join(c if " " <= c <= "~" else " " for c in text)


def _ymd(value: date) -> str:
    return value.strftime("%Y%m%d")


def _type1(header: _Header) -> TaggedRecord:
    record = TaggedRecord(1)
    record.set(2, VERSION_2011)
    record.set(3, [["1", "0"]])  # finalize() writes the real content list
    record.set(4, header.tot)
    record.set(5, _ymd(header.on))
    record.set(7, header.destination)
    record.set(8, header.origin)
    record.set(9, header.tcn)
    if header.reference is not None:
        record.set(10, header.reference)
    record.set(11, header.resolution)
    record.set(12, header.resolution)
    if header.moment is not None:
        record.set(14, gmt_text(header.moment))
    return record


def gmt_text(moment: datetime) -> str:
    """1.014 GMT: ``CCYYMMDDhhmmssZ`` in UTC (an aware datetime is required)."""
    if moment.tzinfo is None:
        raise AnsiNistBuildError("1.014", "GMT needs a timezone-aware datetime")
    return moment.astimezone(UTC).strftime("%Y%m%d%H%M%SZ")


def _car_type2(booking: Booking) -> TaggedRecord:
    record = TaggedRecord(2)
    record.set(2, "0")
    record.set(5, "Y" if booking.retain else "N")
    if booking.attention:
        record.set(6, booking.attention)
    if booking.fbi_number:
        record.set(14, booking.fbi_number)
    if booking.state_id:
        record.set(15, booking.state_id)
    record.set(18, booking.name)
    if booking.aliases:
        record.set(19, [[alias] for alias in booking.aliases])
    record.set(20, booking.place_of_birth)
    if booking.citizenship:
        record.set(21, booking.citizenship)
    dob = _ymd(booking.date_of_birth) if booking.date_of_birth else UNKNOWN_DATE_OF_BIRTH
    record.set(22, dob)
    record.set(24, booking.sex)
    record.set(25, booking.race)
    record.set(27, booking.height)
    record.set(29, f"{booking.weight:03d}")
    record.set(31, booking.eye_color)
    record.set(32, booking.hair_color)
    record.set(45, _ymd(booking.arrest_date))
    record.set(
        47, [[_ymd(c.offence_date) if c.offence_date else "", c.text] for c in booking.charges]
    )
    record.set(73, booking.controlling_agency)
    return record


def _type14(capture: FingerprintCapture, idc: int, booking: Booking) -> TaggedRecord:
    image = as_grayscale(capture.image, width=capture.width, height=capture.height)
    width, height = image.size
    record = TaggedRecord(14)
    record.set(2, str(idc))
    record.set(3, str(capture.impression))
    record.set(4, booking.originating_agency)
    record.set(5, _ymd(booking.submitted_on))
    record.set(6, str(width))
    record.set(7, str(height))
    record.set(8, "1")  # scale in pixels per inch
    record.set(9, "500")
    record.set(10, "500")
    record.set(11, booking.compression.value)
    record.set(12, "8")
    record.set(13, str(capture.position))
    if capture.nfiq2 is not None:
        record.set(FQM_FIELD, [nfiq2_entry(capture.position, capture.nfiq2)])
    record.set(999, encode_image(image, booking.compression))
    return record


def _response_type2(reply_to: ReplyTo, *, with_name: bool = True) -> TaggedRecord:
    record = TaggedRecord(2)
    record.set(2, "0")
    if with_name and reply_to.name:
        record.set(18, reply_to.name)
    if reply_to.controlling_agency:
        record.set(73, reply_to.controlling_agency)
    return record


def _response(
    tot: str, reply_to: ReplyTo, control: ResponseControl, type2: TaggedRecord
) -> Transaction:
    header = _Header(
        tot,
        control.tcn,
        origin=reply_to.responder_ori,
        destination=reply_to.submitter_ori,
        on=control.responded_on,
        reference=reply_to.submission_tcn,
    )
    return finalize(Transaction([_type1(header), type2]))
