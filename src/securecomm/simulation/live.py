"""Today's bookings for a demo world opened in the service: people the repositories know,
arrested again today, their CAR files sent by their own agencies through the same intake
as any booking station's. The service's worker answers them, and the field office's and
the status centre's queues have today's work (the world's own bookings are years old and
long settled)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from securecomm.auth import service as auth_service
from securecomm.booking import intake
from securecomm.booking import service as booking_service
from securecomm.booking.car import car_from_booking
from securecomm.booking.models import Submission, SubmissionKind
from securecomm.booking.schemas import ChargeIn
from securecomm.database import Database
from securecomm.interop.models import Jurisdiction, Transaction


def rebooking_car(
    database: Database,
    transaction_id: int,
    *,
    at: datetime,
    tcn_suffix: str,
    charge: ChargeIn | None = None,
) -> tuple[bytes, str, str]:
    """The CAR that books the person of an earlier booking again at ``at``, from the same
    agency through its state bureau, on the same charges (or on ``charge`` alone): the
    file, the agency's ORI and its state. ``tcn_suffix`` makes the TCN new."""
    with database.session() as session:
        transaction = session.get_one(Transaction, transaction_id)
        document = booking_service.booking_of(
            session.get_one(Submission, transaction.submission_id)
        )
        state = session.get_one(Jurisdiction, transaction.jurisdiction_id).state
        bureau = auth_service.state_bureau(session, state)
    charges = (
        [charge]
        if charge is not None
        else [c.model_copy(update={"offence_date": at.date()}) for c in document.charges]
    )
    again = document.model_copy(
        update={
            "tcn": f"{document.ori}{at:%Y%m%d%H%M%S}{tcn_suffix}"[:40],
            "booked_at": at,
            "charges": charges,
        }
    )
    raw = car_from_booking(again, destination_ori=bureau.ori if bureau else document.ori)
    return raw, document.ori, state


def rebook(database: Database, transaction_id: int, *, at: datetime, sequence: int) -> int:
    """Store :func:`rebooking_car` as any booking station's file; the submission's id."""
    raw, _, _ = rebooking_car(database, transaction_id, at=at, tcn_suffix=f"{sequence:04d}")
    submission, _, _ = intake.store(database, raw, received_at=at)
    return submission.id


def todays_bookings(
    database: Database, *, count: int = 8, state: str | None = None, now: datetime | None = None
) -> int:
    """Re-book ``count`` people the immigration repository knows (one booking each, the
    most recent of different people, in ``state`` when given), unless today's bookings
    were made already; how many were stored."""
    moment = (now or datetime.now(UTC)).replace(microsecond=0)
    midnight = moment.replace(hour=0, minute=0, second=0)
    with database.session() as session:
        already = session.scalar(
            select(func.count())
            .select_from(Submission)
            .where(Submission.kind == SubmissionKind.BOOKING, Submission.event_at >= midnight)
        )
        if already:
            return 0
        latest = (
            select(func.max(Transaction.id))
            .where(Transaction.immigration_subject_id.is_not(None))
            .group_by(Transaction.immigration_subject_id)
        )
        query = select(Transaction.id).where(Transaction.id.in_(latest))
        if state is not None:
            query = query.join(Jurisdiction).where(Jurisdiction.state == state)
        chosen = list(session.scalars(query.order_by(Transaction.booked_at.desc()).limit(count)))
    for sequence, transaction_id in enumerate(chosen, start=1):
        at = moment - timedelta(minutes=5 * (len(chosen) - sequence))
        rebook(database, transaction_id, at=at, sequence=sequence)
    return len(chosen)
