"""Status determination: every category, citizenship permanence, removability, bad detail."""

from __future__ import annotations

from datetime import date

import pytest

from securecomm.domain import (
    ChargeFact,
    CriminalHistoryFact,
    Disposition,
    EncounterFact,
    EncounterKind,
    StatusCategory,
)
from securecomm.status.rules import (
    PC_BIOMETRIC_AND_DATABASES,
    PC_FINAL_ORDER,
    PC_PENDING_PROCEEDINGS,
    InvalidEncounterError,
    StatusDetermination,
    determine_status,
)

AS_OF = date(2012, 6, 1)
NO_HISTORY = CriminalHistoryFact()
K = EncounterKind


def enc(kind: EncounterKind, day: date, **detail: str) -> EncounterFact:
    return EncounterFact(kind=kind, day=day, detail=detail)


def status(
    *encounters: EncounterFact, history: CriminalHistoryFact = NO_HISTORY, as_of: date = AS_OF
) -> StatusDetermination:
    return determine_status(encounters=encounters, history=history, as_of=as_of).value


def conviction(
    code: str,
    *,
    sentence_days: int | None = None,
    max_term_days: int = 1000,
    incident: str = "T1",
    day: date = date(2011, 1, 5),
) -> ChargeFact:
    return ChargeFact(
        ncic_code=code,
        description=f"offence {code}",
        arrest_date=day,
        incident_id=incident,
        max_term_days=max_term_days,
        disposition=Disposition.CONVICTED,
        disposition_date=day,
        sentence_days=sentence_days,
    )


def test_naturalised_citizen_with_old_removal_is_citizen_no_action() -> None:
    result = status(
        enc(K.ENTRY, date(1990, 1, 1), **{"class": "B2", "admitted_until": "1990-07-01"}),
        enc(K.REMOVAL, date(1991, 1, 1)),
        enc(K.ENTRY, date(1995, 1, 1), **{"class": "IR1"}),
        enc(K.NATURALISATION, date(2001, 3, 1)),
    )
    assert result.category is StatusCategory.CITIZEN_BY_NATURALISATION
    assert result.no_action
    assert not result.removable
    assert result.probable_cause is None
    assert not result.needs_analyst


def test_citizenship_is_permanent_even_if_later_records_say_otherwise() -> None:
    result = status(
        enc(K.DERIVED_CITIZENSHIP, date(2000, 1, 1)),
        enc(K.FINAL_ORDER, date(2005, 1, 1)),
        enc(K.REMOVAL, date(2006, 1, 1)),
    )
    assert result.category is StatusCategory.CITIZEN_BY_DERIVATION
    assert result.no_action
    assert any("removal" in line for line in result.evidence)


def test_citizen_by_birth_recorded_on_a_us_passport_entry() -> None:
    result = status(enc(K.ENTRY, date(2010, 1, 1), **{"class": "USC"}))
    assert result.category is StatusCategory.CITIZEN_BY_BIRTH
    assert result.no_action


def test_lpr_without_deportable_conviction_is_not_removable() -> None:
    history = CriminalHistoryFact((conviction("5405", max_term_days=30),))
    result = status(enc(K.LPR_ADJUSTMENT, date(2005, 1, 1)), history=history)
    assert result.category is StatusCategory.LPR
    assert not result.removable
    assert result.probable_cause is None


def test_lpr_with_drug_distribution_conviction_is_removable() -> None:
    history = CriminalHistoryFact((conviction("3530"),))
    result = status(enc(K.ENTRY, date(2005, 1, 1), **{"class": "LPR"}), history=history)
    assert result.category is StatusCategory.LPR
    assert result.removable
    assert result.probable_cause == PC_BIOMETRIC_AND_DATABASES
    assert any("3530" in line for line in result.evidence)


def test_lpr_pending_charge_only_is_not_removable() -> None:
    pending = ChargeFact("3530", "cocaine sell", date(2012, 5, 1), "T9", 3650)
    result = status(
        enc(K.LPR_ADJUSTMENT, date(2005, 1, 1)), history=CriminalHistoryFact((pending,))
    )
    assert not result.removable


def test_conviction_after_as_of_does_not_count() -> None:
    later = conviction("3530", day=date(2013, 1, 1))
    result = status(enc(K.LPR_ADJUSTMENT, date(2005, 1, 1)), history=CriminalHistoryFact((later,)))
    assert not result.removable


@pytest.mark.parametrize(
    "grant",
    [
        enc(K.ASYLUM_GRANT, date(2008, 1, 1)),
        enc(K.REFUGEE_ADMISSION, date(2008, 1, 1)),
        enc(K.TPS_GRANT, date(2008, 1, 1), admitted_until="2013-01-01"),
        enc(K.PAROLE, date(2012, 1, 1), admitted_until="2012-12-01"),
        enc(K.ENTRY, date(2012, 1, 1), **{"class": "B2", "admitted_until": "2012-07-01"}),
        enc(K.ENTRY, date(2010, 1, 1), **{"class": "F1", "admitted_until": "D/S"}),
    ],
)
def test_other_lawful_status(grant: EncounterFact) -> None:
    result = status(grant)
    assert result.category is StatusCategory.OTHER_LAWFUL
    assert not result.removable


def test_overstay_when_admission_period_has_passed() -> None:
    result = status(
        enc(K.VISA_ISSUANCE, date(2010, 12, 1)),
        enc(K.ENTRY, date(2011, 1, 1), **{"class": "B2", "admitted_until": "2011-07-01"}),
    )
    assert result.category is StatusCategory.OVERSTAY
    assert result.removable
    assert result.probable_cause == PC_BIOMETRIC_AND_DATABASES


def test_admitted_until_the_as_of_day_is_still_in_status() -> None:
    entry = enc(K.ENTRY, date(2012, 1, 1), **{"class": "B2", "admitted_until": "2012-06-01"})
    assert status(entry).category is StatusCategory.OTHER_LAWFUL
    assert status(entry, as_of=date(2012, 6, 2)).category is StatusCategory.OVERSTAY


def test_entered_without_inspection() -> None:
    result = status(enc(K.BORDER_APPREHENSION, date(2009, 3, 1)))
    assert result.category is StatusCategory.ENTERED_WITHOUT_INSPECTION
    assert result.removable
    assert result.probable_cause == PC_BIOMETRIC_AND_DATABASES


def test_voluntary_return_then_present_arrest_is_ewi() -> None:
    result = status(enc(K.VOLUNTARY_RETURN, date(2009, 3, 1)))
    assert result.category is StatusCategory.ENTERED_WITHOUT_INSPECTION


def test_removed_and_reentered_by_later_encounter() -> None:
    result = status(
        enc(K.BORDER_APPREHENSION, date(2008, 1, 1)),
        enc(K.REMOVAL, date(2008, 2, 1)),
        enc(K.INTERIOR_APPREHENSION, date(2011, 2, 1)),
    )
    assert result.category is StatusCategory.REMOVED_AND_REENTERED
    assert result.removable
    assert result.probable_cause == PC_FINAL_ORDER


def test_removed_and_reentered_shown_by_the_present_arrest() -> None:
    decision = determine_status(
        encounters=[enc(K.REMOVAL, date(2010, 2, 1))], history=NO_HISTORY, as_of=AS_OF
    )
    assert decision.value.category is StatusCategory.REMOVED_AND_REENTERED
    assert "present arrest" in decision.traces[0].note


def test_lawful_admission_after_removal_is_not_reentry() -> None:
    result = status(
        enc(K.REMOVAL, date(2005, 2, 1)),
        enc(K.ENTRY, date(2012, 1, 1), **{"class": "IR1"}),
    )
    assert result.category is StatusCategory.LPR


def test_unexecuted_final_order() -> None:
    result = status(
        enc(K.INTERIOR_APPREHENSION, date(2009, 1, 1)),
        enc(K.NTA_ISSUED, date(2009, 1, 2)),
        enc(K.FINAL_ORDER, date(2010, 5, 1)),
    )
    assert result.category is StatusCategory.FINAL_ORDER
    assert result.probable_cause == PC_FINAL_ORDER


def test_executed_final_order_then_present_is_removed_reentered() -> None:
    result = status(enc(K.FINAL_ORDER, date(2010, 5, 1)), enc(K.REMOVAL, date(2010, 6, 1)))
    assert result.category is StatusCategory.REMOVED_AND_REENTERED


def test_in_proceedings() -> None:
    result = status(
        enc(K.ENTRY, date(2011, 1, 1), **{"class": "B2", "admitted_until": "2011-07-01"}),
        enc(K.NTA_ISSUED, date(2012, 1, 1)),
    )
    assert result.category is StatusCategory.IN_PROCEEDINGS
    assert result.probable_cause == PC_PENDING_PROCEEDINGS


def test_terminated_proceedings_fall_back_to_underlying_status() -> None:
    result = status(
        enc(K.LPR_ADJUSTMENT, date(2005, 1, 1)),
        enc(K.NTA_ISSUED, date(2011, 1, 1)),
        enc(K.PROCEEDINGS_TERMINATED, date(2012, 1, 1)),
    )
    assert result.category is StatusCategory.LPR


def test_relief_granted_ends_final_order() -> None:
    result = status(
        enc(K.FINAL_ORDER, date(2010, 5, 1)),
        enc(K.RELIEF_GRANTED, date(2011, 5, 1), **{"class": "LPR"}),
    )
    assert result.category is StatusCategory.LPR


@pytest.mark.parametrize(
    "encounters",
    [
        (),
        (enc(K.VISA_ISSUANCE, date(2011, 1, 1)),),
        (enc(K.ENTRY, date(2011, 1, 1)),),
        (enc(K.ENTRY, date(2011, 1, 1), **{"class": "B2"}),),
        (enc(K.PROCEEDINGS_TERMINATED, date(2011, 1, 1)),),
        (
            enc(K.LPR_ADJUSTMENT, date(2005, 1, 1)),
            enc(K.ENTRY, date(2011, 1, 1), **{"class": "B2", "admitted_until": "2011-07-01"}),
        ),
    ],
)
def test_unable_to_determine_goes_to_an_analyst(encounters: tuple[EncounterFact, ...]) -> None:
    result = status(*encounters)
    assert result.category is StatusCategory.UNABLE_TO_DETERMINE
    assert result.needs_analyst
    assert not result.removable
    assert result.probable_cause is None


def test_encounters_after_as_of_are_ignored() -> None:
    result = status(
        enc(K.LPR_ADJUSTMENT, date(2005, 1, 1)),
        enc(K.FINAL_ORDER, date(2013, 1, 1)),
    )
    assert result.category is StatusCategory.LPR


def test_malformed_admitted_until_is_a_typed_error() -> None:
    bad = enc(K.ENTRY, date(2011, 1, 1), **{"class": "B2", "admitted_until": "July 2011"})
    with pytest.raises(InvalidEncounterError, match="admitted_until") as caught:
        status(bad)
    assert caught.value.field_name == "admitted_until"


def test_every_category_is_reachable() -> None:
    # A guard for the list above: adding a category without a test fails here.
    reached = {
        status(enc(K.NATURALISATION, date(2001, 1, 1))).category,
        status(enc(K.DERIVED_CITIZENSHIP, date(2001, 1, 1))).category,
        status(enc(K.ENTRY, date(2001, 1, 1), **{"class": "USC"})).category,
        status(enc(K.LPR_ADJUSTMENT, date(2001, 1, 1))).category,
        status(enc(K.ASYLUM_GRANT, date(2001, 1, 1))).category,
        status(
            enc(K.ENTRY, date(2001, 1, 1), **{"class": "B2", "admitted_until": "2001-02-01"})
        ).category,
        status(enc(K.BORDER_APPREHENSION, date(2001, 1, 1))).category,
        status(enc(K.REMOVAL, date(2001, 1, 1))).category,
        status(enc(K.FINAL_ORDER, date(2001, 1, 1))).category,
        status(enc(K.NTA_ISSUED, date(2001, 1, 1))).category,
        status().category,
    }
    assert reached == set(StatusCategory)


def test_trace_names_rule_and_inputs() -> None:
    decision = determine_status(
        encounters=[enc(K.BORDER_APPREHENSION, date(2009, 3, 1))],
        history=NO_HISTORY,
        as_of=AS_OF,
    )
    trace = decision.traces[0]
    assert trace.rule == "status.ewi"
    assert trace.outcome == StatusCategory.ENTERED_WITHOUT_INSPECTION.value
    assert trace.inputs["as_of"] == "2012-06-01"
    assert decision.to_json()[0]["rule"] == "status.ewi"
