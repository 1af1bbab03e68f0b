"""Priority schemes: era switches, 2008 levels, Morton levels, PEP and EO boundary cases."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pytest

from securecomm.domain import (
    ChargeFact,
    ConvictionLevel,
    CriminalHistoryFact,
    Disposition,
    EncounterFact,
    EncounterKind,
    MatchLevel,
    StatusCategory,
)
from securecomm.priority.rules import (
    DiscretionFactors,
    InvalidDiscretionError,
    NoChargesError,
    NoSchemeInForceError,
    PriorityAssessment,
    UnknownOffenceError,
    assess_priority,
    conviction_level,
    lookup_offence,
    match_level,
    scheme_in_force,
)
from securecomm.status.rules import StatusDetermination, determine_status

K = EncounterKind
PEP_DAY = date(2015, 3, 1)
EWI_SINCE_2010 = (EncounterFact(K.INTERIOR_APPREHENSION, date(2010, 5, 1)),)


def charge(
    code: str,
    *,
    convicted: bool = True,
    max_term_days: int = 365,
    sentence_days: int | None = None,
    incident: str = "A1",
    day: date = date(2012, 1, 10),
) -> ChargeFact:
    return ChargeFact(
        ncic_code=code,
        description=f"offence {code}",
        arrest_date=day,
        incident_id=incident,
        max_term_days=max_term_days,
        disposition=Disposition.CONVICTED if convicted else Disposition.PENDING,
        disposition_date=day if convicted else None,
        sentence_days=sentence_days,
    )


def history(*charges: ChargeFact) -> CriminalHistoryFact:
    return CriminalHistoryFact(tuple(charges))


def assess(
    charges: Sequence[ChargeFact],
    *,
    as_of: date = PEP_DAY,
    encounters: Sequence[EncounterFact] = EWI_SINCE_2010,
    discretion: DiscretionFactors | None = None,
) -> PriorityAssessment:
    hist = history(*charges)
    status = determine_status(encounters=encounters, history=hist, as_of=as_of).value
    return assess_priority(
        history=hist, status=status, encounters=encounters, as_of=as_of, discretion=discretion
    ).value


# --- catalogue and eras -----------------------------------------------------------------


def test_lookup_prefers_the_narrowest_range() -> None:
    assert lookup_offence("5401").description == "Hit and run"
    assert lookup_offence("5405").category == "traffic"
    assert "(unconfirmed)" in lookup_offence("1301").provenance


@pytest.mark.parametrize("code", ["0500", "12", "abcd", "13131", ""])
def test_unknown_or_malformed_code_is_a_typed_error(code: str) -> None:
    with pytest.raises(UnknownOffenceError) as caught:
        lookup_offence(code)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("day", "scheme_id"),
    [
        (date(2010, 6, 29), "sc2008"),
        (date(2010, 6, 30), "morton2010"),
        (date(2014, 11, 19), "morton2010"),
        (date(2014, 11, 20), "pep2014"),
        (date(2017, 1, 24), "pep2014"),
        (date(2017, 1, 25), "eo13768"),
    ],
)
def test_era_switch_dates(day: date, scheme_id: str) -> None:
    assert scheme_in_force(day).scheme_id == scheme_id
    assert assess([charge("1313")], as_of=day).scheme_id == scheme_id


def test_no_scheme_before_the_program() -> None:
    with pytest.raises(NoSchemeInForceError):
        scheme_in_force(date(2008, 10, 26))


# --- 2008 match level -------------------------------------------------------------------


def test_match_level_takes_the_most_serious_charged_or_convicted() -> None:
    hist = history(charge("5405"), charge("2202", convicted=False), charge("0999"))
    assert match_level(hist, as_of=PEP_DAY).value is MatchLevel.LEVEL_1


def test_dismissed_charges_do_not_count() -> None:
    dismissed = ChargeFact("0903", "homicide", date(2011, 1, 1), "X", 9999, Disposition.DISMISSED)
    hist = history(dismissed, charge("2202"))
    assert match_level(hist, as_of=PEP_DAY).value is MatchLevel.LEVEL_2


def test_drug_offence_is_level_1_only_with_a_sentence_over_one_year() -> None:
    one_year = history(charge("3532", max_term_days=3650, sentence_days=365))
    over = history(charge("3532", max_term_days=3650, sentence_days=366))
    assert match_level(one_year, as_of=PEP_DAY).value is MatchLevel.LEVEL_2
    assert match_level(over, as_of=PEP_DAY).value is MatchLevel.LEVEL_1


def test_pending_drug_charge_uses_the_statutory_maximum() -> None:
    decision = match_level(
        history(charge("3532", convicted=False, max_term_days=730)), as_of=PEP_DAY
    )
    assert decision.value is MatchLevel.LEVEL_1
    assert "statutory maximum" in str(decision.traces[0].inputs["charges"])


def test_uncatalogued_code_is_level_3() -> None:
    assert match_level(history(charge("6001")), as_of=PEP_DAY).value is MatchLevel.LEVEL_3


def test_match_level_without_charges_is_a_typed_error() -> None:
    with pytest.raises(NoChargesError):
        match_level(CriminalHistoryFact(), as_of=PEP_DAY)


# --- Morton conviction levels -----------------------------------------------------------


@pytest.mark.parametrize(
    ("charges", "expected"),
    [
        ((), ConvictionLevel.NON_CRIMINAL),
        ((charge("1313", convicted=False, max_term_days=3000),), ConvictionLevel.NON_CRIMINAL),
        ((charge("1313"),), ConvictionLevel.LEVEL_3),
        ((charge("1313", incident="A"), charge("5405", incident="B")), ConvictionLevel.LEVEL_3),
        (tuple(charge("1313", incident=i) for i in "ABC"), ConvictionLevel.LEVEL_2),
        ((charge("2202", max_term_days=366),), ConvictionLevel.LEVEL_2),
        (
            (charge("2202", max_term_days=366), charge("2302", max_term_days=400, incident="B")),
            ConvictionLevel.LEVEL_1,
        ),
        ((charge("0903", max_term_days=300),), ConvictionLevel.LEVEL_1),
        ((charge("1201", max_term_days=3650, sentence_days=365),), ConvictionLevel.LEVEL_1),
        ((charge("1201", max_term_days=3650, sentence_days=364),), ConvictionLevel.LEVEL_2),
    ],
)
def test_conviction_level(charges: tuple[ChargeFact, ...], expected: ConvictionLevel) -> None:
    assert conviction_level(history(*charges), as_of=PEP_DAY).value is expected


def test_two_one_year_felonies_are_morton_level_1_and_morton_priority_1() -> None:
    felonies = [charge("2202", max_term_days=366), charge("2302", max_term_days=366, incident="B")]
    result = assess(felonies, as_of=date(2012, 6, 1))
    assert result.conviction_level is ConvictionLevel.LEVEL_1
    assert result.category == "Morton 1"


def test_crime_punishable_by_exactly_one_year_is_not_a_felony() -> None:
    one_year = [charge("2202", max_term_days=365), charge("2302", max_term_days=365)]
    assert conviction_level(history(*one_year), as_of=PEP_DAY).value is ConvictionLevel.LEVEL_3


def test_morton_recent_entrant_and_fugitive() -> None:
    recent = (EncounterFact(K.BORDER_APPREHENSION, date(2011, 1, 1)),)
    assert assess([], as_of=date(2012, 6, 1), encounters=recent).category == "Morton 2"
    old = (EncounterFact(K.BORDER_APPREHENSION, date(2001, 1, 1)),)
    assert assess([], as_of=date(2012, 6, 1), encounters=old).category is None
    fugitive = (EncounterFact(K.FINAL_ORDER, date(2005, 1, 1)),)
    assert assess([], as_of=date(2012, 6, 1), encounters=fugitive).category == "Morton 3"


# --- PEP --------------------------------------------------------------------------------


def test_pep_two_one_year_felonies_are_1d() -> None:
    felonies = [charge("2202", max_term_days=366), charge("2302", max_term_days=366, incident="B")]
    result = assess(felonies)
    assert result.category == "PEP 1(d)"
    assert result.is_priority


def test_pep_felony_status_offence_is_not_1d() -> None:
    assert assess([charge("0301", max_term_days=730)]).category is None


def test_pep_aggravated_felony_is_1e_but_1d_ranks_first() -> None:
    misdemeanour_aggravated = [charge("3530", max_term_days=365)]
    assert assess(misdemeanour_aggravated).category == "PEP 1(e)"
    assert assess([charge("3530", max_term_days=3650)]).category == "PEP 1(d)"


def test_pep_gang_conviction_is_1c() -> None:
    assert assess([charge("7390")]).category == "PEP 1(c)"


def test_pep_national_security_charge_is_1a() -> None:
    assert assess([charge("0103", convicted=False, max_term_days=9000)]).category == "PEP 1(a)"


def test_pep_recent_border_apprehension_is_1b() -> None:
    border = (EncounterFact(K.BORDER_APPREHENSION, PEP_DAY.replace(day=1)),)
    assert assess([], encounters=border).category == "PEP 1(b)"


def test_pep_three_misdemeanours_from_separate_incidents_are_2a() -> None:
    separate = [charge("1313", incident=i) for i in ("A", "B", "C")]
    assert assess(separate).category == "PEP 2(a)"


def test_pep_three_misdemeanours_from_one_incident_are_not_2a() -> None:
    one_incident = [charge(code, incident="A") for code in ("1313", "5301", "4801")]
    assert assess(one_incident).category is None


def test_pep_minor_traffic_is_excluded_from_2a() -> None:
    with_traffic = [charge("1313", incident="A"), charge("5301", incident="B")]
    with_traffic.append(charge("5405", incident="C"))
    assert assess(with_traffic).category is None


def test_pep_90_day_sentence_is_a_significant_misdemeanour() -> None:
    assert assess([charge("1313", sentence_days=90)]).category == "PEP 2(b)"
    assert assess([charge("1313", sentence_days=89)]).category is None


@pytest.mark.parametrize("code", ["3802", "5201", "5404", "2202", "3601"])
def test_pep_significant_misdemeanour_by_nature(code: str) -> None:
    assert assess([charge(code)]).category == "PEP 2(b)"


def test_pep_entry_after_1_jan_2014_is_2c() -> None:
    after = (EncounterFact(K.INTERIOR_APPREHENSION, date(2014, 1, 1)),)
    before = (EncounterFact(K.INTERIOR_APPREHENSION, date(2013, 12, 31)),)
    assert assess([], encounters=after).category == "PEP 2(c)"
    assert assess([], encounters=before).category is None


def test_pep_lawful_admission_is_not_2c() -> None:
    overstay = (
        EncounterFact(K.ENTRY, date(2014, 2, 1), {"class": "B2", "admitted_until": "2014-08-01"}),
    )
    result = assess([], encounters=overstay)
    assert result.category is None


def test_pep_final_order_on_2_jan_2014_is_3_and_on_31_dec_2013_is_not() -> None:
    arrived = EncounterFact(K.INTERIOR_APPREHENSION, date(2010, 1, 1))
    late = (arrived, EncounterFact(K.FINAL_ORDER, date(2014, 1, 2)))
    early = (arrived, EncounterFact(K.FINAL_ORDER, date(2013, 12, 31)))
    assert assess([], encounters=late).category == "PEP 3"
    assert assess([], encounters=early).category is None


def test_pep_pending_charges_alone_are_not_a_priority() -> None:
    assert assess([charge("1313", convicted=False)]).category is None


# --- EO 13768 ---------------------------------------------------------------------------


def test_eo_any_conviction_or_pending_charge() -> None:
    eo_day = date(2017, 6, 1)
    assert assess([charge("5405")], as_of=eo_day).category == "EO 13768 5(a)"
    assert assess([charge("5405", convicted=False)], as_of=eo_day).category == "EO 13768 5(b)"
    order = (EncounterFact(K.FINAL_ORDER, date(2016, 1, 1)),)
    assert assess([], as_of=eo_day, encounters=order).category == "EO 13768 5(f)"
    assert assess([], as_of=eo_day).category is None


def test_eo_officer_findings_recorded_on_an_encounter() -> None:
    flagged = (EncounterFact(K.INTERIOR_APPREHENSION, date(2016, 1, 1), {"fraud_finding": "true"}),)
    assert assess([], as_of=date(2017, 6, 1), encounters=flagged).category == "EO 13768 5(d)"


# --- guarantees -------------------------------------------------------------------------


def test_citizen_is_never_a_priority() -> None:
    citizen = (EncounterFact(K.NATURALISATION, date(2005, 1, 1)),)
    result = assess([charge("0903", max_term_days=9999)], encounters=citizen)
    assert result.category is None
    assert not result.is_priority
    assert result.match_level is MatchLevel.LEVEL_1


def test_no_charges_means_no_match_level() -> None:
    assert assess([]).match_level is None


def test_discretion_is_recorded_and_never_changes_the_priority() -> None:
    factors = DiscretionFactors(years_present=15, arrived_as_child=True, family_ties=True)
    without = assess([charge("2202", max_term_days=366)])
    hist = history(charge("2202", max_term_days=366))
    status: StatusDetermination = determine_status(
        encounters=EWI_SINCE_2010, history=hist, as_of=PEP_DAY
    ).value
    decision = assess_priority(
        history=hist, status=status, encounters=EWI_SINCE_2010, as_of=PEP_DAY, discretion=factors
    )
    assert decision.value.category == without.category == "PEP 1(d)"
    assert decision.value.discretion == factors
    trace = decision.traces[-1]
    assert trace.rule == "discretion.recorded"
    assert trace.inputs == {"years_present": 15, "arrived_as_child": True, "family_ties": True}


def test_invalid_discretion_is_a_typed_error() -> None:
    with pytest.raises(InvalidDiscretionError, match="age"):
        DiscretionFactors(age=-1)


def test_traces_name_scheme_era() -> None:
    hist = history(charge("1313", incident="A"))
    status = determine_status(encounters=EWI_SINCE_2010, history=hist, as_of=PEP_DAY).value
    decision = assess_priority(
        history=hist, status=status, encounters=EWI_SINCE_2010, as_of=PEP_DAY
    )
    assert decision.traces[-1].era == "pep2014"
    assert decision.traces[-1].rule == "pep2014.priority"
    assert status.category is StatusCategory.ENTERED_WITHOUT_INSPECTION
