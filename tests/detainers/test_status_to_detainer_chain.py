"""The three rule sets chained as the field office uses them, on whole records."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

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


_ANY_ENCOUNTER = st.builds(
    EncounterFact,
    kind=st.sampled_from(list(EncounterKind)),
    day=st.dates(min_value=date(1990, 1, 1), max_value=date(2017, 5, 31)),
    detail=st.sampled_from(
        [{}, {"class": "B2", "admitted_until": "2000-01-01"}, {"class": "LPR"}, {"class": "USC"}]
    ),
)


@settings(deadline=None, max_examples=150)
@given(
    others=st.lists(_ANY_ENCOUNTER, max_size=10),
    granted=st.sampled_from([K.NATURALISATION, K.DERIVED_CITIZENSHIP]),
    granted_on=st.dates(min_value=date(1990, 1, 1), max_value=date(2008, 10, 26)),
    on=st.dates(min_value=date(2008, 10, 27), max_value=date(2025, 12, 31)),
)
def test_a_citizenship_grant_on_record_never_leads_to_a_detainer(
    others: list[EncounterFact],
    granted: EncounterKind,
    granted_on: date,
    on: date,
) -> None:
    # Whatever came before or after (removals, final orders), a citizen stays a citizen.
    grant = EncounterFact(granted, granted_on)
    history = CriminalHistoryFact((FELONY,))
    encounters = (*others, grant)
    status = determine_status(encounters=encounters, history=history, as_of=on).value
    assert status.no_action
    priority = assess_priority(
        history=history, status=status, encounters=encounters, as_of=on
    ).value
    assert not priority.is_priority
    assert not decide_detainer(status=status, priority=priority, on=on).value.lodge
