"""The one transition table: every listed move is allowed, every other move refused."""

from __future__ import annotations

import itertools

import pytest

from securecomm.cases.models import CaseState
from securecomm.cases.rules import IN_CUSTODY, TERMINAL, TRANSITIONS, check_transition
from securecomm.exceptions import IllegalTransitionError

ALL_MOVES = list(itertools.product([None, *CaseState], list(CaseState)))
LEGAL = [(a, b) for a, b in ALL_MOVES if b in TRANSITIONS.get(a, frozenset())]
ILLEGAL = [(a, b) for a, b in ALL_MOVES if b not in TRANSITIONS.get(a, frozenset())]


@pytest.mark.parametrize(("previous", "current"), LEGAL)
def test_listed_moves_are_allowed(previous: CaseState | None, current: CaseState) -> None:
    check_transition(previous, current)


@pytest.mark.parametrize(("previous", "current"), ILLEGAL)
def test_every_other_move_is_refused(previous: CaseState | None, current: CaseState) -> None:
    with pytest.raises(IllegalTransitionError) as raised:
        check_transition(previous, current)
    assert raised.value.requested == str(current)


def test_terminal_states_have_no_way_out() -> None:
    for state in TERMINAL:
        assert state not in TRANSITIONS
    assert not TERMINAL & IN_CUSTODY


def test_every_state_is_reachable_and_ends_somewhere() -> None:
    reachable: set[CaseState] = set()
    frontier: list[CaseState | None] = [None]
    while frontier:
        for nxt in TRANSITIONS.get(frontier.pop(), frozenset()):
            if nxt not in reachable:
                reachable.add(nxt)
                frontier.append(nxt)
    assert reachable == set(CaseState)
    for state in set(CaseState) - TERMINAL:
        assert TRANSITIONS[state], f"{state} is neither terminal nor has a way on"


@pytest.mark.parametrize(
    ("previous", "current"),
    [
        (CaseState.NO_ACTION_CITIZEN, CaseState.DETAINER_LODGED),  # a citizen, never
        (CaseState.ANALYST_REVIEW, CaseState.IN_ICE_CUSTODY),  # no custody without a detainer
        (CaseState.DETAINER_LODGED, CaseState.REMOVED),  # no removal without a hearing
        (CaseState.HOLD_LAPSED, CaseState.IN_ICE_CUSTODY),  # a lapsed hold is over
        (CaseState.DETAINER_CANCELLED, CaseState.DETAINER_LODGED),
        (None, CaseState.IN_ICE_CUSTODY),
    ],
)
def test_notable_illegal_moves(previous: CaseState | None, current: CaseState) -> None:
    with pytest.raises(IllegalTransitionError, match="cannot move"):
        check_transition(previous, current)
