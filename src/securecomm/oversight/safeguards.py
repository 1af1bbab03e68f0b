"""The citizen safeguard report: every immigration match to a person with any evidence of
U.S. citizenship, and what happened next. A biometric match is not a status finding: the
program must never lodge a detainer on a citizen, nor on a person whose status could not
be determined. The report counts both, and lists every case behind the counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from securecomm.booking import service as booking_service
from securecomm.booking.models import Submission
from securecomm.cases.models import Case, Detainer
from securecomm.domain import EncounterKind, StatusCategory
from securecomm.exceptions import InputError
from securecomm.interop.models import Transaction
from securecomm.oversight.monitor_facts import US_PLACES
from securecomm.repositories.models import Encounter

CITIZENSHIP_ENCOUNTERS = (EncounterKind.NATURALISATION, EncounterKind.DERIVED_CITIZENSHIP)
CITIZEN_STATUSES = frozenset(
    {
        StatusCategory.CITIZEN_BY_BIRTH.value,
        StatusCategory.CITIZEN_BY_NATURALISATION.value,
        StatusCategory.CITIZEN_BY_DERIVATION.value,
    }
)
UNDETERMINED = StatusCategory.UNABLE_TO_DETERMINE.value


@dataclass(frozen=True)
class SafeguardRow:
    tcn: str
    booked_at: datetime
    evidence: tuple[str, ...]  # why citizenship is in question
    status: str | None  # the status centre's finding
    case_state: str | None
    detainer: str | None  # the form, when one was lodged
    detainer_outcome: str | None

    @property
    def breach(self) -> bool:
        """A detainer on a person found a citizen or whose status is undetermined."""
        return self.detainer is not None and (
            self.status in CITIZEN_STATUSES or self.status == UNDETERMINED
        )


@dataclass
class SafeguardReport:
    rows: list[SafeguardRow] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, int]:
        evidence = Counter(reason for row in self.rows for reason in row.evidence)
        return {
            "matches_with_citizenship_evidence": len(self.rows),
            "found_citizen": sum(row.status in CITIZEN_STATUSES for row in self.rows),
            "unable_to_determine": sum(row.status == UNDETERMINED for row in self.rows),
            "detainers_on_citizens": sum(
                row.detainer is not None and row.status in CITIZEN_STATUSES for row in self.rows
            ),
            "detainers_on_unable_to_determine": sum(
                row.detainer is not None and row.status == UNDETERMINED for row in self.rows
            ),
            "detainers_on_anyone_listed": sum(row.detainer is not None for row in self.rows),
            **{f"evidence_{reason}": count for reason, count in sorted(evidence.items())},
        }


def compute(session: Session, *, through: date | None = None) -> SafeguardReport:
    """Every match booked on or before ``through`` (everything by default)."""
    naturalised = set(
        session.scalars(
            select(Encounter.subject_id).where(Encounter.kind.in_(CITIZENSHIP_ENCOUNTERS))
        )
    )
    matched = session.execute(
        select(Transaction, Case, Detainer, Submission)
        .join(Submission, Transaction.submission_id == Submission.id)
        .outerjoin(Case, Case.transaction_id == Transaction.id)
        .outerjoin(Detainer, Detainer.case_id == Case.id)
        .where(Transaction.immigration_subject_id.is_not(None))
        .order_by(Transaction.booked_at, Transaction.id)
    )
    report = SafeguardReport()
    for transaction, case, detainer, submission in matched:
        if through is not None and transaction.booked_at.date() > through:
            break
        evidence = _evidence(transaction, submission, naturalised)
        if not evidence:
            continue
        report.rows.append(
            SafeguardRow(
                tcn=transaction.tcn,
                booked_at=transaction.booked_at,
                evidence=evidence,
                status=transaction.status_category,
                case_state=str(case.state) if case is not None else None,
                detainer=str(detainer.form) if detainer is not None else None,
                detainer_outcome=str(detainer.response) if detainer and detainer.response else None,
            )
        )
    return report


def _evidence(
    transaction: Transaction, submission: Submission, naturalised: set[int]
) -> tuple[str, ...]:
    found = []
    if transaction.immigration_subject_id in naturalised:
        found.append("naturalised_or_derived_on_record")
    if transaction.status_category in CITIZEN_STATUSES:
        found.append("status_found_citizen")
    if transaction.status_category == UNDETERMINED:
        found.append("status_undetermined")
    if _claimed_citizen(submission):
        found.append("claimed_us_citizenship_at_booking")
    if transaction.place_of_birth is not None and _born_in_us(transaction.place_of_birth):
        found.append("born_in_the_united_states")
    return tuple(found)


def _claimed_citizen(submission: Submission) -> bool:
    try:
        return booking_service.booking_of(submission).claimed_citizenship == "US"
    except InputError:  # accepted once, so readable; a changed parser must not stop the report
        return False


def _born_in_us(place_of_birth: str) -> bool:
    return place_of_birth in US_PLACES
