"""Figures by period: each event counts in the period that holds its date, fiscal years
and months add up to the cumulative figure, and an as-of date leaves later events out."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from securecomm.oversight import periods, statistics
from securecomm.oversight.statistics import Ledger, Tally

HARRIS, COOK = 1, 2
LEDGER = Ledger(
    jurisdictions={
        HARRIS: ("48201", "Harris County, TX", "TX", date(2008, 10, 27)),
        COOK: ("17031", "Cook County, IL", "IL", None),
    },
    tallies=[
        Tally(HARRIS, date(2010, 9, 30), "booking", True, "level_1"),
        Tally(HARRIS, date(2010, 10, 1), "booking", True, "level_2"),
        Tally(HARRIS, date(2010, 10, 2), "booking", True, None),
        Tally(HARRIS, date(2010, 10, 2), "detainer"),
        Tally(HARRIS, date(2010, 11, 20), "detainer_outcome", value="honoured"),
        Tally(HARRIS, date(2010, 11, 22), "custody", value="level_2"),
        Tally(HARRIS, date(2011, 4, 5), "removal", value="level_2"),
        Tally(COOK, date(2011, 1, 3), "booking", False, None),
    ],
)


def test_an_as_of_date_leaves_later_events_out() -> None:
    through = statistics.tabulate(LEDGER, periods.through(date(2011, 3, 31))).nationwide
    assert (through.bookings, through.submissions, through.matches) == (4, 3, 2)
    assert (through.detainers, through.detainers_honoured, through.booked_level_2) == (1, 1, 1)
    assert through.removed == 0  # the removal came on 5 April
    assert statistics.tabulate(LEDGER).nationwide.removed_level_2 == 1


def test_fiscal_years_and_months_add_up_to_the_cumulative_figures() -> None:
    total = asdict(statistics.tabulate(LEDGER).nationwide)
    for windows in (
        periods.fiscal_years_between(date(2010, 9, 30), date(2011, 4, 5)),
        periods.months_between(date(2010, 9, 30), date(2011, 4, 5)),
    ):
        summed = dict.fromkeys(total, 0)
        for window in windows:
            for key, value in asdict(statistics.tabulate(LEDGER, window).nationwide).items():
                summed[key] += value
        assert summed == total
    fy2010 = statistics.tabulate(LEDGER, periods.fiscal_year(2010)).nationwide
    assert (fy2010.bookings, fy2010.matches_level_1, fy2010.matches_level_2_3) == (1, 1, 0)


def test_rows_keep_their_state_and_activation_and_add_up_to_the_nation() -> None:
    table = statistics.tabulate(LEDGER)
    assert [row.code for row in table.jurisdictions] == ["17031", "48201"]  # by state
    assert table.jurisdictions[1].activation_date == date(2008, 10, 27)
    assert table.states["IL"].bookings == 1
    assert table.states["IL"].submissions == 0
    assert table.nationwide.bookings == sum(c.bookings for c in table.states.values())
