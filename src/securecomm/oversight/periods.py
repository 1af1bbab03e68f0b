"""Reporting periods: cumulative through an as-of date, a federal fiscal year (October to
September), a calendar month. Every figure in the statistics is counted in the period
that holds the date of its event (booking, lodging, custody, removal)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from securecomm.exceptions import SecurecommError


class PeriodError(SecurecommError, ValueError):
    """A period could not be read; says which text and what is expected."""


@dataclass(frozen=True)
class Window:
    label: str
    start: date | None  # None: since the program began
    end: date | None  # inclusive; None: everything on record

    def holds(self, day: date | None) -> bool:
        if day is None:
            return self.end is None and self.start is None
        if self.start is not None and day < self.start:
            return False
        return self.end is None or day <= self.end

    @property
    def is_cumulative(self) -> bool:
        return self.start is None


def everything() -> Window:
    return Window("cumulative, everything on record", None, None)


def through(as_of: date) -> Window:
    return Window(f"cumulative through {as_of.isoformat()}", None, as_of)


def fiscal_year(year: int) -> Window:
    """FY ``year`` runs from 1 October of the year before to 30 September."""
    return Window(f"FY{year}", date(year - 1, 10, 1), date(year, 9, 30))


def fiscal_year_of(day: date) -> int:
    return day.year + 1 if day.month >= 10 else day.year


def month(year: int, number: int) -> Window:
    first = date(year, number, 1)
    following = date(year + number // 12, number % 12 + 1, 1)
    return Window(f"{first:%Y-%m}", first, following - timedelta(days=1))


def months_between(first: date, last: date) -> list[Window]:
    windows = []
    year, number = first.year, first.month
    while (year, number) <= (last.year, last.month):
        windows.append(month(year, number))
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return windows


def fiscal_years_between(first: date, last: date) -> list[Window]:
    return [fiscal_year(year) for year in range(fiscal_year_of(first), fiscal_year_of(last) + 1)]


_FY = re.compile(r"FY(\d{4})", re.IGNORECASE)
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def parse(text: str, *, as_of: date | None) -> Window:
    """``cumulative`` (through ``as_of``), ``FY2011`` or ``2011-03``."""
    cleaned = text.strip()
    if cleaned.lower() == "cumulative":
        return everything() if as_of is None else through(as_of)
    if found := _FY.fullmatch(cleaned):
        return fiscal_year(int(found[1]))
    if (found := _MONTH.fullmatch(cleaned)) and 1 <= int(found[2]) <= 12:
        return month(int(found[1]), int(found[2]))
    raise PeriodError(
        f"period {text!r}: expected 'cumulative', a fiscal year like 'FY2011' "
        "or a month like '2011-03'"
    )
