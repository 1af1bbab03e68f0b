"""Each jurisdiction's participation, stated plainly, with its history; and the review a
jurisdiction gets before its bookings are forwarded to the immigration repository.

The flow forwards a booking when the jurisdiction was activated on or before the booking
date and no suspension covers it (``interop.rules.sharing_active``). A jurisdiction not
yet activated is activated here, and only here: by a supervisor signing a pre-activation
review that another person prepared, which sets the activation date to the signing day.
What a jurisdiction says about its participation (declining to receive immigration
information, as several did when the program's opt-out was unclear) is recorded as said;
fingerprint sharing itself was never optional, and the statement says so."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from securecomm.audit import service as audit_service
from securecomm.exceptions import FieldProblem, InputError, NotFoundError
from securecomm.interop import rules as interop_rules
from securecomm.interop.models import Jurisdiction, ParticipationEvent
from securecomm.oversight import monitor
from securecomm.oversight.models import ActivationDecision, ActivationReview
from securecomm.oversight.monitor_facts import BookingFacts
from securecomm.oversight.monitor_store import booking_facts

DECLARATIONS = {
    "declines_information": "declined to receive immigration information about its arrestees",
    "accepts_information": "withdrew its request not to receive immigration information",
    "statement": "made a statement about its participation",
}
POLICIES = {
    "honour_all": "honours every detainer",
    "honour_with_warrant": "holds only on a detainer with a signed administrative warrant",
    "notify_only": "notifies ICE of a release but never holds anyone",
    "decline_all": "declines every detainer",
}


@dataclass(frozen=True)
class HistoryItem:
    on: date
    what: str


@dataclass
class Participation:
    code: str
    name: str
    state: str
    status: str  # one plain sentence
    sharing_now: bool
    history: list[HistoryItem] = field(default_factory=list)


def participation(session: Session, *, on: date) -> list[Participation]:
    events = _events_by_jurisdiction(session)
    reviews = _reviews_by_jurisdiction(session)
    found = []
    for jurisdiction in session.scalars(
        select(Jurisdiction)
        .options(selectinload(Jurisdiction.suspensions))
        .order_by(Jurisdiction.state, Jurisdiction.code)
    ):
        found.append(
            _participation(
                jurisdiction, events.get(jurisdiction.id, []), reviews.get(jurisdiction.id, []), on
            )
        )
    return found


def _participation(
    jurisdiction: Jurisdiction,
    events: list[ParticipationEvent],
    reviews: list[ActivationReview],
    on: date,
) -> Participation:
    history = _history(jurisdiction, events, reviews)
    active = jurisdiction.activation_date is not None and jurisdiction.activation_date <= on
    suspended = [
        s
        for s in jurisdiction.suspensions
        if s.stops_sharing and s.start <= on and (s.end is None or on <= s.end)
    ]
    declined = interop_rules.declines_information([e.kind for e in events])
    parts = []
    if not active:
        pending = [r for r in reviews if r.decision is None]
        parts.append(
            "Not activated: its fingerprints go to the criminal repository only"
            + ("; a pre-activation review waits for a supervisor's signature" if pending else "")
        )
    elif suspended:
        latest = suspended[-1]
        parts.append(
            f"Activated {jurisdiction.activation_date}; sharing suspended since "
            f"{latest.start} ({latest.reason})"
        )
    else:
        signed = any(r.decision is ActivationDecision.APPROVE for r in reviews)
        how = (
            "after a signed pre-activation review"
            if signed
            else "before pre-activation reviews existed"
        )
        parts.append(
            f"Activated {jurisdiction.activation_date} ({how}): fingerprints go on to the "
            "immigration repository"
        )
    if declined:
        parts.append(
            "it has declined to receive immigration information, so its agencies get no "
            "immigration answer, but participation in fingerprint sharing is not optional: "
            "ICE is still answered"
        )
    policy = str(jurisdiction.detainer_policy)
    parts.append(f"detainer policy: {POLICIES.get(policy, policy)}")
    return Participation(
        code=jurisdiction.code,
        name=jurisdiction.name,
        state=jurisdiction.state,
        status="; ".join(parts) + ".",
        sharing_now=active and not suspended,
        history=history,
    )


def _history(
    jurisdiction: Jurisdiction, events: list[ParticipationEvent], reviews: list[ActivationReview]
) -> list[HistoryItem]:
    items = []
    if jurisdiction.activation_date is not None:
        items.append(HistoryItem(jurisdiction.activation_date, "activated"))
    for suspension in jurisdiction.suspensions:
        effect = (
            "sharing suspended"
            if suspension.stops_sharing
            else "program suspended (sharing continued)"
        )
        items.append(HistoryItem(suspension.start, f"{effect}: {suspension.reason}"))
        if suspension.end is not None:
            items.append(HistoryItem(suspension.end, "suspension ended"))
    for review in reviews:
        items.append(
            HistoryItem(
                review.prepared_at.date(),
                f"pre-activation review {review.id} prepared by {review.prepared_by}",
            )
        )
        if review.signed_at is not None and review.decision is not None:
            items.append(
                HistoryItem(
                    review.signed_at.date(),
                    f"review {review.id} signed by {review.signed_by}: {review.decision.value}",
                )
            )
    for event in events:
        items.append(
            HistoryItem(event.on, f"{DECLARATIONS.get(event.kind, event.kind)}: {event.note}")
        )
    return sorted(items, key=lambda item: item.on)


def _events_by_jurisdiction(session: Session) -> dict[int, list[ParticipationEvent]]:
    grouped: dict[int, list[ParticipationEvent]] = {}
    for event in session.scalars(
        select(ParticipationEvent).order_by(ParticipationEvent.on, ParticipationEvent.id)
    ):
        grouped.setdefault(event.jurisdiction_id, []).append(event)
    return grouped


def _reviews_by_jurisdiction(session: Session) -> dict[int, list[ActivationReview]]:
    grouped: dict[int, list[ActivationReview]] = {}
    for review in session.scalars(select(ActivationReview).order_by(ActivationReview.id)):
        grouped.setdefault(review.jurisdiction_id, []).append(review)
    return grouped


def _jurisdiction(session: Session, code: str) -> Jurisdiction:
    found = session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))
    if found is None:
        raise NotFoundError(f"no jurisdiction with code {code!r}")
    return found


def record_declaration(
    session: Session, *, code: str, kind: str, note: str, on: date, recorded_by: str
) -> ParticipationEvent:
    if kind not in DECLARATIONS:
        raise InputError(
            [FieldProblem("kind", "participation.kind", f"one of {sorted(DECLARATIONS)}")]
        )
    jurisdiction = _jurisdiction(session, code)
    event = ParticipationEvent(
        jurisdiction_id=jurisdiction.id,
        on=on,
        kind=kind,
        note=note.strip()[:1000],
        recorded_by=recorded_by,
    )
    session.add(event)
    audit_service.record(
        session,
        kind="participation.declared",
        actor=recorded_by,
        occurred_at=_midnight(on),
        summary=f"{jurisdiction.code} {DECLARATIONS[kind]}",
        details={"note": note[:300]},
    )
    return event


def _midnight(on: date) -> datetime:
    return datetime(on.year, on.month, on.day, tzinfo=UTC)


def projection(session: Session, jurisdiction: Jurisdiction) -> dict[str, object]:
    """What the monitor sees in the jurisdiction's arrests so far (its fingerprints reach
    the criminal repository whether or not it is activated): the level mix of its arrests
    against the nation's, and the monitor's finding."""
    facts = booking_facts(session)
    own = [f for f in facts if f.jurisdiction == jurisdiction.code]
    report = monitor.run(facts)
    finding = next(
        (
            f
            for f in report.findings
            if f.unit_kind == "jurisdiction" and f.unit == jurisdiction.code
        ),
        None,
    )

    def mix(rows: Sequence[BookingFacts]) -> dict[str, float]:
        total = max(1, len(rows))
        return {
            "minor_only": round(sum(r.minor_only for r in rows) / total, 4),
            "pretext": round(sum(r.pretext for r in rows) / total, 4),
            "no_conviction_or_level_3": round(
                sum(bool(r.low_level) for r in rows if r.low_level is not None)
                / max(1, sum(r.low_level is not None for r in rows)),
                4,
            ),
        }

    return {
        "bookings": len(own),
        "jurisdiction": mix(own),
        "nation": mix(facts),
        "monitor_flagged": bool(finding and finding.flagged),
        "monitor_significant": [
            f"{t.test}:{t.group or 'all'}" for t in (finding.significant if finding else [])
        ],
    }


def prepare_review(
    session: Session,
    *,
    code: str,
    civil_rights: str,
    lawsuits: str,
    training: str,
    prepared_by: str,
    at: datetime,
) -> ActivationReview:
    jurisdiction = _jurisdiction(session, code)
    problems = [
        FieldProblem(name, "participation.review_text", "state what was found, even 'none found'")
        for name, text in (
            ("civil_rights", civil_rights),
            ("lawsuits", lawsuits),
            ("training", training),
        )
        if len(text.strip()) < 4
    ]
    if jurisdiction.activation_date is not None:
        problems.append(
            FieldProblem(
                "code", "participation.already_active", f"activated {jurisdiction.activation_date}"
            )
        )
    if problems:
        raise InputError(problems, summary=f"cannot prepare a review for {code}")
    review = ActivationReview(
        jurisdiction_id=jurisdiction.id,
        prepared_by=prepared_by,
        prepared_at=at,
        civil_rights=civil_rights.strip(),
        lawsuits=lawsuits.strip(),
        training=training.strip(),
        projection=projection(session, jurisdiction),
    )
    session.add(review)
    session.flush()
    audit_service.record(
        session,
        kind="participation.review_prepared",
        actor=prepared_by,
        occurred_at=at,
        summary=f"pre-activation review {review.id} for {code}",
    )
    return review


def sign_review(
    session: Session,
    *,
    review_id: int,
    decision: ActivationDecision,
    note: str,
    supervisor: str,
    at: datetime,
) -> ActivationReview:
    """A supervisor other than the preparer signs; approval activates the jurisdiction
    from the signing day, and the flow forwards its bookings from then on."""
    review = session.get(ActivationReview, review_id)
    if review is None:
        raise NotFoundError(f"activation review {review_id} not found")
    problems = []
    if review.decision is not None:
        problems.append(
            FieldProblem("review", "participation.signed", f"already {review.decision.value}")
        )
    if supervisor == review.prepared_by:
        problems.append(
            FieldProblem(
                "supervisor",
                "participation.four_eyes",
                "another supervisor must sign the review you prepared",
            )
        )
    if len(note.strip()) < 10:
        problems.append(FieldProblem("note", "participation.reason", "say why (10+ characters)"))
    if problems:
        raise InputError(problems, summary=f"cannot sign activation review {review_id}")
    jurisdiction = session.get_one(Jurisdiction, review.jurisdiction_id)
    review.decision = decision
    review.signed_by = supervisor
    review.signed_at = at
    review.note = note.strip()
    if decision is ActivationDecision.APPROVE:
        jurisdiction.activation_date = at.date()
    audit_service.record(
        session,
        kind="participation.review_signed",
        actor=supervisor,
        occurred_at=at,
        summary=f"pre-activation review {review.id} for {jurisdiction.code}: {decision.value}",
        details={"note": note[:300]},
    )
    return review
