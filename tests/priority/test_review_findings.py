"""The federal decisions a review found wrong (decision-rules issue, findings 2 to 5):
each reproduced here, and each now decided with the basis the rules require."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time

import pytest

from securecomm.cases import logistics
from securecomm.cases.logistics import MemoryCapacity, TransportSchedule, plan_custody
from securecomm.detainers.rules import decide_detainer
from securecomm.domain import (
    ChargeFact,
    ConvictionLevel,
    CriminalHistoryFact,
    Disposition,
    EncounterFact,
    EncounterKind,
    MatchLevel,
)
from securecomm.priority.catalogue import OffenceFlag, lookup_offence
from securecomm.priority.rules import assess_priority, conviction_level, match_level
from securecomm.simulation._offences import OFFENCES, SIGNIFICANT_NATURES
from securecomm.status.rules import determine_status

K = EncounterKind
EWI = (EncounterFact(K.INTERIOR_APPREHENSION, date(2010, 5, 1)),)


def convicted(code: str, term: int, sentence: int | None, incident: str = "A1") -> ChargeFact:
    day = date(2012, 1, 10)
    return ChargeFact(
        code, f"offence {code}", day, incident, term, Disposition.CONVICTED, day, sentence
    )


def pending(code: str, term: int, day: date) -> ChargeFact:
    return ChargeFact(code, f"offence {code}", day, "B1", term)


def decide(
    charges: Sequence[ChargeFact], on: date, encounters: Sequence[EncounterFact] = EWI
) -> tuple[object, object]:
    history = CriminalHistoryFact(tuple(charges))
    status = determine_status(encounters=encounters, history=history, as_of=on).value
    priority = assess_priority(history=history, status=status, encounters=encounters, as_of=on)
    detainer = decide_detainer(status=status, priority=priority.value, on=on)
    return priority.value, detainer.value


# --- finding 2: every PEP category counts -----------------------------------------------


def test_a_robber_caught_at_the_border_days_earlier_still_gets_a_hold() -> None:
    on = date(2016, 3, 10)
    robbery = convicted("1299", 7300, 730)
    border = (*EWI, EncounterFact(K.BORDER_APPREHENSION, date(2016, 3, 5)))
    priority, detainer = decide([robbery], on, border)
    assert priority.category == "PEP 1(b)"  # the first category is the border one
    assert {"PEP 1(b)", "PEP 1(d)", "PEP 1(e)"} <= set(priority.categories)
    assert detainer.form.value == "I-247D"
    assert detainer.requests_hold
    _, without_border = decide([robbery], on)
    assert without_border.form.value == "I-247D"
    assert without_border.requests_hold


def test_a_border_case_with_no_hold_category_gets_notification() -> None:
    border = (*EWI, EncounterFact(K.BORDER_APPREHENSION, date(2016, 3, 5)))
    priority, detainer = decide([], date(2016, 3, 10), border)
    assert priority.categories == ("PEP 1(b)",)
    assert detainer.form.value == "I-247N"
    assert not detainer.requests_hold


# --- finding 3: 25 Jan - 1 Apr 2017 -----------------------------------------------------


@pytest.mark.parametrize("on", [date(2017, 1, 25), date(2017, 2, 15), date(2017, 4, 1)])
def test_a_pending_charge_alone_gets_no_hold_before_the_i247a(on: date) -> None:
    priority, detainer = decide([pending("1313", 365, on)], on)
    assert priority.categories == ("EO 13768 5(b)",)
    assert detainer.lodge
    assert detainer.form.value == "I-247N"
    assert not detainer.requests_hold


def test_in_the_eo_window_a_pep_hold_priority_is_lodged_on_the_i247d() -> None:
    on = date(2017, 2, 15)
    priority, detainer = decide([convicted("2202", 3650, 400)], on)
    assert "EO 13768 5(a)" in priority.categories
    assert "PEP 1(d)" in priority.categories_by_scheme["pep2014"]
    assert detainer.form.value == "I-247D"
    assert detainer.requests_hold
    assert detainer.probable_cause is not None


def test_from_2_april_2017_the_i247a_holds_with_probable_cause_and_a_warrant() -> None:
    on = date(2017, 4, 2)
    _, detainer = decide([pending("1313", 365, on)], on)
    assert detainer.form.value == "I-247A"
    assert detainer.requests_hold
    assert detainer.probable_cause == "biometric_confirmation_and_database_checks"
    assert detainer.warrant == "I-200"


# --- finding 4: the catalogue agrees with the world's offences and the law --------------

_FLAG_FOR_NATURE = {
    "national_security": OffenceFlag.NATIONAL_SECURITY,
    "status_offence": OffenceFlag.STATUS_OFFENCE,
    "minor_traffic": OffenceFlag.MINOR_TRAFFIC,
    "domestic_violence": OffenceFlag.DOMESTIC_VIOLENCE,
    "sexual_abuse": OffenceFlag.SEXUAL_ABUSE,
    "firearms": OffenceFlag.FIREARMS,
    "drug_distribution": OffenceFlag.DRUG_DISTRIBUTION,
    "dui": OffenceFlag.DUI,
}


@pytest.mark.parametrize("offence", OFFENCES, ids=lambda offence: offence.ncic_code)
def test_every_code_the_world_charges_is_catalogued_as_what_it_is(offence: object) -> None:
    from securecomm.simulation._offences import Offence

    assert isinstance(offence, Offence)
    row = lookup_offence(offence.ncic_code)
    assert row.has(OffenceFlag.LPR_DEPORTABLE) == offence.deportable, row.provenance
    assert row.has(OffenceFlag.AGGRAVATED_FELONY) == (offence.aggravated == "per_se")
    assert row.has(OffenceFlag.AGGRAVATED_FELONY_IF_SENTENCED) == (
        offence.aggravated == "with_one_year_term"
    )
    assert row.has(OffenceFlag.DRUG) == offence.is_drug_offence
    assert int(row.sc2008_level.value[-1]) == offence.sc2008_level
    for nature, flag in _FLAG_FOR_NATURE.items():
        assert row.has(flag) == offence.is_(nature), (nature, row.description)
    significant = bool(offence.natures & SIGNIFICANT_NATURES)
    assert row.has(OffenceFlag.SIGNIFICANT_MISDEMEANOUR) == significant
    assert row.provenance


def test_one_cocaine_possession_is_not_an_aggravated_felony_but_a_sale_is() -> None:
    on = date(2012, 6, 1)
    possession = [convicted("3532", 730, None)]
    assert conviction_level(CriminalHistoryFact(tuple(possession)), as_of=on).value is (
        ConvictionLevel.LEVEL_2
    )  # one felony, not aggravated
    sale = [convicted("3530", 3650, None)]
    assert conviction_level(CriminalHistoryFact(tuple(sale)), as_of=on).value is (
        ConvictionLevel.LEVEL_1
    )
    assert match_level(CriminalHistoryFact(tuple(possession)), as_of=on).value is (
        MatchLevel.LEVEL_1  # a drug offence whose potential sentence is over a year
    )


def test_shoplifting_marijuana_and_indecent_exposure_do_not_make_a_resident_removable() -> None:
    lpr = (EncounterFact(K.ENTRY, date(2000, 1, 1), {"class": "LPR"}),)
    for code, term in (("2303", 180), ("3562", 180), ("3699", 365)):
        history = CriminalHistoryFact((convicted(code, term, 30),))
        status = determine_status(encounters=lpr, history=history, as_of=date(2013, 1, 1))
        assert not status.value.removable, code
    family = CriminalHistoryFact((convicted("3803", 365, 0),))
    status = determine_status(encounters=lpr, history=family, as_of=date(2013, 1, 1))
    assert status.value.removable  # a crime of domestic violence, INA 237(a)(2)(E)


def test_aggravated_assault_with_a_weapon_is_level_1() -> None:
    history = CriminalHistoryFact((convicted("1315", 3650, 400),))
    assert match_level(history, as_of=date(2012, 2, 1)).value is MatchLevel.LEVEL_1


# --- finding 5: Morton ranks, queue and beds --------------------------------------------


def test_morton_ranks_levels_1_and_2_before_level_3() -> None:
    on = date(2012, 6, 1)
    one, _ = decide([convicted("1299", 7300, 730)], on)
    two, _ = decide([convicted("2399", 730, 0)], on)
    three, _ = decide([convicted("1313", 365, 0)], on)
    assert (one.category, two.category, three.category) == ("Morton 1",) * 3
    assert (one.rank, two.rank, three.rank) == (1, 2, 3)
    recent = (EncounterFact(K.BORDER_APPREHENSION, date(2011, 6, 1)),)
    entrant, _ = decide([], on, recent)
    assert entrant.categories == ("Morton 2",)
    assert entrant.rank == 4


def test_the_last_free_bed_goes_to_a_higher_rank(monkeypatch: pytest.MonkeyPatch) -> None:
    schedule = TransportSchedule(
        state="TX", weekdays=frozenset(range(7)), departs=time(9), seats=9, provenance="test"
    )
    beds = (
        logistics.Facility(
            code="ONE", name="one", state="TX", beds=2, hearing_mode="in_person", provenance="t"
        ),
    )
    monkeypatch.setattr(logistics, "transport_schedules", lambda: {"TX": schedule})
    monkeypatch.setattr(logistics, "facilities", lambda: beds)
    capacity = MemoryCapacity()
    release = datetime(2012, 6, 4, 8, tzinfo=UTC)
    first = plan_custody(state="TX", release_at=release, view=capacity, rank=3).value
    capacity.book("TX", first)
    assert first.pickup_at is not None  # two free: a Level 3 case may take one
    level_3 = plan_custody(state="TX", release_at=release, view=capacity, rank=3).value
    assert level_3.lapses  # the last bed is kept for Levels 1 and 2
    level_1 = plan_custody(state="TX", release_at=release, view=capacity, rank=1).value
    assert level_1.pickup_at is not None
