"""The one transition table every case status change goes through."""

from __future__ import annotations

from securecomm.cases.models import CaseState
from securecomm.domain import CourtOutcome
from securecomm.exceptions import IllegalTransitionError

S = CaseState

# previous state -> states it may move to. Opening states have no predecessor.
TRANSITIONS: dict[CaseState | None, frozenset[CaseState]] = {
    None: frozenset({S.NO_ACTION_CITIZEN, S.ANALYST_REVIEW, S.NOT_PRIORITY, S.DETAINER_LODGED}),
    S.ANALYST_REVIEW: frozenset({S.NO_ACTION_CITIZEN, S.NOT_PRIORITY, S.DETAINER_LODGED}),
    S.DETAINER_LODGED: frozenset({S.IN_ICE_CUSTODY, S.RELEASED_BY_LEA}),
    S.IN_ICE_CUSTODY: frozenset({S.HEARING_SCHEDULED, S.RELEASED_ON_BOND}),
    S.HEARING_SCHEDULED: frozenset(
        {
            S.REMOVED,
            S.VOLUNTARY_RETURN,
            S.RELIEF_GRANTED,
            S.RELEASED_ON_BOND,
            S.PROCEEDINGS_TERMINATED,
        }
    ),
}

TERMINAL = frozenset(
    {
        S.NO_ACTION_CITIZEN,
        S.NOT_PRIORITY,
        S.RELEASED_BY_LEA,
        S.REMOVED,
        S.VOLUNTARY_RETURN,
        S.RELIEF_GRANTED,
        S.RELEASED_ON_BOND,
        S.PROCEEDINGS_TERMINATED,
    }
)

OUTCOME_STATES: dict[CourtOutcome, CaseState] = {
    CourtOutcome.REMOVED: S.REMOVED,
    CourtOutcome.VOLUNTARY_RETURN: S.VOLUNTARY_RETURN,
    CourtOutcome.RELIEF_GRANTED: S.RELIEF_GRANTED,
    CourtOutcome.RELEASED_ON_BOND: S.RELEASED_ON_BOND,
    CourtOutcome.PROCEEDINGS_TERMINATED: S.PROCEEDINGS_TERMINATED,
}


def check_transition(previous: CaseState | None, current: CaseState) -> None:
    if current not in TRANSITIONS.get(previous, frozenset()):
        raise IllegalTransitionError("case", str(previous), str(current))
