"""The same synthetic booking stream under each priority scheme, side by side.

Every booking that matches an immigration record goes through the product's own status
rule (``status.rules.determine_status``) and priority rule (``priority.rules
.assess_priority``, which states the categories every scheme in the book would give the
same facts). A scheme "lodges" where the person is removable, the status states probable
cause and the scheme gives a category; the critics' "serious offenders only" scheme
lodges only on a Level 1 conviction. The jail answers by its standing policy; a person
it hands over is held until the first hearing (``cases.logistics.DAYS_TO_HEARING``) and
removed where the simulated court would order it. Capacity is not limited here: the
beds are what the scheme would need.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from securecomm.cases.logistics import DAYS_TO_HEARING
from securecomm.domain import ConvictionLevel, CriminalHistoryFact, MatchLevel, StatusCategory
from securecomm.priority.catalogue import OffenceFlag, classify_charge_code
from securecomm.priority.rules import assess_priority
from securecomm.priority.rules import conviction_level as product_conviction_level
from securecomm.priority.rules import match_level as product_match_level
from securecomm.simulation import oracle, scoring
from securecomm.simulation.world import BookingEvent, DispositionEvent, World
from securecomm.status.rules import determine_status

SERIOUS_ONLY = "serious_only"
SCHEMES: dict[str, str] = {
    "sc2008": "2008 Secure Communities levels",
    "morton2010": "2010 Morton memo",
    "pep2014": "2014 Priority Enforcement Program",
    "eo13768": "2017 Executive Order 13768",
    SERIOUS_ONLY: "Serious offenders only (critics)",
}
LEVELS = tuple(level.value for level in ConvictionLevel)
SERIOUS_MATCH_LEVELS = frozenset({MatchLevel.LEVEL_1, MatchLevel.LEVEL_2})


@dataclass
class PolicyOutcome:
    scheme: str
    label: str
    detainers: Counter[str] = field(default_factory=Counter)  # by conviction level at booking
    removals: Counter[str] = field(default_factory=Counter)  # by conviction level at custody
    custody: int = 0
    citizens_affected: int = 0  # detainers on anyone who is in truth a citizen
    minor_offenders: int = 0  # detainers on people with no Level 1 or 2 conviction or charge
    traffic_only: int = 0  # detainers after an arrest for minor traffic offences only
    bed_days: int = 0
    peak_beds: int = 0
    average_beds: float = 0.0

    @property
    def detainers_total(self) -> int:
        return sum(self.detainers.values())

    @property
    def removals_total(self) -> int:
        return sum(self.removals.values())

    def as_row(self) -> dict[str, object]:
        return {
            "scheme": self.scheme,
            "label": self.label,
            "detainers": self.detainers_total,
            **{f"detainers_{level}": self.detainers[level] for level in LEVELS},
            "custody": self.custody,
            "removals": self.removals_total,
            **{f"removals_{level}": self.removals[level] for level in LEVELS},
            "citizens_affected": self.citizens_affected,
            "minor_offenders": self.minor_offenders,
            "traffic_only": self.traffic_only,
            "bed_days": self.bed_days,
            "peak_beds": self.peak_beds,
            "average_beds": round(self.average_beds, 2),
        }


@dataclass
class Comparison:
    matched_bookings: int
    outcomes: list[PolicyOutcome]


@dataclass(frozen=True)
class _Lodged:
    scheme: str
    person_id: int
    policy: str


def compare_policies(world: World) -> Comparison:
    outcomes = {scheme: PolicyOutcome(scheme, label) for scheme, label in SCHEMES.items()}
    people = scoring.initial_person_states(world)
    jurisdictions = {j.code: j for j in world.jurisdictions}
    waiting: dict[str, list[_Lodged]] = {}
    stays: dict[str, list[tuple[date, date]]] = {scheme: [] for scheme in SCHEMES}
    matched = 0
    for event in world.events:
        person_id = world.truth.booking_person[event.tcn]
        person = people[person_id]
        if isinstance(event, BookingEvent):
            scoring.add_booking_charges(event, person)
            jurisdiction = jurisdictions[event.jurisdiction_code]
            if person.encounters is None or not scoring.sharing_on(jurisdiction, event.at):
                continue
            matched += 1
            schemes = _lodging_schemes(person, event)
            if schemes:
                level = product_conviction_level(
                    CriminalHistoryFact(tuple(person.charges)), as_of=event.at.date()
                ).value
                minor, traffic = _minor(person, event, level)
                for scheme in schemes:
                    outcome = outcomes[scheme]
                    outcome.detainers[level.value] += 1
                    outcome.citizens_affected += world.truth.persons[person_id].citizen
                    outcome.minor_offenders += minor
                    outcome.traffic_only += traffic
                policy = jurisdiction.detainer_policy.value
                waiting[event.tcn] = [_Lodged(s, person_id, policy) for s in schemes]
            continue
        if isinstance(event, DispositionEvent):
            scoring.apply_disposition(event, person)
        released_at = scoring.released_by(event)
        if released_at is None:
            continue
        for lodged in waiting.pop(event.tcn, []):
            released = released_at.date()
            warrant = "I-200" if released >= oracle.I247A_FROM else None
            if oracle.lea_answer(lodged.policy, requests_hold=True, warrant=warrant) != "honoured":
                continue
            outcome = outcomes[lodged.scheme]
            outcome.custody += 1
            stays[lodged.scheme].append((released, released + timedelta(days=DAYS_TO_HEARING)))
            if world.truth.persons[lodged.person_id].court_outcome.is_removal:
                history = CriminalHistoryFact(tuple(person.charges))
                level = product_conviction_level(history, as_of=released).value
                outcome.removals[level.value] += 1
    days = max(1, (world.end - world.start).days + 1)
    for scheme, outcome in outcomes.items():
        outcome.bed_days = sum((end - start).days for start, end in stays[scheme])
        outcome.average_beds = outcome.bed_days / days
        outcome.peak_beds = _peak(stays[scheme])
    return Comparison(matched, list(outcomes.values()))


def _lodging_schemes(person: scoring.PersonState, event: BookingEvent) -> list[str]:
    """The schemes that would lodge a detainer on this booking, by the product's rules."""
    assert person.encounters is not None
    day = event.at.date()
    history = CriminalHistoryFact(tuple(person.charges))
    status = determine_status(encounters=person.encounters, history=history, as_of=day).value
    if (
        status.category.is_citizen
        or status.category is StatusCategory.UNABLE_TO_DETERMINE
        or not status.removable
        or status.probable_cause is None
    ):
        return []
    assessment = assess_priority(
        history=history, status=status, encounters=person.encounters, as_of=day
    ).value
    lodging = [s for s in SCHEMES if s != SERIOUS_ONLY and assessment.categories_by_scheme.get(s)]
    if assessment.conviction_level is ConvictionLevel.LEVEL_1:
        lodging.append(SERIOUS_ONLY)
    return lodging


def _minor(
    person: scoring.PersonState, event: BookingEvent, level: ConvictionLevel
) -> tuple[int, int]:
    """(no Level 1 or 2 conviction (``level``, on the booking day) or charge, arrested for
    minor traffic offences only)."""
    day = event.at.date()
    this_arrest = CriminalHistoryFact(
        tuple(c for c in person.charges if c.incident_id == event.tcn)
    )
    serious_charge = product_match_level(this_arrest, as_of=day).value in SERIOUS_MATCH_LEVELS
    minor = level in (ConvictionLevel.LEVEL_3, ConvictionLevel.NON_CRIMINAL) and not serious_charge
    offences = [classify_charge_code(charge.ncic_code) for charge in event.charges]
    traffic = all(o is not None and o.has(OffenceFlag.MINOR_TRAFFIC) for o in offences)
    return int(minor), int(traffic and bool(offences))


def _peak(stays: list[tuple[date, date]]) -> int:
    changes = sorted([(start, 1) for start, _ in stays] + [(end, -1) for _, end in stays])
    peak = current = 0
    for _, step in changes:
        current += step
        peak = max(peak, current)
    return peak
