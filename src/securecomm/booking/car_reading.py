"""Reading a CAR / CNA file into the booking document (the conventions are in
:mod:`securecomm.booking.car`, which writes them): validation against ANSI/NIST-ITL 2011
and EBTS, then every field mapped, every problem named by its field id and mnemonic."""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Callable, Collection, Iterable
from datetime import UTC, date, datetime, time
from typing import Any

import numpy as np
from pydantic import ValidationError

from securecomm import biometrics
from securecomm.ansi_nist import (
    MAX_IMAGE_SIDE,
    AnsiNistBuildError,
    AnsiNistParseError,
    Compression,
    TaggedRecord,
    Transaction,
    Type4Record,
    Violation,
    decode_image,
    parse,
    validate,
)
from securecomm.ansi_nist.quality import reported_nfiq2
from securecomm.ansi_nist.records import ascii_digits
from securecomm.biometrics import Template, TemplateError
from securecomm.booking.car import (
    BOOKING_TOTS,
    M1_ANGLE_UNIT_DEG,
    M1_PPI,
    NATIVE_TEMPLATE_FIELD,
)
from securecomm.booking.schemas import BookingDocument
from securecomm.exceptions import FieldProblem, InputError

_CHARGE_LITERAL = re.compile(r"(?P<ncic>\d{4}) (?P<text>.+) \(MAX (?P<days>\d{1,5}) DAYS\)")
_GMT = re.compile(r"\d{14}Z")

# BookingDocument field -> the ANSI/NIST field that carries it (for error messages)
DOCUMENT_FIELD_TAGS = {
    "tcn": "1.009 TCN",
    "ori": "1.008 ORI",
    "booked_at": "1.014 GMT",
    "name": "2.018 NAM",
    "aliases": "2.019 AKA",
    "place_of_birth": "2.020 POB",
    "claimed_citizenship": "2.021 CTZ",
    "arresting_officer": "2.006 ATN",
    "dob": "2.022 DOB",
    "sex": "2.024 SEX",
    "race": "2.025 RAC",
    "height_in": "2.027 HGT",
    "weight_lb": "2.029 WGT",
    "eyes": "2.031 EYE",
    "hair": "2.032 HAI",
    "charges": "2.047 ASL",
    "prints": "9.200 SCMT",
}


def booking_from_car(raw: bytes) -> BookingDocument:
    """The booking a CAR/CNA carries; :class:`InputError` names every problem found."""
    transaction = _parse(raw)
    problems = [_violation_problem(v) for v in validate(transaction, allow_minutiae_only=True)]
    tot = (transaction.tot or "").strip()
    if tot not in BOOKING_TOTS:
        problems.insert(
            0,
            FieldProblem(
                "1.004 TOT", "securecomm.booking_tot", f"a booking is a CAR or CNA, not {tot!r}"
            ),
        )
    if problems:
        raise InputError(problems, summary=f"invalid {tot or 'ANSI/NIST'} file")
    reader = _CarReader(transaction)
    values = reader.document_values()
    if reader.problems:
        raise InputError(reader.problems, summary=f"invalid {tot}")
    try:
        return BookingDocument.model_validate(values)
    except ValidationError as error:
        raise InputError(_document_problems(error), summary=f"invalid {tot}") from error


def _parse(raw: bytes) -> Transaction:
    try:
        return parse(raw)
    except AnsiNistParseError as error:
        field = error.tag or "(file)"
        raise InputError(
            [FieldProblem(field, "an2011.parse", str(error))], summary="unreadable ANSI/NIST file"
        ) from error


def _violation_problem(violation: Violation) -> FieldProblem:
    field = f"{violation.tag} {violation.mnemonic}".strip()
    if violation.record_index > 1:
        field += f" (record {violation.record_index})"
    return FieldProblem(field, violation.rule, violation.message)


def _document_problems(error: ValidationError) -> list[FieldProblem]:
    problems = []
    for item in error.errors(include_url=False):
        location = [str(part) for part in item["loc"]]
        head = DOCUMENT_FIELD_TAGS.get(location[0], location[0]) if location else "(document)"
        field = " ".join([head, *location[1:]])
        problems.append(FieldProblem(field, item["type"], item["msg"]))
    return problems


class _CarReader:
    """Maps a valid CAR onto the document's values, collecting every problem on the way."""

    def __init__(self, transaction: Transaction) -> None:
        self.transaction = transaction
        self.type1 = transaction.type1
        self.type2 = next(transaction.tagged(2))
        self.problems: list[FieldProblem] = []
        self.quality_notes: dict[int, str] = {}

    def fail(self, field: str, rule: str, message: str) -> None:
        self.problems.append(FieldProblem(field, rule, message))

    def document_values(self) -> dict[str, Any]:
        text = self.type2.get
        return {
            "tcn": self.type1.get(9),
            "ori": self.type1.get(8),
            "booked_at": self.booked_at(),
            "name": text(18),
            "aliases": [sub[0] for sub in self._subfields(19)],
            "dob": self.date_of("2.022 DOB", text(22)),
            "sex": text(24),
            "race": text(25),
            "place_of_birth": text(20),
            "height_in": self.height(text(27) or ""),
            "weight_lb": int(text(29) or "0"),
            "eyes": text(31),
            "hair": text(32),
            "claimed_citizenship": text(21),
            "arresting_officer": text(6),
            "charges": self.charges(),
            "prints": self.prints(),
            "quality_notes": dict(self.quality_notes),
        }

    def _subfields(self, number: int) -> list[list[str]]:
        found = self.type2.field(number)
        return [] if found is None else found.subfields

    def date_of(self, field: str, value: str | None) -> date | None:
        try:
            return datetime.strptime(value or "", "%Y%m%d").date()
        except ValueError:
            self.fail(field, "date", f"{value!r} is not a calendar date CCYYMMDD")
            return None

    def booked_at(self) -> datetime | None:
        gmt = self.type1.get(14)
        if gmt is not None:
            if _GMT.fullmatch(gmt):
                try:
                    return datetime.strptime(gmt, "%Y%m%d%H%M%SZ").replace(tzinfo=UTC)
                except ValueError:
                    pass
            self.fail("1.014 GMT", "datetime", f"{gmt!r} is not CCYYMMDDhhmmssZ")
            return None
        arrested = self.date_of("2.045 DOA", self.type2.get(45))
        return None if arrested is None else datetime.combine(arrested, time(), UTC)

    def height(self, value: str) -> int | None:
        if not re.fullmatch(r"\d\d\d", value) or int(value[1:]) > 11:
            self.fail("2.027 HGT", "height", f"{value!r} is not FII (feet, inches 00-11)")
            return None
        return int(value[0]) * 12 + int(value[1:])

    def charges(self) -> list[dict[str, Any]]:
        charges = []
        for position, (offence_date, *rest) in enumerate(self._subfields(47), start=1):
            field = f"2.047 ASL charge {position}"
            literal = rest[0] if rest else ""
            match = _CHARGE_LITERAL.fullmatch(literal)
            if match is None:
                self.fail(
                    field,
                    "securecomm.charge_literal",
                    f"{literal[:60]!r} must read '<NCIC code> <description> (MAX <days> DAYS)'",
                )
                continue
            if not offence_date:
                self.fail(field, "securecomm.offence_date", "the date of offence DOO is required")
                continue
            charges.append(
                {
                    "ncic_code": match["ncic"],
                    "description": match["text"],
                    "offence_date": self.date_of(field, offence_date),
                    "max_term_days": int(match["days"]),
                }
            )
        return charges

    def prints(self) -> dict[int, str]:
        minutiae = list(self.transaction.tagged(9))
        if minutiae:
            found = self._collect(minutiae, self._template_of_type9)
        else:
            found = self._collect(rolled_images(self.transaction), self._template_of_image)
        if not found and not self.problems:
            self.fail("9.001 LEN", "securecomm.no_prints", "no rolled finger (1-10) to search")
        return {position: base64.b64encode(data).decode("ascii") for position, data in found}

    def _collect(
        self, records: Iterable[Any], read: Callable[[Any, str], bytes | None]
    ) -> list[tuple[int, bytes]]:
        found: dict[int, bytes] = {}
        for record in records:
            label = f"record {self.transaction.records.index(record)}"
            data = read(record, label)
            if data is None:
                continue
            position = Template.from_bytes(data).finger_position
            if position in found:
                self.fail(
                    f"finger {position}", "securecomm.duplicate_finger", f"{label} repeats it"
                )
            found[position] = data
        return sorted(found.items())

    def _template_of_type9(self, record: TaggedRecord, label: str) -> bytes | None:
        native = record.get(NATIVE_TEMPLATE_FIELD)
        try:
            if native is not None:
                template = Template.from_bytes(base64.b64decode(native, validate=True))
            else:
                template = _m1_template(record)
        except M1FieldError as error:
            self.fail(f"{error.field} ({label})", "securecomm.m1_field", str(error))
            return None
        except (binascii.Error, ValueError, InputError) as error:
            tag = f"9.{NATIVE_TEMPLATE_FIELD:03d} SCMT" if native is not None else "9.137 FMD"
            self.fail(f"{tag} ({label})", "template_unreadable", _reason(error))
            return None
        declared = record.get(134)
        if not 1 <= template.finger_position <= 10:
            self.fail(
                f"9.134 FGP ({label})",
                "securecomm.rolled_finger",
                f"finger position {template.finger_position} is not a rolled finger (1-10)",
            )
            return None
        if declared is not None and declared != str(template.finger_position):
            self.fail(
                f"9.134 FGP ({label})",
                "securecomm.finger_mismatch",
                f"FGP {declared} but the template is finger {template.finger_position}",
            )
            return None
        return template.to_bytes() if native is None else base64.b64decode(native)

    def _template_of_image(self, record: TaggedRecord | Type4Record, label: str) -> bytes | None:
        extract: Callable[..., Template] | None = getattr(biometrics, "extract", None)
        tag = "4.009 DATA" if isinstance(record, Type4Record) else "14.999 DAT"
        if extract is None:
            self.fail(
                f"{tag} ({label})",
                "securecomm.no_extractor",
                "this installation cannot extract minutiae from images; send Type-9 minutiae",
            )
            return None
        try:
            image, position = _image_of(record)
            reported = (
                reported_nfiq2(record, position) if isinstance(record, TaggedRecord) else None
            )
            template = extract(
                image, finger_position=position, ppi=M1_PPI, reported_quality=reported
            )
        except (InputError, AnsiNistBuildError, ValueError, OSError) as error:
            self.fail(f"{tag} ({label})", "template_unreadable", _reason(error))
            return None
        if template.quality_note:
            self.quality_notes[position] = template.quality_note[:300]
        return template.to_bytes()


def _declared_position(record: object) -> int | None:
    """The finger position an image record declares, if it is a rolled finger (1-10)."""
    if isinstance(record, Type4Record):
        position = str(record.header.finger_positions[0])
    elif isinstance(record, TaggedRecord) and record.type == 14:
        position = record.get(13) or ""
    else:
        return None
    return int(position) if ascii_digits(position) and 1 <= int(position) <= 10 else None


def rolled_images(transaction: Transaction) -> list[TaggedRecord | Type4Record]:
    """The Type-4 and Type-14 records of rolled fingers (positions 1-10)."""
    return [
        record
        for record in transaction.records
        if isinstance(record, TaggedRecord | Type4Record) and _declared_position(record) is not None
    ]


def fingers_with_images(raw: bytes) -> set[int]:
    """The rolled fingers a CAR has images of, from the records' headers (no decoding)."""
    try:
        transaction = parse(raw)
    except (AnsiNistParseError, AnsiNistBuildError):
        return set()
    return {position for r in rolled_images(transaction) if (position := _declared_position(r))}


def finger_images(raw: bytes, fingers: Collection[int] | None = None) -> dict[int, Any]:
    """The rolled-finger images a CAR carries (Type-4/14), decoded, by finger position
    (only ``fingers`` when given: nothing else is decoded); an unreadable file or image
    is simply left out (this is for showing, not judging)."""
    try:
        transaction = parse(raw)
    except (AnsiNistParseError, AnsiNistBuildError):
        return {}
    images: dict[int, Any] = {}
    for record in rolled_images(transaction):
        if fingers is not None and _declared_position(record) not in fingers:
            continue
        try:
            image, position = _image_of(record)
        except (InputError, AnsiNistBuildError, ValueError, OSError):
            continue
        images.setdefault(position, image)
    return images


def _image_of(record: TaggedRecord | Type4Record) -> tuple[Any, int]:
    if isinstance(record, Type4Record):
        header = record.header
        compression = Compression.from_type4_code(header.compression) or Compression.NONE
        image = decode_image(record.data, compression, width=header.width, height=header.height)
        return image, header.finger_positions[0]
    compression = Compression.from_text(record.get(11)) or Compression.NONE
    width, height = int(record.get(6) or "0"), int(record.get(7) or "0")
    image = decode_image(record.binary_data or b"", compression, width=width, height=height)
    return image, int(record.get(13) or "0")


class M1FieldError(ValueError):
    """A field of the INCITS 378 block that cannot be used: which field, which rule."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        super().__init__(f"{field}: {reason}")


def _m1_number(record: TaggedRecord, number: int, *, low: int, high: int) -> int:
    field = f"9.{number:03d}"
    text = (record.get(number) or "").strip()
    if not ascii_digits(text) or len(text) > 6:
        raise M1FieldError(field, f"{text!r} is not a whole number")
    value = int(text)
    if not low <= value <= high:
        raise M1FieldError(field, f"{value} is outside {low}-{high}")
    return value


def _m1_template(record: TaggedRecord) -> Template:
    """A template from the INCITS 378 block (quantised: whole pixels, 2-degree angles).
    Every number is checked before it is used (a resolution of 0 is a field error, not
    a division by zero)."""
    width = _m1_number(record, 128, low=1, high=MAX_IMAGE_SIDE)
    height = _m1_number(record, 129, low=1, high=MAX_IMAGE_SIDE)
    resolution = _m1_number(record, 131, low=1, high=10 * M1_PPI) if record.get(131) else M1_PPI
    scale = M1_PPI / resolution
    quality_field = record.field(135)
    quality = int(quality_field.subfields[0][0]) if quality_field else 0
    minutiae_field = record.field(137)
    rows = minutiae_field.subfields if minutiae_field is not None else []
    minutiae = np.zeros((len(rows), 5), dtype=np.float32)
    for row, (_index, x, y, angle, kind, reliability, *_rest) in enumerate(rows):
        minutiae[row] = (
            min(int(x) * scale, width * scale - 1),
            min(int(y) * scale, height * scale - 1),
            math.radians(int(angle) * M1_ANGLE_UNIT_DEG),
            1.0 if kind == "2" else 0.0,
            min(int(reliability), 100) / 100.0,
        )
    position = int(record.get(134) or "0")
    return Template(
        minutiae, round(width * scale), round(height * scale), min(quality, 100), position
    )


def _reason(error: Exception) -> str:
    if isinstance(error, TemplateError):
        return "; ".join(f"{p.field}: {p.message}" for p in error.problems)
    return str(error) or type(error).__name__


__all__ = [
    "booking_from_car",
    "finger_images",
    "fingers_with_images",
    "rolled_images",
]
