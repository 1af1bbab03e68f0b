"""Random histories and dates across all four policy eras: the production rules
(``status``, ``priority``, ``detainers``) and the plain rule oracle must agree on status,
removability, every priority category and its rank, the form, the hold and the warrant.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from securecomm.detainers.rules import decide_detainer
from securecomm.domain import (
    ChargeFact,
    CriminalHistoryFact,
    DetainerPolicy,
    Disposition,
    EncounterFact,
    EncounterKind,
)
from securecomm.priority.rules import assess_priority
from securecomm.simulation import oracle
from securecomm.simulation._offences import OFFENCES
from securecomm.simulation.world import PersonKind
from securecomm.status.rules import determine_status

K = EncounterKind
# Each era (and the EO window before the I-247A) drawn as often as the others.
ERAS = (
    (date(2008, 10, 27), date(2010, 6, 29)),
    (date(2010, 6, 30), date(2014, 11, 19)),
    (date(2014, 11, 20), date(2015, 6, 30)),
    (date(2015, 7, 1), date(2017, 1, 24)),
    (date(2017, 1, 25), date(2017, 4, 1)),
    (date(2017, 4, 2), date(2019, 12, 31)),
)
# Custodial sentences at and around every line the rules draw (PEP 90 days, a year).
SENTENCES = st.sampled_from([0, 1, 30, 89, 90, 91, 180, 364, 365, 366, 730, 3650]) | st.integers(
    0, 3650
)


def _encounters(kind: PersonKind, start: date) -> list[EncounterFact]:
    """Encounters that establish ``kind`` (the way the immigration repository holds them)."""
    entry_lpr = EncounterFact(K.ENTRY, start, {"class": "LPR"})
    visitor = EncounterFact(
        K.ENTRY, start, {"class": "B2", "admitted_until": (start + timedelta(180)).isoformat()}
    )
    caught = EncounterFact(K.BORDER_APPREHENSION, start)
    later = start + timedelta(days=200)
    return {
        PersonKind.NATURALISED: [entry_lpr, EncounterFact(K.NATURALISATION, later)],
        PersonKind.DERIVED: [entry_lpr, EncounterFact(K.DERIVED_CITIZENSHIP, later)],
        PersonKind.LPR: [entry_lpr],
        PersonKind.OTHER_LAWFUL: [EncounterFact(K.ASYLUM_GRANT, start)],
        PersonKind.OVERSTAY: [visitor],
        PersonKind.EWI: [caught],
        PersonKind.REMOVED_REENTERED: [caught, EncounterFact(K.REMOVAL, later)],
        PersonKind.FINAL_ORDER: [
            caught,
            EncounterFact(K.NTA_ISSUED, start + timedelta(30)),
            EncounterFact(K.FINAL_ORDER, later),
        ],
        PersonKind.IN_PROCEEDINGS: [visitor, EncounterFact(K.NTA_ISSUED, later)],
        PersonKind.INSUFFICIENT_RECORD: [],
    }[kind]


@st.composite
def histories(draw: st.DrawFn) -> tuple[PersonKind, list[EncounterFact], list[ChargeFact], date]:
    first, last = draw(st.sampled_from(ERAS))
    day = draw(st.dates(first, last))
    kinds = [kind for kind in PersonKind if kind not in (PersonKind.US_BORN,)]
    kind = draw(st.sampled_from(kinds))
    start = day - timedelta(days=draw(st.integers(400, 6000)))
    encounters = list(_encounters(kind, start))
    recorded = kind is not PersonKind.INSUFFICIENT_RECORD  # no record at all, by definition
    if recorded and draw(st.booleans()):
        back = draw(st.integers(0, 30))  # a border apprehension days before (PEP 1(b))
        encounters.append(EncounterFact(K.BORDER_APPREHENSION, day - timedelta(days=back)))
    for key in ("visa_abuse", "chargeable_conduct", "officer_risk_finding"):
        if recorded and draw(st.integers(0, 9)) == 0:
            encounters.append(EncounterFact(K.INTERIOR_APPREHENSION, start, {key: "true"}))
    charges = []
    for number in range(draw(st.integers(0, 5))):
        offence = draw(st.sampled_from(OFFENCES))
        arrested = day - timedelta(days=draw(st.integers(0, 4000)))
        disposition = draw(st.sampled_from(list(Disposition)))
        disposed = arrested + timedelta(days=draw(st.integers(1, 400)))
        sentence = None
        if disposition is Disposition.CONVICTED:
            sentence = min(draw(SENTENCES), offence.max_term_days)
        charges.append(
            ChargeFact(
                offence.ncic_code,
                offence.description,
                arrested,
                f"I{draw(st.integers(0, 3))}-{number % 2}",  # shared incidents happen
                offence.max_term_days,
                disposition,
                None if disposition is Disposition.PENDING else disposed,
                sentence,
            )
        )
    return kind, encounters, charges, day


@settings(max_examples=1500, deadline=None)
@given(histories(), st.sampled_from(list(DetainerPolicy)))
def test_production_rules_agree_with_the_oracle(
    case: tuple[PersonKind, list[EncounterFact], list[ChargeFact], date],
    policy: DetainerPolicy,
) -> None:
    kind, encounters, charges, day = case
    history = CriminalHistoryFact(tuple(charges)).as_of(day)
    status = determine_status(encounters=encounters, history=history, as_of=day).value
    want = oracle.expect(
        kind=kind, charges=charges, encounters=encounters, day=day, policy=policy.value
    )
    assert status.category is want.status
    assert status.removable == want.removable, want.reasons
    assert status.probable_cause == want.probable_cause
    priority = assess_priority(
        history=history, status=status, encounters=encounters, as_of=day
    ).value
    assert priority.scheme_id == want.scheme
    assert set(priority.categories) == set(want.categories), want.reasons
    assert priority.rank == want.rank
    detainer = decide_detainer(status=status, priority=priority, on=day, policy=policy).value
    assert detainer.lodge == want.lodge, (detainer.reason, want.reasons)
    assert (str(detainer.form) if detainer.form else None) == want.form, want.reasons
    assert detainer.requests_hold == want.requests_hold, (detainer.reason, want.reasons)
    assert detainer.warrant == want.warrant
