"""The disparity and profiling monitor, after the Stanford Open Policing Project's methods.

Every booking is reduced to a few facts (``BookingFacts``: where, which officer, the
arrestee's race and whether they were born abroad, whether the charges were minor or
dropped, whether it ended in a conviction, an immigration match and a detainer). For
each jurisdiction (against the rest of the nation) and each arresting officer (against
the other officers of the same jurisdiction: internal benchmarking) five tests run:

- ``low_level_outcomes``: the share of matched arrestees with no conviction or only a
  Level 3 one is higher than the benchmark's;
- ``pretext_arrests``: more arrests end with the charges dropped or are for minor traffic
  offences only;
- ``pretext_detainers``: arrests whose charges were dropped or that were minor traffic
  offences only, and still led to an immigration match and a detainer, are more common;
- ``group_share``: a group's share of the arrests is higher than the benchmark's;
- ``outcome_test``: the unit's arrests of a group end in a conviction less often than
  the benchmark's arrests of the same group (a lower bar for arresting that group here);
- ``threshold_test``: the unit's arrests of a group are more often for minor offences
  only than the benchmark's arrests of the same group.

Each test is one-sided Fisher's exact test; proportions carry Wilson 95 % intervals. A
unit is flagged only when both kinds of evidence hold: conduct (the outcome, threshold
or pretext tests) and disparity (group share, low-level outcomes), since disparity alone
can have innocent causes (where people live, who drives). Units are selected with the
false discovery rate controlled over all units (Benjamini-Hochberg on each unit's
combined p-value), then the tests inside a selected unit are corrected again
(Benjamini-Bogomolov), all through statsmodels. Officers are examined first; a flagged
officer's arrests are then left out of their jurisdiction's tests, so one officer's
conduct is not laid at a whole jurisdiction's door.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from scipy.stats import fisher_exact
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from securecomm.oversight.monitor_facts import FOREIGN_BORN, BookingFacts

FALSE_DISCOVERY_RATE = 0.05
MIN_EFFECT = 0.10  # a difference in shares smaller than this is never a finding
MIN_UNIT_BOOKINGS = {"jurisdiction": 30, "officer": 15}
MIN_GROUP = 5  # arrests of a group on each side that a test of the group needs
MIN_GROUP_SHARE = 0.05  # groups rarer than this among all arrests are not tested
CONDUCT_TESTS = frozenset(
    {"outcome_test", "threshold_test", "pretext_arrests", "pretext_detainers"}
)


@dataclass(frozen=True)
class Share:
    hits: int
    total: int

    @property
    def rate(self) -> float:
        return self.hits / self.total if self.total else 0.0

    def interval(self) -> tuple[float, float]:
        low, high = proportion_confint(self.hits, self.total, alpha=0.05, method="wilson")
        return float(low), float(high)

    def as_dict(self) -> dict[str, Any]:
        low, high = self.interval()
        return {
            "hits": self.hits,
            "total": self.total,
            "rate": round(self.rate, 4),
            "ci95": [round(low, 4), round(high, 4)],
        }


@dataclass
class TestResult:
    unit_kind: str
    unit: str
    test: str
    group: str | None
    question: str
    observed: Share  # the unit (or the group within it)
    benchmark: Share  # the reference (or everyone else within it)
    p_value: float
    q_value: float = 1.0
    significant: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "test": self.test,
            "group": self.group,
            "question": self.question,
            "observed": self.observed.as_dict(),
            "benchmark": self.benchmark.as_dict(),
            "p_value": float(f"{self.p_value:.3g}"),
            "q_value": float(f"{self.q_value:.3g}"),
            "significant": self.significant,
        }


@dataclass
class Finding:
    unit_kind: str
    unit: str
    jurisdiction: str
    bookings: int
    flagged: bool
    tests: list[TestResult] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)  # TCNs of pretext detainers

    @property
    def significant(self) -> list[TestResult]:
        return [t for t in self.tests if t.significant]

    def evidence(self) -> dict[str, Any]:
        return {
            "unit_kind": self.unit_kind,
            "unit": self.unit,
            "jurisdiction": self.jurisdiction,
            "bookings": self.bookings,
            "flagged": self.flagged,
            "rule": (
                "flagged when both conduct evidence (one of "
                f"{sorted(CONDUCT_TESTS)}) and disparity evidence hold: units selected by "
                f"Benjamini-Hochberg at q={FALSE_DISCOVERY_RATE} on the larger of the two "
                "Simes-combined p-values, tests within a unit corrected by "
                f"Benjamini-Bogomolov; a difference under {MIN_EFFECT:.0%} never counts"
            ),
            "tests": [t.as_dict() for t in self.tests],
            "examples": self.examples,
        }


@dataclass
class MonitorReport:
    bookings: int
    findings: list[Finding]
    tests_run: int

    @property
    def flagged(self) -> list[Finding]:
        return [f for f in self.findings if f.flagged]


def run(facts: Sequence[BookingFacts]) -> MonitorReport:
    """Examine officers against their peers, then jurisdictions against the nation."""
    facts = sorted(facts, key=lambda booking: booking.tcn)  # same findings in any read order
    officers = _examine("officer", facts, _officer_units(facts))
    flagged_officers = {f.unit for f in officers if f.flagged}
    remaining = [b for b in facts if b.officer not in flagged_officers]
    jurisdictions = _examine("jurisdiction", remaining, _jurisdiction_units(remaining))
    findings = jurisdictions + officers
    return MonitorReport(
        bookings=len(facts), findings=findings, tests_run=sum(len(f.tests) for f in findings)
    )


Unit = tuple[str, str, list[BookingFacts], list[BookingFacts]]  # unit, jurisdiction, own, bench


def _jurisdiction_units(facts: Sequence[BookingFacts]) -> list[Unit]:
    by_code = _group_by(facts, lambda b: b.jurisdiction)
    return [
        (code, code, own, [b for b in facts if b.jurisdiction != code])
        for code, own in sorted(by_code.items())
    ]


def _officer_units(facts: Sequence[BookingFacts]) -> list[Unit]:
    units: list[Unit] = []
    for code, local in sorted(_group_by(facts, lambda b: b.jurisdiction).items()):
        by_officer = _group_by([b for b in local if b.officer], lambda b: b.officer or "")
        for officer, own in sorted(by_officer.items()):
            units.append((officer, code, own, [b for b in local if b.officer != officer]))
    return units


def _group_by(
    facts: Iterable[BookingFacts], key: Callable[[BookingFacts], str]
) -> dict[str, list[BookingFacts]]:
    grouped: dict[str, list[BookingFacts]] = {}
    for booking in facts:
        grouped.setdefault(key(booking), []).append(booking)
    return grouped


def _examine(kind: str, facts: Sequence[BookingFacts], units: list[Unit]) -> list[Finding]:
    groups = _groups(facts)
    findings = []
    for unit, jurisdiction, own, bench in units:
        finding = Finding(kind, unit, jurisdiction, len(own), flagged=False)
        if len(own) >= MIN_UNIT_BOOKINGS[kind] and bench:
            finding.tests = _tests(kind, unit, own, bench, groups)
            finding.examples = [b.tcn for b in own if b.pretext_detainer][:10]
        findings.append(finding)
    _select(findings)
    return findings


def _groups(facts: Sequence[BookingFacts]) -> list[str]:
    """Groups with at least MIN_GROUP_SHARE of all arrests: chosen from the whole
    nation's composition, never from a unit's outcomes, so the choice cannot favour a
    finding."""
    counts: dict[str, int] = {}
    for booking in facts:
        for group in booking.groups():
            counts[group] = counts.get(group, 0) + 1
    return sorted(g for g, n in counts.items() if n >= MIN_GROUP_SHARE * len(facts))


def _select(findings: list[Finding]) -> None:
    """Flag units, then say which of a flagged unit's tests hold (Benjamini-Bogomolov).

    A unit's own p-value is the larger of two Simes combinations, one over its conduct
    tests and one over its disparity tests (an intersection-union test: a unit is only
    flagged when both kinds of evidence hold). Units are selected by Benjamini-Hochberg
    at FALSE_DISCOVERY_RATE; inside each selected unit, its tests are corrected at
    FALSE_DISCOVERY_RATE x selected / tested."""
    tested = [f for f in findings if f.tests]
    if not tested:
        return
    unit_p = [_unit_p_value(f.tests) for f in tested]
    selected, _, _, _ = multipletests(unit_p, alpha=FALSE_DISCOVERY_RATE, method="fdr_bh")
    level = FALSE_DISCOVERY_RATE * max(1, int(sum(selected))) / len(tested)
    for finding, chosen in zip(tested, selected, strict=True):
        reject, q_values, _, _ = multipletests(
            [t.p_value for t in finding.tests], alpha=level, method="fdr_bh"
        )
        for test, significant, q_value in zip(finding.tests, reject, q_values, strict=True):
            test.q_value = float(q_value)
            test.significant = bool(chosen and significant)
        kinds = {t.test for t in finding.significant}
        finding.flagged = bool(chosen) and bool(kinds & CONDUCT_TESTS) and len(kinds) >= 2


def _unit_p_value(tests: list[TestResult]) -> float:
    conduct = [t.p_value for t in tests if t.test in CONDUCT_TESTS]
    disparity = [t.p_value for t in tests if t.test not in CONDUCT_TESTS]
    return max(_simes(conduct), _simes(disparity))


def _simes(p_values: list[float]) -> float:
    if not p_values:
        return 1.0
    ordered = sorted(p_values)
    return min(1.0, min(len(ordered) * p / rank for rank, p in enumerate(ordered, start=1)))


def _tests(
    kind: str,
    unit: str,
    own: list[BookingFacts],
    bench: list[BookingFacts],
    groups: list[str],
) -> list[TestResult]:
    label = "this jurisdiction" if kind == "jurisdiction" else "this officer"
    other = "the rest of the nation's" if kind == "jurisdiction" else "their colleagues'"
    matched = [b for b in own if b.matched and b.low_level is not None]
    matched_bench = [b for b in bench if b.matched and b.low_level is not None]
    results = [
        _higher(
            kind,
            unit,
            "low_level_outcomes",
            None,
            f"Do more of {label}'s matched arrestees have no conviction or only a Level 3 "
            f"one than {other}?",
            _share(matched, lambda b: bool(b.low_level)),
            _share(matched_bench, lambda b: bool(b.low_level)),
        ),
        _higher(
            kind,
            unit,
            "pretext_arrests",
            None,
            f"Are more of {label}'s arrests for charges later dropped or for minor traffic "
            f"offences only than {other}?",
            _share(own, lambda b: b.pretext),
            _share(bench, lambda b: b.pretext),
        ),
        _higher(
            kind,
            unit,
            "pretext_detainers",
            None,
            f"Do more of {label}'s arrests with dropped or minor-traffic-only charges still "
            f"end in an immigration match and a detainer than {other}?",
            _share(own, lambda b: b.pretext_detainer),
            _share(bench, lambda b: b.pretext_detainer),
        ),
    ]
    for group in groups:
        results.extend(_group_tests(kind, unit, label, other, group, own, bench))
    return [result for result in results if result is not None]


def _group_tests(
    kind: str,
    unit: str,
    label: str,
    other: str,
    group: str,
    own: list[BookingFacts],
    bench: list[BookingFacts],
) -> list[TestResult | None]:
    def member(booking: BookingFacts) -> bool:
        return group in booking.groups()

    inside = [b for b in own if member(b)]
    bench_inside = [b for b in bench if member(b)]
    disposed = [b for b in inside if b.convicted is not None]
    bench_disposed = [b for b in bench_inside if b.convicted is not None]
    people = f"people {_described(group)}"
    return [
        _higher(
            kind,
            unit,
            "group_share",
            group,
            f"Are {people} a larger share of {label}'s arrests than of {other}?",
            _share(own, member),
            _share(bench, member),
        ),
        _higher(
            kind,
            unit,
            "outcome_test",
            group,
            f"Do {label}'s arrests of {people} end in a conviction less often than "
            f"{other} arrests of {people}?",
            _share(bench_disposed, lambda b: bool(b.convicted)),
            _share(disposed, lambda b: bool(b.convicted)),
            within=True,
        ),
        _higher(
            kind,
            unit,
            "threshold_test",
            group,
            f"Are {label}'s arrests of {people} more often for minor offences only than "
            f"{other} arrests of {people}?",
            _share(inside, lambda b: b.minor_only),
            _share(bench_inside, lambda b: b.minor_only),
            within=True,
        ),
    ]


def _described(group: str) -> str:
    return group if group == FOREIGN_BORN else f"booked as {group}"


def _share(facts: Sequence[BookingFacts], hit: Callable[[BookingFacts], bool]) -> Share:
    return Share(sum(1 for b in facts if hit(b)), len(facts))


def _higher(
    kind: str,
    unit: str,
    test: str,
    group: str | None,
    question: str,
    observed: Share,
    benchmark: Share,
    *,
    within: bool = False,
) -> TestResult | None:
    """One-sided Fisher test that ``observed`` is the higher share. A test of one
    group's arrests (``within``) needs MIN_GROUP of them on each side."""
    smallest = MIN_GROUP if within else 1
    if observed.total < smallest or benchmark.total < smallest:
        return None
    table = [
        [observed.hits, observed.total - observed.hits],
        [benchmark.hits, benchmark.total - benchmark.hits],
    ]
    _, p_value = fisher_exact(table, alternative="greater")
    if observed.rate - benchmark.rate < MIN_EFFECT:
        p_value = 1.0  # too small a difference to matter, however many arrests
    if test == "outcome_test":  # stated for the group: its conviction rate is the lower
        observed, benchmark = benchmark, observed
    return TestResult(kind, unit, test, group, question, observed, benchmark, float(p_value))
