"""Reporting periods: fiscal years run October to September, months end on their last
day, and a period named wrongly is refused with what was expected."""

from __future__ import annotations

from datetime import date

import pytest

from securecomm.oversight import periods
from securecomm.oversight.periods import PeriodError


def test_a_fiscal_year_runs_from_october_to_september() -> None:
    fy = periods.fiscal_year(2011)
    assert (fy.start, fy.end) == (date(2010, 10, 1), date(2011, 9, 30))
    assert fy.holds(date(2010, 10, 1))
    assert fy.holds(date(2011, 9, 30))
    assert not fy.holds(date(2010, 9, 30))
    assert not fy.holds(date(2011, 10, 1))
    assert periods.fiscal_year_of(date(2010, 10, 1)) == 2011
    assert periods.fiscal_year_of(date(2011, 9, 30)) == 2011


def test_months_end_on_their_last_day_and_cover_a_span_without_gaps() -> None:
    assert periods.month(2012, 2).end == date(2012, 2, 29)
    assert periods.month(2011, 12).end == date(2011, 12, 31)
    months = periods.months_between(date(2010, 11, 15), date(2011, 2, 3))
    assert [m.label for m in months] == ["2010-11", "2010-12", "2011-01", "2011-02"]
    years = periods.fiscal_years_between(date(2010, 9, 30), date(2010, 10, 1))
    assert [y.label for y in years] == ["FY2010", "FY2011"]


def test_cumulative_through_a_date_holds_everything_up_to_it() -> None:
    window = periods.through(date(2011, 3, 31))
    assert window.holds(date(2008, 10, 27))
    assert window.holds(date(2011, 3, 31))
    assert not window.holds(date(2011, 4, 1))
    assert not window.holds(None)  # an undated event belongs only to "everything"
    assert periods.everything().holds(None)


@pytest.mark.parametrize(
    ("text", "label"),
    [("cumulative", "cumulative through 2011-03-31"), ("fy2011", "FY2011"), ("2011-03", "2011-03")],
)
def test_periods_are_read_from_text(text: str, label: str) -> None:
    assert periods.parse(text, as_of=date(2011, 3, 31)).label == label


@pytest.mark.parametrize("text", ["2011-13", "FY11", "last year", ""])
def test_a_period_named_wrongly_says_what_is_expected(text: str) -> None:
    with pytest.raises(PeriodError, match="expected 'cumulative'"):
        periods.parse(text, as_of=None)
