"""The two offence levels: the 2008 Secure Communities match level (most serious charge,
charged or convicted) and the Morton memo's conviction level (convictions only).

Each returns a :class:`Decision` whose trace names the rule, the charges it weighed, the
thresholds and the policy era. :mod:`.rules` builds each scheme's priority on them.
"""

from __future__ import annotations

from datetime import date

from securecomm.decisions import Decision, Trace
from securecomm.domain import (
    ConvictionLevel,
    CriminalHistoryFact,
    MatchLevel,
)
from securecomm.priority.catalogue import OffenceFlag
from securecomm.priority.charges import (
    LEVEL_NUMBERS,
    LEVELS_BY_NUMBER,
    Charge,
    charges_of,
    is_aggravated,
    is_felony,
    morton_parameters,
    sc2008_parameters,
)
from securecomm.priority.schemes import Sc2008Parameters, legal_thresholds


class NoChargesError(ValueError):
    """A match level needs at least one pending or convicted charge."""


# --- 2008 Secure Communities match level -----------------------------------------------


def _sc2008_charge_level(charge: Charge, parameters: Sc2008Parameters) -> tuple[int, str]:
    if charge.offence is None:
        return parameters.unlisted_offence_level, "code not in the catalogue: all other offences"
    level = LEVEL_NUMBERS[charge.offence.sc2008_level]
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
    parameters = sc2008_parameters()
    counted = [
        charge
        for charge in charges_of(history, as_of)
        if charge.fact.disposition in parameters.counted_dispositions
    ]
    if not counted:
        raise NoChargesError(f"no pending or convicted charge on {as_of.isoformat()}")
    graded = [(charge, *_sc2008_charge_level(charge, parameters)) for charge in counted]
    worst = min(level for _, level, _ in graded)
    trace = Trace(
        rule="sc2008.match_level",
        outcome=LEVELS_BY_NUMBER[worst].value,
        inputs={"charges": [f"{c.label}: level {lvl}, {why}" for c, lvl, why in graded]},
        thresholds={
            "drug_level1_min_sentence_days": parameters.drug_level1_min_sentence_days,
            "counted_dispositions": [d.value for d in sorted(parameters.counted_dispositions)],
        },
        era="sc2008",
        note="most serious charge, charged or convicted",
    )
    return Decision(LEVELS_BY_NUMBER[worst], (trace,))


# --- Morton conviction level ------------------------------------------------------------


def conviction_level(history: CriminalHistoryFact, *, as_of: date) -> Decision[ConvictionLevel]:
    """Morton memo conviction level (used for custody and removal statistics in every era)."""
    parameters = morton_parameters()
    convicted = [charge for charge in charges_of(history, as_of) if charge.fact.convicted]
    felonies = [charge for charge in convicted if is_felony(charge.fact)]
    misdemeanours = [charge for charge in convicted if not is_felony(charge.fact)]
    aggravated = [charge for charge in convicted if is_aggravated(charge)]
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
