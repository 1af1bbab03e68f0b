"""The due-process figures nobody published: of the people a match opened a case on, how
many were detained, given a hearing, represented, granted relief, or spared a detainer by
an officer's discretion (DOMAIN.md section 8: 52 % slated for a hearing, 24 % of those
with a lawyer, 83 % detained)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from securecomm.cases.models import Case, CaseState, Counsel
from securecomm.interop.models import Jurisdiction, Transaction
from securecomm.oversight.periods import Window

RELIEF_STATES = frozenset({CaseState.RELIEF_GRANTED, CaseState.PROCEEDINGS_TERMINATED})


@dataclass
class DueProcess:
    cases: int = 0  # people a match opened a case on
    detained: int = 0  # booked into ICE custody
    hearings: int = 0  # given a hearing date before an immigration judge
    with_counsel: int = 0  # of those given a hearing, represented (EOIR-28 on file)
    relief: int = 0  # relief granted or proceedings terminated
    discretion: int = 0  # an officer chose not to lodge a detainer the rules called for

    def add(self, other: DueProcess) -> None:
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))

    def shares(self) -> dict[str, float | None]:
        """Each figure as a share of its base (None where the base is empty)."""
        return {
            "detained_of_cases": _share(self.detained, self.cases),
            "hearing_of_cases": _share(self.hearings, self.cases),
            "counsel_of_hearings": _share(self.with_counsel, self.hearings),
            "relief_of_hearings": _share(self.relief, self.hearings),
            "discretion_of_cases": _share(self.discretion, self.cases),
        }


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class DueProcessTable:
    nationwide: DueProcess
    states: dict[str, DueProcess]


def compute(session: Session, window: Window) -> DueProcessTable:
    """Cases counted in the period that holds the day they were opened."""
    rows = session.execute(
        select(
            Jurisdiction.state,
            Case.opened_at,
            Case.state,
            Case.custody_at,
            Case.hearing_on,
            Case.counsel,
        )
        .join(Transaction, Case.transaction_id == Transaction.id)
        .join(Jurisdiction, Transaction.jurisdiction_id == Jurisdiction.id)
    )
    nationwide = DueProcess()
    states: dict[str, DueProcess] = {}
    for state, opened_at, case_state, custody_at, hearing_on, counsel in rows:
        if not window.holds(opened_at.date()):
            continue
        figures = _figures(case_state, custody_at is not None, hearing_on, counsel)
        nationwide.add(figures)
        states.setdefault(state, DueProcess()).add(figures)
    return DueProcessTable(nationwide, dict(sorted(states.items())))


def _figures(
    case_state: CaseState, detained: bool, hearing_on: date | None, counsel: Counsel | None
) -> DueProcess:
    heard = hearing_on is not None
    return DueProcess(
        cases=1,
        detained=int(detained),
        hearings=int(heard),
        with_counsel=int(heard and counsel is Counsel.REPRESENTED),
        relief=int(heard and case_state in RELIEF_STATES),
        discretion=int(case_state is CaseState.DISCRETION_NO_DETAINER),
    )
