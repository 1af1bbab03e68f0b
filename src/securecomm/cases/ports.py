"""What the field office needs from outside: the immigration court's decision
(:mod:`securecomm.cases.docket` holds the courts that read a docket)."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from securecomm.domain import CourtOutcome


class ImmigrationCourt(Protocol):
    def decide(self, *, fin: str, on: date) -> CourtOutcome: ...
