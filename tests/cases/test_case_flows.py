"""The case flows on a real small world: the hold clock and lapses as the flow applies
them, the analyst queue, cancellation, discretion and counsel, and the guarantee that
no citizen and no undetermined person is ever detained."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import holidays
import pytest
from helpers import lodged_case, open_analyst_case, send_disposition, tcn_of
from sqlalchemy import select

from securecomm.cases import analyst as case_analyst
from securecomm.cases import flows as case_flows
from securecomm.cases import lodging, logistics
from securecomm.cases import officers as case_officers
from securecomm.cases.models import Case, CaseState, Counsel, Detainer
from securecomm.cases.schemas import parse_finding
from securecomm.database import Database
from securecomm.domain import LeaResponse, StatusCategory
from securecomm.exceptions import IllegalTransitionError, InputError
from securecomm.interop.models import DecisionRecord, OutboxMessage, Transaction
from securecomm.priority.rules import DiscretionFactors, InvalidDiscretionError
from securecomm.simulation.world import World

REVIEW_AT = datetime(2018, 3, 1, 12, tzinfo=UTC)  # EO 13768 in force: I-247A with a warrant
CITIZEN = {
    "category": "citizen_by_derivation",
    "removable": False,
    "evidence": "certificate of citizenship N-600 found through the parent's naturalisation",
}
ENTRANT = {
    "category": "entered_without_inspection",
    "removable": True,
    "probable_cause": "biometric_confirmation_and_database_checks",
    "evidence": "no admission on record; border apprehension in 2006",
}


def _detainer_messages(database: Database, tcn: str) -> list[str]:
    with database.session() as session:
        query = select(OutboxMessage.message_type).where(OutboxMessage.key.like(f"{tcn}:I-247%"))
        return list(session.scalars(query))


def _friday_before_a_monday_holiday(after: datetime) -> datetime:
    day = after.date() + timedelta(days=1)
    calendar = holidays.country_holidays("US", observed=True)
    while not (day.weekday() == 4 and (day + timedelta(days=3)) in calendar):
        day += timedelta(days=1)
    return datetime.combine(day, time(15), tzinfo=UTC)


# --------------------------------------------------------------------------- hold clock


def test_the_flow_counts_the_hold_across_a_holiday_weekend(booked: Database, world: World) -> None:
    with booked.session() as session:
        case = lodged_case(session, honoured=True)
        case_id, tcn, lodged_at = case.id, tcn_of(session, case), case.opened_at
    release = _friday_before_a_monday_holiday(lodged_at)
    send_disposition(booked, world, tcn, release)
    with booked.session() as session:
        case = session.get_one(Case, case_id)
        detainer = case.detainer
        assert detainer is not None
        assert detainer.release_at == release
        # 9 h Friday; Saturday, Sunday and the Monday holiday do not count; 24 h Tuesday;
        # the last 15 h on Wednesday.
        assert detainer.hold_deadline == release + timedelta(days=5)
        if detainer.response is LeaResponse.HONOURED:
            assert case.custody_at == detainer.pickup_at
            assert detainer.pickup_at is not None
            assert release <= detainer.pickup_at <= detainer.hold_deadline
            assert case.facility_code is not None
            assert case.bed_number is not None
        else:
            assert detainer.response is LeaResponse.LAPSED
            assert case.state is CaseState.HOLD_LAPSED


def test_the_hold_lapses_when_no_transport_run_comes_in_time(
    booked: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    with booked.session() as session:
        case = lodged_case(session, honoured=True)
        case_id, tcn = case.id, tcn_of(session, case)
        state = case_flows.case_service.jurisdiction_of(session, case).state
        lodged_at = case.opened_at
    sundays_only = logistics.TransportSchedule(
        state=state, weekdays=frozenset({6}), departs="09:00", seats=4, provenance="test"
    )
    monkeypatch.setattr(logistics, "transport_schedules", lambda: {state: sundays_only})
    monday = lodged_at.date() + timedelta(days=7 - lodged_at.weekday())
    release = datetime.combine(monday, time(12), tzinfo=UTC)
    send_disposition(booked, world, tcn, release)
    with booked.session() as session:
        case = session.get_one(Case, case_id)
        detainer = case.detainer
        assert detainer is not None
        assert case.state is CaseState.HOLD_LAPSED
        assert detainer.response is LeaResponse.LAPSED
        assert detainer.pickup_at is None
        assert case.custody_at is None
        assert case.custody_level is None  # so never counted as booked into ICE custody
        assert detainer.hold_deadline is not None
        assert case.closed_at == detainer.hold_deadline
        plan = session.scalars(
            select(DecisionRecord).where(
                DecisionRecord.case_id == case_id, DecisionRecord.kind == "custody_plan"
            )
        ).one()
        assert plan.outcome == "lapsed"


def test_a_declined_detainer_is_recorded_with_the_policy(booked: Database, world: World) -> None:
    with booked.session() as session:
        case = lodged_case(session, honoured=False)
        case_id, tcn, lodged_at = case.id, tcn_of(session, case), case.opened_at
    send_disposition(booked, world, tcn, lodged_at + timedelta(days=3))
    with booked.session() as session:
        case = session.get_one(Case, case_id)
        assert case.state is CaseState.RELEASED_BY_LEA
        assert case.detainer is not None
        assert case.detainer.response is LeaResponse.DECLINED
        assert case.detainer.response_note is not None
        assert "policy" in case.detainer.response_note


# --------------------------------------------------------------------------- analyst queue


def test_an_analyst_finding_a_citizen_ends_the_case_without_a_detainer(booked: Database) -> None:
    with booked.session() as session:
        case = open_analyst_case(session)
        case_id, tcn = case.id, tcn_of(session, case)
        assert [c.id for c in case_analyst.analyst_queue(session)] == [case_id]
    with booked.session() as session:
        case_analyst.resolve_analyst_review(
            session, case_id=case_id, finding=parse_finding(CITIZEN), analyst="a1", at=REVIEW_AT
        )
    with booked.session() as session:
        case = session.get_one(Case, case_id)
        assert case.state is CaseState.NO_ACTION_CITIZEN
        assert case.detainer is None
        assert session.get_one(Transaction, case.transaction_id).status_category == (
            "citizen_by_derivation"
        )
        assert case_analyst.analyst_queue(session) == []
        with pytest.raises(IllegalTransitionError):
            case_analyst.resolve_analyst_review(
                session, case_id=case_id, finding=parse_finding(ENTRANT), analyst="a2", at=REVIEW_AT
            )
    assert _detainer_messages(booked, tcn) == []


def test_an_analyst_finding_a_removable_status_reruns_priority_and_lodges(
    booked: Database, world: World
) -> None:
    with booked.session() as session:
        case = open_analyst_case(session)
        case_id, tcn = case.id, tcn_of(session, case)
    with booked.session() as session:
        case_analyst.resolve_analyst_review(
            session, case_id=case_id, finding=parse_finding(ENTRANT), analyst="a1", at=REVIEW_AT
        )
    with booked.session() as session:
        case = session.get_one(Case, case_id)
        assert case.state is CaseState.DETAINER_LODGED
        assert case.scheme_id == "eo13768"
        detainer = case.detainer
        assert detainer is not None
        assert detainer.form.value == "I-247A"
        assert detainer.warrant == "I-200"
        assert detainer.probable_cause == ENTRANT["probable_cause"]
        kinds = set(
            session.scalars(select(DecisionRecord.kind).where(DecisionRecord.case_id == case_id))
        )
        assert {"analyst_status", "priority_after_review", "detainer_after_review"} <= kinds
    assert _detainer_messages(booked, tcn) == ["I-247A"]
    # the lodged detainer then follows the ordinary release flow
    send_disposition(booked, world, tcn, REVIEW_AT + timedelta(days=4))
    with booked.session() as session:
        case = session.get_one(Case, case_id)
        assert case.detainer is not None
        assert case.detainer.response is not None
        assert case.state is not CaseState.DETAINER_LODGED


def test_an_analyst_who_decides_after_release_lodges_nothing(
    booked: Database, world: World
) -> None:
    with booked.session() as session:
        case = open_analyst_case(session)
        case_id, tcn = case.id, tcn_of(session, case)
    send_disposition(booked, world, tcn, REVIEW_AT - timedelta(days=30))
    with booked.session() as session:
        assert session.get_one(Case, case_id).state is CaseState.ANALYST_REVIEW
        case_analyst.resolve_analyst_review(
            session, case_id=case_id, finding=parse_finding(ENTRANT), analyst="a1", at=REVIEW_AT
        )
        case = session.get_one(Case, case_id)
        assert case.state is CaseState.RELEASED_BEFORE_REVIEW
        assert case.detainer is None
    assert _detainer_messages(booked, tcn) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": "unable_to_determine", "removable": False}, "category"),
        ({**CITIZEN, "removable": True, "probable_cause": "final_order"}, "removable"),
        ({**ENTRANT, "probable_cause": None}, "probable_cause"),
        ({**ENTRANT, "probable_cause": "a hunch"}, "probable_cause"),
        ({**CITIZEN, "probable_cause": "final_order"}, "probable_cause"),
        ({**ENTRANT, "evidence": ""}, "evidence"),
        ({**ENTRANT, "category": "martian"}, "category"),
    ],
)
def test_an_analyst_finding_that_does_not_hold_together_is_refused(
    change: dict[str, object], field: str
) -> None:
    finding = {**ENTRANT, **change}
    with pytest.raises(InputError) as raised:
        parse_finding(finding)
    assert field in {problem.field for problem in raised.value.problems}


# --------------------------------------------------------------------------- cancellation


def test_cancelling_a_detainer_for_a_citizen_found_later(booked: Database, world: World) -> None:
    with booked.session() as session:
        case = lodged_case(session, honoured=True)
        case_id, tcn, lodged_at = case.id, tcn_of(session, case), case.opened_at
        lodging.cancel(
            session,
            case_id=case_id,
            reason="passport shows birth in Texas",
            officer="sdo1",
            at=lodged_at + timedelta(hours=2),
            citizen_found=True,
        )
    send_disposition(booked, world, tcn, lodged_at + timedelta(days=2))
    with booked.session() as session:
        case = session.get_one(Case, case_id)
        assert case.state is CaseState.NO_ACTION_CITIZEN
        assert case.detainer is not None
        assert case.detainer.response is LeaResponse.CANCELLED
        assert case.detainer.cancel_reason == "passport shows birth in Texas"
        assert case.custody_at is None  # the local agency's release no longer hands over
    assert f"{_form(booked, case_id)}-CANCEL" in _detainer_messages(booked, tcn)


def _form(database: Database, case_id: int) -> str:
    with database.session() as session:
        return session.scalars(select(Detainer.form).where(Detainer.case_id == case_id)).one()


def test_cancelling_needs_an_open_detainer_and_a_reason(booked: Database) -> None:
    with booked.session() as session:
        closed = session.scalars(
            select(Case).where(Case.state == CaseState.NOT_PRIORITY).order_by(Case.id)
        ).first()
        assert closed is not None
        with pytest.raises(IllegalTransitionError):
            lodging.cancel(session, case_id=closed.id, reason="x" * 5, officer="o", at=REVIEW_AT)
        lodged = lodged_case(session, honoured=True)
        with pytest.raises(InputError, match="reason"):
            lodging.cancel(session, case_id=lodged.id, reason=" ", officer="o", at=REVIEW_AT)


# --------------------------------------------------------------------------- discretion, counsel


def test_discretion_is_recorded_beside_the_priority_and_can_be_revised(booked: Database) -> None:
    with booked.session() as session:
        case = lodged_case(session, honoured=True)
        case_id, priority = case.id, case.priority_category
        factors = DiscretionFactors(years_present=12, arrived_as_child=True, family_ties=True)
        case_officers.record_discretion(
            session, case_id=case_id, factors=factors, officer="sdo1", at=REVIEW_AT
        )
        case_officers.record_discretion(
            session,
            case_id=case_id,
            factors=DiscretionFactors(years_present=13, military_service=True),
            officer="sdo2",
            at=REVIEW_AT + timedelta(days=1),
        )
    with booked.session() as session:
        case = session.get_one(Case, case_id)
        assert case.discretion == {
            "years_present": 13,
            "military_service": True,
            "recorded_by": "sdo2",
        }
        assert case.priority_category == priority  # discretion never changes the priority
        (record,) = session.scalars(
            select(DecisionRecord).where(
                DecisionRecord.case_id == case_id, DecisionRecord.kind == "discretion"
            )
        )
        assert record.outcome.startswith(priority or "not a priority")
        (trace,) = record.traces
        assert trace["rule"] == "discretion.recorded"
        assert trace["era"] == case.scheme_id
        assert trace["inputs"]["years_present"] == 13


def test_bad_discretion_factors_name_the_field() -> None:
    with pytest.raises(InvalidDiscretionError, match="'age'"):
        DiscretionFactors(age=200)


def test_closed_cases_take_no_more_discretion_or_counsel(booked: Database) -> None:
    with booked.session() as session:
        closed = session.scalars(
            select(Case).where(Case.state == CaseState.NO_ACTION_CITIZEN).order_by(Case.id)
        ).first()
        assert closed is not None
        with pytest.raises(InputError, match="case_closed"):
            case_officers.record_discretion(
                session, case_id=closed.id, factors=DiscretionFactors(), officer="o", at=REVIEW_AT
            )
        with pytest.raises(InputError, match="case_closed"):
            case_officers.record_counsel(session, case_id=closed.id, counsel_name="A", at=REVIEW_AT)


def test_counsel_recorded_before_custody_is_on_the_hearing(
    booked: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    with booked.session() as session:
        case = lodged_case(session, honoured=True)
        case_id, tcn, lodged_at = case.id, tcn_of(session, case), case.opened_at
        state = case_flows.case_service.jurisdiction_of(session, case).state
        case_officers.record_counsel(
            session, case_id=case_id, counsel_name="R. Advocate", at=lodged_at
        )
    every_day = logistics.TransportSchedule(
        state=state, weekdays=frozenset(range(7)), departs="08:00", seats=4, provenance="test"
    )
    monkeypatch.setattr(logistics, "transport_schedules", lambda: {state: every_day})
    send_disposition(booked, world, tcn, lodged_at + timedelta(days=1))
    with booked.session() as session:
        case = session.get_one(Case, case_id)
        assert case.custody_at is not None
        assert case.counsel is Counsel.REPRESENTED
        assert case.counsel_name == "R. Advocate"
        assert case.hearing_on == logistics.hearing_date(case.custody_at)
        assert case.hearing_mode is not None
        assert case.custody_ended_at is not None  # the court decided; the bed is free again
        hearing = session.scalars(
            select(DecisionRecord).where(
                DecisionRecord.case_id == case_id, DecisionRecord.kind == "hearing"
            )
        ).one()
        assert "represented" in hearing.traces[0]["note"]
        with pytest.raises(IllegalTransitionError):
            case_officers.release_from_custody(
                session, case_id=case_id, on_bond=True, officer="o", at=REVIEW_AT
            )


# --------------------------------------------------------------------------- guarantees


def test_beds_are_never_overbooked_in_a_processed_world(processed: Database) -> None:
    beds = {facility.code: facility.beds for facility in logistics.facilities()}
    with processed.session() as session:
        stays = session.execute(
            select(
                Case.facility_code, Case.bed_number, Case.custody_at, Case.custody_ended_at
            ).where(Case.facility_code.is_not(None))
        ).all()
    assert stays, "the small world puts somebody in ICE custody"
    for code in {stay[0] for stay in stays}:
        mine = [stay for stay in stays if stay[0] == code]
        for _code, bed, begins, ends in mine:
            assert bed is not None
            assert 1 <= bed <= beds[code]
            others = [s for s in mine if s[1] == bed and s[2] != begins]
            assert all(not (o[2] < ends and (o[3] is None or o[3] > begins)) for o in others)


def test_no_citizen_and_no_undetermined_person_is_ever_detained(
    processed: Database, booked: Database
) -> None:
    with booked.session() as session:  # plus the analyst's citizen finding
        case = open_analyst_case(session)
        case_analyst.resolve_analyst_review(
            session, case_id=case.id, finding=parse_finding(CITIZEN), analyst="a", at=REVIEW_AT
        )
    for database in (processed, booked):
        with database.session() as session:
            rows = session.execute(
                select(Transaction.status_category, Case.state, Detainer.response)
                .join(Case, Case.transaction_id == Transaction.id)
                .outerjoin(Detainer, Detainer.case_id == Case.id)
            ).all()
        assert rows
        for category, state, response in rows:
            status = StatusCategory(category)
            blocked = status.is_citizen or status is StatusCategory.UNABLE_TO_DETERMINE
            if blocked:
                assert response is None, f"{category} case in {state} has a detainer"
                assert state in (CaseState.NO_ACTION_CITIZEN, CaseState.ANALYST_REVIEW)


def test_no_release_overtakes_the_detainer_it_answers(processed: Database) -> None:
    """Releases before trial come the day after booking at the earliest, when every
    answer has arrived: each detainer was lodged before the release that answered it."""
    with processed.session() as session:
        answered = session.scalars(select(Detainer).where(Detainer.release_at.is_not(None))).all()
        assert answered
        for detainer in answered:
            assert detainer.release_at is not None
            assert detainer.lodged_at <= detainer.release_at, detainer.case_id
