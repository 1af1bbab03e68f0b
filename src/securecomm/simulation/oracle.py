"""A second, deliberately plain statement of the federal decision rules.

The flow decides with ``status``, ``priority`` and ``detainers`` (policy as data,
catalogue lookups, traces). This module imports none of them: it restates the rules as
DOMAIN.md sections 4-6 word them, over the world's own true facts (the person's kind,
the legal nature of each offence in ``_offences``, the encounters), so the demo and the
tests can catch a rule that is wrong rather than only a count that is off. Where the
sources leave a choice, the reading is the one docs/decisions.md records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from securecomm.domain import (
    ChargeFact,
    CriminalHistoryFact,
    Disposition,
    EncounterFact,
    EncounterKind,
    StatusCategory,
)
from securecomm.simulation._offences import BY_CODE, SIGNIFICANT_NATURES, Offence, is_aggravated
from securecomm.simulation.world import PersonKind

# Era boundaries (DOMAIN.md s3, s5, s6).
MORTON_FROM = date(2010, 6, 30)
PEP_FROM = date(2014, 11, 20)
EO_FROM = date(2017, 1, 25)
PEP_FORMS_FROM = date(2015, 7, 1)
I247A_FROM = date(2017, 4, 2)
PEP_CUTOFF = date(2014, 1, 1)  # 2(c) entry and 3 final order "on or after 1 Jan 2014"
BORDER_DAYS = 14  # 1(b) "caught at the border": within two weeks (decisions.md)
RECENT_ENTRY_DAYS = 3 * 365  # Morton 2 "recent entrants" (decisions.md)
PEP_HOLD = frozenset({"PEP 1(a)", "PEP 1(c)", "PEP 1(d)", "PEP 1(e)", "PEP 2(a)", "PEP 2(b)"})

_STATUS = {
    PersonKind.US_BORN: StatusCategory.CITIZEN_BY_BIRTH,
    PersonKind.NATURALISED: StatusCategory.CITIZEN_BY_NATURALISATION,
    PersonKind.DERIVED: StatusCategory.CITIZEN_BY_DERIVATION,
    PersonKind.LPR: StatusCategory.LPR,
    PersonKind.OTHER_LAWFUL: StatusCategory.OTHER_LAWFUL,
    PersonKind.OVERSTAY: StatusCategory.OVERSTAY,
    PersonKind.EWI: StatusCategory.ENTERED_WITHOUT_INSPECTION,
    PersonKind.REMOVED_REENTERED: StatusCategory.REMOVED_AND_REENTERED,
    PersonKind.FINAL_ORDER: StatusCategory.FINAL_ORDER,
    PersonKind.IN_PROCEEDINGS: StatusCategory.IN_PROCEEDINGS,
    PersonKind.INSUFFICIENT_RECORD: StatusCategory.UNABLE_TO_DETERMINE,
}
_OUT_OF_STATUS = frozenset(
    {
        StatusCategory.OVERSTAY,
        StatusCategory.ENTERED_WITHOUT_INSPECTION,
        StatusCategory.REMOVED_AND_REENTERED,
        StatusCategory.FINAL_ORDER,
        StatusCategory.IN_PROCEEDINGS,
    }
)
_LAWFUL_ARRIVALS = (EncounterKind.ENTRY, EncounterKind.PAROLE, EncounterKind.REFUGEE_ADMISSION)
_DEPARTURES = (EncounterKind.REMOVAL, EncounterKind.VOLUNTARY_RETURN)
_EO_FINDINGS = {
    "EO 13768 5(c)": "chargeable_conduct",
    "EO 13768 5(d)": "fraud_finding",
    "EO 13768 5(e)": "benefit_abuse_finding",
    "EO 13768 5(g)": "officer_risk_finding",
}


@dataclass(frozen=True)
class Expected:
    """What should follow from one booking, with the reasons in plain words."""

    status: StatusCategory
    removable: bool
    probable_cause: str | None
    scheme: str
    categories: frozenset[str]
    primary: str | None
    rank: int | None
    lodge: bool
    form: str | None
    requests_hold: bool
    warrant: str | None
    reasons: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class _Charge:
    fact: ChargeFact
    offence: Offence

    @property
    def felony(self) -> bool:
        return self.fact.max_term_days > 365

    @property
    def aggravated(self) -> bool:
        return is_aggravated(self.offence, self.fact.sentence_days)


def _charges_on(charges: Sequence[ChargeFact], day: date) -> list[_Charge]:
    """Charges arrested by ``day``; a disposition after ``day`` is still pending then."""
    history = CriminalHistoryFact(tuple(charges)).as_of(day)
    return [_Charge(charge, BY_CODE[charge.ncic_code]) for charge in history.charges]


def _convicted(charges: list[_Charge]) -> list[_Charge]:
    return [c for c in charges if c.fact.disposition is Disposition.CONVICTED]


def _pending(charges: list[_Charge]) -> list[_Charge]:
    return [c for c in charges if c.fact.disposition is Disposition.PENDING]


def scheme_on(day: date) -> str:
    if day >= EO_FROM:
        return "eo13768"
    if day >= PEP_FROM:
        return "pep2014"
    return "morton2010" if day >= MORTON_FROM else "sc2008"


def match_level(charges: Sequence[ChargeFact], day: date) -> int | None:
    """2008 level of the most serious pending or convicted charge (None: no such charge)."""
    levels = []
    for charge in _charges_on(charges, day):
        if charge.fact.disposition not in (Disposition.PENDING, Disposition.CONVICTED):
            continue
        level = charge.offence.sc2008_level
        if charge.offence.is_drug_offence:
            sentence = charge.fact.sentence_days
            term = sentence if sentence is not None else charge.fact.max_term_days
            level = 1 if term > 365 else 2  # "drug offences with a sentence over one year"
        levels.append(level)
    return min(levels, default=None)


def conviction_level(charges: Sequence[ChargeFact], day: date) -> str:
    """Morton 2010 levels: 1 aggravated felony or two felonies; 2 a felony or three
    lesser crimes; 3 a lesser crime; otherwise non-criminal."""
    convicted = _convicted(_charges_on(charges, day))
    felonies = [c for c in convicted if c.felony]
    lesser = len(convicted) - len(felonies)
    if any(c.aggravated for c in convicted) or len(felonies) >= 2:
        return "level_1"
    if felonies or lesser >= 3:
        return "level_2"
    return "level_3" if lesser else "non_criminal"


def status(
    kind: PersonKind, charges: Sequence[ChargeFact], day: date
) -> tuple[StatusCategory, bool]:
    """The true status, and whether the person is removable on ``day``."""
    category = _STATUS[kind]
    if category in _OUT_OF_STATUS:
        return category, True
    if category in (StatusCategory.LPR, StatusCategory.OTHER_LAWFUL):
        convicted = _convicted(_charges_on(charges, day))
        return category, any(c.offence.deportable or c.aggravated for c in convicted)
    return category, False


def probable_cause(category: StatusCategory, removable: bool) -> str | None:
    if not removable:
        return None
    if category in (StatusCategory.FINAL_ORDER, StatusCategory.REMOVED_AND_REENTERED):
        return "final_order"
    if category is StatusCategory.IN_PROCEEDINGS:
        return "pending_proceedings"
    return "biometric_confirmation_and_database_checks"


def _stay_since(encounters: Sequence[EncounterFact], day: date) -> tuple[date, bool]:
    """First sign of presence since the last departure (the arrest itself if none), and
    whether that stay began with a lawful admission."""
    stay: list[EncounterFact] = []
    for encounter in sorted((e for e in encounters if e.day <= day), key=lambda e: e.day):
        stay = [] if encounter.kind in _DEPARTURES else [*stay, encounter]
    present = [e for e in stay if e.kind is not EncounterKind.VISA_ISSUANCE]
    lawful = any(e.kind in _LAWFUL_ARRIVALS for e in present)
    return (present[0].day if present else day), lawful


def _found(encounters: Sequence[EncounterFact], key: str, day: date) -> bool:
    return any(e.detail.get(key) == "true" for e in encounters if e.day <= day)


@dataclass(frozen=True)
class Facts:
    """A person's true facts on the day of a decision."""

    category: StatusCategory
    charges: Sequence[ChargeFact]
    encounters: Sequence[EncounterFact]
    day: date


def categories(scheme: str, facts: Facts) -> dict[str, int]:
    """Every category of ``scheme`` the facts meet, with its enforcement rank."""
    category, charges, encounters, day = (
        facts.category,
        facts.charges,
        facts.encounters,
        facts.day,
    )
    on = _charges_on(charges, day)
    convicted = _convicted(on)
    found: dict[str, int] = {}

    def add(name: str, rank: int) -> None:
        found[name] = min(rank, found.get(name, rank))

    security = any(c.offence.is_("national_security") for c in on)
    if scheme == "sc2008":
        worst = match_level(charges, day)
        if worst is not None:
            add(f"SC Level {worst}", worst)
    elif scheme == "morton2010":
        level = conviction_level(charges, day)
        if security:
            add("Morton 1", 1)
        if level != "non_criminal":
            add("Morton 1", int(level[-1]))  # Levels 1 and 2 first
        started, _ = _stay_since(encounters, day)
        unlawful = category in (
            StatusCategory.ENTERED_WITHOUT_INSPECTION,
            StatusCategory.REMOVED_AND_REENTERED,
        )
        if unlawful and (day - started).days <= RECENT_ENTRY_DAYS:
            add("Morton 2", 4)
        if category in (StatusCategory.FINAL_ORDER, StatusCategory.REMOVED_AND_REENTERED):
            add("Morton 3", 5)
    elif scheme == "pep2014":
        _pep(found, on, convicted, category=category, encounters=encounters, day=day)
    else:
        _eo(found, on, convicted, category=category, encounters=encounters, day=day)
    return found


def _pep(
    found: dict[str, int],
    on: list[_Charge],
    convicted: list[_Charge],
    *,
    category: StatusCategory,
    encounters: Sequence[EncounterFact],
    day: date,
) -> None:
    if any(c.offence.is_("national_security") for c in on):
        found["PEP 1(a)"] = 1
    border = timedelta(days=BORDER_DAYS)
    if any(
        e.kind is EncounterKind.BORDER_APPREHENSION and day - border <= e.day <= day
        for e in encounters
    ):
        found["PEP 1(b)"] = 1
    if any(c.offence.is_("gang") for c in convicted):
        found["PEP 1(c)"] = 1
    if any(c.felony and not c.offence.is_("status_offence") for c in convicted):
        found["PEP 1(d)"] = 1
    if any(c.aggravated for c in convicted):
        found["PEP 1(e)"] = 1
    misdemeanours = [c for c in convicted if not c.felony]
    counted = [
        c
        for c in misdemeanours
        if not c.offence.is_("minor_traffic") and not c.offence.is_("status_offence")
    ]
    if len({c.fact.incident_id for c in counted}) >= 3:
        found["PEP 2(a)"] = 2
    if any(
        c.offence.natures & SIGNIFICANT_NATURES or (c.fact.sentence_days or 0) >= 90
        for c in misdemeanours
    ):
        found["PEP 2(b)"] = 2
    started, lawful = _stay_since(encounters, day)
    if category in _OUT_OF_STATUS and not lawful and started >= PEP_CUTOFF:
        found["PEP 2(c)"] = 2
    if _found(encounters, "visa_abuse", day):
        found["PEP 2(d)"] = 2
    if any(e.kind is EncounterKind.FINAL_ORDER and PEP_CUTOFF <= e.day <= day for e in encounters):
        found["PEP 3"] = 3


def _eo(
    found: dict[str, int],
    on: list[_Charge],
    convicted: list[_Charge],
    *,
    category: StatusCategory,
    encounters: Sequence[EncounterFact],
    day: date,
) -> None:
    if convicted:
        found["EO 13768 5(a)"] = 1
    if _pending(on):
        found["EO 13768 5(b)"] = 1
    for name, key in _EO_FINDINGS.items():
        if _found(encounters, key, day):
            found[name] = 1
    if category is StatusCategory.FINAL_ORDER:
        found["EO 13768 5(f)"] = 1


def _form(
    day: date, scheme: str, held: dict[str, int], pep_held: dict[str, int], policy: str | None
) -> tuple[str, bool, str]:
    """The form, whether it asks for a hold, and why (DOMAIN.md s6, decisions.md)."""
    form, hold, why = _hold_form(day, scheme, held, pep_held)
    if form == "I-247D" and policy == "notify_only":
        return "I-247X", False, "the jail notifies but never holds: transfer at release"
    return form, hold, why


def _hold_form(
    day: date, scheme: str, held: dict[str, int], pep_held: dict[str, int]
) -> tuple[str, bool, str]:
    if day >= I247A_FROM:
        return "I-247A", True, "I-247A from 2 Apr 2017: hold, probable cause and a warrant"
    if scheme in ("sc2008", "morton2010"):
        return "I-247", True, "I-247: every detainer asked for a hold"
    pep_hold = sorted(set(pep_held) & PEP_HOLD)
    if scheme == "pep2014" and not set(held) & PEP_HOLD:
        form = "I-247N" if day >= PEP_FORMS_FROM else "I-247"
        return form, False, "PEP: notification is the default outside the hold priorities"
    if day < PEP_FORMS_FROM:
        return "I-247", True, f"PEP hold priority {pep_hold} on the I-247"
    if pep_hold:
        return "I-247D", True, f"I-247D: hold for PEP priority {pep_hold} with probable cause"
    return "I-247N", False, "the I-247D's boxes are PEP priorities and none applies: notify"


def expect(
    *,
    kind: PersonKind,
    charges: Sequence[ChargeFact],
    encounters: Sequence[EncounterFact],
    day: date,
    policy: str | None = None,
) -> Expected:
    """Status, priority, form and hold that should follow a booking on ``day`` in a
    jurisdiction with this detainer ``policy``."""
    category, removable = status(kind, charges, day)
    cause = probable_cause(category, removable)
    scheme = scheme_on(day)
    facts = Facts(category, charges, encounters, day)
    held = categories(scheme, facts) if removable else {}
    primary = min(held, key=lambda name: (held[name], name), default=None)
    rank = held[primary] if primary else None
    reasons = [f"{category.value}, removable={removable}", f"{scheme}: {sorted(held)}"]
    no = Expected(
        category,
        removable,
        cause,
        scheme,
        frozenset(held),
        primary,
        rank,
        False,
        None,
        False,
        None,
        tuple(reasons),
    )
    if category.is_citizen or category is StatusCategory.UNABLE_TO_DETERMINE:
        return no
    if not removable or cause is None or not held:
        return no
    pep_held = categories("pep2014", facts)
    form, hold, why = _form(day, scheme, held, pep_held, policy)
    warrant = None
    if form == "I-247A":
        warrant = "I-205" if cause == "final_order" else "I-200"
    return Expected(
        category,
        removable,
        cause,
        scheme,
        frozenset(held),
        primary,
        rank,
        True,
        form,
        hold,
        warrant,
        (*reasons, why),
    )


def lea_answer(policy: str, *, requests_hold: bool, warrant: str | None) -> str:
    """The holding agency's answer: a hold by its policy, a notification if it notifies."""
    notifies = policy != "decline_all"
    if not requests_hold:
        return "honoured" if notifies else "declined"
    if policy == "honour_all" or (policy == "honour_with_warrant" and warrant is not None):
        return "honoured"
    return "declined"


__all__ = [
    "Expected",
    "Facts",
    "categories",
    "conviction_level",
    "expect",
    "lea_answer",
    "match_level",
    "probable_cause",
    "scheme_on",
    "status",
]
