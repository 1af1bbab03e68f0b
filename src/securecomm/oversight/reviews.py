"""What a profiling flag leads to: a review for a supervisor, who clears it, orders
training, or suspends the jurisdiction's fingerprint sharing (which the flow honours:
the activation rule reads the suspension for every later booking). Every step is an
audit event."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from securecomm.audit import service as audit_service
from securecomm.exceptions import FieldProblem, InputError, NotFoundError
from securecomm.interop.models import Jurisdiction, JurisdictionSuspension
from securecomm.oversight import monitor
from securecomm.oversight.models import ProfilingReview, ReviewState, UnitKind
from securecomm.oversight.monitor_store import booking_facts

DECISIONS = frozenset({ReviewState.CLEARED, ReviewState.TRAINING, ReviewState.SHARING_SUSPENDED})


def scan(
    session: Session, *, actor: str, at: datetime
) -> tuple[monitor.MonitorReport, list[ProfilingReview]]:
    """Run the monitor over the store and open a review for every flagged unit that has
    no open review yet (a repeat scan opens nothing twice)."""
    report = monitor.run(booking_facts(session))
    codes = {j.code: j.id for j in session.scalars(select(Jurisdiction))}
    opened = []
    for finding in report.flagged:
        if _open_review(session, finding.unit_kind, finding.unit) is not None:
            continue
        review = ProfilingReview(
            unit_kind=UnitKind(finding.unit_kind),
            unit=finding.unit,
            jurisdiction_id=codes[finding.jurisdiction],
            opened_at=at,
            evidence=finding.evidence(),
            state=ReviewState.OPEN,
        )
        session.add(review)
        session.flush()
        audit_service.record(
            session,
            kind="oversight.review_opened",
            actor=actor,
            occurred_at=at,
            summary=f"profiling review {review.id} opened for {finding.unit_kind} {finding.unit}",
            details={"review": review.id, "significant": _significant(finding)},
        )
        opened.append(review)
    audit_service.record(
        session,
        kind="oversight.monitor_run",
        actor=actor,
        occurred_at=at,
        summary=f"profiling monitor: {report.bookings} bookings, {report.tests_run} tests, "
        f"{len(report.flagged)} flagged, {len(opened)} reviews opened",
    )
    return report, opened


def _significant(finding: monitor.Finding) -> list[str]:
    return [f"{t.test}:{t.group or 'all'}" for t in finding.significant]


def _open_review(session: Session, unit_kind: str, unit: str) -> ProfilingReview | None:
    return session.scalar(
        select(ProfilingReview).where(
            ProfilingReview.unit_kind == unit_kind,
            ProfilingReview.unit == unit,
            ProfilingReview.state == ReviewState.OPEN,
        )
    )


def reviews(session: Session, *, state: ReviewState | None = None) -> Sequence[ProfilingReview]:
    query = select(ProfilingReview).order_by(ProfilingReview.id)
    if state is not None:
        query = query.where(ProfilingReview.state == state)
    return session.scalars(query).all()


def get_review(session: Session, review_id: int) -> ProfilingReview:
    review = session.get(ProfilingReview, review_id)
    if review is None:
        raise NotFoundError(f"profiling review {review_id} not found")
    return review


def decide(
    session: Session,
    *,
    review_id: int,
    decision: ReviewState,
    note: str,
    supervisor: str,
    at: datetime,
) -> ProfilingReview:
    """A supervisor's decision on an open review, with the reason in their words."""
    review = get_review(session, review_id)
    problems = _decision_problems(review, decision, note)
    if problems:
        raise InputError(problems, summary=f"cannot decide profiling review {review_id}")
    if decision is ReviewState.SHARING_SUSPENDED:
        suspension = JurisdictionSuspension(
            jurisdiction_id=review.jurisdiction_id,
            start=at.date(),
            end=None,
            reason=f"profiling review {review.id}: {note}"[:300],
            stops_sharing=True,
        )
        session.add(suspension)
        session.flush()
        review.suspension_id = suspension.id
    review.state = decision
    review.decided_by = supervisor
    review.decided_at = at
    review.decision_note = note
    audit_service.record(
        session,
        kind="oversight.review_decided",
        actor=supervisor,
        occurred_at=at,
        summary=f"profiling review {review.id} ({review.unit_kind} {review.unit}): "
        f"{decision.value}",
        details={"review": review.id, "decision": decision.value, "note": note},
    )
    return review


def _decision_problems(
    review: ProfilingReview, decision: ReviewState, note: str
) -> list[FieldProblem]:
    problems = []
    if review.state is not ReviewState.OPEN:
        problems.append(
            FieldProblem("review", "oversight.review_closed", f"already {review.state.value}")
        )
    if decision not in DECISIONS:
        allowed = ", ".join(sorted(d.value for d in DECISIONS))
        problems.append(FieldProblem("decision", "oversight.decision", f"one of {allowed}"))
    if decision is ReviewState.SHARING_SUSPENDED and review.unit_kind is not UnitKind.JURISDICTION:
        problems.append(
            FieldProblem(
                "decision",
                "oversight.suspend_jurisdictions_only",
                "sharing is suspended for a jurisdiction; an officer gets training or clearance",
            )
        )
    if len(note.strip()) < 10:
        problems.append(
            FieldProblem("note", "oversight.reason_required", "say why, in ten characters or more")
        )
    return problems
