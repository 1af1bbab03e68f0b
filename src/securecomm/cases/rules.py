"""The one transition table every case status change goes through."""

from __future__ import annotations

from securecomm.cases.models import CaseState
from securecomm.domain import CourtOutcome
from securecomm.exceptions import IllegalTransitionError

S = CaseState

# previous state -> states it may move to. Opening states have no predecessor.
# Every open state may also end in CLOSED_IN_ERROR: a redress decision found the case
# rests on an error (a wrong match, a citizen).
TRANSITIONS: dict[CaseState | None, frozenset[CaseState]] = {
    None: frozenset(
        {
            S.NO_ACTION_CITIZEN,
            S.ANALYST_REVIEW,
            S.NOT_PRIORITY,
            S.DETAINER_LODGED,
            S.DETAINER_PROPOSED,
        }
    ),
    # An analyst resolves an undetermined status: citizen, no priority, a detainer, or
    # too late because the local agency has already released the person.
    S.ANALYST_REVIEW: frozenset(
        {
            S.NO_ACTION_CITIZEN,
            S.NOT_PRIORITY,
            S.DETAINER_LODGED,
            S.DETAINER_PROPOSED,
            S.RELEASED_BEFORE_REVIEW,
            S.CLOSED_IN_ERROR,
        }
    ),
    # Where officers decide: lodge (a warrant waits for a supervisor), or use discretion;
    # a release before they act ends it.
    S.DETAINER_PROPOSED: frozenset(
        {
            S.DETAINER_LODGED,
            S.AWAITING_APPROVAL,
            S.DISCRETION_NO_DETAINER,
            S.RELEASED_BEFORE_REVIEW,
            S.CLOSED_IN_ERROR,
        }
    ),
    S.AWAITING_APPROVAL: frozenset(
        {
            S.DETAINER_LODGED,
            S.DISCRETION_NO_DETAINER,
            S.RELEASED_BEFORE_REVIEW,
            S.CLOSED_IN_ERROR,
        }
    ),
    # The local agency answers at release; ICE may cancel before (citizen found: no action).
    S.DETAINER_LODGED: frozenset(
        {
            S.IN_ICE_CUSTODY,
            S.RELEASED_BY_LEA,
            S.HOLD_LAPSED,
            S.DETAINER_CANCELLED,
            S.NO_ACTION_CITIZEN,
            S.CLOSED_IN_ERROR,
        }
    ),
    S.IN_ICE_CUSTODY: frozenset(
        {
            S.HEARING_SCHEDULED,
            S.RELEASED_ON_BOND,
            S.RELEASED_ON_RECOGNIZANCE,
            S.CLOSED_IN_ERROR,
        }
    ),
    S.HEARING_SCHEDULED: frozenset(
        {
            S.REMOVED,
            S.VOLUNTARY_RETURN,
            S.RELIEF_GRANTED,
            S.RELEASED_ON_BOND,
            S.RELEASED_ON_RECOGNIZANCE,
            S.PROCEEDINGS_TERMINATED,
            S.CLOSED_IN_ERROR,
        }
    ),
}

TERMINAL = frozenset(
    {
        S.CLOSED_IN_ERROR,
        S.NO_ACTION_CITIZEN,
        S.NOT_PRIORITY,
        S.RELEASED_BEFORE_REVIEW,
        S.DISCRETION_NO_DETAINER,
        S.DETAINER_CANCELLED,
        S.RELEASED_BY_LEA,
        S.HOLD_LAPSED,
        S.REMOVED,
        S.VOLUNTARY_RETURN,
        S.RELIEF_GRANTED,
        S.RELEASED_ON_BOND,
        S.RELEASED_ON_RECOGNIZANCE,
        S.PROCEEDINGS_TERMINATED,
    }
)

# States in which the person is held by ICE and occupies a bed.
IN_CUSTODY = frozenset({S.IN_ICE_CUSTODY, S.HEARING_SCHEDULED})

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
