"""The IDENT/IAFIS interoperability statistics: nationwide, per state, per jurisdiction.

Layout follows the monthly report (DOMAIN.md section 7): cumulative since activation,
submissions; IDENT matches (Level 1, Level 2 & 3); detainers; booked into ICE custody
(Level 1, 2, 3, non-criminal); removed and returned (total and by conviction level).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from securecomm.cases.models import Case, CaseState, Detainer
from securecomm.domain import ConvictionLevel, MatchLevel
from securecomm.interop.models import Jurisdiction, Transaction

REMOVAL_STATES = frozenset({CaseState.REMOVED, CaseState.VOLUNTARY_RETURN})


@dataclass
class Counts:
    bookings: int = 0
    submissions: int = 0  # searched against the immigration repository
    matches: int = 0
    matches_level_1: int = 0
    matches_level_2_3: int = 0
    detainers: int = 0
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


def compute(session: Session) -> Statistics:
    rows = {
        j.id: JurisdictionRow(j.code, j.name, j.state, j.activation_date)
        for j in session.scalars(select(Jurisdiction))
    }
    bookings = session.execute(
        select(
            Transaction.jurisdiction_id, Transaction.immigration_searched, Transaction.match_level
        )
    )
    for jurisdiction_id, searched, match_level in bookings:
        rows[jurisdiction_id].counts.count_booking(searched=bool(searched), match_level=match_level)
    cases = session.execute(
        select(
            Transaction.jurisdiction_id,
            Case.state,
            Case.custody_level,
            Case.outcome_level,
            Detainer.id.is_not(None),
        )
        .join(Transaction, Case.transaction_id == Transaction.id)
        .outerjoin(Detainer, Detainer.case_id == Case.id)
    )
    for jurisdiction_id, state, custody_level, outcome_level, has_detainer in cases:
        counts = rows[jurisdiction_id].counts
        if has_detainer:
            counts.detainers += 1
        if custody_level is not None:
            counts.count_custody(custody_level)
        if state in REMOVAL_STATES and outcome_level is not None:
            counts.count_removal(outcome_level)
    return assemble(rows.values())


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
