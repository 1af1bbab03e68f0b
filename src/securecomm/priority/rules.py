"""Priority rules per policy era: 2008 match levels, Morton conviction levels, PEP, EO 13768.

Every threshold comes from ``data/schemes.json`` and every offence property from the
NCIC catalogue; the scheme is chosen by the decision date. Prosecutorial-discretion
factors are recorded beside the priority and never silently change it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from securecomm.decisions import Decision, JSONValue, Trace
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
from securecomm.priority.catalogue import (
    EoParameters,
    MortonParameters,
    NoSchemeInForceError,
    Offence,
    OffenceFlag,
    PepParameters,
    Sc2008Parameters,
    Scheme,
    UnknownOffenceError,
    classify_charge_code,
    is_aggravated_felony,
    legal_thresholds,
    lookup_offence,
    scheme_book,
    scheme_in_force,
)
from securecomm.status.rules import StatusDetermination

_LEVEL_NUMBERS = {MatchLevel.LEVEL_1: 1, MatchLevel.LEVEL_2: 2, MatchLevel.LEVEL_3: 3}
_LEVELS_BY_NUMBER = {number: level for level, number in _LEVEL_NUMBERS.items()}
_DEPARTURES = (EncounterKind.REMOVAL, EncounterKind.VOLUNTARY_RETURN)
_LAWFUL_ARRIVALS = (
    EncounterKind.ENTRY,
    EncounterKind.PAROLE,
    EncounterKind.REFUGEE_ADMISSION,
)
_FINDING_TRUE = "true"


class NoChargesError(ValueError):
    """A match level needs at least one pending or convicted charge."""


class InvalidDiscretionError(ValueError):
    """A discretion factor outside its allowed range: which field, which rule."""

    def __init__(self, field_name: str, reason: str) -> None:
        self.field_name = field_name
        super().__init__(f"discretion factor {field_name!r}: {reason}")


@dataclass(frozen=True)
class DiscretionFactors:
    """Prosecutorial-discretion factors (17 Jun 2011 memo), recordable on a case."""

    years_present: float | None = None
    arrived_as_child: bool = False
    education: str | None = None
    military_service: bool = False
    family_ties: bool = False  # U.S. citizen or LPR children or spouse
    age: int | None = None
    serious_health_condition: bool = False
    victim_or_witness: bool = False
    note: str = ""

    def __post_init__(self) -> None:
        if self.years_present is not None and not 0 <= self.years_present <= 130:
            raise InvalidDiscretionError("years_present", "must be between 0 and 130")
        if self.age is not None and not 0 <= self.age <= 130:
            raise InvalidDiscretionError("age", "must be between 0 and 130")

    def recorded(self) -> dict[str, JSONValue]:
        """The factors actually stated (unset and false ones left out)."""
        return {key: value for key, value in asdict(self).items() if value not in (None, False, "")}


@dataclass(frozen=True)
class PriorityAssessment:
    scheme_id: str
    category: str | None  # the most important category, e.g. "PEP 1(d)"; None = none
    is_priority: bool
    match_level: MatchLevel | None  # None when there is no pending or convicted charge
    conviction_level: ConvictionLevel
    discretion: DiscretionFactors | None
    # Every category of the scheme in force that applies, most important first: a
    # decision that needs one of them (a PEP hold, say) must see them all.
    categories: tuple[str, ...] = ()
    # Order of enforcement within the scheme (1 first); None when not a priority.
    rank: int | None = None
    # The categories every scheme would give the same facts, by scheme id: a form of
    # one era can require the categories of another (the I-247D after EO 13768).
    categories_by_scheme: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # An assessment stated by its one category (a test, an older caller) holds it.
        if not self.categories and self.category is not None:
            object.__setattr__(self, "categories", (self.category,))
        if not self.categories_by_scheme and self.categories:
            object.__setattr__(self, "categories_by_scheme", {self.scheme_id: self.categories})

    def meets_any(self, wanted: frozenset[str], *, scheme_id: str | None = None) -> list[str]:
        """The categories (of ``scheme_id``, default the scheme in force) in ``wanted``."""
        held = (
            self.categories
            if scheme_id in (None, self.scheme_id)
            else self.categories_by_scheme.get(scheme_id or "", ())
        )
        return [category for category in held if category in wanted]


@dataclass(frozen=True)
class _Charge:
    fact: ChargeFact
    offence: Offence | None  # None: a well-formed code the catalogue does not list

    def has(self, flag: OffenceFlag) -> bool:
        return self.offence is not None and self.offence.has(flag)

    @property
    def label(self) -> str:
        return f"{self.fact.ncic_code} ({self.fact.incident_id}, {self.fact.disposition.value})"


def _charges(history: CriminalHistoryFact, as_of: date) -> list[_Charge]:
    return [
        _Charge(charge, classify_charge_code(charge.ncic_code))
        for charge in history.as_of(as_of).charges
    ]


def _is_felony(charge: ChargeFact) -> bool:
    return charge.max_term_days >= legal_thresholds().felony_min_term_days


def _aggravated(charge: _Charge) -> bool:
    return is_aggravated_felony(
        charge.offence, sentence_days=charge.fact.sentence_days, thresholds=legal_thresholds()
    )


def _parameters(scheme_id: str) -> object:
    return scheme_book().by_id(scheme_id).parameters


def _sc2008_parameters() -> Sc2008Parameters:
    parameters = _parameters("sc2008")
    assert isinstance(parameters, Sc2008Parameters)
    return parameters


def _morton_parameters() -> MortonParameters:
    parameters = _parameters("morton2010")
    assert isinstance(parameters, MortonParameters)
    return parameters


# --- 2008 Secure Communities match level -----------------------------------------------


def _sc2008_charge_level(charge: _Charge, parameters: Sc2008Parameters) -> tuple[int, str]:
    if charge.offence is None:
        return parameters.unlisted_offence_level, "code not in the catalogue: all other offences"
    level = _LEVEL_NUMBERS[charge.offence.sc2008_level]
    if charge.has(OffenceFlag.SC2008_LEVEL1_IF_SENTENCE_OVER_YEAR):
        sentence = charge.fact.sentence_days if charge.fact.convicted else None
        term = sentence if sentence is not None else charge.fact.max_term_days
        basis = "sentence" if sentence is not None else "potential sentence (statutory maximum)"
        if term >= parameters.drug_level1_min_sentence_days:
            return 1, f"drug offence, {basis} {term} days"
        return level, f"drug offence, {basis} {term} days: not over one year"
    return level, charge.offence.category


def match_level(history: CriminalHistoryFact, *, as_of: date) -> Decision[MatchLevel]:
    """The 2008 level of the most serious pending or convicted charge on ``as_of``."""
    parameters = _sc2008_parameters()
    counted = [
        charge
        for charge in _charges(history, as_of)
        if charge.fact.disposition in parameters.counted_dispositions
    ]
    if not counted:
        raise NoChargesError(f"no pending or convicted charge on {as_of.isoformat()}")
    graded = [(charge, *_sc2008_charge_level(charge, parameters)) for charge in counted]
    worst = min(level for _, level, _ in graded)
    trace = Trace(
        rule="sc2008.match_level",
        outcome=_LEVELS_BY_NUMBER[worst].value,
        inputs={"charges": [f"{c.label}: level {lvl}, {why}" for c, lvl, why in graded]},
        thresholds={
            "drug_level1_min_sentence_days": parameters.drug_level1_min_sentence_days,
            "counted_dispositions": [d.value for d in sorted(parameters.counted_dispositions)],
        },
        era="sc2008",
        note="most serious charge, charged or convicted",
    )
    return Decision(_LEVELS_BY_NUMBER[worst], (trace,))


# --- Morton conviction level ------------------------------------------------------------


def conviction_level(history: CriminalHistoryFact, *, as_of: date) -> Decision[ConvictionLevel]:
    """Morton memo conviction level (used for custody and removal statistics in every era)."""
    parameters = _morton_parameters()
    convicted = [charge for charge in _charges(history, as_of) if charge.fact.convicted]
    felonies = [charge for charge in convicted if _is_felony(charge.fact)]
    misdemeanours = [charge for charge in convicted if not _is_felony(charge.fact)]
    aggravated = [charge for charge in convicted if _aggravated(charge)]
    if aggravated or len(felonies) >= parameters.level1_min_felonies:
        level = ConvictionLevel.LEVEL_1
    elif felonies or len(misdemeanours) >= parameters.level2_min_misdemeanours:
        level = ConvictionLevel.LEVEL_2
    elif misdemeanours:
        level = ConvictionLevel.LEVEL_3
    else:
        level = ConvictionLevel.NON_CRIMINAL
    trace = Trace(
        rule="morton2010.conviction_level",
        outcome=level.value,
        inputs={
            "aggravated_felonies": [charge.label for charge in aggravated],
            "felonies": [charge.label for charge in felonies],
            "misdemeanours": [charge.label for charge in misdemeanours],
        },
        thresholds={
            "felony_min_term_days": legal_thresholds().felony_min_term_days,
            "level1_min_felonies": parameters.level1_min_felonies,
            "level2_min_misdemeanours": parameters.level2_min_misdemeanours,
        },
        era="morton2010",
    )
    return Decision(level, (trace,))


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
class _Facts:
    charges: list[_Charge]
    status: StatusDetermination
    encounters: Sequence[EncounterFact]
    as_of: date
    match_level: MatchLevel | None
    conviction_level: ConvictionLevel

    @property
    def convicted(self) -> list[_Charge]:
        return [charge for charge in self.charges if charge.fact.convicted]

    @property
    def pending(self) -> list[_Charge]:
        return [c for c in self.charges if c.fact.disposition is Disposition.PENDING]


# Each scheme returns the categories that apply, most important first, with reasons
# and their rank (1 is enforced first).
_Matches = list[tuple[str, str, int]]


def _sc2008_categories(facts: _Facts, scheme: Scheme) -> _Matches:
    parameters = scheme.parameters
    assert isinstance(parameters, Sc2008Parameters)
    if facts.match_level is None:
        return []
    number = _LEVEL_NUMBERS[facts.match_level]
    if number not in parameters.priority_levels:
        return []
    return [(f"SC Level {number}", "2008 level of the most serious charge", number)]


def _morton_categories(facts: _Facts, scheme: Scheme) -> _Matches:
    parameters = scheme.parameters
    assert isinstance(parameters, MortonParameters)
    ranks = parameters.ranks
    matches: _Matches = []
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


def _labels(charges: Sequence[_Charge]) -> str:
    return ", ".join(charge.label for charge in charges)


def _pep_categories(facts: _Facts, scheme: Scheme) -> _Matches:
    parameters = scheme.parameters
    assert isinstance(parameters, PepParameters)
    return (
        _pep_priority_1(facts, parameters)
        + _pep_priority_2(facts, parameters)
        + _pep_priority_3(facts, parameters)
    )


def _pep_priority_1(facts: _Facts, parameters: PepParameters) -> _Matches:
    matches: _Matches = []
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
    felonies = [
        c for c in convicted if _is_felony(c.fact) and not c.has(OffenceFlag.STATUS_OFFENCE)
    ]
    if felonies:
        matches.append(("PEP 1(d)", f"felony, not a status offence: {_labels(felonies)}", 1))
    aggravated = [c for c in convicted if _aggravated(c)]
    if aggravated:
        matches.append(("PEP 1(e)", f"aggravated felony conviction: {_labels(aggravated)}", 1))
    return matches


def _pep_priority_2(facts: _Facts, parameters: PepParameters) -> _Matches:
    matches: _Matches = []
    misdemeanours = [c for c in facts.convicted if not _is_felony(c.fact)]
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


def _pep_priority_3(facts: _Facts, parameters: PepParameters) -> _Matches:
    orders = [
        e
        for e in facts.encounters
        if e.kind is EncounterKind.FINAL_ORDER
        and parameters.final_order_cutoff <= e.day <= facts.as_of
    ]
    if orders:
        return [("PEP 3", f"final order issued on {max(e.day for e in orders)}", 3)]
    return []


def _eo_categories(facts: _Facts, scheme: Scheme) -> _Matches:
    parameters = scheme.parameters
    assert isinstance(parameters, EoParameters)
    findings: Mapping[str, str] = parameters.finding_details
    matches: _Matches = []
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


_SCHEME_RULES: Mapping[str, Callable[[_Facts, Scheme], _Matches]] = {
    "sc2008": _sc2008_categories,
    "morton2010": _morton_categories,
    "pep2014": _pep_categories,
    "eo13768": _eo_categories,
}


def assess_priority(
    *,
    history: CriminalHistoryFact,
    status: StatusDetermination,
    encounters: Sequence[EncounterFact],
    as_of: date,
    discretion: DiscretionFactors | None = None,
) -> Decision[PriorityAssessment]:
    """The enforcement priority under the scheme in force on ``as_of``, with its reasons."""
    scheme = scheme_in_force(as_of)
    charges = _charges(history, as_of)
    traces: list[Trace] = []
    level: MatchLevel | None = None
    if any(c.fact.disposition in _sc2008_parameters().counted_dispositions for c in charges):
        level_decision = match_level(history, as_of=as_of)
        level = level_decision.value
        traces.extend(level_decision.traces)
    conviction = conviction_level(history, as_of=as_of)
    traces.extend(conviction.traces)
    facts = _Facts(charges, status, encounters, as_of, level, conviction.value)
    by_scheme: dict[str, _Matches] = {}
    if not status.removable:
        traces.append(
            Trace(
                rule="priority.not_removable",
                outcome="not_a_priority",
                inputs={"status": status.category.value},
                era=scheme.scheme_id,
                note="only a removable person can be an enforcement priority",
            )
        )
    else:
        by_scheme = {
            other.scheme_id: _SCHEME_RULES[other.scheme_id](facts, other)
            for other in scheme_book().schemes
        }
    matches = by_scheme.get(scheme.scheme_id, [])
    categories = tuple(dict.fromkeys(name for name, _, _ in matches))
    category = categories[0] if categories else None
    rank = min((rank for _, _, rank in matches), default=None)
    traces.append(
        Trace(
            rule=f"{scheme.scheme_id}.priority",
            outcome=category or "not_a_priority",
            inputs={
                "status": status.category.value,
                "as_of": as_of.isoformat(),
                "categories": list(categories),
                "rank": rank,
            },
            thresholds={"scheme_in_force_from": scheme.effective_from.isoformat()},
            era=scheme.scheme_id,
            note="; ".join(f"{name}: {why}" for name, why, _ in matches) or "no category applies",
        )
    )
    if discretion is not None:
        traces.append(
            Trace(
                rule="discretion.recorded",
                outcome="shown_beside_priority",
                inputs=discretion.recorded(),
                era=scheme.scheme_id,
                note="prosecutorial-discretion factors recorded; the priority is not changed",
            )
        )
    assessment = PriorityAssessment(
        scheme_id=scheme.scheme_id,
        category=category,
        is_priority=category is not None,
        match_level=level,
        conviction_level=conviction.value,
        discretion=discretion,
        categories=categories,
        rank=rank,
        categories_by_scheme={
            scheme_id: tuple(dict.fromkeys(name for name, _, _ in found))
            for scheme_id, found in by_scheme.items()
        },
    )
    return Decision(assessment, tuple(traces))


__all__ = [
    "DiscretionFactors",
    "InvalidDiscretionError",
    "NoChargesError",
    "NoSchemeInForceError",
    "Offence",
    "PriorityAssessment",
    "Scheme",
    "UnknownOffenceError",
    "assess_priority",
    "conviction_level",
    "lookup_offence",
    "match_level",
    "scheme_in_force",
]
