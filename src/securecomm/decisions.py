"""Decisions are data plus reasons.

Every automated decision (match band, status, priority level, detainer eligibility)
returns a :class:`Decision`: the value decided and the :class:`Trace` entries that
explain it (rule id, inputs, thresholds, policy era). Traces are JSON-serialisable so
they can be stored beside the decision and printed by ``securecomm case explain``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

JSONScalar = str | int | float | bool | None
JSONValue = JSONScalar | list["JSONValue"] | dict[str, "JSONValue"]

T = TypeVar("T")


@dataclass(frozen=True)
class Trace:
    """One reason: which rule fired, on which inputs, against which thresholds."""

    rule: str
    outcome: str
    inputs: Mapping[str, JSONValue] = field(default_factory=dict)
    thresholds: Mapping[str, JSONValue] = field(default_factory=dict)
    era: str | None = None
    note: str = ""

    def to_json(self) -> dict[str, JSONValue]:
        return {
            "rule": self.rule,
            "outcome": self.outcome,
            "inputs": dict(self.inputs),
            "thresholds": dict(self.thresholds),
            "era": self.era,
            "note": self.note,
        }


@dataclass(frozen=True)
class Decision(Generic[T]):
    """A decided value with the ordered traces that led to it."""

    value: T
    traces: tuple[Trace, ...]

    def to_json(self) -> list[dict[str, JSONValue]]:
        return [trace.to_json() for trace in self.traces]
