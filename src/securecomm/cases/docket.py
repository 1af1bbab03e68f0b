"""The court's docket: decisions the immigration court (outside the system) sent, kept in
the store so every worker process and a resumed run read the same, or read from a file."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from securecomm.audit import service as audit_service
from securecomm.cases import service as case_service
from securecomm.database import Database
from securecomm.database.locks import order_lock
from securecomm.domain import CourtOutcome
from securecomm.exceptions import ConfigurationError, NotFoundError


def record(session: Session, outcomes: Mapping[str, CourtOutcome], *, source: str) -> int:
    """Store the court's decisions and audit that they arrived (counts, never names)."""
    changed = case_service.record_docket(session, outcomes, source=source)
    audit_service.record(
        session,
        kind="court.docket_received",
        actor="court",
        occurred_at=datetime.now(UTC),
        summary=f"{len(outcomes)} decisions from {source}; {changed} new or changed",
        details={"source": source, "decisions": len(outcomes), "changed": changed},
    )
    return changed


def read_docket_file(path: Path) -> dict[str, CourtOutcome]:
    """A JSON docket ``{FIN: outcome}`` as the court sent it; names what is wrong with it."""
    try:
        raw = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise ConfigurationError(f"court docket {path} is unreadable: {error}") from error
    if not isinstance(raw, dict):
        raise ConfigurationError(f"court docket {path}: expected an object {{FIN: outcome}}")
    outcomes: dict[str, CourtOutcome] = {}
    for fin, outcome in raw.items():
        try:
            outcomes[str(fin)] = CourtOutcome(outcome)
        except ValueError:
            allowed = ", ".join(CourtOutcome)
            raise ConfigurationError(
                f"court docket {path}: FIN {fin}: outcome {outcome!r} is not one of {allowed}"
            ) from None
    return outcomes


class StoredDocketCourt:
    """The court's decisions as recorded in the store (``securecomm case load-docket`` or
    the demo put them there): every worker process, and a resumed run, reads the same."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._docket: dict[str, CourtOutcome] = {}

    def decide(self, *, fin: str, on: date) -> CourtOutcome:
        if fin not in self._docket:  # decisions arrive over time: read again on a miss
            with self._database.session() as session:
                self._docket = case_service.docket(session)
        try:
            return self._docket[fin]
        except KeyError:
            raise NotFoundError(
                f"the court docket in the store has no decision for FIN {fin}: "
                "load the court's decisions with `securecomm case load-docket FILE`"
            ) from None


class DocketFileCourt:
    """A court whose decisions were written to a JSON docket ({fin: outcome}); lets a
    separate worker process use the synthetic world's court without rebuilding it."""

    def __init__(self, path: Path) -> None:
        self._docket = read_docket_file(path)

    def decide(self, *, fin: str, on: date) -> CourtOutcome:
        try:
            return self._docket[fin]
        except KeyError:
            raise NotFoundError(f"court docket has no case for FIN {fin}") from None


def court_of(database: Database, docket_file: Path | None = None) -> StoredDocketCourt:
    """The store's court; a docket file given on the command line is loaded into it first,
    under the order lock, so workers started together with the same file don't both
    insert the same entries."""
    if docket_file is not None:
        outcomes = read_docket_file(docket_file)
        with order_lock(database.engine), database.session() as session:
            record(session, outcomes, source=f"file {docket_file.name}"[:64])
    return StoredDocketCourt(database)
