from __future__ import annotations

from datetime import date

import pytest

from securecomm.cases.models import CaseState
from securecomm.cases.rules import TRANSITIONS, check_transition
from securecomm.exceptions import IllegalTransitionError
from securecomm.interop.rules import SuspensionPeriod, sharing_active

PEP = SuspensionPeriod(date(2014, 11, 20), date(2017, 1, 25), "PEP replaced SC", False)
STATE_LAW = SuspensionPeriod(date(2015, 1, 1), date(2016, 1, 1), "state law", True)


def active(on: date, activation: date | None = date(2009, 6, 1)) -> bool:
    return sharing_active(
        jurisdiction="X", activation_date=activation, suspensions=[PEP, STATE_LAW], on=on
    ).value


def test_never_activated_jurisdiction_does_not_share() -> None:
    assert not active(date(2012, 1, 1), activation=None)


def test_activation_date_is_the_first_sharing_day() -> None:
    assert not active(date(2009, 5, 31))
    assert active(date(2009, 6, 1))


def test_program_suspension_keeps_sharing_but_says_so() -> None:
    decision = sharing_active(
        jurisdiction="X", activation_date=date(2009, 6, 1), suspensions=[PEP], on=date(2015, 6, 1)
    )
    assert decision.value
    assert decision.traces[-1].rule == "interop.activation.program_suspended_sharing_continues"


def test_a_suspension_that_stops_sharing_stops_it_and_ends() -> None:
    assert not active(date(2015, 6, 1))
    assert active(date(2016, 1, 1))


def test_case_transition_table_refuses_illegal_moves() -> None:
    check_transition(CaseState.DETAINER_LODGED, CaseState.IN_ICE_CUSTODY)
    with pytest.raises(IllegalTransitionError, match="no_action_citizen"):
        check_transition(CaseState.NO_ACTION_CITIZEN, CaseState.DETAINER_LODGED)
    with pytest.raises(IllegalTransitionError):
        check_transition(CaseState.DETAINER_LODGED, CaseState.REMOVED)
    with pytest.raises(IllegalTransitionError):
        check_transition(None, CaseState.REMOVED)


def test_no_move_leads_a_citizen_case_anywhere() -> None:
    assert CaseState.NO_ACTION_CITIZEN not in TRANSITIONS
