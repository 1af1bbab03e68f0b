"""The hold clock: a detainer asks the agency to hold a person for 48 hours after
release, not counting weekends and holidays; when that window passes without ICE
assuming custody, the hold lapses. The clock's figures are data (``data/hold_clock.json``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path

import holidays
from pydantic import BaseModel, ConfigDict, Field, model_validator

from securecomm.priority.datafiles import read_json_document, validate_row

HOLD_CLOCK_FILE = Path(__file__).parent / "data" / "hold_clock.json"


class ClockError(ValueError):
    """Datetimes that cannot be compared: one timezone-aware, one naive."""


class HoldClock(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    hold_hours: int = Field(gt=0)
    excluded_weekdays: frozenset[int]
    holiday_country: str = Field(min_length=2, max_length=2)
    observed_holidays: bool
    provenance: str = Field(min_length=1)

    @model_validator(mode="after")
    def _weekdays_valid(self) -> HoldClock:
        if any(not 0 <= day <= 6 for day in self.excluded_weekdays):
            raise ValueError("excluded_weekdays must be 0 (Monday) to 6 (Sunday)")
        return self


def load_hold_clock(path: Path) -> HoldClock:
    return validate_row(HoldClock, read_json_document(path), file=path.name, row=1)


@cache
def hold_clock() -> HoldClock:
    return load_hold_clock(HOLD_CLOCK_FILE)


@cache
def _holiday_calendar() -> holidays.HolidayBase:
    clock = hold_clock()
    return holidays.country_holidays(clock.holiday_country, observed=clock.observed_holidays)


def _counts(day: date) -> bool:
    clock = hold_clock()
    return day.weekday() not in clock.excluded_weekdays and day not in _holiday_calendar()


def hold_deadline(release_at: datetime) -> datetime:
    """The end of the hold: 48 counted hours from release, skipping weekends and holidays."""
    remaining = timedelta(hours=hold_clock().hold_hours)
    cursor = release_at
    while remaining > timedelta(0):
        next_midnight = datetime.combine(
            cursor.date() + timedelta(days=1), time(0), tzinfo=cursor.tzinfo
        )
        if _counts(cursor.date()):
            step = min(remaining, next_midnight - cursor)
            remaining -= step
            cursor += step
        else:
            cursor = next_midnight
    return cursor


def _check_comparable(moments: Sequence[datetime]) -> None:
    aware = {moment.tzinfo is not None for moment in moments}
    if len(aware) > 1:
        raise ClockError("release_at, assumed_custody_at and now must all be aware or all naive")


def lapsed(*, release_at: datetime, assumed_custody_at: datetime | None, now: datetime) -> bool:
    """True once the hold window has passed without ICE assuming custody within it."""
    moments = [release_at, now] + ([assumed_custody_at] if assumed_custody_at else [])
    _check_comparable(moments)
    deadline = hold_deadline(release_at)
    if assumed_custody_at is not None and assumed_custody_at <= deadline:
        return False
    return now > deadline
