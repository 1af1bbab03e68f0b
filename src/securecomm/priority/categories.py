"""The categories of each scheme that a person falls in, with their reasons and ranks.

The facts are gathered once (charges as of the date, immigration status, encounters, the
two offence levels); then one function per scheme (2008 levels, Morton, PEP, EO 13768)
returns the categories that apply, most important first. :func:`.rules.assess_priority`
applies the scheme in force and records every scheme's categories beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from securecomm.domain import (
    ConvictionLevel,
    Disposition,
    EncounterFact,
    EncounterKind,
    MatchLevel,
    StatusCategory,
)
from securecomm.priority.catalogue import OffenceFlag
from securecomm.priority.charges import (
    LEVEL_NUMBERS,
    Charge,
    is_aggravated,
    is_felony,
)
from securecomm.priority.schemes import (
    EoParameters,
    MortonParameters,
    PepParameters,
    Sc2008Parameters,
    Scheme,
)
from securecomm.status.rules import StatusDetermination

_DEPARTURES = (EncounterKind.REMOVAL, EncounterKind.VOLUNTARY_RETURN)
_LAWFUL_ARRIVALS = (
    EncounterKind.ENTRY,
    EncounterKind.PAROLE,
    EncounterKind.REFUGEE_ADMISSION,
)
_FINDING_TRUE = "true"


# --- the person's current stay ----------------------------------------------------------


@dataclass(frozen=True)
class _Stay:
    started: date  # first sign of presence since the last departure (or the arrest itself)
    lawfully_admitted: bool


def _current_stay(encounters: Sequence[EncounterFact], as_of: date) -> _Stay:
    ordered = sorted((e for e in encounters if e.day <= as_of), key=lambda e: e.day)
    since_departure: list[EncounterFact] = []
    for encounter in ordered:
        if encounter.kind in _DEPARTURES:
            since_departure = []
        else:
            since_departure.append(encounter)
    present = [e for e in since_departure if e.kind is not EncounterKind.VISA_ISSUANCE]
    started = present[0].day if present else as_of
    lawful = any(e.kind in _LAWFUL_ARRIVALS for e in present)
    return _Stay(started, lawful)


def _has_finding(encounters: Sequence[EncounterFact], key: str, as_of: date) -> bool:
    return any(e.detail.get(key) == _FINDING_TRUE for e in encounters if e.day <= as_of)


# --- schemes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    charges: list[Charge]
    status: StatusDetermination
    encounters: Sequence[EncounterFact]
    as_of: date
    match_level: MatchLevel | None
    conviction_level: ConvictionLevel

    @property
    def convicted(self) -> list[Charge]:
        return [charge for charge in self.charges if charge.fact.convicted]

    @property
    def pending(self) -> list[Charge]:
        return [c for c in self.charges if c.fact.disposition is Disposition.PENDING]


# Each scheme returns the categories that apply, most important first, with reasons
# and their rank (1 is enforced first).
Matches = list[tuple[str, str, int]]


def _sc2008_categories(facts: Facts, scheme: Scheme) -> Matches:
    parameters = scheme.parameters
    assert isinstance(parameters, Sc2008Parameters)
    if facts.match_level is None:
        return []
    number = LEVEL_NUMBERS[facts.match_level]
    if number not in parameters.priority_levels:
        return []
    return [(f"SC Level {number}", "2008 level of the most serious charge", number)]


def _morton_categories(facts: Facts, scheme: Scheme) -> Matches:
    parameters = scheme.parameters
    assert isinstance(parameters, MortonParameters)
    ranks = parameters.ranks
    matches: Matches = []
    security = [c.label for c in facts.charges if c.has(OffenceFlag.NATIONAL_SECURITY)]
    if security:
        why = f"national security charge: {', '.join(security)}"
        matches.append(("Morton 1", why, ranks["national_security"]))
    if facts.conviction_level is not ConvictionLevel.NON_CRIMINAL:
        level = facts.conviction_level.value
        why = f"convicted criminal, {level} (Levels 1 and 2 first)"
        matches.append(("Morton 1", why, ranks[level]))
    stay = _current_stay(facts.encounters, facts.as_of)
    recent = facts.as_of - stay.started <= timedelta(days=parameters.recent_entry_days)
    unlawful_entry = facts.status.category in (
        StatusCategory.ENTERED_WITHOUT_INSPECTION,
        StatusCategory.REMOVED_AND_REENTERED,
    )
    if unlawful_entry and recent:
        why = f"recent unlawful entrant, present since {stay.started}"
        matches.append(("Morton 2", why, ranks["recent_entrant"]))
    if facts.status.category is StatusCategory.FINAL_ORDER:
        matches.append(("Morton 3", "fugitive: unexecuted final order", ranks["fugitive"]))
    if facts.status.category is StatusCategory.REMOVED_AND_REENTERED:
        matches.append(("Morton 3", "re-entered after removal", ranks["fugitive"]))
    return sorted(matches, key=lambda match: match[2])


def _labels(charges: Sequence[Charge]) -> str:
    return ", ".join(charge.label for charge in charges)


def _pep_categories(facts: Facts, scheme: Scheme) -> Matches:
    parameters = scheme.parameters
    assert isinstance(parameters, PepParameters)
    return (
        _pep_priority_1(facts, parameters)
        + _pep_priority_2(facts, parameters)
        + _pep_priority_3(facts, parameters)
    )


def _pep_priority_1(facts: Facts, parameters: PepParameters) -> Matches:
    matches: Matches = []
    convicted = facts.convicted
    security = [c for c in facts.charges if c.has(OffenceFlag.NATIONAL_SECURITY)]
    if security:
        matches.append(("PEP 1(a)", f"terrorism or espionage: {_labels(security)}", 1))
    window = timedelta(days=parameters.border_apprehension_window_days)
    border = [
        e
        for e in facts.encounters
        if e.kind is EncounterKind.BORDER_APPREHENSION
        and facts.as_of - window <= e.day <= facts.as_of
    ]
    if border:
        why = f"apprehended at the border on {max(e.day for e in border)}"
        matches.append(("PEP 1(b)", why, 1))
    gang = [c for c in convicted if c.has(OffenceFlag.GANG)]
    if gang:
        matches.append(("PEP 1(c)", f"gang offence conviction: {_labels(gang)}", 1))
    felonies = [c for c in convicted if is_felony(c.fact) and not c.has(OffenceFlag.STATUS_OFFENCE)]
    if felonies:
        matches.append(("PEP 1(d)", f"felony, not a status offence: {_labels(felonies)}", 1))
    aggravated = [c for c in convicted if is_aggravated(c)]
    if aggravated:
        matches.append(("PEP 1(e)", f"aggravated felony conviction: {_labels(aggravated)}", 1))
    return matches


def _pep_priority_2(facts: Facts, parameters: PepParameters) -> Matches:
    matches: Matches = []
    misdemeanours = [c for c in facts.convicted if not is_felony(c.fact)]
    countable = [
        c
        for c in misdemeanours
        if not c.has(OffenceFlag.MINOR_TRAFFIC) and not c.has(OffenceFlag.STATUS_OFFENCE)
    ]
    incidents = sorted({c.fact.incident_id for c in countable})
    if len(incidents) >= parameters.min_separate_misdemeanours:
        matches.append(("PEP 2(a)", f"misdemeanours from separate incidents: {incidents}", 2))
    significant = [
        c
        for c in misdemeanours
        if c.has(OffenceFlag.SIGNIFICANT_MISDEMEANOUR)
        or (c.fact.sentence_days or 0) >= parameters.significant_sentence_days
    ]
    if significant:
        matches.append(("PEP 2(b)", f"significant misdemeanour: {_labels(significant)}", 2))
    stay = _current_stay(facts.encounters, facts.as_of)
    # 2(c) is about unlawful entrants: a lawful resident removable on criminal grounds
    # (an asylee, say, whose grant is no "admission") is not one.
    out_of_status = facts.status.category not in (StatusCategory.LPR, StatusCategory.OTHER_LAWFUL)
    unlawfully_present = facts.status.removable and out_of_status and not stay.lawfully_admitted
    if unlawfully_present and stay.started >= parameters.entry_cutoff:
        why = f"no lawful admission; presence shown from {stay.started}"
        matches.append(("PEP 2(c)", why, 2))
    if _has_finding(facts.encounters, parameters.visa_abuse_detail, facts.as_of):
        matches.append(("PEP 2(d)", "visa abuse finding on record", 2))
    return matches


def _pep_priority_3(facts: Facts, parameters: PepParameters) -> Matches:
    orders = [
        e
        for e in facts.encounters
        if e.kind is EncounterKind.FINAL_ORDER
        and parameters.final_order_cutoff <= e.day <= facts.as_of
    ]
    if orders:
        return [("PEP 3", f"final order issued on {max(e.day for e in orders)}", 3)]
    return []


def _eo_categories(facts: Facts, scheme: Scheme) -> Matches:
    parameters = scheme.parameters
    assert isinstance(parameters, EoParameters)
    findings: Mapping[str, str] = parameters.finding_details
    matches: Matches = []
    if facts.convicted:
        matches.append(("EO 13768 5(a)", f"{len(facts.convicted)} conviction(s)", 1))
    if facts.pending:
        matches.append(("EO 13768 5(b)", f"{len(facts.pending)} unresolved charge(s)", 1))
    for category in ("EO 13768 5(c)", "EO 13768 5(d)", "EO 13768 5(e)"):
        if category in findings and _has_finding(facts.encounters, findings[category], facts.as_of):
            matches.append((category, f"finding {findings[category]!r} on record", 1))
    if facts.status.category is StatusCategory.FINAL_ORDER:
        matches.append(("EO 13768 5(f)", "unexecuted final order", 1))
    category = "EO 13768 5(g)"
    if category in findings and _has_finding(facts.encounters, findings[category], facts.as_of):
        matches.append((category, "officer's judgment of risk recorded", 1))
    return matches


SCHEME_RULES: Mapping[str, Callable[[Facts, Scheme], Matches]] = {
    "sc2008": _sc2008_categories,
    "morton2010": _morton_categories,
    "pep2014": _pep_categories,
    "eo13768": _eo_categories,
}
