"""NFIQ 2 scores in a Type-14 record's 14.024 FQM (Fingerprint Quality Metric).

Each FQM entry is FRMP (finger position), QVU (0-100; 254: not computed, 255: failed),
QAV (the quality algorithm's vendor, IBIA's CBEFF registry, 4 hex digits) and QAP (the
vendor's product code). A live-scan station that ran NFIQ 2 says so here, and the
intake need not run it again.

* **Which entries count**: vendor ``000F`` (NIST in IBIA's registry) with a value of
  0-100: NIST's only 0-100 fingerprint quality algorithm is NFIQ 2 (NFIQ 1 scores 1-5,
  in 14.022 NQM). The product code is not checked: NIST's code for NFIQ 2 is not in our
  reference data, and a reader that demanded one would refuse real stations' scores.
* **Writing**: QAP ``NFIQ2_PRODUCT_CODE``, our stand-in until NIST's code is confirmed.
"""

from __future__ import annotations

from securecomm.ansi_nist.records import TaggedRecord, ascii_digits

FQM_FIELD = 24
NFIQ2_VENDOR = "000F"  # NIST, as registered with IBIA
NFIQ2_PRODUCT_CODE = "2"  # a stand-in (see the module's docstring)


def nfiq2_entry(position: int, score: int) -> list[str]:
    """One 14.024 FQM subfield stating NFIQ 2's ``score`` for finger ``position``."""
    if not 0 <= score <= 100:
        raise ValueError(f"an NFIQ 2 score is 0-100, not {score}")
    return [str(position), str(score), NFIQ2_VENDOR, NFIQ2_PRODUCT_CODE]


def reported_nfiq2(record: TaggedRecord, position: int) -> int | None:
    """The NFIQ 2 score the sender put in 14.024 FQM for finger ``position``, if any."""
    field = record.field(FQM_FIELD)
    if field is None:
        return None
    for items in field.subfields:
        if len(items) < 3:
            continue
        finger, value, vendor = (item.strip() for item in items[:3])
        if (
            ascii_digits(finger)
            and int(finger) == position
            and ascii_digits(value)
            and int(value) <= 100
            and vendor.upper() == NFIQ2_VENDOR
        ):
            return int(value)
    return None
