"""CAR / CNA files (ANSI/NIST-ITL 1-2011 under EBTS 9.1) to and from the booking document.

Reading (:func:`securecomm.booking.car_reading.booking_from_car`) parses the file,
validates it against the standard and the EBTS rules for its TOT, and maps it onto
:class:`BookingDocument`; every problem found is raised at once as an
:class:`InputError` whose fields name the ANSI/NIST field id and mnemonic
(``2.022 DOB``), so the ERRT lists each violation as a 2.060 MSG line.
Writing (:func:`car_from_booking`) is the inverse: reading back a CAR written for a
booking gives the same document (names longer than EBTS allows are the one exception,
see :func:`fit_name`).

Conventions (securecomm's own; EBTS leaves them to the agencies):

* **Charges** (2.047 ASL ``DOO<US>AOL``). EBTS carries the charge as free text, but the
  flow needs the NCIC offence code (it travels in the IAQ's ``OFF/``) and the statutory
  maximum (it drives the priority rules). Rather than guess them from free text, the
  offence literal must read ``<NCIC code> <description> (MAX <days> DAYS)``, e.g.
  ``2399 Larceny - grand theft (MAX 730 DAYS)``; any other literal is rejected naming
  the charge. The date of offence (DOO) is required.
* **Booking time**: 1.014 GMT (UTC). Without it the booking time is the date of arrest
  (2.045 DOA) at midnight UTC.
* **Height** 2.027 HGT is ``FII`` (feet, then inches on two digits): ``510`` is 70 in.
* **Prints** travel as Type-9 minutiae records (FMT ``U``) holding two blocks:
  the INCITS 378 (M1) block 9.126-9.137 in 500 ppi pixels and 2-degree angle units,
  readable by any ANSI/NIST reader but quantised; and securecomm's exact template in the
  "other feature set" block (9.176 OOD ``SECURECOMM``, 9.177 PAG ``SCMT`` version,
  9.179 DTX, and the template bytes in Base64 in user-defined field 9.200). Reading
  prefers 9.200 (exact), then the M1 block; a CAR without Type-9 records has its Type-4
  or Type-14 rolled-finger images turned into templates by ``biometrics.extract``.
  A CAR whose prints are only minutiae is accepted under the ``allow_minutiae_only``
  validation profile (EBTS itself requires images).
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping
from datetime import UTC

import numpy as np
import numpy.typing as npt
from PIL import Image

from securecomm.ansi_nist import (
    AnsiNistBuildError,
    Booking,
    Charge,
    FingerprintCapture,
    TaggedRecord,
    build_car,
    encode,
)
from securecomm.biometrics import Template
from securecomm.booking.schemas import BookingDocument, ChargeIn

ANSI_NIST_CONTENT = "application/x-ansi-nist"
BOOKING_TOTS = frozenset({"CAR", "CNA"})
EBTS_NAME_LENGTH = 30  # 2.018 NAM and 2.019 AKA: at most 30 characters
FEATURE_SET_OWNER = "SECURECOMM"
FEATURE_SET_ALGORITHM = "SCMT"
FEATURE_SET_VERSION = "1"
FEATURE_SET_CONTACT = "securecomm project: native minutiae template, see securecomm.biometrics"
NATIVE_TEMPLATE_FIELD = 200  # user-defined field of the other-feature-set block
M1_CBEFF = ["27", "513", "53434D54"]  # format owner INCITS M1, format type 378, product "SCMT"
M1_PPI = 500
M1_ANGLE_UNIT_DEG = 2.0


# --------------------------------------------------------------------------- writing


def car_from_booking(
    document: BookingDocument,
    *,
    destination_ori: str,
    transaction_type: str = "CAR",
    images: Mapping[int, npt.NDArray[np.uint8]] | None = None,
    nfiq2: Mapping[int, int] | None = None,
) -> bytes:
    """The CAR (or CNA) a live-scan station sends for this booking, to ``destination_ori``
    (the state bureau). With ``images`` (8-bit grayscale at 500 ppi, by finger position)
    the prints travel as WSQ Type-14 records, as a live-scan station sends them, and the
    reader extracts the templates, each with the NFIQ 2 score ``nfiq2`` gives for it (as
    14.024 FQM); else as Type-9 minutiae of the document's templates.
    Raises :class:`AnsiNistBuildError` naming the field that cannot be written."""
    if transaction_type not in BOOKING_TOTS:
        raise AnsiNistBuildError(
            "1.004", f"a booking is sent as CAR or CNA, not {transaction_type}"
        )
    booked_on = document.booked_at.astimezone(UTC).date()
    templates = document.template_bytes()
    scanned = images or {}
    booking = Booking(
        tcn=document.tcn,
        originating_agency=document.ori,
        destination_agency=destination_ori,
        submitted_on=booked_on,
        name=fit_name(document.name),
        date_of_birth=document.dob,
        sex=document.sex,
        race=document.race,
        place_of_birth=document.place_of_birth,
        height=f"{document.height_in // 12}{document.height_in % 12:02d}",
        weight=document.weight_lb,
        eye_color=document.eyes,
        hair_color=document.hair,
        arrest_date=booked_on,
        charges=tuple(Charge(charge_literal(c), c.offence_date) for c in document.charges),
        controlling_agency=document.ori,
        fingerprints=tuple(
            FingerprintCapture(
                position,
                Image.fromarray(scanned[position]),
                nfiq2=(nfiq2 or {}).get(position),
            )
            for position in sorted(scanned)
        ),
        aliases=tuple(fit_name(alias) for alias in document.aliases),
        citizenship=document.claimed_citizenship,
        attention=document.arresting_officer,
        transaction_type=transaction_type,
        minutiae=()
        if scanned
        else tuple(
            minutiae_record(templates[position], idc=idc)
            for idc, position in enumerate(sorted(templates), start=1)
        ),
        transmitted_at=document.booked_at,
    )
    return encode(build_car(booking))


def charge_literal(charge: ChargeIn) -> str:
    """The 2.047 ASL offence literal: ``<NCIC> <description> (MAX <days> DAYS)``."""
    return f"{charge.ncic_code} {charge.description} (MAX {charge.max_term_days} DAYS)"


def fit_name(name: str) -> str:
    """``SURNAME,GIVEN MIDDLE`` shortened to EBTS's 30 characters: middle names go first,
    then the given name is cut, then the surname (each kept at least one letter)."""
    if len(name) <= EBTS_NAME_LENGTH:
        return name
    surname, _, given_names = name.partition(",")
    given = given_names.split(" ")[0] if given_names else ""
    room_for_given = EBTS_NAME_LENGTH - len(surname) - 1
    if room_for_given >= 1:
        return f"{surname},{_clip(given, room_for_given)}"
    return f"{_clip(surname, EBTS_NAME_LENGTH - 2)},{given[:1]}"


def _clip(part: str, size: int) -> str:
    return part[:size].rstrip(" '-") or part[:1]


def minutiae_record(template_bytes: bytes, *, idc: int, impression: int = 1) -> TaggedRecord:
    """A Type-9 record with the INCITS 378 block and the exact native template."""
    template = Template.from_bytes(template_bytes)
    record = TaggedRecord(9)
    record.set(2, str(idc))
    record.set(3, str(impression))
    record.set(4, "U")
    _set_m1_block(record, template)
    record.set(176, FEATURE_SET_OWNER)
    record.set(177, [[FEATURE_SET_ALGORITHM, FEATURE_SET_VERSION]])
    record.set(179, FEATURE_SET_CONTACT)
    record.set(NATIVE_TEMPLATE_FIELD, base64.b64encode(template_bytes).decode("ascii"))
    return record


def _set_m1_block(record: TaggedRecord, template: Template) -> None:
    record.set(126, [M1_CBEFF])
    record.set(128, str(template.width))
    record.set(129, str(template.height))
    record.set(130, "1")  # scale units: pixels per inch
    record.set(131, str(M1_PPI))
    record.set(132, str(M1_PPI))
    record.set(133, "0")  # finger view
    record.set(134, str(template.finger_position))
    record.set(135, [[str(template.quality)]])
    if len(template) == 0:
        return  # NOM and FMD need at least one minutia; the native block still has them
    record.set(136, str(len(template)))
    rows = []
    for index, (x, y, direction, kind, reliability) in enumerate(template.minutiae, start=1):
        angle = round(math.degrees(float(direction)) / M1_ANGLE_UNIT_DEG) % 180
        rows.append(
            [
                str(index),
                str(max(1, int(x))),  # the 2011 table requires coordinates >= 1
                str(max(1, int(y))),
                str(angle),
                "2" if kind >= 0.5 else "1",  # M1 types: 1 ridge ending, 2 bifurcation
                str(round(float(reliability) * 100)),
            ]
        )
    record.set(137, rows)


__all__ = [
    "ANSI_NIST_CONTENT",
    "BOOKING_TOTS",
    "car_from_booking",
    "charge_literal",
    "fit_name",
    "minutiae_record",
]
