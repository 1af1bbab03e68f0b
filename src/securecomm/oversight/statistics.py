"""The IDENT/IAFIS interoperability statistics: nationwide, per state, per jurisdiction.

Layout follows the monthly report (DOMAIN.md section 7): cumulative since activation,
submissions; IDENT matches (Level 1, Level 2 & 3); detainers and what became of them;
booked into ICE custody (Level 1, 2, 3, non-criminal); removed and returned (total and
by conviction level). The store is read once into dated tallies; any period (cumulative
through an as-of date, a fiscal year, a month) is a count over them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from securecomm.cases.models import Case, CaseState, Detainer
from securecomm.domain import ConvictionLevel, LeaResponse, MatchLevel
from securecomm.interop.models import Jurisdiction, Transaction
from securecomm.oversight import periods
from securecomm.oversight.periods import Window

REMOVAL_STATES = frozenset({CaseState.REMOVED, CaseState.VOLUNTARY_RETURN})


@dataclass
class Counts:
    bookings: int = 0
    submissions: int = 0  # searched against the immigration repository
    matches: int = 0
    matches_level_1: int = 0
    matches_level_2_3: int = 0
    detainers: int = 0
    detainers_honoured: int = 0
    detainers_declined: int = 0
    detainers_lapsed: int = 0
    detainers_cancelled: int = 0
    booked_level_1: int = 0
    booked_level_2: int = 0
    booked_level_3: int = 0
    booked_non_criminal: int = 0
    removed: int = 0
    removed_level_1: int = 0
    removed_level_2: int = 0
    removed_level_3: int = 0
    removed_non_criminal: int = 0

    @property
    def booked(self) -> int:
        return (
            self.booked_level_1
            + self.booked_level_2
            + self.booked_level_3
            + self.booked_non_criminal
        )

    def add(self, other: Counts) -> None:
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))

    def count_booking(self, *, searched: bool, match_level: str | None) -> None:
        self.bookings += 1
        if not searched:
            return
        self.submissions += 1
        if match_level is None:
            return
        self.matches += 1
        if match_level == MatchLevel.LEVEL_1:
            self.matches_level_1 += 1
        else:
            self.matches_level_2_3 += 1

    def count_detainer_outcome(self, response: str) -> None:
        name = f"detainers_{LeaResponse(response).value}"
        setattr(self, name, getattr(self, name) + 1)

    def count_custody(self, level: str) -> None:
        name = _level_suffix(level)
        setattr(self, f"booked_{name}", getattr(self, f"booked_{name}") + 1)

    def count_removal(self, level: str) -> None:
        name = _level_suffix(level)
        self.removed += 1
        setattr(self, f"removed_{name}", getattr(self, f"removed_{name}") + 1)


def _level_suffix(level: str) -> str:
    return {
        ConvictionLevel.LEVEL_1: "level_1",
        ConvictionLevel.LEVEL_2: "level_2",
        ConvictionLevel.LEVEL_3: "level_3",
        ConvictionLevel.NON_CRIMINAL: "non_criminal",
    }[ConvictionLevel(level)]


@dataclass
class JurisdictionRow:
    code: str
    name: str
    state: str
    activation_date: date | None
    counts: Counts = field(default_factory=Counts)


@dataclass
class Statistics:
    nationwide: Counts
    states: dict[str, Counts]
    jurisdictions: list[JurisdictionRow]

    def cells(self) -> dict[str, int]:
        """Every figure, flattened with its row name, for comparisons."""
        flat = {f"nationwide.{k}": v for k, v in asdict(self.nationwide).items()}
        for state, counts in self.states.items():
            flat.update({f"state.{state}.{k}": v for k, v in asdict(counts).items()})
        for row in self.jurisdictions:
            flat.update({f"jurisdiction.{row.code}.{k}": v for k, v in asdict(row.counts).items()})
        return flat


def assemble(rows: Iterable[JurisdictionRow]) -> Statistics:
    ordered = sorted(rows, key=lambda r: (r.state, r.code))
    states: dict[str, Counts] = {}
    nationwide = Counts()
    for row in ordered:
        states.setdefault(row.state, Counts()).add(row.counts)
        nationwide.add(row.counts)
    return Statistics(
        nationwide=nationwide, states=dict(sorted(states.items())), jurisdictions=ordered
    )


@dataclass(frozen=True)
class Tally:
    """One dated event a figure counts: a booking, a lodged detainer, a custody, ..."""

    jurisdiction_id: int
    on: date | None
    kind: str  # booking | detainer | detainer_outcome | custody | removal
    searched: bool = False
    value: str | None = None  # match level, LEA response or conviction level


@dataclass(frozen=True)
class Ledger:
    jurisdictions: dict[int, tuple[str, str, str, date | None]]  # id -> code, name, state, act.
    tallies: list[Tally]

    def first_and_last_day(self) -> tuple[date, date] | None:
        days = [tally.on for tally in self.tallies if tally.on is not None]
        return (min(days), max(days)) if days else None


def read_ledger(session: Session) -> Ledger:
    jurisdictions = {
        j.id: (j.code, j.name, j.state, j.activation_date)
        for j in session.scalars(select(Jurisdiction))
    }
    tallies = [
        Tally(jurisdiction_id, booked_at.date(), "booking", bool(searched), match_level)
        for jurisdiction_id, booked_at, searched, match_level in session.execute(
            select(
                Transaction.jurisdiction_id,
                Transaction.booked_at,
                Transaction.immigration_searched,
                Transaction.match_level,
            )
        )
    ]
    cases = session.execute(
        select(
            Transaction.jurisdiction_id,
            Case.state,
            Case.custody_level,
            Case.custody_at,
            Case.outcome_level,
            Case.closed_at,
            Detainer.lodged_at,
            Detainer.response,
            Detainer.responded_at,
            Detainer.cancelled_at,
        )
        .join(Transaction, Case.transaction_id == Transaction.id)
        .outerjoin(Detainer, Detainer.case_id == Case.id)
    )
    for row in cases:
        tallies.extend(_case_tallies(tuple(row)))
    return Ledger(jurisdictions, tallies)


def _case_tallies(row: tuple[Any, ...]) -> list[Tally]:
    (
        jurisdiction_id,
        state,
        custody_level,
        custody_at,
        outcome_level,
        closed_at,
        lodged_at,
        response,
        responded_at,
        cancelled_at,
    ) = row
    tallies = []
    if lodged_at is not None:
        tallies.append(Tally(jurisdiction_id, lodged_at.date(), "detainer"))
        if response is not None:
            answered = responded_at or cancelled_at or lodged_at
            tallies.append(
                Tally(jurisdiction_id, answered.date(), "detainer_outcome", value=response)
            )
    if custody_level is not None:
        day = custody_at.date() if custody_at is not None else None
        tallies.append(Tally(jurisdiction_id, day, "custody", value=custody_level))
    if state in REMOVAL_STATES and outcome_level is not None:
        day = closed_at.date() if closed_at is not None else None
        tallies.append(Tally(jurisdiction_id, day, "removal", value=outcome_level))
    return tallies


def tabulate(ledger: Ledger, window: Window | None = None) -> Statistics:
    """The figures of every event in ``window`` (everything on record by default)."""
    window = window or periods.everything()
    rows = {
        key: JurisdictionRow(code, name, state, activation)
        for key, (code, name, state, activation) in ledger.jurisdictions.items()
    }
    for tally in ledger.tallies:
        if window.holds(tally.on):
            _count(rows[tally.jurisdiction_id].counts, tally)
    return assemble(rows.values())


def _count(counts: Counts, tally: Tally) -> None:
    if tally.kind == "booking":
        counts.count_booking(searched=tally.searched, match_level=tally.value)
    elif tally.kind == "detainer":
        counts.detainers += 1
    elif tally.kind == "detainer_outcome" and tally.value is not None:
        counts.count_detainer_outcome(tally.value)
    elif tally.kind == "custody" and tally.value is not None:
        counts.count_custody(tally.value)
    elif tally.kind == "removal" and tally.value is not None:
        counts.count_removal(tally.value)


def compute(session: Session, window: Window | None = None) -> Statistics:
    return tabulate(read_ledger(session), window)


COLUMNS = [item.name for item in fields(Counts)]


def write_csv(statistics: Statistics, directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    nationwide = directory / "statistics_nationwide.csv"
    by_state = directory / "statistics_by_state.csv"
    by_jurisdiction = directory / "statistics_by_jurisdiction.csv"
    with nationwide.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerow(asdict(statistics.nationwide).values())
    with by_state.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["state", *COLUMNS])
        for state, counts in statistics.states.items():
            writer.writerow([state, *asdict(counts).values()])
    with by_jurisdiction.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name", "state", "activation_date", *COLUMNS])
        for row in statistics.jurisdictions:
            activation = row.activation_date.isoformat() if row.activation_date else ""
            writer.writerow(
                [row.code, row.name, row.state, activation, *asdict(row.counts).values()]
            )
    return [nationwide, by_state, by_jurisdiction]


def write_period_csv(rows: list[tuple[str, Counts]], path: Path, *, heading: str) -> Path:
    """Nationwide figures, one row per period (fiscal year or month)."""
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([heading, *COLUMNS])
        for label, counts in rows:
            writer.writerow([label, *asdict(counts).values()])
    return path
