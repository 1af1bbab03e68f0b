"""Offences charged in the synthetic world: NCIC-style codes, arrest frequency, maximum terms.

Codes stay inside the NCIC category ranges of DOMAIN.md section 5; frequencies are a
plausible jail-booking mix (traffic, larceny, assault and drugs common, homicide rare),
not measured figures. Maximum terms follow the usual split: a felony is punishable by
more than 365 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# What an offence is in law, stated plainly from DOMAIN.md section 5 and the statutes the
# priority memos cite, so the rule oracle (``simulation/oracle.py``) can check the policy
# catalogue against the world instead of against itself.
Aggravated = Literal["per_se", "with_one_year_term"] | None
# PEP 2(b): "significant misdemeanour" by the nature of the offence.
SIGNIFICANT_NATURES = frozenset(
    {"domestic_violence", "sexual_abuse", "burglary", "firearms", "drug_distribution", "dui"}
)


@dataclass(frozen=True)
class Offence:
    ncic_code: str
    description: str
    weight: float  # relative frequency among charges
    max_term_days: int
    # A single conviction makes a lawfully present non-citizen removable (INA 237(a)(2),
    # simplified: aggravated felonies, crimes involving moral turpitude punishable by a
    # year or more, controlled substances except simple marijuana possession, firearms,
    # domestic violence). An aggravated felony "with a one-year term" is deportable once
    # the sentence reaches a year, whatever this flag says.
    deportable: bool
    sc2008_level: int  # the 2008 list; drugs are Level 1 with a sentence over one year
    aggravated: Aggravated = None  # INA 101(a)(43)
    natures: frozenset[str] = frozenset()  # PEP 2(b) natures and other legal properties

    @property
    def is_felony(self) -> bool:
        return self.max_term_days > 365

    @property
    def is_drug_offence(self) -> bool:
        return self.ncic_code.startswith("35")

    def is_(self, nature: str) -> bool:
        return nature in self.natures


_LIFE = 99 * 365


def _n(*natures: str) -> frozenset[str]:
    return frozenset(natures)


OFFENCES: tuple[Offence, ...] = (
    Offence(
        "0199",
        "National security offence",
        0.0005,
        7300,
        True,
        1,
        "per_se",
        _n("national_security"),
    ),
    Offence(
        "0399",
        "Immigration offence - illegal entry",
        0.004,
        180,
        False,
        3,
        natures=_n("status_offence"),
    ),
    Offence("0911", "Homicide - willful kill", 0.002, _LIFE, True, 1, "per_se"),
    Offence("0999", "Homicide - negligent manslaughter", 0.001, 3650, False, 1),
    Offence("1099", "Kidnapping", 0.002, 9125, True, 1, "with_one_year_term"),
    Offence("1199", "Sexual assault", 0.004, 7300, True, 1, "per_se", _n("sexual_abuse")),
    Offence("1299", "Robbery", 0.015, 7300, True, 1, "with_one_year_term"),
    Offence("1313", "Assault - simple", 0.08, 365, False, 3),
    Offence("1315", "Assault - aggravated, weapon", 0.03, 3650, True, 1, "with_one_year_term"),
    Offence("1699", "Terroristic threat", 0.008, 365, False, 3),
    Offence("2099", "Arson", 0.002, 7300, True, 2, "per_se"),
    Offence("2199", "Extortion", 0.001, 3650, True, 3),
    Offence(
        "2202",
        "Burglary - forced entry, residence",
        0.03,
        3650,
        True,
        2,
        "with_one_year_term",
        _n("burglary"),
    ),
    Offence("2303", "Larceny - shoplifting", 0.07, 180, False, 2, "with_one_year_term"),
    Offence("2399", "Larceny - grand theft", 0.03, 730, True, 2, "with_one_year_term"),
    Offence("2404", "Vehicle theft", 0.02, 730, True, 2, "with_one_year_term"),
    Offence("2589", "Forgery", 0.01, 730, True, 2, "with_one_year_term"),
    Offence("2605", "Fraud - credit card", 0.02, 730, True, 2),
    Offence("2799", "Embezzlement", 0.004, 730, True, 2),
    Offence("2804", "Stolen property - possession", 0.012, 730, True, 2, "with_one_year_term"),
    Offence("2999", "Criminal mischief - damage property", 0.03, 365, False, 2),
    Offence(
        "3530",
        "Dangerous drugs - cocaine, sale",
        0.012,
        3650,
        True,
        2,
        "per_se",
        _n("drug_distribution"),
    ),
    Offence("3532", "Dangerous drugs - cocaine, possession", 0.035, 730, True, 2),
    Offence(
        "3560",
        "Dangerous drugs - marijuana, sale",
        0.01,
        730,
        True,
        2,
        "per_se",
        _n("drug_distribution"),
    ),
    Offence("3562", "Dangerous drugs - marijuana, possession", 0.07, 180, False, 2),
    Offence("3699", "Sex offence - indecent exposure", 0.006, 365, False, 1),
    Offence(
        "3803", "Assault - family violence", 0.03, 365, True, 3, natures=_n("domestic_violence")
    ),
    Offence("4801", "Resisting officer", 0.025, 365, False, 3),
    Offence(
        "5212", "Weapon - carrying a concealed firearm", 0.02, 365, True, 3, natures=_n("firearms")
    ),
    Offence("5299", "Weapon - felon in possession", 0.008, 3650, True, 3, "per_se", _n("firearms")),
    Offence("5401", "Hit and run", 0.01, 730, False, 3),
    Offence("5404", "Driving under the influence", 0.10, 180, False, 3, natures=_n("dui")),
    Offence(
        "5405", "Driving without a valid licence", 0.09, 180, False, 3, natures=_n("minor_traffic")
    ),
    Offence("5499", "Traffic offence - other", 0.05, 30, False, 3, natures=_n("minor_traffic")),
)

OFFENCE_WEIGHTS: tuple[float, ...] = tuple(offence.weight for offence in OFFENCES)

# Inclusive code ranges the world may use (DOMAIN.md section 5).
VALID_NCIC_RANGES: tuple[tuple[int, int], ...] = (
    (101, 199),
    (300, 399),
    (900, 999),
    (1000, 1099),
    (1100, 1199),
    (1200, 1299),
    (1300, 1399),
    (1600, 1699),
    (2000, 2099),
    (2100, 2199),
    (2200, 2299),
    (2300, 2399),
    (2400, 2499),
    (2500, 2599),
    (2600, 2699),
    (2700, 2799),
    (2800, 2899),
    (2900, 2999),
    (3500, 3599),
    (3600, 3699),
    (3800, 3899),
    (4800, 4899),
    (5200, 5299),
    (5400, 5499),
)


BY_CODE: dict[str, Offence] = {offence.ncic_code: offence for offence in OFFENCES}


def is_valid_ncic_code(code: str) -> bool:
    if len(code) != 4 or not code.isdigit():
        return False
    number = int(code)
    return any(low <= number <= high for low, high in VALID_NCIC_RANGES)


def makes_deportable(offence_code: str, sentence_days: int | None = None) -> bool:
    """Whether a conviction for this offence (with this custodial sentence) makes a
    lawful resident removable: a deportable offence, or an aggravated felony."""
    offence = BY_CODE.get(offence_code)
    if offence is None:
        raise KeyError(f"offence code {offence_code!r} is not in the simulation catalogue")
    return offence.deportable or is_aggravated(offence, sentence_days)


def is_aggravated(offence: Offence, sentence_days: int | None) -> bool:
    """INA 101(a)(43): per se, or theft and violence offences with a term of a year or more."""
    if offence.aggravated == "per_se":
        return True
    return (
        offence.aggravated == "with_one_year_term"
        and sentence_days is not None
        and sentence_days >= 365
    )
