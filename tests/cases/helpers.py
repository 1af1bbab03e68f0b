"""Shared steps for the case tests: find cases, open an analyst case, send a disposition."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from securecomm.booking import service as booking_service
from securecomm.booking.models import SubmissionKind
from securecomm.cases import service as case_service
from securecomm.cases.models import Case, CaseState, Detainer
from securecomm.database import Database
from securecomm.detainers import rules as detainer_rules
from securecomm.domain import DetainerPolicy, LeaResponse
from securecomm.interop.models import Transaction, TransactionState
from securecomm.pipeline.worker import Worker
from securecomm.repositories.models import ImmigrationSubject
from securecomm.simulation import runner
from securecomm.simulation.court import SimulatedImmigrationCourt
from securecomm.simulation.world import World


def lodged_case(session: Session, *, honoured: bool) -> Case:
    """A case with an open detainer whose local agency will (or will not) honour it."""
    for case in session.scalars(
        select(Case).where(Case.state == CaseState.DETAINER_LODGED).order_by(Case.id)
    ):
        assert case.detainer is not None
        policy = DetainerPolicy(case_service.jurisdiction_of(session, case).detainer_policy)
        answer = detainer_rules.lea_response(policy=policy, decision=as_decision(case.detainer))
        if (answer.value is LeaResponse.HONOURED) == honoured:
            return case
    raise AssertionError("the small world has no such case")


def as_decision(detainer: Detainer) -> detainer_rules.DetainerDecision:
    return detainer_rules.DetainerDecision(
        True, detainer.form, detainer.requests_hold, detainer.probable_cause, detainer.warrant, ""
    )


def open_analyst_case(session: Session) -> Case:
    """An "unable to determine" case, opened as the field office opens one, on a booking
    the immigration search did not resolve (so the booking has no case yet)."""
    transaction = session.scalars(
        select(Transaction)
        .where(
            Transaction.state == TransactionState.COMPLETED,
            Transaction.immigration_subject_id.is_(None),
            Transaction.immigration_searched.is_(True),
        )
        .order_by(Transaction.id)
    ).first()
    assert transaction is not None
    subject = session.scalars(select(ImmigrationSubject).order_by(ImmigrationSubject.id)).first()
    assert subject is not None
    case = Case(
        transaction_id=transaction.id,
        immigration_subject_id=subject.id,
        field_office="TXICEHOU0",
        state=CaseState.ANALYST_REVIEW,
        opened_at=transaction.booked_at,
        scheme_id="sc2008",
        discretion={},
    )
    transaction.status_category = "unable_to_determine"
    return case_service.open_case(
        session, case=case, at=transaction.booked_at, note="status unable to determine"
    )


def tcn_of(session: Session, case: Case) -> str:
    return session.get_one(Transaction, case.transaction_id).tcn


def send_disposition(database: Database, world: World, tcn: str, release_at: datetime) -> None:
    """The court's disposition for ``tcn``, released at ``release_at``, through the worker."""
    event = next(e for e in world.dispositions if e.tcn == tcn)
    event = dataclasses.replace(event, release_at=release_at.replace(tzinfo=None))
    with database.session() as session:
        booking_service.receive(
            session,
            kind=SubmissionKind.DISPOSITION,
            raw=json.dumps(runner.disposition_document(event)).encode(),
            event_at=runner.utc(event.at),
            seq=event.seq,
        )
    Worker(database, court=SimulatedImmigrationCourt(world)).run()
