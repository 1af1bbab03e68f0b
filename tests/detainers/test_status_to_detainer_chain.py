"""The three rule sets chained as the field office uses them, on whole records."""

from __future__ import annotations

from datetime import date

from securecomm.detainers.rules import decide_detainer
from securecomm.domain import (
    ChargeFact,
    CriminalHistoryFact,
    DetainerForm,
    Disposition,
    EncounterFact,
    EncounterKind,
)
from securecomm.priority.rules import assess_priority
from securecomm.status.rules import determine_status

K = EncounterKind
FELONY = ChargeFact(
    "2202", "burglary", date(2017, 3, 1), "B1", 3650, Disposition.CONVICTED, date(2017, 4, 1), 400
)


def chain(encounters: tuple[EncounterFact, ...], on: date) -> tuple[str | None, bool]:
    history = CriminalHistoryFact((FELONY,))
    status = determine_status(encounters=encounters, history=history, as_of=on).value
    priority = assess_priority(
        history=history, status=status, encounters=encounters, as_of=on
    ).value
    detainer = decide_detainer(status=status, priority=priority, on=on).value
    return priority.category, detainer.lodge and detainer.form is DetainerForm.I_247A


def test_naturalised_citizen_matched_on_old_removal_gets_nothing() -> None:
    encounters = (
        EncounterFact(K.BORDER_APPREHENSION, date(1999, 1, 1)),
        EncounterFact(K.REMOVAL, date(1999, 1, 5)),
        EncounterFact(K.ENTRY, date(2003, 1, 1), {"class": "IR1"}),
        EncounterFact(K.NATURALISATION, date(2009, 1, 1)),
    )
    assert chain(encounters, date(2017, 6, 1)) == (None, False)


def test_removed_and_reentered_felon_gets_i247a() -> None:
    encounters = (
        EncounterFact(K.BORDER_APPREHENSION, date(2010, 1, 1)),
        EncounterFact(K.REMOVAL, date(2010, 1, 5)),
    )
    assert chain(encounters, date(2017, 6, 1)) == ("EO 13768 5(a)", True)
