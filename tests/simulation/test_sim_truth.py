"""Ground truth agrees with the records the system sees."""

from __future__ import annotations

from datetime import date

import pytest

from securecomm.domain import Disposition, EncounterKind, StatusCategory
from securecomm.simulation import PersonKind, World
from securecomm.simulation._offences import BY_CODE, is_aggravated, makes_deportable
from securecomm.simulation.world import ImmigrationRecordSpec, PersonTruth

K = EncounterKind


def _records(world: World) -> dict[int, ImmigrationRecordSpec]:
    return {record.person_id: record for record in world.immigration_records}


def _of_kind(world: World, kind: PersonKind) -> list[PersonTruth]:
    found = [truth for truth in world.truth.persons.values() if truth.kind == kind]
    assert found, kind
    return found


def _kinds(world: World, person_id: int) -> list[EncounterKind]:
    return [encounter.kind for encounter in _records(world)[person_id].encounters]


def test_immigration_records_match_the_truth_flags(world: World) -> None:
    records = _records(world)
    assert len(records) == len(world.immigration_records)
    for truth in world.truth.persons.values():
        assert truth.in_immigration_repository == (truth.person_id in records)
        if truth.person_id in records:
            assert truth.fin == records[truth.person_id].fin
        else:
            assert truth.fin is None
    fins = [record.fin for record in world.immigration_records]
    assert len(set(fins)) == len(fins)


def test_every_encounter_is_dated_before_the_start_and_in_order(world: World) -> None:
    for record in world.immigration_records:
        days = [encounter.day for encounter in record.encounters]
        assert days == sorted(days)
        assert days[-1] < world.start
        assert all(value for value in record.encounters[0].detail.values())
        assert days[0] > record.subject.dob


def test_citizens_by_birth_have_no_immigration_record(world: World) -> None:
    for truth in _of_kind(world, PersonKind.US_BORN):
        assert truth.true_status is StatusCategory.CITIZEN_BY_BIRTH
        assert truth.citizen
        assert not truth.removable
        assert not truth.in_immigration_repository


def test_naturalised_citizens_keep_entry_adjustment_and_naturalisation(world: World) -> None:
    for truth in _of_kind(world, PersonKind.NATURALISED):
        kinds = _kinds(world, truth.person_id)
        assert truth.citizen
        assert truth.true_status is StatusCategory.CITIZEN_BY_NATURALISATION
        assert kinds[-1] is K.NATURALISATION
        assert kinds.index(K.ENTRY) < kinds.index(K.LPR_ADJUSTMENT) < kinds.index(K.NATURALISATION)


def test_derived_citizens_entered_as_children(world: World) -> None:
    for truth in _of_kind(world, PersonKind.DERIVED):
        record = _records(world)[truth.person_id]
        entry = next(e for e in record.encounters if e.kind is K.ENTRY)
        derived = next(e for e in record.encounters if e.kind is K.DERIVED_CITIZENSHIP)
        assert truth.true_status is StatusCategory.CITIZEN_BY_DERIVATION
        assert K.LPR_ADJUSTMENT in _kinds(world, truth.person_id)
        assert _age(record.subject.dob, entry.day) < 18
        assert _age(record.subject.dob, derived.day) < 18


def test_permanent_residents_adjusted_and_never_naturalised(world: World) -> None:
    for truth in _of_kind(world, PersonKind.LPR):
        kinds = _kinds(world, truth.person_id)
        assert truth.true_status is StatusCategory.LPR
        assert not truth.citizen
        assert K.LPR_ADJUSTMENT in kinds
        assert K.NATURALISATION not in kinds


def test_other_lawful_status_lasts_past_the_end(world: World) -> None:
    lawful = {K.ASYLUM_GRANT, K.REFUGEE_ADMISSION, K.TPS_GRANT, K.PAROLE, K.ENTRY}
    for truth in _of_kind(world, PersonKind.OTHER_LAWFUL):
        record = _records(world)[truth.person_id]
        basis = [e for e in record.encounters if e.kind in lawful]
        assert basis
        until = basis[-1].detail.get("admitted_until")
        if until is not None:
            assert date.fromisoformat(until) > world.end


def test_overstays_admission_ended_before_the_start(world: World) -> None:
    for truth in _of_kind(world, PersonKind.OVERSTAY):
        record = _records(world)[truth.person_id]
        entry = next(e for e in record.encounters if e.kind is K.ENTRY)
        assert date.fromisoformat(entry.detail["admitted_until"]) < world.start
        assert truth.removable


def test_entrants_without_inspection_have_at_most_a_voluntary_return(world: World) -> None:
    ewis = _of_kind(world, PersonKind.EWI)
    for truth in ewis:
        if truth.in_immigration_repository:
            assert set(_kinds(world, truth.person_id)) <= {
                K.BORDER_APPREHENSION,
                K.VOLUNTARY_RETURN,
            }
        assert truth.removable


def test_enforcement_histories_match_their_status(world: World) -> None:
    for truth in _of_kind(world, PersonKind.REMOVED_REENTERED):
        assert _kinds(world, truth.person_id)[-1] is K.REMOVAL
    for truth in _of_kind(world, PersonKind.FINAL_ORDER):
        kinds = _kinds(world, truth.person_id)
        assert K.FINAL_ORDER in kinds
        assert K.REMOVAL not in kinds
    for truth in _of_kind(world, PersonKind.IN_PROCEEDINGS):
        kinds = _kinds(world, truth.person_id)
        assert K.NTA_ISSUED in kinds
        assert K.FINAL_ORDER not in kinds


def test_insufficient_records_hold_only_a_visa(world: World) -> None:
    for truth in _of_kind(world, PersonKind.INSUFFICIENT_RECORD):
        assert _kinds(world, truth.person_id) == [K.VISA_ISSUANCE]
        assert truth.true_status is StatusCategory.UNABLE_TO_DETERMINE


def test_criminal_records_hold_only_history_disposed_before_the_start(world: World) -> None:
    assert world.criminal_records
    for record in world.criminal_records:
        truth = world.truth.persons[record.person_id]
        assert truth.in_criminal_repository_at_start
        assert record.history.charges
        for charge in record.history.charges:
            assert charge.disposition_date is not None
            assert charge.arrest_date <= charge.disposition_date < world.start
    flagged = {p for p, t in world.truth.persons.items() if t.in_criminal_repository_at_start}
    assert flagged == {record.person_id for record in world.criminal_records}
    fbi = [record.fbi_number for record in world.criminal_records]
    assert len(set(fbi)) == len(fbi)
    assert all(len(number) == 9 for number in fbi)


def test_nobody_lawful_or_citizen_is_ordered_removed(world: World) -> None:
    for truth in world.truth.persons.values():
        if truth.citizen or not truth.removable:
            assert not truth.court_outcome.is_removal
    outcomes = {t.court_outcome for t in world.truth.persons.values() if not t.citizen}
    assert len(outcomes) >= 3


def test_the_criminal_repository_and_bookings_describe_the_same_dob(world: World) -> None:
    subjects = {record.person_id: record.subject for record in world.criminal_records}
    for booking in world.bookings:
        person = world.truth.booking_person[booking.tcn]
        if person in subjects:
            assert subjects[person].dob == booking.subject.dob


def _age(dob: date, day: date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def test_lawful_residents_are_removable_exactly_when_convicted_of_a_deportable_offence(
    world: World,
) -> None:
    convicted: dict[int, set[tuple[str, int | None]]] = {}
    for record in world.criminal_records:
        convicted[record.person_id] = {
            (c.ncic_code, c.sentence_days) for c in record.history.charges if c.convicted
        }
    bookings = {booking.tcn: booking for booking in world.bookings}
    for disposition in world.dispositions:
        person = world.truth.booking_person[disposition.tcn]
        codes = convicted.setdefault(person, set())
        for outcome in disposition.outcomes:
            if outcome.disposition is Disposition.CONVICTED:
                code = bookings[disposition.tcn].charges[outcome.index].ncic_code
                codes.add((code, outcome.sentence_days))
    lawful = [
        truth
        for truth in world.truth.persons.values()
        if truth.kind in (PersonKind.LPR, PersonKind.OTHER_LAWFUL)
    ]
    for truth in lawful:
        expected = any(
            BY_CODE[code].deportable or is_aggravated(BY_CODE[code], sentence)
            for code, sentence in convicted.get(truth.person_id, ())
        )
        assert truth.removable == expected
    assert any(truth.removable for truth in lawful)
    assert any(not truth.removable for truth in lawful)


def test_deportability_is_data_for_every_offence_and_unknown_codes_are_refused() -> None:
    assert makes_deportable("3532")
    assert not makes_deportable("5499")
    assert not makes_deportable("2303", 180)
    assert makes_deportable("2303", 365)  # a theft offence with a one-year term
    with pytest.raises(KeyError, match="0100"):
        makes_deportable("0100")
