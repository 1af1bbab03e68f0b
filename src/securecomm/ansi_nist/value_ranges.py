"""The 2011 standard's ``ValueRange`` specifications, parsed once and checked.

``"1..99"``, ``"0..100,254,255"``, ``">0,<60"``, ``'"Y"'``: comparisons are combined with
AND, other terms with OR.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache


def value_in_range(value: str, spec: str) -> bool:
    """Check a value against a 2011 ``ValueRange`` (``"1..99"``, ``"0..100,254,255"``,
    ``">0,<60"``, ``'"Y"'``). Comparisons are combined with AND, other terms with OR."""
    return compile_range(spec).accepts(value)


_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "<": operator.lt,
    ">": operator.gt,
}


@dataclass(frozen=True, slots=True)
class CompiledRange:
    literals: frozenset[str] | None  # quoted alternatives: '"Y"'
    conjunctive: bool  # only comparisons: all must hold (">0,<60")
    intervals: tuple[tuple[float, float], ...]
    comparisons: tuple[tuple[Callable[[float, float], bool], float], ...]
    permissive: bool  # an alternative we cannot read never rejects a value

    def accepts(self, value: str) -> bool:
        if self.literals is not None:
            return value in self.literals
        number = _as_number(value)
        if number is None:
            return True  # not numeric: the character-class check reports it
        if self.conjunctive:
            return all(compare(number, limit) for compare, limit in self.comparisons)
        if self.permissive:
            return True
        return any(low <= number <= high for low, high in self.intervals) or any(
            compare(number, limit) for compare, limit in self.comparisons
        )


@cache
def compile_range(spec: str) -> CompiledRange:
    terms = [term.strip() for term in spec.split(",") if term.strip()]
    if terms and all(term.startswith('"') for term in terms):
        return CompiledRange(frozenset(t.strip('"') for t in terms), False, (), (), False)
    intervals: list[tuple[float, float]] = []
    comparisons: list[tuple[Callable[[float, float], bool], float]] = []
    permissive = not terms
    for term in terms:
        comparison = _read_comparison(term)
        if comparison is not None:
            comparisons.append(comparison)
            continue
        low, dots, high = term.partition("..")
        bounds = (_as_number(low), _as_number(high) if dots else _as_number(low))
        if bounds[0] is None or bounds[1] is None:
            permissive = True
        else:
            intervals.append((bounds[0], bounds[1]))
    conjunctive = bool(comparisons) and not intervals and not permissive
    return CompiledRange(None, conjunctive, tuple(intervals), tuple(comparisons), permissive)


def _read_comparison(term: str) -> tuple[Callable[[float, float], bool], float] | None:
    for symbol in ("<=", ">=", "<", ">"):
        if term.startswith(symbol):
            limit = _as_number(term[len(symbol) :])
            return None if limit is None else (_OPERATORS[symbol], limit)
    return None


def _as_number(text: str) -> float | None:
    stripped = text.strip()
    if not stripped or len(stripped) > 20:
        return None
    try:
        return float(stripped)
    except ValueError:
        return None
