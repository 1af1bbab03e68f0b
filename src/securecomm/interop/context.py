"""What every step of the booking flow shares: the galleries, and how decisions, audit
events and answers are recorded."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from securecomm.audit import service as audit_service
from securecomm.auth import service as auth_service
from securecomm.biometrics import Gallery, SearchResult, Template
from securecomm.biometrics.sharded import AnyGallery
from securecomm.booking import service as booking_service
from securecomm.booking.models import Submission
from securecomm.booking.schemas import BookingDocument
from securecomm.database.deferred import defer_insert
from securecomm.database.locks import enrolment_lock
from securecomm.decisions import Decision
from securecomm.domain import AgencyRole, CriminalHistoryFact
from securecomm.interop import outbox
from securecomm.interop.clock import BookingTimeClock, Leg, ServiceClock
from securecomm.interop.jurisdictions import jurisdiction_ref
from securecomm.interop.models import DecisionRecord, Transaction, TransactionState
from securecomm.priority import rules as priority_rules
from securecomm.repositories import prints as print_store
from securecomm.repositories import service as repository_service
from securecomm.repositories.models import CriminalSubject, Repository

State = TransactionState
BOOKINGS_KEPT = 64  # a worker drives one booking at a time; a few more cost nothing


class HasId(Protocol):
    """A record with an id (a case: the cases package builds on this one, not under it)."""

    @property
    def id(self) -> int: ...


@dataclass
class Galleries:
    """The repositories' in-memory search structures, rebuilt from the database on start
    and brought level with it (enrolments by other workers) before each booking."""

    criminal: AnyGallery
    immigration: AnyGallery
    pending: list[tuple[Repository, int, dict[int, Template]]] = field(default_factory=list)
    # The newest fingerprint id enrolled from (fingerprint ids are one sequence for
    # both repositories, so one mark serves both).
    synced_to: int = 0
    reader: str = "worker"  # the audit log's name for the process whose galleries these are
    # What syncs took in the unit of work under way (marks before it, subjects enrolled):
    # undone if it rolls back, so the read is made, and audited, again by the retry.
    unit_syncs: list[tuple[int, dict[Repository, list[int]]]] = field(default_factory=list)
    # Bookings being worked on, by submission id: the document and the probe, parsed once
    # (a submission's bytes never change), so both searches reuse the probe's features.
    bookings: OrderedDict[int, tuple[BookingDocument, dict[int, Template]]] = field(
        default_factory=OrderedDict
    )

    def booking(
        self, session: Session, transaction: Transaction
    ) -> tuple[BookingDocument, dict[int, Template]]:
        """The booking's document and its probe (the prints as templates)."""
        key = transaction.submission_id
        found = self.bookings.get(key)
        if found is None:
            document = document_of(session, transaction)
            found = (document, probe_of(document))
            self.bookings[key] = found
            while len(self.bookings) > BOOKINGS_KEPT:
                self.bookings.popitem(last=False)
        else:
            self.bookings.move_to_end(key)
        return found

    def sync(self, session: Session) -> dict[Repository, list[int]]:
        """Enrol what other workers stored since the last sync; returns those subjects."""
        mark = self.synced_to
        self.synced_to, enrolled = print_store.enrol_stored_since(
            session,
            galleries={repository: self.of(repository) for repository in Repository},
            after_id=mark,
            reader=self.reader,
        )
        self.unit_syncs.append((mark, enrolled))
        return enrolled

    def undo_unit_syncs(self) -> None:
        """The unit of work rolled back, and with it the syncs' audit events: forget what
        they enrolled and go back to the mark before its first sync, so the next sync
        reads it all again under a new event."""
        if not self.unit_syncs:
            return
        for _, enrolled in self.unit_syncs:
            for repository, subject_ids in enrolled.items():
                for subject_id in subject_ids:
                    self.of(repository).remove(subject_id)
        self.synced_to = self.unit_syncs[0][0]
        self.unit_syncs.clear()

    def of(self, repository: Repository) -> AnyGallery:
        return self.criminal if repository is Repository.CRIMINAL else self.immigration

    def recheck_before_enrolment(
        self, session: Session, probe: dict[int, Template], result: SearchResult
    ) -> SearchResult:
        """A booking about to enrol a new identity takes the enrolment lock (held until
        its commit) and searches the identities other workers enrolled since its search:
        two bookings of one person close together still end on one identity."""
        enrolment_lock(session)
        enrolled_since = self.sync(session)[Repository.CRIMINAL]
        if not enrolled_since:
            return result
        since = Gallery(self.criminal.params)
        for subject_id in enrolled_since:
            since.enrol(subject_id, self.criminal.prints_of(subject_id))
        return result.merged(since.search(probe))

    def apply_pending(self) -> None:
        """Enrol what a committed step stored; called only after its commit succeeds."""
        for repository, subject_id, prints in self.pending:
            self.of(repository).enrol(subject_id, prints)
        self.pending.clear()


def record_decision(
    session: Session,
    *,
    kind: str,
    decision: Decision[Any],
    outcome: str,
    at: datetime,
    transaction: Transaction | None = None,
    case: HasId | None = None,
) -> None:
    """Store an automated decision with its reasons, with the unit's other decisions in
    one statement (``database.deferred``); a second decision of the same kind for the
    same transaction and case breaks the unique scope and fails the unit."""
    transaction_id = transaction.id if transaction else None
    case_id = case.id if case else None
    row = {
        "transaction_id": transaction_id,
        "case_id": case_id,
        "scope": f"{transaction_id or '-'}:{case_id or '-'}:{kind}",
        "kind": kind,
        "outcome": outcome[:200],
        "decided_at": at,
        "traces": decision.to_json(),
    }
    defer_insert(session, DecisionRecord, row)


def audit_step(
    session: Session,
    transaction: Transaction,
    *,
    kind: str,
    actor: str,
    summary: str,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    audit_service.record(
        session,
        kind=kind,
        actor=actor,
        occurred_at=at or transaction.booked_at,
        summary=summary,
        transaction_id=transaction.id,
        details=details,
        key=f"transaction:{transaction.id}:{kind}",
    )


def answers_sender(session: Session) -> str:
    return auth_service.agency_for_role(session, AgencyRole.CRIMINAL_REPOSITORY).ori


@dataclass(frozen=True)
class FlowContext:
    """What the worker lends each step: the galleries and the clock that dates messages."""

    galleries: Galleries
    clock: ServiceClock = field(default_factory=BookingTimeClock)
    officers_decide: bool = False  # detainers wait for an ICE officer (the service)


def send_to_booking_agency(
    session: Session,
    transaction: Transaction,
    clock: ServiceClock,
    *,
    message_type: str,
    sender: str,
    sent_at: datetime,
    payload: dict[str, Any],
) -> None:
    """An answer for the booking agency goes, as EBTS has it, to the state bureau that
    sent the booking, which relays it; straight to the agency where no bureau serves
    its state. Both legs are in the outbox, each with its own time."""
    jurisdiction = jurisdiction_ref(session, transaction.jurisdiction_id)
    bureau = auth_service.state_bureau(session, jurisdiction.state)
    legs = [(sender, transaction.ori, sent_at, payload)]
    if bureau is not None:
        relayed_at = sent_at + clock.took(Leg.BUREAU_RELAY, transaction.tcn)
        legs = [
            (sender, bureau.ori, sent_at, {**payload, "relay_to": transaction.ori}),
            (bureau.ori, transaction.ori, relayed_at, {**payload, "relayed_by": bureau.ori}),
        ]
    for leg_sender, recipient, at, leg_payload in legs:
        outbox.enqueue(
            session,
            message_type=message_type,
            control_number=transaction.tcn,
            sender=leg_sender,
            recipient=recipient,
            created_at=at,
            payload=leg_payload,
            transaction_id=transaction.id,
        )


# --------------------------------------------------------------------------- steps


def probe_of(document: BookingDocument) -> dict[int, Template]:
    return {pos: Template.from_bytes(data) for pos, data in document.template_bytes().items()}


def document_of(session: Session, transaction: Transaction) -> BookingDocument:
    submission = session.get_one(Submission, transaction.submission_id)
    return booking_service.booking_of(submission)


def history_of(session: Session, transaction: Transaction) -> CriminalHistoryFact:
    subject = session.get_one(CriminalSubject, transaction.criminal_subject_id)
    return repository_service.history(subject).as_of(transaction.booked_at.date())


def match_level(session: Session, transaction: Transaction) -> Decision[Any]:
    return priority_rules.match_level(
        history_of(session, transaction), as_of=transaction.booked_at.date()
    )


def immigration_ori(session: Session) -> str:
    return auth_service.agency_for_role(session, AgencyRole.IMMIGRATION_REPOSITORY).ori
