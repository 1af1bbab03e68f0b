"""Corrections a confirmed complaint makes: a wrong match ruled out for good (later
searches drop it), the match and the status found for the other identity removed from
the booking, a booking split off a criminal identity that was someone else's or two
identities of one person merged (``repositories.identities``), a lodged detainer
lifted, an open case closed in error (a closed one annotated), a citizen's status and
immigration record corrected. Each correction says what it changed in the statistics."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from securecomm.cases import lodging
from securecomm.cases import service as case_service
from securecomm.cases.models import CaseState
from securecomm.cases.rules import IN_CUSTODY, TERMINAL
from securecomm.domain import EncounterKind, StatusCategory
from securecomm.exceptions import FieldProblem, InputError, NotFoundError
from securecomm.interop.context import document_of, match_level, probe_of
from securecomm.interop.flows import record_decision
from securecomm.interop.models import Transaction
from securecomm.oversight.models import Complaint, ComplaintState
from securecomm.oversight.redress import get_complaint, require_state, step, transaction_of
from securecomm.repositories import identities
from securecomm.repositories import service as repository_service
from securecomm.repositories.models import CriminalSubject, Encounter, MatchExclusion

CITIZENSHIP_EVIDENCE = {
    StatusCategory.CITIZEN_BY_NATURALISATION: EncounterKind.NATURALISATION,
    StatusCategory.CITIZEN_BY_DERIVATION: EncounterKind.DERIVED_CITIZENSHIP,
}


def correct(
    session: Session,
    *,
    complaint_id: int,
    officer: str,
    at: datetime,
    wrong_match: bool = False,
    split_identity: bool = False,
    merge_with: str | None = None,
    citizen: StatusCategory | None = None,
    lift_detainer: bool = False,
    note: str,
) -> Complaint:
    """Confirm the error and correct every record it touched. ``merge_with`` is the FBI
    number of the person's other criminal identity."""
    complaint = get_complaint(session, complaint_id)
    require_state(complaint, {ComplaintState.IN_REVIEW}, "correct")
    transaction = transaction_of(session, complaint)
    identity = split_identity or bool(merge_with)
    problems = _correction_problems(
        transaction,
        wrong_match=wrong_match,
        identity=identity,
        citizen=citizen,
        lift_detainer=lift_detainer,
        note=note,
    )
    if split_identity and merge_with:
        problems.append(
            FieldProblem("merge_with", "redress.split_or_merge", "split or merge, not both")
        )
    if problems:
        raise InputError(problems, summary=f"cannot correct complaint {complaint.reference}")
    assert transaction is not None  # checked by _correction_problems
    reason = f"redress {complaint.reference}: {note.strip()}"
    applied: list[dict[str, Any]] = []
    try:
        if split_identity:  # first: the history the decisions used was someone else's
            applied.append(_split(session, transaction))
        if merge_with:
            applied.append(_merge(session, transaction, merge_with))
    except identities.IdentityError as error:
        problem = FieldProblem(error.field, "redress.identity", str(error))
        raise InputError(
            [problem], summary=f"cannot correct complaint {complaint.reference}"
        ) from error
    if identity:
        applied.extend(_relevel(session, transaction))
        _note_on_case(session, transaction, reason, at)
    if wrong_match:  # the status found belonged to the other identity
        applied.append(_rule_out_match(session, transaction, reason, officer, at))
    if citizen is not None:
        applied.append(_record_citizenship(session, transaction, citizen, reason, officer, at))
    if lift_detainer or wrong_match or citizen is not None:
        applied.extend(_close_case(session, transaction, reason, officer, at, citizen is not None))
    complaint.corrections = [*complaint.corrections, *applied]
    complaint.state = ComplaintState.CORRECTED
    summary = "; ".join(item["summary"] for item in applied)
    step(session, complaint, actor=officer, action="corrected", at=at, note=summary)
    return complaint


def _correction_problems(
    transaction: Transaction | None,
    *,
    wrong_match: bool,
    identity: bool,
    citizen: StatusCategory | None,
    lift_detainer: bool,
    note: str,
) -> list[FieldProblem]:
    problems = []
    if not (wrong_match or identity or citizen is not None or lift_detainer):
        problems.append(FieldProblem("corrections", "redress.nothing", "choose what to correct"))
    if transaction is None:
        problems.append(
            FieldProblem("booking_tcn", "redress.no_booking", "link the complaint to its booking")
        )
    elif wrong_match and transaction.immigration_subject_id is None:
        problems.append(FieldProblem("wrong_match", "redress.no_match", "the booking has no match"))
    if citizen is not None and not citizen.is_citizen:
        problems.append(FieldProblem("citizen", "redress.not_citizen", "a citizen category"))
    if len(note.strip()) < 10:
        problems.append(FieldProblem("note", "redress.reason", "say what was found (10+ chars)"))
    return problems


def _split(session: Session, transaction: Transaction) -> dict[str, Any]:
    """The booking leaves the identity it was wrongly added to, with its own prints."""
    arrest = repository_service.arrest_by_incident(session, transaction.tcn)
    if arrest is None or transaction.criminal_subject_id is None:
        raise identities.IdentityError("split_identity", "the booking has no criminal identity")
    document = document_of(session, transaction)
    subject, change = identities.split_booking(
        session,
        arrest=arrest,
        prints=probe_of(document),
        name=document.name,
        dob=document.dob,
        sex=document.sex,
        race=document.race,
        place_of_birth=document.place_of_birth,
    )
    transaction.criminal_subject_id = subject.id
    transaction.criminal_identified = False
    return _identity_applied(transaction, change, "booking split off FBI")


def _merge(session: Session, transaction: Transaction, other_fbi: str) -> dict[str, Any]:
    """The booking's identity and the person's other one become one (the older stays)."""
    if transaction.criminal_subject_id is None:
        raise identities.IdentityError("merge_with", "the booking has no criminal identity")
    mine = session.get_one(CriminalSubject, transaction.criminal_subject_id)
    try:
        other = repository_service.criminal_subject_by_fbi(session, other_fbi.strip().upper())
    except NotFoundError as error:
        raise identities.IdentityError("merge_with", f"no identity FBI {other_fbi}") from error
    absorbed, kept = (mine, other) if other.id < mine.id else (other, mine)
    change = identities.merge(session, absorbed=absorbed, into=kept)
    session.execute(
        update(Transaction)
        .where(Transaction.criminal_subject_id == absorbed.id)
        .values(criminal_subject_id=kept.id)
    )
    session.refresh(transaction)
    return _identity_applied(transaction, change, "identity FBI")


def _identity_applied(
    transaction: Transaction, change: identities.IdentityChange, what: str
) -> dict[str, Any]:
    return {
        "action": change.action,
        "tcn": transaction.tcn,
        "from_fbi": change.from_fbi,
        "to_fbi": change.to_fbi,
        "arrests_moved": change.arrests_moved,
        "summary": f"{what} {change.from_fbi} -> FBI {change.to_fbi}",
    }


def _relevel(session: Session, transaction: Transaction) -> list[dict[str, Any]]:
    """The match level rested on the history now corrected: decide it again."""
    if transaction.immigration_subject_id is None or transaction.criminal_subject_id is None:
        return []
    before = transaction.match_level
    decision = match_level(session, transaction)
    after = decision.value
    if after == before:
        return []
    transaction.match_level = after
    record_decision(
        session,
        kind="match_level",
        decision=decision,
        outcome=str(after),
        at=transaction.booked_at,
        transaction=transaction,
    )
    figures = {_level_figure(before): -1, _level_figure(after): +1}
    return [
        {
            "action": "match_level_corrected",
            "tcn": transaction.tcn,
            "before": before,
            "after": after,
            "figures": figures,
            "summary": f"match level {before} corrected to {after} on the person's own history",
        }
    ]


def _note_on_case(session: Session, transaction: Transaction, reason: str, at: datetime) -> None:
    case = case_service.case_for_transaction(session, transaction.id)
    if case is not None:
        note = f"criminal identity corrected ({reason}): priority to be reviewed on it"
        case_service.log(session, case=case, at=at, note=note[:500])


def _level_figure(level: str | None) -> str:
    return "matches_level_1" if level == "level_1" else "matches_level_2_3"


def _record_citizenship(
    session: Session,
    transaction: Transaction,
    citizen: StatusCategory,
    reason: str,
    officer: str,
    at: datetime,
) -> dict[str, Any]:
    before = transaction.status_category
    transaction.status_category = citizen.value
    kind = CITIZENSHIP_EVIDENCE.get(citizen)
    if kind is not None and transaction.immigration_subject_id is not None:
        session.add(
            Encounter(
                subject_id=transaction.immigration_subject_id,
                kind=kind,
                day=at.date(),
                detail={"source": reason[:200], "recorded_by": officer},
            )
        )
    return {
        "action": "status_corrected",
        "tcn": transaction.tcn,
        "before": before,
        "after": citizen.value,
        "summary": f"status {before} corrected to {citizen.value}",
    }


def _rule_out_match(
    session: Session, transaction: Transaction, reason: str, officer: str, at: datetime
) -> dict[str, Any]:
    immigration_subject = transaction.immigration_subject_id
    level = transaction.match_level
    if transaction.criminal_subject_id is not None and immigration_subject is not None:
        session.add(
            MatchExclusion(
                criminal_subject_id=transaction.criminal_subject_id,
                immigration_subject_id=immigration_subject,
                reason=reason[:300],
                decided_by=officer,
                decided_at=at,
            )
        )
    transaction.immigration_subject_id = None
    transaction.match_level = None
    transaction.status_category = None  # the finding was about someone else
    figures = {"matches": -1, _level_figure(level): -1}
    return {
        "action": "match_ruled_out",
        "tcn": transaction.tcn,
        "immigration_subject_id": immigration_subject,
        "figures": figures,
        "summary": "the match was ruled out and removed from the statistics",
    }


def _close_case(
    session: Session,
    transaction: Transaction,
    reason: str,
    officer: str,
    at: datetime,
    citizen_found: bool,
) -> list[dict[str, Any]]:
    case = case_service.case_for_transaction(session, transaction.id)
    if case is None:
        return []
    applied: list[dict[str, Any]] = []
    if case.state is CaseState.DETAINER_LODGED:
        lodging.cancel(
            session,
            case_id=case.id,
            reason=reason[:300],
            officer=officer,
            at=at,
            citizen_found=citizen_found,
        )
        applied.append(
            {
                "action": "detainer_lifted",
                "tcn": transaction.tcn,
                "figures": {"detainers_cancelled": 1},
                "summary": "detainer lifted",
            }
        )
    elif case.state not in TERMINAL:
        if case.state in IN_CUSTODY:
            case.custody_ended_at = at
        case_service.close(session, case=case, to=CaseState.CLOSED_IN_ERROR, at=at, note=reason)
        applied.append(
            {"action": "case_closed", "tcn": transaction.tcn, "summary": "case closed in error"}
        )
    else:  # a closed case keeps what happened; the timeline records the finding
        case_service.log(session, case=case, at=at, note=f"error confirmed: {reason}")
        applied.append(
            {"action": "case_annotated", "tcn": transaction.tcn, "summary": "closed case annotated"}
        )
    return applied
