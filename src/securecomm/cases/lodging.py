"""Detainers from the rules to the jail: proposed, lodged, approved, lifted, answered.

The rules (``detainers.rules``) say whether a detainer is called for and on which form.
In a batch run the field office lodges what the rules say at once. Where officers
decide (the service), the rules' answer is a *proposal*: an ICE officer lodges it or,
using discretion, does not; a form that must come with an I-200 or I-205 warrant waits
for a supervisor other than the officer to sign it. The holding agency then answers
(honours or declines) and ICE may lift the detainer until the person is released.
Every step is a decision with its trace and a line on the case timeline.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from securecomm.cases import service as case_service
from securecomm.cases.models import Case, CaseState, Detainer
from securecomm.decisions import Decision, Trace
from securecomm.detainers import rules as detainer_rules
from securecomm.domain import DetainerForm, LeaResponse
from securecomm.exceptions import FieldProblem, IllegalTransitionError, InputError
from securecomm.interop import outbox
from securecomm.interop.context import record_decision
from securecomm.interop.models import Transaction

AWAITING_OFFICER = frozenset({CaseState.DETAINER_PROPOSED, CaseState.AWAITING_APPROVAL})


def proposal_of(decision: detainer_rules.DetainerDecision) -> dict[str, Any]:
    return {
        "form": str(decision.form),
        "requests_hold": decision.requests_hold,
        "probable_cause": decision.probable_cause,
        "warrant": decision.warrant,
        "reason": decision.reason,
        "notices": list(decision.notices),
    }


def decision_of(proposal: dict[str, Any]) -> detainer_rules.DetainerDecision:
    return detainer_rules.DetainerDecision(
        lodge=True,
        form=DetainerForm(proposal["form"]),
        requests_hold=bool(proposal["requests_hold"]),
        probable_cause=proposal.get("probable_cause"),
        warrant=proposal.get("warrant"),
        reason=str(proposal.get("reason", "")),
        notices=tuple(proposal.get("notices", ())),
    )


def propose(
    session: Session, case: Case, decision: detainer_rules.DetainerDecision, at: datetime
) -> None:
    """Keep the rules' detainer for an officer; the case waits in the work queue."""
    case.detainer_proposal = proposal_of(decision)
    case_service.move(
        session,
        case=case,
        to=CaseState.DETAINER_PROPOSED,
        at=at,
        note=f"{decision.form} proposed for an officer: {decision.reason}",
    )


def lodge(
    session: Session,
    case: Case,
    transaction: Transaction,
    decision: detainer_rules.DetainerDecision,
    at: datetime,
    *,
    note: str | None = None,
) -> Detainer:
    """Lodge the detainer with the holding agency: the row, and the message to the jail."""
    if decision.form is None:  # decide_detainer names a form whenever it lodges
        raise IllegalTransitionError("case", str(case.state), "lodged without a form")
    detainer = Detainer(
        case_id=case.id,
        form=decision.form,
        requests_hold=decision.requests_hold,
        probable_cause=decision.probable_cause,
        warrant=decision.warrant,
        lodged_at=at,
    )
    session.add(detainer)
    outbox.enqueue(
        session,
        message_type=str(decision.form),
        control_number=transaction.tcn,
        sender=case.field_office,
        recipient=transaction.ori,
        created_at=at,
        payload={
            "tcr": transaction.tcn,
            "form": str(decision.form),
            "requests_hold": decision.requests_hold,
            "probable_cause": decision.probable_cause,
            "warrant": decision.warrant,
            "notices": list(decision.notices),
        },
        transaction_id=transaction.id,
    )
    if case.state is not CaseState.DETAINER_LODGED:  # a case may open lodged (batch runs)
        case_service.move(
            session, case=case, to=CaseState.DETAINER_LODGED, at=at, note=note or decision.reason
        )
    session.flush()
    session.refresh(case, ["detainer"])
    return detainer


def _waiting(case: Case, states: frozenset[CaseState], action: str) -> None:
    if case.state not in states or not case.detainer_proposal:
        raise IllegalTransitionError("case", str(case.state), action)


def request_lodging(session: Session, *, case_id: int, officer: str, at: datetime) -> Case:
    """An officer lodges the proposed detainer; a form that needs a warrant waits for a
    supervisor other than the officer to sign it."""
    case = case_service.get_case(session, case_id)
    _waiting(case, frozenset({CaseState.DETAINER_PROPOSED}), "lodge")
    decision = decision_of(case.detainer_proposal)
    case.detainer_requested_by = officer
    trace = Trace(
        rule="detainer.officer_request",
        outcome="needs_supervisor" if decision.warrant else "lodged",
        inputs={"officer": officer, "form": str(decision.form), "warrant": decision.warrant},
        era=case.scheme_id,
        note=(
            f"the {decision.form} goes with an {decision.warrant} a supervisor signs"
            if decision.warrant
            else "no warrant needed: lodged on the officer's decision"
        ),
    )
    record_decision(
        session,
        kind="detainer_request",
        decision=Decision(officer, (trace,)),
        outcome=trace.outcome,
        at=at,
        case=case,
    )
    if decision.warrant:
        note = f"{officer} asks a supervisor to sign the {decision.warrant} for the {decision.form}"
        case_service.move(session, case=case, to=CaseState.AWAITING_APPROVAL, at=at, note=note)
        return case
    transaction = session.get_one(Transaction, case.transaction_id)
    lodge(session, case, transaction, decision, at, note=f"{officer} lodged the {decision.form}")
    return case


def approve(session: Session, *, case_id: int, supervisor: str, at: datetime) -> Case:
    """A supervisor signs the warrant and the detainer is lodged (not their own request)."""
    case = case_service.get_case(session, case_id)
    _waiting(case, frozenset({CaseState.AWAITING_APPROVAL}), "approve")
    if supervisor == case.detainer_requested_by:
        problem = FieldProblem(
            "supervisor", "detainer.four_eyes", "another supervisor must sign your own request"
        )
        raise InputError([problem], summary="approval refused")
    decision = decision_of(case.detainer_proposal)
    case.detainer_approved_by = supervisor
    trace = Trace(
        rule="detainer.warrant_signed",
        outcome=str(decision.warrant),
        inputs={
            "supervisor": supervisor,
            "requested_by": case.detainer_requested_by,
            "form": str(decision.form),
            "probable_cause": decision.probable_cause,
        },
        era=case.scheme_id,
        note="the form states probable cause and goes with a signed administrative warrant",
    )
    record_decision(
        session,
        kind="detainer_approval",
        decision=Decision(supervisor, (trace,)),
        outcome=f"{decision.warrant} signed",
        at=at,
        case=case,
    )
    transaction = session.get_one(Transaction, case.transaction_id)
    note = f"{supervisor} signed the {decision.warrant}; {decision.form} lodged"
    lodge(session, case, transaction, decision, at, note=note)
    return case


def decline_to_lodge(
    session: Session, *, case_id: int, officer: str, reason: str, at: datetime
) -> Case:
    """Prosecutorial discretion: the officer does not lodge the proposed detainer."""
    case = case_service.get_case(session, case_id)
    _waiting(case, AWAITING_OFFICER, "decline")
    if len(reason.strip()) < 3:
        raise InputError([FieldProblem("reason", "missing", "state why no detainer is lodged")])
    trace = Trace(
        rule="detainer.discretion",
        outcome="not_lodged",
        inputs={"officer": officer, "proposed": case.detainer_proposal.get("form")},
        era=case.scheme_id,
        note=reason.strip()[:300],
    )
    record_decision(
        session,
        kind="detainer_discretion",
        decision=Decision(officer, (trace,)),
        outcome="not lodged",
        at=at,
        case=case,
    )
    case_service.close(
        session,
        case=case,
        to=CaseState.DISCRETION_NO_DETAINER,
        at=at,
        note=f"{officer} used discretion: no detainer ({reason.strip()[:200]})",
    )
    return case


def answer(
    session: Session,
    *,
    case_id: int,
    honoured: bool,
    user: str,
    agency: str,
    note: str,
    at: datetime,
) -> Detainer:
    """The holding agency answers a lodged detainer before the release: honoured (it will
    notify, and hold where the form asks) or declined. The answer is applied at release
    in place of the agency's standing policy."""
    case = case_service.get_case(session, case_id)
    detainer = case.detainer
    if case.state is not CaseState.DETAINER_LODGED or detainer is None:
        raise IllegalTransitionError("case", str(case.state), "answered by the agency")
    if detainer.answered_by is not None or detainer.release_at is not None:
        raise IllegalTransitionError("detainer", str(detainer.response), "answered again")
    detainer.response = LeaResponse.HONOURED if honoured else LeaResponse.DECLINED
    detainer.answered_by = f"{user}@{agency}"[:64]
    detainer.responded_at = at
    detainer.response_note = note.strip()[:300] or None
    transaction = session.get_one(Transaction, case.transaction_id)
    outbox.enqueue(
        session,
        message_type=f"{detainer.form}-ANSWER",
        control_number=transaction.tcn,
        sender=agency,
        recipient=case.field_office,
        created_at=at,
        payload={"tcr": transaction.tcn, "response": detainer.response.value, "note": note[:300]},
        transaction_id=transaction.id,
    )
    case_service.log(
        session,
        case=case,
        at=at,
        note=f"{agency} answered the {detainer.form}: {detainer.response}",
    )
    return detainer


def agency_answer(detainer: Detainer) -> Decision[LeaResponse] | None:
    """The agency's own answer, as a decision for the release step (None: not answered)."""
    if detainer.answered_by is None or detainer.response is None:
        return None
    trace = Trace(
        rule="lea.answered",
        outcome=detainer.response.value,
        inputs={
            "answered_by": detainer.answered_by,
            "answered_at": detainer.responded_at.isoformat() if detainer.responded_at else None,
            "form": detainer.form.value,
            "requests_hold": detainer.requests_hold,
        },
        note=detainer.response_note or "answered by the holding agency",
    )
    return Decision(detainer.response, (trace,))


def cancel(
    session: Session,
    *,
    case_id: int,
    reason: str,
    officer: str,
    at: datetime,
    citizen_found: bool = False,
) -> Case:
    """ICE lifts a lodged detainer before the person is released. When the reason is
    that the person is a U.S. citizen, the case ends in "U.S. citizen, no action"."""
    case = case_service.get_case(session, case_id)
    detainer = case.detainer
    to = CaseState.NO_ACTION_CITIZEN if citizen_found else CaseState.DETAINER_CANCELLED
    if case.state is not CaseState.DETAINER_LODGED or detainer is None:
        raise IllegalTransitionError("case", str(case.state), str(to))
    if len(reason.strip()) < 3:
        raise InputError([FieldProblem("reason", "missing", "state why the detainer is cancelled")])
    detainer.response = LeaResponse.CANCELLED
    detainer.cancelled_at = at
    detainer.cancel_reason = reason.strip()[:300]
    trace = Trace(
        rule="detainer.cancelled",
        outcome=to.value,
        inputs={"form": detainer.form.value, "officer": officer, "citizen_found": citizen_found},
        note=detainer.cancel_reason,
    )
    decision = Decision(LeaResponse.CANCELLED, (trace,))
    record_decision(
        session, kind="detainer_cancelled", decision=decision, outcome=to.value, at=at, case=case
    )
    transaction = session.get_one(Transaction, case.transaction_id)
    outbox.enqueue(
        session,
        message_type=f"{detainer.form}-CANCEL",
        control_number=transaction.tcn,
        sender=case.field_office,
        recipient=transaction.ori,
        created_at=at,
        payload={"tcr": transaction.tcn, "form": detainer.form.value, "cancelled": True},
        transaction_id=transaction.id,
    )
    case_service.close(
        session, case=case, to=to, at=at, note=f"{officer} cancelled the {detainer.form}: {reason}"
    )
    return case
