"""Custody logistics: transport runs, seats, beds and the hold deadline decide when (and
whether) ICE assumes custody."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from securecomm.cases import logistics
from securecomm.cases.logistics import MemoryCapacity, plan_custody
from securecomm.cases.models import HearingMode
from securecomm.detainers.hold_clock import hold_deadline
from securecomm.priority.catalogue import PolicyDataError


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def tiny_capacity(monkeypatch: pytest.MonkeyPatch) -> None:
    """One state, runs every weekday at 09:00 with one seat; two facilities of one bed."""
    schedule = logistics.TransportSchedule(
        state="TX", weekdays=frozenset(range(5)), departs="09:00", seats=1, provenance="test"
    )
    places = (
        logistics.Facility(
            code="HOME",
            name="home",
            state="TX",
            beds=1,
            hearing_mode=HearingMode.IN_PERSON,
            provenance="test",
        ),
        logistics.Facility(
            code="AWAY",
            name="away",
            state="CA",
            beds=1,
            hearing_mode=HearingMode.VIDEO_TELECONFERENCE,
            provenance="test",
        ),
    )
    monkeypatch.setattr(logistics, "transport_schedules", lambda: {"TX": schedule})
    monkeypatch.setattr(logistics, "facilities", lambda: places)


def test_pickup_is_the_first_run_after_release_within_the_hold() -> None:
    release = at("2013-08-05T15:17:28")  # Monday afternoon; AZ runs Mon/Wed/Fri 10:00
    plan = plan_custody(state="AZ", release_at=release, view=MemoryCapacity()).value
    assert plan.pickup_at == at("2013-08-07T10:00")
    assert plan.hold_deadline == at("2013-08-07T15:17:28")
    assert plan.facility_code == "PHO-PC"
    assert plan.bed_number == 1


def test_hold_lapses_when_the_next_run_is_after_the_deadline() -> None:
    # Georgia's only run is on Wednesdays: released Thursday, the 48 counted hours end
    # on Monday, before the next run.
    release = at("2013-08-08T12:00")
    decision = plan_custody(state="GA", release_at=release, view=MemoryCapacity())
    assert decision.value.lapses
    assert decision.value.hold_deadline == at("2013-08-12T12:00")
    assert decision.traces[0].outcome == "lapsed"
    assert decision.traces[0].thresholds["hold_deadline"] == "2013-08-12T12:00:00+00:00"


def test_the_hold_clock_skips_a_holiday_weekend_so_a_later_run_is_in_time() -> None:
    # Friday 15:00 before Martin Luther King Day (Monday 16 Jan 2012): 9 h on Friday,
    # nothing on Saturday, Sunday and the holiday, 24 h Tuesday, 15 h Wednesday.
    release = at("2012-01-13T15:00")
    assert hold_deadline(release) == at("2012-01-18T15:00")
    plan = plan_custody(state="GA", release_at=release, view=MemoryCapacity()).value
    assert plan.pickup_at == at("2012-01-18T10:00")  # Wednesday's run, 5 hours to spare


@pytest.mark.usefixtures("tiny_capacity")
def test_a_full_run_pushes_the_pickup_to_the_next_run() -> None:
    capacity = MemoryCapacity()
    release = at("2014-03-03T08:00")  # Monday
    first = plan_custody(state="TX", release_at=release, view=capacity)
    capacity.book("TX", first.value)
    second = plan_custody(state="TX", release_at=release, view=capacity)
    assert first.value.pickup_at == at("2014-03-03T09:00")
    assert second.value.pickup_at == at("2014-03-04T09:00")
    assert "all 1 seats taken" in str(second.traces[0].inputs["runs_tried"])


@pytest.mark.usefixtures("tiny_capacity")
def test_beds_fill_home_first_then_transfer_then_the_hold_lapses() -> None:
    capacity = MemoryCapacity()
    plans = []
    for day in ("2014-03-03", "2014-03-04", "2014-03-05"):
        plan = plan_custody(state="TX", release_at=at(f"{day}T08:00"), view=capacity).value
        if not plan.lapses:
            capacity.book("TX", plan)
        plans.append(plan)
    assert [p.facility_code for p in plans[:2]] == ["HOME", "AWAY"]
    # both beds are taken for 30 days, longer than any hold: nowhere to put a third person
    assert plans[2].lapses
    assert "no free bed in any facility" in plans[2].reason


def test_bed_capacity_is_never_exceeded_over_a_long_random_stream() -> None:
    rng = np.random.default_rng(3)
    capacity = MemoryCapacity()
    stays: dict[str, list[tuple[datetime, datetime]]] = {}
    moment = at("2010-01-04T00:00")
    custody = lapses = 0
    for _ in range(400):
        moment += timedelta(hours=float(rng.integers(1, 30)))
        plan = plan_custody(state="GA", release_at=moment, view=capacity).value
        if plan.lapses:
            lapses += 1
            continue
        assert plan.pickup_at is not None
        assert plan.facility_code is not None
        assert moment <= plan.pickup_at <= plan.hold_deadline
        capacity.book("GA", plan)
        custody += 1
        ends = logistics.custody_ends(plan.pickup_at)
        stays.setdefault(plan.facility_code, []).append((plan.pickup_at, ends))
    assert custody > 0
    assert lapses > 0
    beds = {facility.code: facility.beds for facility in logistics.facilities()}
    for code, intervals in stays.items():
        events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])
        level = peak = 0
        for _moment, change in events:
            level += change
            peak = max(peak, level)
        assert peak <= beds[code], f"{code}: {peak} people in {beds[code]} beds"


def test_runs_are_listed_in_order_inside_the_window() -> None:
    schedule = logistics.transport_schedules()["AZ"]
    runs = list(logistics.runs_between(schedule, at("2013-08-05T11:00"), at("2013-08-12T10:00")))
    assert runs == [at("2013-08-07T10:00"), at("2013-08-09T10:00"), at("2013-08-12T10:00")]


def test_every_state_of_the_world_has_runs_and_beds() -> None:
    states = {"TX", "CA", "AZ", "FL", "IL", "NY", "GA"}
    assert set(logistics.transport_schedules()) == states
    assert {facility.state for facility in logistics.facilities()} == states


def test_a_malformed_transport_file_names_row_and_field(tmp_path: Path) -> None:
    row = {"state": "TX", "weekdays": [0], "departs": "09:00", "seats": 1, "provenance": "x"}
    path = tmp_path / "transport.json"
    path.write_text(json.dumps({"runs": [row, {**row, "seats": 0}]}))
    with pytest.raises(PolicyDataError) as raised:
        logistics.load_transport(path)
    assert (raised.value.row, raised.value.field) == (2, "seats")
    path.write_text(json.dumps({"runs": [row, row]}))
    with pytest.raises(PolicyDataError, match="state listed twice"):
        logistics.load_transport(path)
    path.write_text(json.dumps({"runs": [{**row, "weekdays": [7]}]}))
    with pytest.raises(PolicyDataError, match="weekdays"):
        logistics.load_transport(path)
