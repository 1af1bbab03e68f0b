"""The facts every priority rule reads: a person's charges as of a date, classified by the
NCIC catalogue, and the thresholds of the law and of each scheme.

Shared by the level rules (:mod:`.levels`) and the schemes' categories (:mod:`.rules`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from securecomm.domain import (
    ChargeFact,
    CriminalHistoryFact,
    MatchLevel,
)
from securecomm.priority.catalogue import (
    Offence,
    OffenceFlag,
    classify_charge_code,
    is_aggravated_felony,
)
from securecomm.priority.schemes import (
    MortonParameters,
    Sc2008Parameters,
    legal_thresholds,
    scheme_book,
)

LEVEL_NUMBERS = {MatchLevel.LEVEL_1: 1, MatchLevel.LEVEL_2: 2, MatchLevel.LEVEL_3: 3}
LEVELS_BY_NUMBER = {number: level for level, number in LEVEL_NUMBERS.items()}


@dataclass(frozen=True)
class Charge:
    fact: ChargeFact
    offence: Offence | None  # None: a well-formed code the catalogue does not list

    def has(self, flag: OffenceFlag) -> bool:
        return self.offence is not None and self.offence.has(flag)

    @property
    def label(self) -> str:
        return f"{self.fact.ncic_code} ({self.fact.incident_id}, {self.fact.disposition.value})"


def charges_of(history: CriminalHistoryFact, as_of: date) -> list[Charge]:
    return [
        Charge(charge, classify_charge_code(charge.ncic_code))
        for charge in history.as_of(as_of).charges
    ]


def is_felony(charge: ChargeFact) -> bool:
    return charge.max_term_days >= legal_thresholds().felony_min_term_days


def is_aggravated(charge: Charge) -> bool:
    return is_aggravated_felony(
        charge.offence, sentence_days=charge.fact.sentence_days, thresholds=legal_thresholds()
    )


def scheme_parameters(scheme_id: str) -> object:
    return scheme_book().by_id(scheme_id).parameters


def sc2008_parameters() -> Sc2008Parameters:
    parameters = scheme_parameters("sc2008")
    assert isinstance(parameters, Sc2008Parameters)
    return parameters


def morton_parameters() -> MortonParameters:
    parameters = scheme_parameters("morton2010")
    assert isinstance(parameters, MortonParameters)
    return parameters
