"""Detainers: form eras, lodging per scheme, the citizen guarantee, hold clock, LEA answers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from securecomm.detainers.hold_clock import ClockError, hold_deadline, lapsed
from securecomm.detainers.rules import (
    DetainerDecision,
    NoDetainerError,
    decide_detainer,
    form_in_force,
    lea_response,
)
from securecomm.domain import (
    ConvictionLevel,
    DetainerForm,
    DetainerPolicy,
    LeaResponse,
    MatchLevel,
    StatusCategory,
)
from securecomm.priority.rules import PriorityAssessment
from securecomm.status.rules import (
    PC_BIOMETRIC_AND_DATABASES,
    PC_FINAL_ORDER,
    PC_PENDING_PROCEEDINGS,
    StatusDetermination,
)


def status(
    category: StatusCategory = StatusCategory.ENTERED_WITHOUT_INSPECTION,
    *,
    removable: bool = True,
    probable_cause: str | None = PC_BIOMETRIC_AND_DATABASES,
) -> StatusDetermination:
    return StatusDetermination(
        category=category,
        removable=removable,
        probable_cause=probable_cause,
        evidence=("test",),
        needs_analyst=category is StatusCategory.UNABLE_TO_DETERMINE,
    )


def priority(scheme_id: str, category: str | None) -> PriorityAssessment:
    return PriorityAssessment(
        scheme_id=scheme_id,
        category=category,
        is_priority=category is not None,
        match_level=MatchLevel.LEVEL_1,
        conviction_level=ConvictionLevel.LEVEL_1,
        discretion=None,
    )


def decide(st_: StatusDetermination, pr: PriorityAssessment, on: date) -> DetainerDecision:
    return decide_detainer(status=st_, priority=pr, on=on).value


# --- form eras --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "hold", "form"),
    [
        (date(2010, 1, 1), True, DetainerForm.I_247),
        (date(2015, 6, 30), False, DetainerForm.I_247),
        (date(2015, 7, 1), True, DetainerForm.I_247D),
        (date(2015, 7, 1), False, DetainerForm.I_247N),
        (date(2017, 4, 1), True, DetainerForm.I_247D),
        (date(2017, 4, 1), False, DetainerForm.I_247N),
        (date(2017, 4, 2), True, DetainerForm.I_247A),
        (date(2017, 4, 2), False, DetainerForm.I_247A),
    ],
)
def test_form_in_force(day: date, hold: bool, form: DetainerForm) -> None:
    assert form_in_force(day, requests_hold=hold) is form


# --- lodging ----------------------------------------------------------------------------


def test_i247_era_lodges_for_a_morton_priority() -> None:
    result = decide(status(), priority("morton2010", "Morton 1"), date(2012, 1, 1))
    assert result.lodge
    assert result.form is DetainerForm.I_247
    assert result.requests_hold
    assert result.warrant is None


def test_no_detainer_for_non_priority() -> None:
    result = decide(status(), priority("sc2008", None), date(2009, 1, 1))
    assert not result.lodge
    assert result.form is None


def test_pep_hold_for_criminal_priority_with_probable_cause() -> None:
    result = decide(status(), priority("pep2014", "PEP 1(d)"), date(2016, 1, 1))
    assert result.form is DetainerForm.I_247D
    assert result.requests_hold
    assert result.probable_cause == PC_BIOMETRIC_AND_DATABASES


def test_pep_notification_for_other_priorities() -> None:
    result = decide(status(), priority("pep2014", "PEP 2(c)"), date(2016, 1, 1))
    assert result.lodge
    assert result.form is DetainerForm.I_247N
    assert not result.requests_hold


def test_pep_before_the_new_forms_uses_i247_notification() -> None:
    result = decide(status(), priority("pep2014", "PEP 3"), date(2015, 1, 5))
    assert result.form is DetainerForm.I_247
    assert not result.requests_hold


def test_eo_era_i247a_with_i205_for_final_order() -> None:
    final = status(StatusCategory.FINAL_ORDER, probable_cause=PC_FINAL_ORDER)
    result = decide(final, priority("eo13768", "EO 13768 5(f)"), date(2017, 5, 1))
    assert result.form is DetainerForm.I_247A
    assert result.warrant == "I-205"
    assert result.probable_cause == PC_FINAL_ORDER


def test_eo_era_i247a_with_i200_otherwise() -> None:
    pending = status(StatusCategory.IN_PROCEEDINGS, probable_cause=PC_PENDING_PROCEEDINGS)
    result = decide(pending, priority("eo13768", "EO 13768 5(b)"), date(2017, 5, 1))
    assert result.form is DetainerForm.I_247A
    assert result.warrant == "I-200"


def test_eo_before_2_apr_2017_still_uses_i247d() -> None:
    both = PriorityAssessment(
        scheme_id="eo13768",
        category="EO 13768 5(a)",
        is_priority=True,
        match_level=MatchLevel.LEVEL_1,
        conviction_level=ConvictionLevel.LEVEL_1,
        discretion=None,
        categories=("EO 13768 5(a)",),
        categories_by_scheme={"eo13768": ("EO 13768 5(a)",), "pep2014": ("PEP 1(d)",)},
    )
    result = decide(status(), both, date(2017, 2, 1))
    assert result.form is DetainerForm.I_247D
    assert result.requests_hold
    assert "PEP 1(d)" in result.reason


def test_eo_before_the_i247a_a_category_the_i247d_lacks_gets_notification_only() -> None:
    # The I-247D asks for a hold only for a PEP hold priority: an EO 13768 category
    # alone (here a pending charge) cannot be lodged on it (docs/decisions.md).
    result = decide(status(), priority("eo13768", "EO 13768 5(b)"), date(2017, 2, 1))
    assert result.lodge
    assert result.form is DetainerForm.I_247N
    assert not result.requests_hold
    assert "notification only" in result.reason


def test_no_probable_cause_means_no_i247a() -> None:
    no_basis = status(probable_cause=None)
    decision = decide_detainer(
        status=no_basis, priority=priority("eo13768", "EO 13768 5(a)"), on=date(2017, 5, 1)
    )
    assert not decision.value.lodge
    assert decision.traces[0].rule == "detainer.no_probable_cause"


def test_not_removable_gets_no_detainer() -> None:
    lpr = status(StatusCategory.LPR, removable=False, probable_cause=None)
    assert not decide(lpr, priority("eo13768", "EO 13768 5(b)"), date(2017, 5, 1)).lodge


@settings(deadline=None)
@given(
    category=st.sampled_from(
        [
            StatusCategory.CITIZEN_BY_BIRTH,
            StatusCategory.CITIZEN_BY_NATURALISATION,
            StatusCategory.CITIZEN_BY_DERIVATION,
            StatusCategory.UNABLE_TO_DETERMINE,
        ]
    ),
    removable=st.booleans(),
    probable_cause=st.sampled_from(
        [None, PC_FINAL_ORDER, PC_PENDING_PROCEEDINGS, PC_BIOMETRIC_AND_DATABASES]
    ),
    scheme_id=st.sampled_from(["sc2008", "morton2010", "pep2014", "eo13768"]),
    category_label=st.one_of(st.none(), st.sampled_from(["SC Level 1", "PEP 1(a)", "x"])),
    on=st.dates(min_value=date(2008, 10, 27), max_value=date(2030, 12, 31)),
)
def test_citizen_or_undetermined_never_gets_a_detainer(
    category: StatusCategory,
    removable: bool,
    probable_cause: str | None,
    scheme_id: str,
    category_label: str | None,
    on: date,
) -> None:
    # Even with contradictory inputs (a "removable" citizen), the first rule holds.
    odd = status(category, removable=removable, probable_cause=probable_cause)
    decision = decide_detainer(status=odd, priority=priority(scheme_id, category_label), on=on)
    assert not decision.value.lodge
    assert decision.value.form is None
    assert decision.traces[0].rule == "detainer.citizen_or_undetermined"


# --- hold clock -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("release", "deadline"),
    [
        # Tuesday to Thursday, nothing excluded.
        (datetime(2013, 3, 5, 9, 0), datetime(2013, 3, 7, 9, 0)),
        # Friday 17:00: 7 h Friday, skip the weekend, 24 h Monday, 17 h Tuesday.
        (datetime(2013, 3, 8, 17, 0), datetime(2013, 3, 12, 17, 0)),
        # Released on a Saturday: counting starts Monday 00:00.
        (datetime(2013, 3, 9, 12, 0), datetime(2013, 3, 13, 0, 0)),
        # Wednesday before Thanksgiving 2013 (28 Nov): skip Thu, Sat, Sun.
        (datetime(2013, 11, 27, 10, 0), datetime(2013, 12, 2, 10, 0)),
        # New Year: Monday 31 Dec 2012 10:00, skip 1 Jan 2013.
        (datetime(2012, 12, 31, 10, 0), datetime(2013, 1, 3, 10, 0)),
        # 4 July 2015 fell on a Saturday: observed Friday 3 July is skipped too.
        (datetime(2015, 7, 2, 8, 0), datetime(2015, 7, 7, 8, 0)),
        # 1 Jan 2011 was a Saturday: observed on Friday 31 Dec 2010.
        (datetime(2010, 12, 30, 12, 0), datetime(2011, 1, 4, 12, 0)),
    ],
)
def test_hold_deadline(release: datetime, deadline: datetime) -> None:
    assert hold_deadline(release) == deadline


def test_hold_deadline_keeps_the_timezone() -> None:
    release = datetime(2013, 3, 5, 9, 0, tzinfo=UTC)
    assert hold_deadline(release) == datetime(2013, 3, 7, 9, 0, tzinfo=UTC)


def test_lapsed() -> None:
    release = datetime(2013, 3, 8, 17, 0)  # deadline Tuesday 12 Mar 17:00
    deadline = datetime(2013, 3, 12, 17, 0)
    assert not lapsed(release_at=release, assumed_custody_at=None, now=deadline)
    assert lapsed(release_at=release, assumed_custody_at=None, now=deadline + timedelta(1))
    in_time = deadline - timedelta(hours=1)
    assert not lapsed(release_at=release, assumed_custody_at=in_time, now=deadline + timedelta(9))
    too_late = deadline + timedelta(minutes=1)
    assert lapsed(release_at=release, assumed_custody_at=too_late, now=too_late)


def test_lapsed_refuses_mixed_timezones() -> None:
    with pytest.raises(ClockError):
        lapsed(
            release_at=datetime(2013, 3, 8, 17, 0),
            assumed_custody_at=None,
            now=datetime(2013, 3, 8, 17, 0, tzinfo=UTC),
        )


# --- holding agency answers -------------------------------------------------------------


def hold(warrant: str | None) -> DetainerDecision:
    return DetainerDecision(True, DetainerForm.I_247A, True, PC_FINAL_ORDER, warrant, "t")


NOTIFY = DetainerDecision(True, DetainerForm.I_247N, False, PC_BIOMETRIC_AND_DATABASES, None, "t")


@pytest.mark.parametrize(
    ("policy", "decision", "expected"),
    [
        (DetainerPolicy.HONOUR_ALL, hold(None), LeaResponse.HONOURED),
        (DetainerPolicy.HONOUR_WITH_WARRANT, hold("I-205"), LeaResponse.HONOURED),
        (DetainerPolicy.HONOUR_WITH_WARRANT, hold(None), LeaResponse.DECLINED),
        (DetainerPolicy.NOTIFY_ONLY, hold("I-205"), LeaResponse.DECLINED),
        (DetainerPolicy.DECLINE_ALL, hold("I-205"), LeaResponse.DECLINED),
        (DetainerPolicy.NOTIFY_ONLY, NOTIFY, LeaResponse.HONOURED),
        (DetainerPolicy.HONOUR_WITH_WARRANT, NOTIFY, LeaResponse.HONOURED),
        (DetainerPolicy.DECLINE_ALL, NOTIFY, LeaResponse.DECLINED),
    ],
)
def test_lea_response(
    policy: DetainerPolicy, decision: DetainerDecision, expected: LeaResponse
) -> None:
    answer = lea_response(policy=policy, decision=decision)
    assert answer.value is expected
    assert answer.traces[0].rule == f"lea.{policy.value}"


def test_lea_response_without_a_detainer_is_a_typed_error() -> None:
    nothing = DetainerDecision(False, None, False, None, None, "none")
    with pytest.raises(NoDetainerError):
        lea_response(policy=DetainerPolicy.HONOUR_ALL, decision=nothing)


# --- the transfer request (I-247X) ------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "day", "form", "hold"),
    [
        (DetainerPolicy.NOTIFY_ONLY, date(2016, 3, 1), DetainerForm.I_247X, False),
        (DetainerPolicy.NOTIFY_ONLY, date(2017, 2, 15), DetainerForm.I_247X, False),  # EO
        (DetainerPolicy.HONOUR_ALL, date(2016, 3, 1), DetainerForm.I_247D, True),
        (DetainerPolicy.DECLINE_ALL, date(2016, 3, 1), DetainerForm.I_247D, True),
        (DetainerPolicy.NOTIFY_ONLY, date(2015, 6, 1), DetainerForm.I_247, True),
        (DetainerPolicy.NOTIFY_ONLY, date(2017, 4, 2), DetainerForm.I_247A, True),
    ],
)
def test_a_jail_that_notifies_but_never_holds_gets_a_transfer_request(
    policy: DetainerPolicy, day: date, form: DetainerForm, hold: bool
) -> None:
    scheme = "pep2014" if day < date(2017, 1, 25) else "eo13768"
    category = "PEP 1(d)" if scheme == "pep2014" else "EO 13768 5(a)"
    held = PriorityAssessment(
        scheme_id=scheme,
        category=category,
        is_priority=True,
        match_level=MatchLevel.LEVEL_1,
        conviction_level=ConvictionLevel.LEVEL_1,
        discretion=None,
        categories=(category, "PEP 1(d)") if scheme == "eo13768" else (category,),
        categories_by_scheme={"pep2014": ("PEP 1(d)",)},
    )
    decision = decide_detainer(status=status(), priority=held, on=day, policy=policy)
    assert decision.value.form is form, decision.value.reason
    assert decision.value.requests_hold is hold
    if form is DetainerForm.I_247X:
        assert "never holds" in decision.value.reason
        answer = lea_response(policy=policy, decision=decision.value).value
        assert answer is LeaResponse.HONOURED  # custody passes at release; no hold asked
