"""Scoring a run against ground truth.

Two questions: did the system identify the right people (missed and wrong
identifications, citizens flagged, status determinations that disagree with the
truth), and does every published statistic equal the count computed directly from
ground truth? The expected statistics are computed here from the synthetic persons'
true identities, true records and true court outcomes, walking the events in the order
the system receives them and applying the rule oracle (``simulation/oracle.py``), a
plain second statement of the rules that shares no code with ``status``, ``priority`` or
``detainers``; the flow's decisions are then compared with the oracle's person by
person, so a wrong rule shows up as well as a wrong count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from securecomm.cases import logistics
from securecomm.cases.models import Case, Detainer
from securecomm.domain import ChargeFact, Disposition, EncounterFact
from securecomm.interop import rules as interop_rules
from securecomm.interop.models import Transaction
from securecomm.oversight.statistics import Counts, JurisdictionRow, Statistics, assemble
from securecomm.repositories.models import CriminalSubject
from securecomm.simulation import oracle
from securecomm.simulation.runner import SubjectLinks, utc
from securecomm.simulation.world import (
    BookingEvent,
    DispositionEvent,
    JurisdictionSpec,
    PersonKind,
    ReleaseEvent,
    World,
)


@dataclass
class PersonState:
    kind: PersonKind
    known_to_criminal_repository: bool
    charges: list[ChargeFact]
    encounters: tuple[EncounterFact, ...] | None


@dataclass
class _OpenDetainer:
    decision: oracle.Expected
    person: int
    jurisdiction: JurisdictionSpec


@dataclass(frozen=True)
class ExpectedRelease:
    answer: str  # the holding agency's answer to the detainer
    custody_at: datetime | None  # when ICE assumes custody (None: it never does)
    level: str | None  # conviction level at custody


@dataclass
class Expectation:
    statistics: Statistics
    known_before: dict[str, bool] = field(default_factory=dict)  # tcn -> person already enrolled
    decisions: dict[str, oracle.Expected] = field(default_factory=dict)  # tcn -> oracle's view
    releases: dict[str, ExpectedRelease] = field(default_factory=dict)


def expected_statistics(world: World, links: SubjectLinks) -> Expectation:
    """The statistics as they must come out if every identification is right."""
    jurisdictions = {j.code: j for j in world.jurisdictions}
    rows = {
        j.code: JurisdictionRow(j.code, j.name, j.state, j.activation_date)
        for j in world.jurisdictions
    }
    people = initial_person_states(world)
    open_detainers: dict[str, _OpenDetainer] = {}
    capacity = logistics.MemoryCapacity()  # seats and beds taken, as the field office sees them
    expectation = Expectation(statistics=assemble([]))
    for event in world.events:
        if event.tcn in links.invalid_tcns:
            continue
        person_id = world.truth.booking_person[event.tcn]
        person = people[person_id]
        if isinstance(event, BookingEvent):
            expectation.known_before[event.tcn] = person.known_to_criminal_repository
            person.known_to_criminal_repository = True
            jurisdiction = jurisdictions[event.jurisdiction_code]
            expected = _book(event, person, jurisdiction, rows[jurisdiction.code].counts)
            if expected is not None:
                expectation.decisions[event.tcn] = expected
                if expected.lodge:
                    open_detainers[event.tcn] = _OpenDetainer(expected, person_id, jurisdiction)
            continue
        if isinstance(event, DispositionEvent):
            apply_disposition(event, person)
        released_at = released_by(event)
        lodged = open_detainers.pop(event.tcn, None) if released_at is not None else None
        if lodged is not None and released_at is not None:
            counts = rows[lodged.jurisdiction.code].counts
            release = _release(released_at, lodged, people, world, counts, capacity)
            expectation.releases[event.tcn] = release
    expectation.statistics = assemble(rows.values())
    return expectation


def released_by(event: ReleaseEvent | DispositionEvent) -> datetime | None:
    """When the event lets the person out of local custody (None: it does not)."""
    return event.at if isinstance(event, ReleaseEvent) else event.release_at


def initial_person_states(world: World) -> dict[int, PersonState]:
    criminal = {r.person_id: list(r.history.charges) for r in world.criminal_records}
    immigration = {r.person_id: r.encounters for r in world.immigration_records}
    return {
        person_id: PersonState(
            kind=PersonKind(truth.kind),
            known_to_criminal_repository=person_id in criminal,
            charges=criminal.get(person_id, []),
            encounters=immigration.get(person_id),
        )
        for person_id, truth in world.truth.persons.items()
    }


def sharing_on(jurisdiction: JurisdictionSpec, at: datetime) -> bool:
    return interop_rules.sharing_active(
        jurisdiction=jurisdiction.code,
        activation_date=jurisdiction.activation_date,
        suspensions=[
            interop_rules.SuspensionPeriod(s.start, s.end, s.reason, s.stops_sharing)
            for s in jurisdiction.suspensions
        ],
        on=at.date(),
    ).value


def _book(
    event: BookingEvent, person: PersonState, jurisdiction: JurisdictionSpec, counts: Counts
) -> oracle.Expected | None:
    booked_on = event.at.date()
    add_booking_charges(event, person)
    searched = sharing_on(jurisdiction, event.at)
    matched = searched and person.encounters is not None
    level = oracle.match_level(person.charges, booked_on) if matched else None
    counts.count_booking(searched=searched, match_level=None if level is None else f"level_{level}")
    if not matched or person.encounters is None:
        return None
    expected = oracle.expect(
        kind=person.kind,
        charges=person.charges,
        encounters=person.encounters,
        day=booked_on,
        policy=jurisdiction.detainer_policy.value,
    )
    if expected.lodge:
        counts.detainers += 1
    return expected


def add_booking_charges(event: BookingEvent, person: PersonState) -> None:
    """The booking's charges join the person's history, pending until disposed of."""
    person.charges.extend(
        ChargeFact(
            ncic_code=c.ncic_code,
            description=c.description,
            arrest_date=event.at.date(),
            incident_id=event.tcn,
            max_term_days=c.max_term_days,
        )
        for c in event.charges
    )


def apply_disposition(event: DispositionEvent, person: PersonState) -> None:
    positions = [i for i, charge in enumerate(person.charges) if charge.incident_id == event.tcn]
    for outcome in event.outcomes:
        index = positions[outcome.index]
        charge = person.charges[index]
        convicted = outcome.disposition is Disposition.CONVICTED
        person.charges[index] = ChargeFact(
            ncic_code=charge.ncic_code,
            description=charge.description,
            arrest_date=charge.arrest_date,
            incident_id=charge.incident_id,
            max_term_days=charge.max_term_days,
            disposition=outcome.disposition,
            disposition_date=event.at.date(),
            sentence_days=outcome.sentence_days if convicted else None,
        )


def _release(
    released_at: datetime,
    lodged: _OpenDetainer,
    people: dict[int, PersonState],
    world: World,
    counts: Counts,
    capacity: logistics.MemoryCapacity,
) -> ExpectedRelease:
    decision = lodged.decision
    answer = oracle.lea_answer(
        lodged.jurisdiction.detainer_policy.value,
        requests_hold=decision.requests_hold,
        warrant=decision.warrant,
    )
    if answer != "honoured":
        counts.count_detainer_outcome(answer)
        return ExpectedRelease(answer, None, None)
    state = lodged.jurisdiction.state
    plan = logistics.plan_custody(
        state=state,
        release_at=utc(released_at),
        view=capacity,
        requests_hold=decision.requests_hold,
        rank=decision.rank,
    ).value
    if plan.pickup_at is None:  # no seat and bed in time (or ICE not at the release)
        outcome = "lapsed" if decision.requests_hold else answer
        counts.count_detainer_outcome(outcome)
        return ExpectedRelease(outcome, None, None)
    counts.count_detainer_outcome(answer)
    capacity.book(state, plan)
    custody_at = plan.pickup_at
    level = oracle.conviction_level(people[lodged.person].charges, custody_at.date())
    counts.count_custody(level)
    if world.truth.persons[lodged.person].court_outcome.is_removal:
        counts.count_removal(level)
    return ExpectedRelease(answer, custody_at, level)


@dataclass
class Accuracy:
    criminal_searches: int = 0
    immigration_searches: int = 0
    missed_identifications: int = 0
    wrong_identifications: int = 0
    citizens_flagged: int = 0
    status_mismatches: int = 0
    examples: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        if len(self.examples) < 20:
            self.examples.append(text)


def score_identifications(
    session: Session, world: World, links: SubjectLinks, expectation: Expectation
) -> Accuracy:
    accuracy = Accuracy()
    enrolled_by: dict[int, str | None] = dict(
        session.execute(select(CriminalSubject.id, CriminalSubject.enrolled_by_tcn)).all()
    )
    detained = set(
        session.scalars(select(Case.transaction_id).join(Detainer, Detainer.case_id == Case.id))
    )
    in_immigration_repository = set(links.immigration.values())
    for transaction in session.scalars(select(Transaction).order_by(Transaction.id)):
        person_id = world.truth.booking_person[transaction.tcn]
        truth = world.truth.persons[person_id]
        _score_criminal(accuracy, transaction, person_id, links, enrolled_by, world, expectation)
        _score_immigration(
            accuracy, transaction, person_id, links, person_id in in_immigration_repository
        )
        if truth.citizen and (
            transaction.id in detained
            or (
                transaction.status_category is not None
                and not _is_citizen_status(transaction.status_category)
            )
        ):
            accuracy.citizens_flagged += 1
            accuracy.note(f"{transaction.tcn}: citizen {person_id} flagged")
        matched_right = (
            transaction.immigration_subject_id is not None
            and links.immigration.get(transaction.immigration_subject_id) == person_id
        )
        if matched_right and transaction.status_category != truth.true_status:
            accuracy.status_mismatches += 1
            accuracy.note(
                f"{transaction.tcn}: status {transaction.status_category}, "
                f"truth {truth.true_status}"
            )
    return accuracy


def _is_citizen_status(category: str) -> bool:
    return category.startswith("citizen")


def _score_criminal(
    accuracy: Accuracy,
    transaction: Transaction,
    person_id: int,
    links: SubjectLinks,
    enrolled_by: dict[int, str | None],
    world: World,
    expectation: Expectation,
) -> None:
    accuracy.criminal_searches += 1
    subject = transaction.criminal_subject_id
    if subject is None:
        return
    known_before = expectation.known_before.get(transaction.tcn, False)
    if transaction.criminal_identified:
        matched_person = links.criminal.get(subject)
        if matched_person is None:
            tcn = enrolled_by.get(subject)
            matched_person = world.truth.booking_person.get(tcn) if tcn else None
        if matched_person != person_id:
            accuracy.wrong_identifications += 1
            accuracy.note(f"{transaction.tcn}: criminal match to person {matched_person}")
    elif known_before:
        accuracy.missed_identifications += 1
        accuracy.note(f"{transaction.tcn}: person {person_id} not found in criminal repository")


def _score_immigration(
    accuracy: Accuracy,
    transaction: Transaction,
    person_id: int,
    links: SubjectLinks,
    in_repository: bool,
) -> None:
    if not transaction.immigration_searched:
        return
    accuracy.immigration_searches += 1
    if transaction.immigration_subject_id is not None:
        if links.immigration.get(transaction.immigration_subject_id) != person_id:
            accuracy.wrong_identifications += 1
            accuracy.note(f"{transaction.tcn}: immigration match to the wrong person")
    elif in_repository:
        accuracy.missed_identifications += 1
        accuracy.note(f"{transaction.tcn}: person {person_id} not found in immigration repository")


def mismatched_cells(actual: Statistics, expected: Statistics) -> list[str]:
    got, want = actual.cells(), expected.cells()
    return sorted(
        f"{name}: {got.get(name, 0)} != {want.get(name, 0)}"
        for name in set(got) | set(want)
        if got.get(name, 0) != want.get(name, 0)
    )


def summarise(cells: Sequence[str], limit: int = 10) -> str:
    return "; ".join(cells[:limit]) + (" ..." if len(cells) > limit else "")
