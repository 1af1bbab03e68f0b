"""What the field office needs from outside: the immigration court's decision."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Protocol

from securecomm.domain import CourtOutcome
from securecomm.exceptions import ConfigurationError, NotFoundError


class ImmigrationCourt(Protocol):
    def decide(self, *, fin: str, on: date) -> CourtOutcome: ...


class DocketFileCourt:
    """A court whose decisions were written to a JSON docket ({fin: outcome}); lets a
    separate worker process use the synthetic world's court without rebuilding it."""

    def __init__(self, path: Path) -> None:
        try:
            raw = json.loads(path.read_text())
            self._docket = {fin: CourtOutcome(outcome) for fin, outcome in raw.items()}
        except (OSError, ValueError, AttributeError) as error:
            raise ConfigurationError(f"court docket {path} is unreadable: {error}") from error

    def decide(self, *, fin: str, on: date) -> CourtOutcome:
        try:
            return self._docket[fin]
        except KeyError:
            raise NotFoundError(f"court docket has no case for FIN {fin}") from None
