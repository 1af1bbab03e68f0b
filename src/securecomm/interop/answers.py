"""Outbox messages rendered as the files agencies exchange: ANSI/NIST-ITL and Nlets text.

The flow's outbox holds each message as a JSON payload; this module turns one into the
file its recipient would receive:

============  ==============================  ===========================================
type          file                            content
============  ==============================  ===========================================
SRE           ``<TCN>.SRE.an2``               2.059 SRF I/N, 2.014 FBI, 2.015 SID
ERRT          ``<TCN>.ERRT.an2``              every problem as a 2.060 MSG line (max 11)
IDR-NM        ``<TCN>.IDR-NM.an2``            IDENT data response, no match
IDR-IAR       ``<TCN>.IDR-IAR.an2``           IDR + the IAR text (to the submitting agency)
IDR-IAR       ``<TCN>.IAR.txt``               the IAR in Nlets text (to other recipients)
IAQ           ``<TCN>.IAQ.txt``               the IAQ in Nlets text (to the status centre)
anything else ``<TCN>.<TYPE>.json``           the payload (detainer forms have no ANSI/NIST
                                              or Nlets layout in our sources)
============  ==============================  ===========================================

``<TCN>`` is the submission's TCN. Every ANSI/NIST answer echoes it in 1.010 TCR; an
answer to the submitting agency swaps the submission's ORI and DAI (the response comes
from the bureau the CAR was sent to), a copy to anyone else goes from the message's
sender to its recipient. The response's own TCN is derived from the message key and
its date is the message's, so rendering the same message twice gives identical bytes.
A message that cannot be rendered in its standard form (a value the layout cannot
carry) is written as JSON with the reason, never dropped.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from securecomm.ansi_nist import (
    AnsiNistBuildError,
    AnsiNistParseError,
    CriminalSearchResult,
    ImmigrationAlienQuery,
    ImmigrationAlienResponse,
    ReplyTo,
    ResponseControl,
    build_errt,
    build_idr,
    build_sre,
    encode,
    format_iaq,
    format_iar,
    parse,
)
from securecomm.booking import service as booking_service
from securecomm.booking.car import ANSI_NIST_CONTENT, fit_name
from securecomm.booking.models import Submission
from securecomm.booking.schemas import BookingDocument
from securecomm.exceptions import InputError, SecurecommError
from securecomm.interop.models import OutboxMessage

ANSI_NIST_SUFFIX = "an2"
NLETS_SUFFIX = "txt"
JSON_SUFFIX = "json"
NO_PHONE = "NONE"  # the flow's IAQ carries no telephone number; PHN/ must not be empty
UNKNOWN_TCN = "UNKNOWN"
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9\-]")
_NLETS_FORBIDDEN = re.compile(r"[./\n\r]+")


class AnswerRenderError(SecurecommError):
    """A message this module cannot turn into a file; names the message and the reason."""

    def __init__(self, key: str, reason: str) -> None:
        self.key = key
        self.reason = reason
        super().__init__(f"outbox message {key}: {reason}")


@dataclass(frozen=True, slots=True)
class AnswerContext:
    """What an answer needs from the submission it answers."""

    reply_to: ReplyTo  # submission TCN, submitter ORI, the bureau it was sent to (DAI)
    booking: BookingDocument | None = None  # None when the submission was unreadable


@dataclass(frozen=True, slots=True)
class AnswerFile:
    recipient: str  # ORI: the folder the file goes into
    name: str  # <TCN>.<TYPE>.<an2|txt|json>
    content: bytes


# --------------------------------------------------------------------------- context


def answer_context(submission: Submission | None, message: OutboxMessage) -> AnswerContext:
    """The reply context from the stored submission: its Type-1 for a CAR, the document
    for JSON; falls back on the message itself when the submission is unreadable."""
    fallback = ReplyTo(
        submission_tcn=str(message.payload.get("tcr") or UNKNOWN_TCN)[:40],
        submitter_ori=message.recipient,
        responder_ori=message.sender,
    )
    if submission is None:
        return AnswerContext(fallback)
    booking = _readable_booking(submission)
    reply_to = (
        _car_reply_to(submission.raw) if submission.content_type == ANSI_NIST_CONTENT else None
    )
    if reply_to is None and booking is not None:
        reply_to = ReplyTo(
            submission_tcn=booking.tcn,
            submitter_ori=booking.ori,
            responder_ori=message.sender,
            name=fit_name(booking.name),
            controlling_agency=booking.ori,
        )
    return AnswerContext(reply_to or fallback, booking)


def _readable_booking(submission: Submission) -> BookingDocument | None:
    try:
        return booking_service.booking_of(submission)
    except InputError:
        return None


def _car_reply_to(raw: bytes) -> ReplyTo | None:
    try:
        return ReplyTo.from_submission(parse(raw))
    except (AnsiNistParseError, AnsiNistBuildError):
        return None


# --------------------------------------------------------------------------- rendering


def render_answer(message: OutboxMessage, context: AnswerContext) -> AnswerFile:
    """The file ``message.recipient`` receives for this outbox message."""
    reply_to = _addressed(context.reply_to, message)
    tcn = _safe(reply_to.submission_tcn)
    try:
        suffix, content, label = _render(message, reply_to, context)
    except (AnsiNistBuildError, AnswerRenderError, KeyError, TypeError, ValueError) as error:
        suffix, label = JSON_SUFFIX, message.message_type
        content = _json_bytes({"unrendered": str(error), **_envelope(message)})
    return AnswerFile(message.recipient, f"{tcn}.{_safe(label)}.{suffix}", content)


def _addressed(reply_to: ReplyTo, message: OutboxMessage) -> ReplyTo:
    """Swap ORI/DAI for the submitting agency; copies to others go sender -> recipient."""
    if message.recipient == reply_to.submitter_ori:
        return reply_to
    return replace(reply_to, submitter_ori=message.recipient, responder_ori=message.sender)


def _render(
    message: OutboxMessage, reply_to: ReplyTo, context: AnswerContext
) -> tuple[str, bytes, str]:
    payload = message.payload
    control = ResponseControl(tcn=_response_tcn(message), responded_on=_day(message.created_at))
    kind = message.message_type
    if kind == "SRE":
        result = CriminalSearchResult(
            identified=payload.get("srf") == "I",
            fbi_number=payload.get("fbi"),
            state_id=payload.get("sid"),
        )
        return ANSI_NIST_SUFFIX, encode(build_sre(reply_to, control, result)), kind
    if kind == "ERRT":
        return ANSI_NIST_SUFFIX, encode(build_errt(reply_to, control, _errt_lines(payload))), kind
    if kind == "IDR-NM":
        return ANSI_NIST_SUFFIX, encode(build_idr(reply_to, control, None)), kind
    if kind == "IDR-IAR":
        iar = _iar(message, context)
        to_the_booking = message.recipient == context.reply_to.submitter_ori
        if to_the_booking or "relay_to" in payload:  # the agency, or its bureau relaying
            return ANSI_NIST_SUFFIX, encode(build_idr(reply_to, control, iar)), kind
        return NLETS_SUFFIX, format_iar(iar).encode("ascii"), "IAR"
    if kind == "IAQ":
        return NLETS_SUFFIX, format_iaq(_iaq(message)).encode("ascii"), kind
    return JSON_SUFFIX, _json_bytes(_envelope(message)), kind


def _errt_lines(payload: dict[str, Any]) -> list[str]:
    problems = payload.get("problems") or []
    lines = [f"{p['field']}: {p['message']} [{p['rule']}]" for p in problems]
    return lines or [str(line) for line in payload.get("messages", [])] or ["rejected"]


def _iar(message: OutboxMessage, context: AnswerContext) -> ImmigrationAlienResponse:
    booking = context.booking
    if booking is None:
        raise AnswerRenderError(message.key, "an IAR needs the booking's identity fields")
    idr, iar = message.payload["idr"], message.payload["iar"]
    evidence = "; ".join(str(note) for note in iar.get("evidence", []) if note)
    return ImmigrationAlienResponse(
        destination_ori=message.recipient,
        originating_ori=message.sender,
        name=fit_name(booking.name),
        date_of_birth=booking.dob,
        sex=booking.sex,
        place_of_birth=booking.place_of_birth,
        status=_nlets_text(str(iar["status"])),
        remarks=_nlets_text(evidence),
        a_number=idr.get("a_number") or None,
    )


def _iaq(message: OutboxMessage) -> ImmigrationAlienQuery:
    payload = message.payload
    dob = str(payload["dob"])
    return ImmigrationAlienQuery(
        originating_ori=message.sender,
        destination_ori=message.recipient,
        purpose=str(payload["pur"]),
        attention=_nlets_text(str(payload["atn"])),
        phone=NO_PHONE,
        name=str(payload["nam"]),
        date_of_birth=None if dob == "00000000" else datetime.strptime(dob, "%Y%m%d").date(),
        sex=str(payload["sex"]),
        place_of_birth=str(payload["pob"]),
        in_custody=payload.get("cus") == "Y",
        offence_code=str(payload["off"]),
        a_number=payload.get("arn") or None,
    )


def _nlets_text(text: str) -> str:
    """Nlets values may not hold '.', '/' or line breaks: they become spaces."""
    return " ".join(_NLETS_FORBIDDEN.sub(" ", text).split())


def _response_tcn(message: OutboxMessage) -> str:
    digest = hashlib.sha256(message.key.encode("utf-8")).hexdigest()[:20].upper()
    return f"R{digest}"


def _day(moment: datetime) -> date:
    return moment.date()


def _safe(text: str) -> str:
    return _UNSAFE_NAME.sub("_", text) or UNKNOWN_TCN


def _envelope(message: OutboxMessage) -> dict[str, Any]:
    return {
        "key": message.key,
        "type": message.message_type,
        "sender": message.sender,
        "recipient": message.recipient,
        "created_at": message.created_at.isoformat(),
        "payload": message.payload,
    }


def _json_bytes(value: dict[str, Any]) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True, default=str) + "\n").encode("utf-8")


__all__ = [
    "AnswerContext",
    "AnswerFile",
    "AnswerRenderError",
    "answer_context",
    "render_answer",
]
