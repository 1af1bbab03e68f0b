"""A request that asks for no hold (I-247N, or any notification-only detainer) never
keeps a person past release: the agency gives ICE the release time and ICE is there or
not. Review finding 1 of the decision-rules issue: a PEP 2(c) person released on a
Thursday was "taken into ICE custody" the next Monday, and a notification "lapsed"."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from helpers import lodged_case, send_disposition, tcn_of
from sqlalchemy import select

from securecomm.cases import logistics
from securecomm.cases import service as case_service
from securecomm.cases.logistics import MemoryCapacity, TransportSchedule, plan_custody
from securecomm.cases.models import Case, CaseState
from securecomm.database import Database
from securecomm.domain import DetainerForm, DetainerPolicy, LeaResponse
from securecomm.interop.models import DecisionRecord
from securecomm.simulation.world import World


def _thursday_after(moment: datetime) -> datetime:
    day = moment.date() + timedelta(days=7 + (3 - moment.weekday()) % 7)
    return datetime.combine(day, time(15), tzinfo=UTC)


def _make_notification_only(database: Database) -> tuple[int, str]:
    """A lodged case turned into a PEP notification request, in a county that never
    holds."""
    with database.session() as session:
        case = lodged_case(session, honoured=True)
        assert case.detainer is not None
        case.detainer.form = DetainerForm.I_247N
        case.detainer.requests_hold = False
        jurisdiction = case_service.jurisdiction_of(session, case)
        jurisdiction.detainer_policy = DetainerPolicy.NOTIFY_ONLY
        return case.id, tcn_of(session, case)


def _runs(monkeypatch: pytest.MonkeyPatch, weekdays: frozenset[int]) -> None:
    real = logistics.transport_schedules()
    patched = {
        state: schedule.model_copy(update={"weekdays": weekdays})
        for state, schedule in real.items()
    }
    monkeypatch.setattr(logistics, "transport_schedules", lambda: patched)


def test_a_notification_released_on_thursday_is_not_picked_up_on_monday(
    booked: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    mondays = frozenset({0})
    case_id, tcn = _make_notification_only(booked)
    _runs(monkeypatch, mondays)
    with booked.session() as session:
        opened = session.get_one(Case, case_id).opened_at
    release = _thursday_after(opened)
    send_disposition(booked, world, tcn, release)
    with booked.session() as session:
        case = session.get_one(Case, case_id)
        detainer = case.detainer
        assert detainer is not None
        assert case.state is CaseState.RELEASED_BY_LEA
        assert detainer.response is LeaResponse.HONOURED  # the agency did notify
        assert detainer.response is not LeaResponse.LAPSED
        assert detainer.pickup_at is None
        assert case.custody_at is None
        assert case.closed_at == release
        plan = session.scalars(
            select(DecisionRecord).where(
                DecisionRecord.case_id == case_id, DecisionRecord.kind == "custody_plan"
            )
        ).one()
        assert plan.outcome == "not present at release"
        assert plan.traces[0]["rule"] == "custody.meet_release"


def test_a_notification_on_a_run_day_means_custody_at_the_release_itself(
    booked: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    thursdays = frozenset({3})
    case_id, tcn = _make_notification_only(booked)
    _runs(monkeypatch, thursdays)
    with booked.session() as session:
        opened = session.get_one(Case, case_id).opened_at
    release = _thursday_after(opened)
    send_disposition(booked, world, tcn, release)
    with booked.session() as session:
        case = session.get_one(Case, case_id)
        assert case.detainer is not None
        assert case.detainer.response is LeaResponse.HONOURED
        assert case.custody_at == release  # not one minute past the release
        assert case.detainer.pickup_at == release


SCHEDULE = TransportSchedule(
    state="TX", weekdays=frozenset({0}), departs=time(9), seats=4, provenance="test"
)


@pytest.mark.parametrize("weekday", range(7))
def test_plan_for_a_notification_never_reaches_past_the_release(
    weekday: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logistics, "transport_schedules", lambda: {"TX": SCHEDULE})
    release = datetime(2016, 2, 1, 15, tzinfo=UTC) + timedelta(days=weekday)  # from a Monday
    plan = plan_custody(
        state="TX", release_at=release, view=MemoryCapacity(), requests_hold=False
    ).value
    assert plan.hold_deadline == release
    if weekday == 0:
        assert plan.pickup_at == release
    else:
        assert plan.pickup_at is None
        assert "not there" in plan.reason


def test_the_same_release_with_a_hold_waits_for_the_monday_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(logistics, "transport_schedules", lambda: {"TX": SCHEDULE})
    thursday = datetime(2016, 2, 4, 15, tzinfo=UTC)
    plan = plan_custody(state="TX", release_at=thursday, view=MemoryCapacity()).value
    assert plan.pickup_at == datetime(2016, 2, 8, 9, tzinfo=UTC)  # within the 48 counted hours
