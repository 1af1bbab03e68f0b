"""One broken rule of a transaction, as validation reports it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: which field, which rule, why, and in which record (0 = Type-1)."""

    tag: str
    mnemonic: str
    rule: str
    message: str
    record_index: int
