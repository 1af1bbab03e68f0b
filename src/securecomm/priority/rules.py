"""Priority rules per policy era: 2008 match levels, Morton conviction levels, PEP, EO 13768.

Every threshold comes from ``data/schemes.json`` and every offence property from the
NCIC catalogue; the scheme is chosen by the decision date. Prosecutorial-discretion
factors are recorded beside the priority and never silently change it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date

from securecomm.decisions import Decision, JSONValue, Trace
from securecomm.domain import (
    ConvictionLevel,
    CriminalHistoryFact,
    EncounterFact,
    MatchLevel,
)
from securecomm.priority.catalogue import Offence, UnknownOffenceError, lookup_offence
from securecomm.priority.categories import SCHEME_RULES, Facts, Matches
from securecomm.priority.charges import (
    charges_of,
    sc2008_parameters,
)
from securecomm.priority.levels import NoChargesError, conviction_level, match_level
from securecomm.priority.schemes import NoSchemeInForceError, Scheme, scheme_book, scheme_in_force
from securecomm.status.rules import StatusDetermination


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
    charges = charges_of(history, as_of)
    traces: list[Trace] = []
    level: MatchLevel | None = None
    if any(c.fact.disposition in sc2008_parameters().counted_dispositions for c in charges):
        level_decision = match_level(history, as_of=as_of)
        level = level_decision.value
        traces.extend(level_decision.traces)
    conviction = conviction_level(history, as_of=as_of)
    traces.extend(conviction.traces)
    facts = Facts(charges, status, encounters, as_of, level, conviction.value)
    by_scheme: dict[str, Matches] = {}
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
            other.scheme_id: SCHEME_RULES[other.scheme_id](facts, other)
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
