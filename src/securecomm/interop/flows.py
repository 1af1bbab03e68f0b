"""The booking flow, one persisted step at a time.

Each ``advance_*`` call runs exactly one step inside one unit of work: it reads the
transaction's persisted state, does that step's effects (rows, decisions, outbox
messages, audit events) and writes the next state, all committed together. A crash
anywhere loses at most the step in flight, which simply runs again; unique keys built
from the TCN (arrest incident, decision kind, outbox key) make a repeat harmless.

A possible identification (the band between identification and no identification)
parks the booking in an ``awaiting_*_examiner`` state until a fingerprint examiner
confirms or rejects the candidate; the worker then settles it as either.

    received -> validated -> [awaiting_criminal_examiner] -> criminal_searched
        -> criminal_answered
        -> (not activated) completed
        -> [awaiting_immigration_examiner] -> immigration_searched -> (no match) completed
                                 -> status_queried -> status_determined -> responded
                                 -> completed (field office decided; a case is open)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from securecomm.audit import service as audit_service
from securecomm.auth import service as auth_service
from securecomm.biometrics import Band, Gallery, SearchResult, Template, TemplateError
from securecomm.booking import service as booking_service
from securecomm.booking.models import Submission, SubmissionState
from securecomm.booking.schemas import BookingDocument
from securecomm.cases import service as case_service
from securecomm.cases.models import Case, CaseState, Detainer
from securecomm.decisions import Decision, JSONValue, Trace
from securecomm.detainers import rules as detainer_rules
from securecomm.domain import AgencyRole, ChargeFact, CriminalHistoryFact
from securecomm.exceptions import FieldProblem, InputError, NotFoundError
from securecomm.interop import outbox
from securecomm.interop import rules as interop_rules
from securecomm.interop.addresses import answer_folder
from securecomm.interop.models import (
    DecisionRecord,
    Jurisdiction,
    Transaction,
    TransactionState,
)
from securecomm.priority import rules as priority_rules
from securecomm.repositories import service as repository_service
from securecomm.repositories.models import (
    CriminalSubject,
    ExaminerReview,
    ImmigrationSubject,
    Repository,
    ReviewStatus,
)
from securecomm.status import rules as status_rules

State = TransactionState


@dataclass
class Galleries:
    """The repositories' in-memory search structures, rebuilt from the database on start
    and brought level with it (enrolments by other workers) before each booking."""

    criminal: Gallery
    immigration: Gallery
    pending: list[tuple[Repository, int, dict[int, Template]]] = field(default_factory=list)
    synced_to: dict[Repository, int] = field(default_factory=dict)

    def sync(self, session: Session) -> None:
        """Enrol what other workers stored since the last sync."""
        for repository, gallery in (
            (Repository.CRIMINAL, self.criminal),
            (Repository.IMMIGRATION, self.immigration),
        ):
            self.synced_to[repository] = repository_service.enrol_stored_since(
                session,
                gallery=gallery,
                repository=repository,
                after_id=self.synced_to.get(repository, 0),
            )

    def apply_pending(self) -> None:
        """Enrol what a committed step stored; called only after its commit succeeds."""
        for repository, subject_id, prints in self.pending:
            target = self.criminal if repository is Repository.CRIMINAL else self.immigration
            target.enrol(subject_id, prints)
        self.pending.clear()


def record_decision(
    session: Session,
    *,
    kind: str,
    decision: Decision[Any],
    outcome: str,
    at: datetime,
    transaction: Transaction | None = None,
    case: Case | None = None,
) -> None:
    transaction_id = transaction.id if transaction else None
    case_id = case.id if case else None
    session.add(
        DecisionRecord(
            transaction_id=transaction_id,
            case_id=case_id,
            scope=f"{transaction_id or '-'}:{case_id or '-'}:{kind}",
            kind=kind,
            outcome=outcome[:200],
            decided_at=at,
            traces=decision.to_json(),
        )
    )


def _audit(
    session: Session,
    transaction: Transaction,
    *,
    kind: str,
    actor: str,
    summary: str,
    details: dict[str, Any] | None = None,
) -> None:
    audit_service.record(
        session,
        kind=kind,
        actor=actor,
        occurred_at=transaction.booked_at,
        summary=summary,
        transaction_id=transaction.id,
        details=details,
        key=f"transaction:{transaction.id}:{kind}",
    )


# --------------------------------------------------------------------------- intake


def accept_booking(session: Session, submission: Submission) -> Transaction | None:
    """Validate a received booking: a transaction on success, an ERRT and the raw kept
    for review on failure."""
    try:
        refused = booking_service.receipt_problems(submission)
        if refused:  # too large, or a TCN another file already used
            raise InputError(refused)
        document = booking_service.booking_of(submission)
        _check_prints_decode(document)
        _check_tcn_unused(session, document.tcn)
        jurisdiction = _jurisdiction_of(session, document.ori)
    except InputError as error:
        _reject(session, submission, error.problems)
        return None
    transaction = Transaction(
        tcn=document.tcn,
        submission_id=submission.id,
        ori=document.ori,
        jurisdiction_id=jurisdiction.id,
        booked_at=document.booked_at,
        state=State.VALIDATED,
    )
    session.add(transaction)
    session.flush()
    submission.state = SubmissionState.PROCESSING
    _audit(
        session,
        transaction,
        kind="booking.validated",
        actor=document.ori,
        summary=f"booking {document.tcn} validated ({len(document.prints)} fingers)",
    )
    return transaction


def _check_tcn_unused(session: Session, tcn: str) -> None:
    first = session.scalar(select(Transaction).where(Transaction.tcn == tcn))
    if first is not None:
        problem = FieldProblem(
            "1.009 TCN",
            "securecomm.tcn_reused",
            f"TCN {tcn} was first used by submission {first.submission_id}; "
            "a different file may not reuse it",
        )
        raise InputError([problem])


def _check_prints_decode(document: BookingDocument) -> None:
    problems = []
    for position, data in document.template_bytes().items():
        try:
            Template.from_bytes(data)
        except TemplateError as error:
            problems.append(FieldProblem(f"prints.{position}", "template_unreadable", str(error)))
    if problems:
        raise InputError(problems, summary="unreadable fingerprints")


def _jurisdiction_of(session: Session, ori: str) -> Jurisdiction:
    try:
        agency = auth_service.agency_by_ori(session, ori)
    except NotFoundError:
        raise InputError(
            [FieldProblem("ori", "unknown_ori", f"no agency with ORI {ori}")]
        ) from None
    if agency.role is not AgencyRole.LOCAL_AGENCY or agency.jurisdiction_id is None:
        problem = FieldProblem("ori", "not_a_booking_agency", f"{ori} is not a local agency")
        raise InputError([problem])
    return session.get_one(Jurisdiction, agency.jurisdiction_id)


def _reject(session: Session, submission: Submission, problems: list[FieldProblem]) -> None:
    booking_service.reject(submission, problems)
    reply_to = answer_folder(submission.sender)  # a sender's ORI only when it is one
    bureau = _sender_of_answers(session)
    outbox.enqueue(
        session,
        message_type="ERRT",
        control_number=submission.external_key,
        sender=bureau,
        recipient=reply_to,
        created_at=submission.event_at,
        payload={
            "tcr": submission.external_key,
            "messages": [str(problem)[:300] for problem in problems[:11]],
            "problems": [
                {"field": p.field, "rule": p.rule, "message": p.message} for p in problems
            ],
        },
        submission_id=submission.id,
    )
    audit_service.record(
        session,
        kind="booking.rejected",
        actor=reply_to,
        occurred_at=submission.event_at,
        summary=f"submission {submission.external_key} rejected: {len(problems)} problem(s)",
        details={"problems": [str(p) for p in problems]},
    )


def _sender_of_answers(session: Session) -> str:
    return auth_service.agency_for_role(session, AgencyRole.CRIMINAL_REPOSITORY).ori


# --------------------------------------------------------------------------- steps


def _document(session: Session, transaction: Transaction) -> BookingDocument:
    submission = session.get_one(Submission, transaction.submission_id)
    return booking_service.booking_of(submission)


def _probe(document: BookingDocument) -> dict[int, Template]:
    return {pos: Template.from_bytes(data) for pos, data in document.template_bytes().items()}


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
    document = _document(session, transaction)
    probe = _probe(document)
    result = galleries.criminal.search(probe)
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
    document = _document(session, transaction)
    if candidate is not None:
        subject = session.get_one(CriminalSubject, candidate)
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
        probe = _probe(document)
        repository_service.store_prints(
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
    _audit(
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
    _audit(
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


def criminal_answer(session: Session, transaction: Transaction) -> None:
    subject = session.get_one(CriminalSubject, transaction.criminal_subject_id)
    repository = _sender_of_answers(session)
    outbox.enqueue(
        session,
        message_type="SRE",
        control_number=transaction.tcn,
        sender=repository,
        recipient=transaction.ori,
        created_at=transaction.booked_at,
        payload={
            "tcr": transaction.tcn,
            "srf": "I" if transaction.criminal_identified else "N",
            "fbi": subject.fbi_number,
            "sid": subject.state_id,
            "arrests_on_record": len(subject.arrests),
        },
        transaction_id=transaction.id,
    )
    transaction.state = State.CRIMINAL_ANSWERED


def immigration_search(session: Session, transaction: Transaction, galleries: Galleries) -> None:
    jurisdiction = session.get_one(Jurisdiction, transaction.jurisdiction_id)
    activation = interop_rules.sharing_active(
        jurisdiction=jurisdiction.code,
        activation_date=jurisdiction.activation_date,
        suspensions=[
            interop_rules.SuspensionPeriod(s.start, s.end, s.reason, s.stops_sharing)
            for s in jurisdiction.suspensions
        ],
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
        _audit(
            session,
            transaction,
            kind="immigration.not_forwarded",
            actor="criminal_repository",
            summary=f"{jurisdiction.code} not sharing on {transaction.booked_at.date()}",
        )
        transaction.state = State.COMPLETED
        return
    document = _document(session, transaction)
    result = galleries.immigration.search(_probe(document))
    decision = _search_decision(result, Repository.IMMIGRATION)
    if _queue_for_examiner(session, transaction, result, Repository.IMMIGRATION):
        transaction.state = State.AWAITING_IMMIGRATION_EXAMINER
        return
    candidate = result.best.subject_id if decision.value and result.best else None
    _settle_immigration(session, transaction, decision, candidate)


def _settle_immigration(
    session: Session, transaction: Transaction, decision: Decision[bool], candidate: int | None
) -> None:
    if candidate is not None:
        subject = session.get_one(ImmigrationSubject, candidate)
        transaction.immigration_subject_id = subject.id
        outcome = f"matched FIN {subject.fin}"
        level = _match_level(session, transaction)
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
    _audit(
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


def _history(session: Session, transaction: Transaction) -> CriminalHistoryFact:
    subject = session.get_one(CriminalSubject, transaction.criminal_subject_id)
    return repository_service.history(subject).as_of(transaction.booked_at.date())


def _match_level(session: Session, transaction: Transaction) -> Decision[Any]:
    return priority_rules.match_level(
        _history(session, transaction), as_of=transaction.booked_at.date()
    )


def _immigration_ori(session: Session) -> str:
    return auth_service.agency_for_role(session, AgencyRole.IMMIGRATION_REPOSITORY).ori


def answer_or_query(session: Session, transaction: Transaction) -> None:
    """No match: an IDR no-match answer ends the transaction. Match: an IAQ to the
    status centre."""
    document = _document(session, transaction)
    ident = _immigration_ori(session)
    if transaction.immigration_subject_id is None:
        outbox.enqueue(
            session,
            message_type="IDR-NM",
            control_number=transaction.tcn,
            sender=ident,
            recipient=transaction.ori,
            created_at=transaction.booked_at,
            payload={"tcr": transaction.tcn, "result": "no match"},
            transaction_id=transaction.id,
        )
        transaction.state = State.COMPLETED
        return
    subject = session.get_one(ImmigrationSubject, transaction.immigration_subject_id)
    centre = auth_service.agency_for_role(session, AgencyRole.STATUS_CENTRE).ori
    most_serious = _most_serious_code(document)
    outbox.enqueue(
        session,
        message_type="IAQ",
        control_number=transaction.tcn,
        sender=ident,
        recipient=centre,
        created_at=transaction.booked_at,
        payload={
            "pur": "C",
            "atn": transaction.ori,
            "nam": document.name,
            "dob": document.dob.strftime("%Y%m%d"),
            "sex": document.sex,
            "pob": document.place_of_birth,
            "cus": "Y",
            "off": most_serious,
            "fin": subject.fin,
            "arn": subject.a_number,
        },
        transaction_id=transaction.id,
    )
    transaction.state = State.STATUS_QUERIED


def _most_serious_code(document: BookingDocument) -> str:
    """The IAQ's OFF field: the charge with the longest statutory maximum (0399 if none)."""
    if not document.charges:
        return "0399"
    return max(document.charges, key=lambda charge: charge.max_term_days).ncic_code


def determine_status(session: Session, transaction: Transaction) -> None:
    subject = session.get_one(ImmigrationSubject, transaction.immigration_subject_id)
    decision = status_rules.determine_status(
        encounters=repository_service.encounter_facts(subject),
        history=_history(session, transaction),
        as_of=transaction.booked_at.date(),
    )
    determination = decision.value
    transaction.status_category = determination.category
    record_decision(
        session,
        kind="status",
        decision=decision,
        outcome=determination.category,
        at=transaction.booked_at,
        transaction=transaction,
    )
    _audit(
        session,
        transaction,
        kind="status.determined",
        actor="status_centre",
        summary=f"status {determination.category}; removable={determination.removable}",
    )
    transaction.state = State.STATUS_DETERMINED


def respond(session: Session, transaction: Transaction) -> None:
    """The combined IDR+IAR goes to the local agency and to the ICE field office."""
    subject = session.get_one(ImmigrationSubject, transaction.immigration_subject_id)
    status = session.scalars(
        select(DecisionRecord).where(
            DecisionRecord.transaction_id == transaction.id, DecisionRecord.kind == "status"
        )
    ).one()
    centre = auth_service.agency_for_role(session, AgencyRole.STATUS_CENTRE).ori
    jurisdiction = session.get_one(Jurisdiction, transaction.jurisdiction_id)
    office = auth_service.agency_for_role(
        session, AgencyRole.ICE_FIELD_OFFICE, state=jurisdiction.state
    ).ori
    payload: dict[str, Any] = {
        "tcr": transaction.tcn,
        "idr": {"result": "match", "fin": subject.fin, "a_number": subject.a_number},
        "iar": {"status": status.outcome, "evidence": _evidence(status)},
    }
    for recipient in (transaction.ori, office):
        outbox.enqueue(
            session,
            message_type="IDR-IAR",
            control_number=transaction.tcn,
            sender=centre,
            recipient=recipient,
            created_at=transaction.booked_at,
            payload=payload,
            transaction_id=transaction.id,
        )
    transaction.state = State.RESPONDED


def _evidence(status: DecisionRecord) -> list[JSONValue]:
    return [trace.get("note", "") for trace in status.traces if trace.get("note")]


def field_office_decides(session: Session, transaction: Transaction) -> None:
    """Priority under the scheme in force, then the detainer decision; opens the case."""
    subject = session.get_one(ImmigrationSubject, transaction.immigration_subject_id)
    on = transaction.booked_at.date()
    encounters = repository_service.encounter_facts(subject)
    history = _history(session, transaction)
    status = status_rules.determine_status(encounters=encounters, history=history, as_of=on)
    priority = priority_rules.assess_priority(
        history=history, status=status.value, encounters=encounters, as_of=on
    )
    detainer = detainer_rules.decide_detainer(status=status.value, priority=priority.value, on=on)
    jurisdiction = session.get_one(Jurisdiction, transaction.jurisdiction_id)
    office = auth_service.agency_for_role(
        session, AgencyRole.ICE_FIELD_OFFICE, state=jurisdiction.state
    ).ori
    initial = _initial_case_state(status.value, detainer.value)
    case = Case(
        transaction_id=transaction.id,
        immigration_subject_id=subject.id,
        field_office=office,
        state=initial,
        opened_at=transaction.booked_at,
        scheme_id=priority.value.scheme_id,
        priority_category=priority.value.category,
        priority_rank=priority.value.rank,
        match_level=transaction.match_level,
    )
    case_service.open_case(session, case=case, at=transaction.booked_at, note=detainer.value.reason)
    record_decision(
        session,
        kind="priority",
        decision=priority,
        outcome=priority.value.category or "not a priority",
        at=transaction.booked_at,
        transaction=transaction,
        case=case,
    )
    record_decision(
        session,
        kind="detainer",
        decision=detainer,
        outcome=str(detainer.value.form) if detainer.value.lodge else "no detainer",
        at=transaction.booked_at,
        transaction=transaction,
        case=case,
    )
    if detainer.value.lodge and detainer.value.form is not None:
        session.add(
            Detainer(
                case_id=case.id,
                form=detainer.value.form,
                requests_hold=detainer.value.requests_hold,
                probable_cause=detainer.value.probable_cause,
                warrant=detainer.value.warrant,
                lodged_at=transaction.booked_at,
            )
        )
        outbox.enqueue(
            session,
            message_type=str(detainer.value.form),
            control_number=transaction.tcn,
            sender=office,
            recipient=transaction.ori,
            created_at=transaction.booked_at,
            payload={
                "tcr": transaction.tcn,
                "form": str(detainer.value.form),
                "requests_hold": detainer.value.requests_hold,
                "probable_cause": detainer.value.probable_cause,
                "warrant": detainer.value.warrant,
                "notices": list(detainer.value.notices),
            },
            transaction_id=transaction.id,
        )
    _audit(
        session,
        transaction,
        kind="field_office.decided",
        actor=office,
        summary=f"case {case.id}: {initial}; {detainer.value.reason}",
    )
    transaction.state = State.COMPLETED


def _initial_case_state(
    status: status_rules.StatusDetermination, detainer: detainer_rules.DetainerDecision
) -> CaseState:
    if status.category.is_citizen:
        return CaseState.NO_ACTION_CITIZEN
    if status.needs_analyst:
        return CaseState.ANALYST_REVIEW
    if detainer.lodge:
        return CaseState.DETAINER_LODGED
    return CaseState.NOT_PRIORITY


StepFn = Callable[[Session, Transaction, Galleries], None]


def _without_galleries(step: Callable[[Session, Transaction], None]) -> StepFn:
    def run(session: Session, transaction: Transaction, _galleries: Galleries) -> None:
        step(session, transaction)

    return run


STEPS: dict[TransactionState, StepFn] = {
    State.VALIDATED: criminal_search,
    State.AWAITING_CRIMINAL_EXAMINER: resume_criminal,
    State.AWAITING_IMMIGRATION_EXAMINER: resume_immigration,
    State.CRIMINAL_SEARCHED: _without_galleries(criminal_answer),
    State.CRIMINAL_ANSWERED: immigration_search,
    State.IMMIGRATION_SEARCHED: _without_galleries(answer_or_query),
    State.STATUS_QUERIED: _without_galleries(determine_status),
    State.STATUS_DETERMINED: _without_galleries(respond),
    State.RESPONDED: _without_galleries(field_office_decides),
}
