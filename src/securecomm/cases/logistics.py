"""Custody logistics as pure rules: when ICE can pick a person up, and where they sleep.

ICE assumes custody on a field-office transport run (weekdays, departure time and
seats per state, as data) and only if a detention bed is free for the whole expected
stay (facilities and beds per state, as data). The first run after release that has a
seat and a bed decides the pickup; if none leaves before the hold deadline
(``detainers.hold_clock.hold_deadline``), the hold lapses. The capacity already taken is
read through :class:`CapacityView`, so the flow (database) and the ground-truth scorer
(memory) apply exactly the same rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator

from securecomm.cases.models import HearingMode
from securecomm.decisions import Decision, JSONValue, Trace
from securecomm.detainers import hold_clock
from securecomm.priority.catalogue import PolicyDataError
from securecomm.priority.datafiles import read_json_document, read_json_rows, validate_row

DATA_DIR = Path(__file__).parent / "data"
TRANSPORT_FILE = DATA_DIR / "transport.json"
FACILITIES_FILE = DATA_DIR / "facilities.json"
BED_PRIORITY_FILE = DATA_DIR / "bed_priority.json"

# Days from ICE custody to the detained docket's master-calendar hearing, where the
# immigration court decides and the person leaves the bed.
DAYS_TO_HEARING = 30


class TransportSchedule(BaseModel):
    """A field office's jail pickup runs: which weekdays, when, how many seats."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    state: str = Field(min_length=2, max_length=2)
    weekdays: frozenset[int] = Field(min_length=1)
    departs: time
    seats: int = Field(gt=0)
    provenance: str = Field(min_length=1)

    @field_validator("weekdays")
    @classmethod
    def _weekdays_valid(cls, value: frozenset[int]) -> frozenset[int]:
        if any(not 0 <= day <= 6 for day in value):
            raise ValueError("weekdays must be 0 (Monday) to 6 (Sunday)")
        return value


class Facility(BaseModel):
    """A detention facility a field office uses, its beds and how hearings are held."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(min_length=1, max_length=16)
    name: str = Field(min_length=1)
    state: str = Field(min_length=2, max_length=2)
    beds: int = Field(gt=0)
    hearing_mode: HearingMode
    provenance: str = Field(min_length=1)


class BedPriority(BaseModel):
    """Beds a person of a given enforcement rank must leave free for higher ranks."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    keep_free_for_higher_ranks: dict[int, int]
    provenance: str = Field(min_length=1)

    @field_validator("keep_free_for_higher_ranks")
    @classmethod
    def _non_negative(cls, value: dict[int, int]) -> dict[int, int]:
        if any(rank < 1 or beds < 0 for rank, beds in value.items()):
            raise ValueError("ranks are 1 or more and kept beds 0 or more")
        return value

    def kept_free(self, rank: int | None) -> int:
        # No rank stated (a caller outside the priority flow): nothing is kept back.
        return 0 if rank is None else self.keep_free_for_higher_ranks.get(rank, 0)


def load_transport(path: Path) -> dict[str, TransportSchedule]:
    """One schedule per state; a state listed twice is an error naming the row."""
    schedules: dict[str, TransportSchedule] = {}
    for number, row in enumerate(read_json_rows(path, "runs", TransportSchedule), start=1):
        if row.state in schedules:
            raise PolicyDataError(
                file=path.name, row=number, field="state", reason="state listed twice"
            )
        schedules[row.state] = row
    return schedules


def load_facilities(path: Path) -> tuple[Facility, ...]:
    rows = read_json_rows(path, "facilities", Facility)
    seen: set[str] = set()
    for number, row in enumerate(rows, start=1):
        if row.code in seen:
            raise PolicyDataError(
                file=path.name, row=number, field="code", reason="facility code used twice"
            )
        seen.add(row.code)
    return tuple(rows)


@cache
def transport_schedules() -> dict[str, TransportSchedule]:
    return load_transport(TRANSPORT_FILE)


@cache
def facilities() -> tuple[Facility, ...]:
    return load_facilities(FACILITIES_FILE)


@cache
def bed_priority() -> BedPriority:
    return validate_row(
        BedPriority, read_json_document(BED_PRIORITY_FILE), file=BED_PRIORITY_FILE.name, row=1
    )


def facility(code: str) -> Facility:
    for candidate in facilities():
        if candidate.code == code:
            return candidate
    raise LookupError(f"no detention facility {code!r} in {FACILITIES_FILE.name}")


class CapacityView(Protocol):
    """What is already taken: seats on a run, beds over a stay."""

    def seats_taken(self, state: str, departs_at: datetime) -> int: ...

    def beds_busy(self, facility_code: str, start: datetime, end: datetime) -> set[int]: ...


def hearing_date(custody_at: datetime) -> date:
    return (custody_at + timedelta(days=DAYS_TO_HEARING)).date()


def custody_ends(custody_at: datetime) -> datetime:
    """The moment the court decides (the hearing day's start): the bed is free again."""
    return datetime.combine(hearing_date(custody_at), time(0), tzinfo=custody_at.tzinfo)


def runs_between(schedule: TransportSchedule, start: datetime, end: datetime) -> Iterator[datetime]:
    """Departures at or after ``start`` and no later than ``end``, in order."""
    day = start.date()
    while True:
        departure = datetime.combine(day, schedule.departs, tzinfo=start.tzinfo)
        if departure > end:
            return
        if departure >= start and day.weekday() in schedule.weekdays:
            yield departure
        day += timedelta(days=1)


@dataclass(frozen=True)
class CustodyPlan:
    hold_deadline: datetime  # the release itself when no hold was asked for
    pickup_at: datetime | None  # None: no run with a seat and a bed before the deadline
    facility_code: str | None
    bed_number: int | None
    reason: str
    run_departs_at: datetime | None = None  # the transport run whose seat is taken

    @property
    def lapses(self) -> bool:
        return self.pickup_at is None

    @property
    def seat_run(self) -> datetime | None:
        return self.run_departs_at or self.pickup_at


def _free_bed(
    state: str, start: datetime, end: datetime, view: CapacityView, *, rank: int | None
) -> tuple[Facility, int] | None:
    """The lowest free bed, home-state facilities first, then any other (a transfer);
    a lower-ranked case leaves the beds its rank keeps free for higher ranks."""
    keep = bed_priority().kept_free(rank)
    ordered = sorted(facilities(), key=lambda f: (f.state != state, f.code))
    for candidate in ordered:
        busy = view.beds_busy(candidate.code, start, end)
        free = [bed for bed in range(1, candidate.beds + 1) if bed not in busy]
        if len(free) > keep:
            return candidate, free[0]
    return None


def plan_custody(
    *,
    state: str,
    release_at: datetime,
    view: CapacityView,
    requests_hold: bool = True,
    rank: int | None = None,
) -> Decision[CustodyPlan]:
    """When and where ICE assumes custody of a person released at ``release_at``.

    With a hold, any run up to the hold deadline will do. A notification asks for no
    hold: ICE, told the release time, meets the release itself or not at all, on a day
    the field office runs transport and with a seat on that day's run.
    """
    deadline = hold_clock.hold_deadline(release_at) if requests_hold else release_at
    schedule = transport_schedules().get(state)
    tried: list[JSONValue] = []
    plan = CustodyPlan(deadline, None, None, None, "no transport run before the hold deadline")
    if schedule is None:
        plan = CustodyPlan(deadline, None, None, None, f"no transport runs for {state}")
    else:
        runs = (
            runs_between(schedule, release_at, deadline)
            if requests_hold
            else _run_on_release_day(schedule, release_at)
        )
        for departs_at in runs:
            if view.seats_taken(state, departs_at) >= schedule.seats:
                tried.append(f"{departs_at.isoformat()}: all {schedule.seats} seats taken")
                continue
            pickup_at = departs_at if requests_hold else release_at
            bed = _free_bed(state, pickup_at, custody_ends(pickup_at), view, rank=rank)
            if bed is None:
                kept = bed_priority().kept_free(rank)
                beyond = f" beyond the {kept} kept for higher ranks (rank {rank})" if kept else ""
                tried.append(f"{departs_at.isoformat()}: no free bed in any facility{beyond}")
                continue
            where, number = bed
            reason = f"run of {departs_at.isoformat()}; bed {number} at {where.code}"
            if not requests_hold:
                reason = f"met the release at {release_at.isoformat()} ({reason})"
            plan = CustodyPlan(deadline, pickup_at, where.code, number, reason, departs_at)
            break
        else:
            if tried:
                reason = f"no run before the hold deadline had a seat and a bed ({tried[-1]})"
                plan = CustodyPlan(deadline, None, None, None, reason)
            elif not requests_hold:
                reason = "notified of the release; no ICE run that day, so ICE was not there"
                plan = CustodyPlan(deadline, None, None, None, reason)
    outcome = "custody" if not plan.lapses else ("lapsed" if requests_hold else "not_present")
    trace = Trace(
        rule="custody.pickup" if requests_hold else "custody.meet_release",
        outcome=outcome,
        inputs={
            "state": state,
            "release_at": release_at.isoformat(),
            "requests_hold": requests_hold,
            "rank": rank,
            "runs_tried": tried,
        },
        thresholds={
            "hold_deadline": deadline.isoformat(),
            "hold_hours": hold_clock.hold_clock().hold_hours if requests_hold else 0,
            "seats_per_run": schedule.seats if schedule else 0,
            "beds_kept_for_higher_ranks": bed_priority().kept_free(rank),
            "days_to_hearing": DAYS_TO_HEARING,
        },
        note=plan.reason + (f"; schedule provenance: {schedule.provenance}" if schedule else ""),
    )
    return Decision(plan, (trace,))


def _run_on_release_day(schedule: TransportSchedule, release_at: datetime) -> Iterator[datetime]:
    if release_at.weekday() in schedule.weekdays:
        yield datetime.combine(release_at.date(), schedule.departs, tzinfo=release_at.tzinfo)


__all__ = [
    "DAYS_TO_HEARING",
    "BedPriority",
    "CapacityView",
    "CustodyPlan",
    "Facility",
    "MemoryCapacity",
    "TransportSchedule",
    "bed_priority",
    "custody_ends",
    "facilities",
    "facility",
    "hearing_date",
    "load_facilities",
    "load_transport",
    "plan_custody",
    "runs_between",
    "transport_schedules",
]


class MemoryCapacity:
    """A :class:`CapacityView` kept in memory (the ground-truth scorer, tests)."""

    def __init__(self) -> None:
        self._seats: dict[tuple[str, datetime], int] = {}
        self._stays: dict[str, list[tuple[datetime, datetime, int]]] = {}

    def seats_taken(self, state: str, departs_at: datetime) -> int:
        return self._seats.get((state, departs_at), 0)

    def beds_busy(self, facility_code: str, start: datetime, end: datetime) -> set[int]:
        stays = self._stays.get(facility_code, [])
        return {bed for begins, ends, bed in stays if begins < end and ends > start}

    def book(self, state: str, plan: CustodyPlan) -> None:
        """Take the seat and the bed ``plan`` chose, for the whole expected stay."""
        if plan.pickup_at is None or plan.facility_code is None or plan.bed_number is None:
            raise ValueError("a lapsed plan books no seat and no bed")
        assert plan.seat_run is not None  # a plan with a pickup has a run
        key = (state, plan.seat_run)
        self._seats[key] = self._seats.get(key, 0) + 1
        stay = (plan.pickup_at, custody_ends(plan.pickup_at), plan.bed_number)
        self._stays.setdefault(plan.facility_code, []).append(stay)
