"""The 1:N searches of the criminal and immigration repositories, possible identifications
parked for a fingerprint examiner, and the criminal answer (SRE)."""

from __future__ import annotations

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from securecomm.biometrics import Band, SearchResult
from securecomm.booking.schemas import BookingDocument
from securecomm.decisions import Decision, JSONValue, Trace
from securecomm.domain import ChargeFact
from securecomm.interop import rules as interop_rules
from securecomm.interop.clock import Leg, ServiceClock, after
from securecomm.interop.context import (
    Galleries,
    State,
    answers_sender,
    audit_step,
    match_level,
    record_decision,
    send_to_booking_agency,
)
from securecomm.interop.jurisdictions import jurisdiction_ref
from securecomm.interop.models import Transaction
from securecomm.metrics import SEARCH_SECONDS
from securecomm.repositories import identities
from securecomm.repositories import prints as print_store
from securecomm.repositories import service as repository_service
from securecomm.repositories.models import (
    Arrest,
    CriminalSubject,
    ExaminerReview,
    ImmigrationSubject,
    MatchExclusion,
    Repository,
    ReviewStatus,
)


def _charges(document: BookingDocument) -> list[ChargeFact]:
    booked_on = document.booked_at.date()
    return [
        ChargeFact(
            ncic_code=c.ncic_code,
            description=c.description,
            arrest_date=booked_on,
            incident_id=document.tcn,
            max_term_days=c.max_term_days,
        )
        for c in document.charges
    ]


def _search_decision(result: SearchResult, repository: Repository) -> Decision[bool]:
    identified = result.band is Band.IDENTIFICATION
    trace = result.to_trace()
    note = Trace(
        rule=f"repositories.{repository}.identification",
        outcome="identified" if identified else f"not identified ({result.band})",
        inputs={"band": str(result.band)},
        note="only the identification band identifies; possible identifications are "
        "counted as not identified until an examiner confirms them",
    )
    return Decision(identified, (trace, note))


def criminal_search(session: Session, transaction: Transaction, galleries: Galleries) -> None:
    _, probe = galleries.booking(session, transaction)
    with SEARCH_SECONDS.labels("criminal").time():
        result = galleries.criminal.search(probe)
    if result.band is not Band.IDENTIFICATION:  # it may enrol: not before a re-check
        result = galleries.recheck_before_enrolment(session, probe, result)
    decision = _search_decision(result, Repository.CRIMINAL)
    if _queue_for_examiner(session, transaction, result, Repository.CRIMINAL):
        transaction.state = State.AWAITING_CRIMINAL_EXAMINER
        return
    candidate = result.best.subject_id if decision.value and result.best else None
    _settle_criminal(session, transaction, galleries, decision, candidate)


def _settle_criminal(
    session: Session,
    transaction: Transaction,
    galleries: Galleries,
    decision: Decision[bool],
    candidate: int | None,
) -> None:
    """Add the arrest to the identified subject, or enrol the booking as a new subject."""
    document, probe = galleries.booking(session, transaction)
    if candidate is not None:
        subject = identities.current(session, candidate)  # an identity merged by redress
        repository_service.add_aliases(session, subject=subject, names=[document.name])
        outcome = f"identified as FBI {subject.fbi_number}"
    else:
        subject = repository_service.create_criminal_subject(
            session,
            name=document.name,
            dob=document.dob,
            sex=document.sex,
            race=document.race,
            place_of_birth=document.place_of_birth,
            aliases=document.aliases,
            enrolled_by_tcn=document.tcn,
        )
        print_store.store_prints(
            session, repository=Repository.CRIMINAL, subject_id=subject.id, prints=probe
        )
        galleries.pending.append((Repository.CRIMINAL, subject.id, probe))
        outcome = f"not identified; enrolled as FBI {subject.fbi_number}"
    repository_service.add_arrest(
        session,
        subject=subject,
        incident_id=document.tcn,
        ori=document.ori,
        arrested_on=document.booked_at.date(),
        charges=_charges(document),
    )
    transaction.criminal_subject_id = subject.id
    transaction.criminal_identified = candidate is not None
    record_decision(
        session,
        kind="criminal_identification",
        decision=decision,
        outcome=outcome,
        at=transaction.booked_at,
        transaction=transaction,
    )
    audit_step(
        session, transaction, kind="criminal.searched", actor="criminal_repository", summary=outcome
    )
    transaction.state = State.CRIMINAL_SEARCHED


def _queue_for_examiner(
    session: Session, transaction: Transaction, result: SearchResult, repository: Repository
) -> bool:
    """A possible identification waits for a fingerprint examiner instead of guessing."""
    if result.band is not Band.POSSIBLE or result.best is None:
        return False
    session.add(
        ExaminerReview(
            transaction_id=transaction.id,
            repository=repository,
            candidate_subject_id=result.best.subject_id,
            score=result.best.score,
            finger_scores={str(k): v for k, v in result.best.finger_scores.items()},
            status=ReviewStatus.PENDING,
        )
    )
    record_decision(
        session,
        kind=f"{repository}_possible_identification",
        decision=Decision(False, (result.to_trace(),)),
        outcome=f"possible identification of subject {result.best.subject_id}; examiner queued",
        at=transaction.booked_at,
        transaction=transaction,
    )
    audit_step(
        session,
        transaction,
        kind=f"examiner.queued.{repository}",
        actor=f"{repository}_repository",
        summary=f"possible identification (score {result.best.score:.1f}) sent to an examiner",
    )
    return True


def examiner_decision(
    session: Session, transaction: Transaction, repository: Repository
) -> tuple[ExaminerReview, Decision[bool]] | None:
    """The examiner's decided review as an identification decision; None while pending."""
    review = session.scalars(
        select(ExaminerReview).where(
            ExaminerReview.transaction_id == transaction.id,
            ExaminerReview.repository == repository,
        )
    ).one()
    if review.status is ReviewStatus.PENDING:
        return None
    confirmed = review.status is ReviewStatus.CONFIRMED
    trace = Trace(
        rule=f"repositories.{repository}.examiner",
        outcome="identification confirmed" if confirmed else "identification rejected",
        inputs={
            "review": review.id,
            "examiner": review.examiner,
            "candidate_subject": review.candidate_subject_id,
            "score": review.score,
        },
        note=review.note,
    )
    return review, Decision(confirmed, (trace,))


def _examined_candidate(
    session: Session, transaction: Transaction, repository: Repository
) -> tuple[Decision[bool], int | None] | None:
    """The examiner's decision and the subject it identifies (None if rejected);
    None while the review is pending."""
    decided = examiner_decision(session, transaction, repository)
    if decided is None:
        return None
    review, decision = decided
    return decision, review.candidate_subject_id if decision.value else None


def resume_criminal(session: Session, transaction: Transaction, galleries: Galleries) -> None:
    examined = _examined_candidate(session, transaction, Repository.CRIMINAL)
    if examined is not None:
        _settle_criminal(session, transaction, galleries, *examined)


# The SRE's columns and count, built once.
_RECORD_NUMBERS = select(CriminalSubject.fbi_number, CriminalSubject.state_id).where(
    CriminalSubject.id == bindparam("subject")
)
_ARRESTS_ON_RECORD = select(func.count(Arrest.id)).where(Arrest.subject_id == bindparam("subject"))


def criminal_answer(session: Session, transaction: Transaction, clock: ServiceClock) -> None:
    """The SRE: identified or not, with the FBI and state numbers, back through the bureau."""
    # Columns and a count, not the subject: loading it would load every arrest and charge.
    subject = {"subject": transaction.criminal_subject_id}
    fbi_number, state_id = session.execute(_RECORD_NUMBERS, subject).one()
    arrests = session.scalar(_ARRESTS_ON_RECORD, subject)
    send_to_booking_agency(
        session,
        transaction,
        clock,
        message_type="SRE",
        sender=answers_sender(session),
        sent_at=after(clock, transaction.booked_at, transaction.tcn, Leg.CRIMINAL_SEARCH),
        payload={
            "tcr": transaction.tcn,
            "srf": "I" if transaction.criminal_identified else "N",
            "fbi": fbi_number,
            "sid": state_id,
            "arrests_on_record": arrests or 0,
        },
    )
    transaction.state = State.CRIMINAL_ANSWERED


def immigration_search(session: Session, transaction: Transaction, galleries: Galleries) -> None:
    jurisdiction = jurisdiction_ref(session, transaction.jurisdiction_id)
    activation = interop_rules.sharing_active(
        jurisdiction=jurisdiction.code,
        activation_date=jurisdiction.activation_date,
        suspensions=jurisdiction.suspensions,
        on=transaction.booked_at.date(),
    )
    record_decision(
        session,
        kind="activation",
        decision=activation,
        outcome="active" if activation.value else "inactive",
        at=transaction.booked_at,
        transaction=transaction,
    )
    transaction.immigration_searched = activation.value
    if not activation.value:
        audit_step(
            session,
            transaction,
            kind="immigration.not_forwarded",
            actor="criminal_repository",
            summary=f"{jurisdiction.code} not sharing on {transaction.booked_at.date()}",
        )
        transaction.state = State.COMPLETED
        return
    _, probe = galleries.booking(session, transaction)
    with SEARCH_SECONDS.labels("immigration").time():
        found = galleries.immigration.search(probe)
    result = _without_ruled_out(session, transaction, found)
    decision = _search_decision(result, Repository.IMMIGRATION)
    if _queue_for_examiner(session, transaction, result, Repository.IMMIGRATION):
        transaction.state = State.AWAITING_IMMIGRATION_EXAMINER
        return
    candidate = result.best.subject_id if decision.value and result.best else None
    _settle_immigration(session, transaction, decision, candidate)


def _without_ruled_out(
    session: Session, transaction: Transaction, result: SearchResult
) -> SearchResult:
    """Drop immigration identities a redress decision ruled out for this person: a wrong
    match, once corrected, does not come back."""
    if transaction.criminal_subject_id is None or not result.candidates:
        return result
    ruled_out = set(
        session.scalars(
            select(MatchExclusion.immigration_subject_id).where(
                MatchExclusion.criminal_subject_id == transaction.criminal_subject_id
            )
        )
    )
    narrowed = result.excluding(ruled_out)
    if narrowed is not result:
        dropped: list[JSONValue] = [
            c.subject_id for c in result.candidates if c.subject_id in ruled_out
        ]
        trace = Trace(
            rule="redress.match_excluded",
            outcome="candidates dropped",
            inputs={"ruled_out": dropped},
            note="a redress decision found these matches wrong for this person",
        )
        record_decision(
            session,
            kind="immigration_ruled_out",
            decision=Decision(True, (trace,)),
            outcome=f"{len(dropped)} candidates ruled out",
            at=transaction.booked_at,
            transaction=transaction,
        )
    return narrowed


def _settle_immigration(
    session: Session, transaction: Transaction, decision: Decision[bool], candidate: int | None
) -> None:
    if candidate is not None:
        subject = session.get_one(ImmigrationSubject, candidate)
        transaction.immigration_subject_id = subject.id
        outcome = f"matched FIN {subject.fin}"
        level = match_level(session, transaction)
        transaction.match_level = level.value
        record_decision(
            session,
            kind="match_level",
            decision=level,
            outcome=level.value,
            at=transaction.booked_at,
            transaction=transaction,
        )
    else:
        outcome = "no match"
    record_decision(
        session,
        kind="immigration_identification",
        decision=decision,
        outcome=outcome,
        at=transaction.booked_at,
        transaction=transaction,
    )
    audit_step(
        session,
        transaction,
        kind="immigration.searched",
        actor="immigration_repository",
        summary=outcome,
    )
    transaction.state = State.IMMIGRATION_SEARCHED


def resume_immigration(session: Session, transaction: Transaction, galleries: Galleries) -> None:
    examined = _examined_candidate(session, transaction, Repository.IMMIGRATION)
    if examined is not None:
        _settle_immigration(session, transaction, *examined)
