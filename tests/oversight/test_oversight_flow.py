"""A planted world through the whole flow: the store gives the monitor the same facts as
the world does, a scan opens one review per flagged unit (once), and a supervisor's
suspension stops the flow sharing that jurisdiction's later bookings. Every step is in
the audit log, and the log verifies. The citizen safeguard report lists every match to a
person with citizenship evidence, and no detainer on a citizen or undetermined status."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from backends import database_url
from securecomm.api.app import create_app
from securecomm.audit.models import AuditEvent
from securecomm.auth import service as auth_service
from securecomm.cases.models import Case, CaseState, Detainer
from securecomm.cli import app
from securecomm.database import Database, open_database
from securecomm.domain import AgencyRole
from securecomm.exceptions import InputError
from securecomm.interop.models import (
    DecisionRecord,
    Jurisdiction,
    JurisdictionSuspension,
    OutboxMessage,
    Transaction,
)
from securecomm.oversight import (
    monitor,
    participation,
    redress,
    redress_corrections,
    report,
    reviews,
    safeguards,
    statistics,
    transparency,
)
from securecomm.oversight.models import ActivationDecision, ComplaintKind, ReviewState
from securecomm.oversight.monitor_store import booking_facts as store_facts
from securecomm.pipeline.worker import Worker
from securecomm.repositories.models import CriminalSubject, FingerprintRecord, Repository
from securecomm.simulation import live, runner
from securecomm.simulation.court import SimulatedImmigrationCourt
from securecomm.simulation.generate import build_world
from securecomm.simulation.monitor_world import booking_facts as world_facts
from securecomm.simulation.world import World

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


# SQLite only: running a 400-person world through the flow costs 45 s a backend. The same
# flows run on PostgreSQL through the API tests (the permission matrix calls the scan, the
# publication and every redress route there; tests/api/test_redress_api.py works a
# complaint end to end) and the tables come from the same migrations.
@pytest.fixture(scope="module", params=["sqlite"])
def flowed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[World, Database, str]]:
    world = build_world(
        people=400,
        start=datetime(2008, 10, 1).date(),
        end=datetime(2018, 12, 31).date(),
        seed=1,
        population="dense",
        plant_profiling=True,
    )
    url = database_url(request.param, tmp_path_factory.mktemp("flow"))
    database = open_database(url)
    links = runner.load_reference(database, world)
    runner.enqueue_events(database, world, links)
    Worker(database, court=SimulatedImmigrationCourt(world)).run()
    yield world, database, url
    database.dispose()


def test_the_store_gives_the_monitor_what_the_world_does(
    flowed: tuple[World, Database, str],
) -> None:
    world, database, _url = flowed
    with database.session() as session:
        stored = {facts.tcn: asdict(facts) for facts in store_facts(session)}
    expected = {facts.tcn: asdict(facts) for facts in world_facts(world)}
    assert stored == expected


def test_monitor_findings_equal_the_world_s_through_the_flow(
    flowed: tuple[World, Database, str],
) -> None:
    world, database, _url = flowed
    with database.session() as session:
        from_store = monitor.run(store_facts(session))
    from_world = monitor.run(world_facts(world))
    assert [f.evidence() for f in from_store.flagged] == [f.evidence() for f in from_world.flagged]


def test_the_safeguard_report_lists_citizens_matched_and_no_detainer_on_them(
    flowed: tuple[World, Database, str],
) -> None:
    world, database, url = flowed
    with database.session() as session:
        found = safeguards.compute(session)
        citizens_matched = {
            t.tcn
            for t in session.scalars(select(Transaction))
            if t.immigration_subject_id is not None
            and world.truth.persons[world.truth.booking_person[t.tcn]].citizen
        }
    listed = {row.tcn for row in found.rows}
    assert citizens_matched  # the dense world matches naturalised and derived citizens
    assert citizens_matched <= listed  # every citizen matched is in the report
    summary = found.summary
    assert summary["found_citizen"] >= len(citizens_matched)
    assert summary["detainers_on_citizens"] == 0
    assert summary["detainers_on_unable_to_determine"] == 0
    assert not any(row.breach for row in found.rows)
    result = CliRunner().invoke(app, ["oversight", "citizens", "--database-url", url, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"] == summary


def test_a_scan_opens_one_review_per_flag_and_a_suspension_stops_sharing(
    flowed: tuple[World, Database, str],
) -> None:
    world, database, url = flowed
    planted = world.truth.planted
    assert planted is not None
    with database.session() as session:
        report, opened = reviews.scan(session, actor="auditor1", at=NOW)
        flagged = {f"{f.unit_kind}:{f.unit}" for f in report.flagged}
        assert flagged == {f"jurisdiction:{planted.jurisdiction}", f"officer:{planted.officer}"}
        assert {f"{r.unit_kind.value}:{r.unit}" for r in opened} == flagged
        assert all(r.evidence["flagged"] for r in opened)
        by_unit = {r.unit: r.id for r in opened}
    with database.session() as session:
        _, again = reviews.scan(session, actor="auditor1", at=NOW)
        assert again == []  # open reviews are not opened twice
    with database.session() as session, pytest.raises(InputError) as refused:
        reviews.decide(
            session,
            review_id=by_unit[planted.officer],
            decision=ReviewState.SHARING_SUSPENDED,
            note="suspend the officer",
            supervisor="super1",
            at=NOW,
        )
    assert "oversight.suspend_jurisdictions_only" in str(refused.value)
    with database.session() as session:
        review = reviews.decide(
            session,
            review_id=by_unit[planted.jurisdiction],
            decision=ReviewState.SHARING_SUSPENDED,
            note="pretextual traffic stops of people born abroad, see evidence",
            supervisor="super1",
            at=NOW,
        )
        assert review.suspension_id is not None
        suspended = session.scalar(
            select(Transaction).where(Transaction.tcn.startswith(_ori_prefix(world, planted)))
        )
        assert suspended is not None
        source = suspended.id
    live.rebook(database, source, at=NOW + timedelta(hours=1), sequence=1)
    Worker(database, court=SimulatedImmigrationCourt(world)).run()
    with database.session() as session:
        latest = session.scalars(select(Transaction).order_by(Transaction.id.desc())).first()
        assert latest is not None
        assert latest.booked_at > NOW
        assert latest.immigration_searched is False
        activation = session.scalar(
            select(DecisionRecord).where(
                DecisionRecord.transaction_id == latest.id, DecisionRecord.kind == "activation"
            )
        )
        assert activation is not None
        assert "profiling review" in str(activation.traces)
        kinds = set(session.scalars(select(AuditEvent.kind)))
        assert {"oversight.monitor_run", "oversight.review_opened"} <= kinds
        assert "oversight.review_decided" in kinds
    for command in (["audit", "seal"], ["audit", "verify"]):
        result = CliRunner().invoke(app, [*command, "--database-url", url])
        assert result.exit_code == 0, result.output
    assert "audit log verified" in result.output


def _ori_prefix(world: World, planted: object) -> str:
    jurisdiction = getattr(planted, "jurisdiction", "")
    spec = next(j for j in world.jurisdictions if j.code == jurisdiction)
    agency = next(a for a in world.agencies if a.jurisdiction_code == spec.code)
    return agency.ori


def _removable_person(session: Session, suspended: set[int]) -> Transaction:
    """An earlier booking of someone a detainer was lodged on, outside suspended places."""
    return session.scalars(
        select(Transaction)
        .join(Case, Case.transaction_id == Transaction.id)
        .join(Detainer, Detainer.case_id == Case.id)
        .where(Transaction.jurisdiction_id.not_in(suspended))
        .order_by(Transaction.id)
    ).first() or pytest.fail("no detainer in the world")


def _complaint(session: Session, kind: ComplaintKind, tcn: str) -> int:
    complaint = redress.file_complaint(
        session,
        kind=kind,
        filed_by="lawyer",
        complainant="Counsel for the arrestee",
        contact="counsel@example.org",
        statement="The person says the record used against them is not theirs.",
        booking_tcn=tcn,
        at=NOW,
    )
    redress.take_up(session, complaint_id=complaint.id, officer="redress1", at=NOW)
    return complaint.id


def test_redress_corrections_flow_back_into_records_cases_and_statistics(
    flowed: tuple[World, Database, str],
) -> None:
    world, database, url = flowed
    court = SimulatedImmigrationCourt(world)
    with database.session() as session:
        suspended = set(
            session.scalars(
                select(JurisdictionSuspension.jurisdiction_id).where(
                    JurisdictionSuspension.stops_sharing,
                    JurisdictionSuspension.end.is_(None),
                )
            )
        )
        earlier = _removable_person(session, suspended)
        earlier_id, person_subject = earlier.id, earlier.immigration_subject_id
        before = statistics.compute(session).nationwide
    # Booked again today: the flow lodges a detainer at once (batch mode).
    live.rebook(database, earlier_id, at=NOW + timedelta(hours=2), sequence=2)
    Worker(database, court=court).run()
    with database.session() as session:
        again = session.scalars(select(Transaction).order_by(Transaction.id.desc())).first()
        assert again is not None
        case = session.scalars(select(Case).where(Case.transaction_id == again.id)).one()
        assert case.state is CaseState.DETAINER_LODGED
        lifted = _complaint(session, ComplaintKind.DETAINER_IN_ERROR, again.tcn)
        redress_corrections.correct(
            session,
            complaint_id=lifted,
            officer="redress1",
            at=NOW,
            lift_detainer=True,
            note="the warrant named another person; detainer lifted",
        )
        assert case.state is CaseState.DETAINER_CANCELLED
        wrong = _complaint(session, ComplaintKind.WRONG_IDENTITY, again.tcn)
        redress_corrections.correct(
            session,
            complaint_id=wrong,
            officer="redress1",
            at=NOW,
            wrong_match=True,
            note="examiner re-compared the prints: not the same person",
        )
        assert again.immigration_subject_id is None
        after = statistics.compute(session).nationwide
        revised = redress.revisions(session)
    assert after.bookings == before.bookings + 1
    assert after.matches == before.matches  # one match added by the booking, one ruled out
    assert after.detainers_cancelled == before.detainers_cancelled + 1
    assert revised["net_change"]["matches"] == -1
    assert revised["net_change"].get("detainers_cancelled") == 1, revised
    # The same person booked once more: the ruled-out identity is not matched again.
    live.rebook(database, earlier_id, at=NOW + timedelta(hours=4), sequence=3)
    Worker(database, court=court).run()
    with database.session() as session:
        third = session.scalars(select(Transaction).order_by(Transaction.id.desc())).first()
        assert third is not None
        assert third.immigration_searched is True
        assert third.immigration_subject_id != person_subject
        kinds = set(
            session.scalars(
                select(DecisionRecord.kind).where(DecisionRecord.transaction_id == third.id)
            )
        )
        assert "immigration_ruled_out" in kinds
        # Answer in writing; the public lookup shows it.
        redress.answer(
            session,
            complaint_id=wrong,
            officer="redress1",
            text="We re-examined the fingerprints and found they were matched to another "
            "person's record. The match has been removed and cannot recur.",
            at=NOW,
        )
        reference = redress.get_complaint(session, wrong).reference
        steps = [e.action for e in redress.events(session, wrong)]
        assert steps == ["filed", "taken_up", "corrected", "answered"]
        assert redress.by_reference(session, reference.lower()).answered_at is not None
        with pytest.raises(InputError, match="cannot take up"):
            redress.take_up(session, complaint_id=wrong, officer="redress1", at=NOW)
        published = report.build(session)
        assert published.revisions["net_change"]["matches"] == -1
        assert "Revised figures" in report.html_text(published)
    for command in (["audit", "seal"], ["audit", "verify"]):
        result = CliRunner().invoke(app, [*command, "--database-url", url])
        assert result.exit_code == 0, result.output


def test_a_jurisdiction_is_forwarded_only_after_a_supervisor_signs_its_review(
    flowed: tuple[World, Database, str],
) -> None:
    world, database, url = flowed
    court = SimulatedImmigrationCourt(world)
    with database.session() as session:
        sharing = {
            p.code for p in participation.participation(session, on=NOW.date()) if p.sharing_now
        }
        place = session.scalars(
            select(Jurisdiction).where(Jurisdiction.code.in_(sharing)).order_by(Jurisdiction.code)
        ).first()
        assert place is not None
        booked_there = session.scalars(
            select(Transaction.id).where(Transaction.jurisdiction_id == place.id)
        ).first()
        place.activation_date = None  # a jurisdiction that has not joined yet
        code = place.code
        participation.record_declaration(
            session,
            code=code,
            kind="declines_information",
            note="the county board voted not to receive immigration information",
            on=NOW.date(),
            recorded_by="auditor1",
        )
    assert booked_there is not None
    live.rebook(database, booked_there, at=NOW + timedelta(hours=5), sequence=5)
    Worker(database, court=court).run()
    with database.session() as session:
        before = session.scalars(select(Transaction).order_by(Transaction.id.desc())).first()
        assert before is not None
        assert before.immigration_searched is False  # not activated: not forwarded
        review = participation.prepare_review(
            session,
            code=code,
            civil_rights="no open DOJ investigation; one 2012 finding closed",
            lawsuits="none pending",
            training="all deputies trained on the detainer rules in 2026",
            prepared_by="super1",
            at=NOW,
        )
        assert "nation" in review.projection
        with pytest.raises(InputError, match="four_eyes"):
            participation.sign_review(
                session,
                review_id=review.id,
                decision=ActivationDecision.APPROVE,
                note="I prepared it and would like to sign it",
                supervisor="super1",
                at=NOW,
            )
    with database.session() as session:
        participation.sign_review(
            session,
            review_id=review.id,
            decision=ActivationDecision.APPROVE,
            note="record reviewed; training done; activate",
            supervisor="super2",
            at=NOW + timedelta(hours=6),
        )
        stated = next(
            p for p in participation.participation(session, on=NOW.date()) if p.code == code
        )
        assert "after a signed pre-activation review" in stated.status
        assert "declined to receive immigration information" in stated.status
        assert any("signed by super2" in item.what for item in stated.history)
    live.rebook(database, booked_there, at=NOW + timedelta(hours=7), sequence=6)
    Worker(database, court=court).run()
    with database.session() as session:
        after = session.scalars(select(Transaction).order_by(Transaction.id.desc())).first()
        assert after is not None
        assert after.immigration_searched is True  # signed: forwarded from that day
        # It declined immigration information: no IDR answer reaches its agencies (the
        # field office is still answered), and the record says why.
        answers = session.scalars(
            select(OutboxMessage).where(OutboxMessage.transaction_id == after.id)
        ).all()
        idr = [m for m in answers if m.message_type.startswith("IDR")]
        assert all(m.recipient not in (after.ori, _bureau_of(session, after)) for m in idr)
        assert {m.message_type for m in answers} >= {"SRE"}  # the criminal answer still goes
        withheld = session.scalars(
            select(DecisionRecord).where(
                DecisionRecord.transaction_id == after.id, DecisionRecord.kind == "answer_withheld"
            )
        ).one()
        assert withheld.traces[0]["rule"] == "participation.declines_information"
        if after.immigration_subject_id is not None:
            state = session.get_one(Jurisdiction, after.jurisdiction_id).state
            office = auth_service.agency_for_role(
                session, AgencyRole.ICE_FIELD_OFFICE, state=state
            ).ori
            assert any(m.recipient == office for m in idr if m.message_type == "IDR-IAR")
    result = CliRunner().invoke(app, ["oversight", "participation", "--database-url", url])
    assert result.exit_code == 0, result.output


def _bureau_of(session: Session, transaction: Transaction) -> str | None:
    state = session.get_one(Jurisdiction, transaction.jurisdiction_id).state
    bureau = auth_service.state_bureau(session, state)
    return None if bureau is None else bureau.ori


def test_the_transparency_report_is_public_and_names_no_one(
    flowed: tuple[World, Database, str],
) -> None:
    world, database, _url = flowed
    with database.session() as session:
        release = transparency.publish(session, epsilon=1.0, publisher="super2", at=NOW)
        content = release.content
        tcns = set(session.scalars(select(Transaction.tcn)))
        officers = {o for o in session.scalars(select(Transaction.arresting_officer)) if o}
    text = json.dumps(content)
    assert not any(tcn in text for tcn in tcns)
    assert not any(officer in text for officer in officers)  # officers counted, never named
    assert not any(p.subject.surname in text for p in world.events if hasattr(p, "subject"))
    exact = [v for j in content["jurisdictions"] for v in j["exact"].values()]
    assert all(v == 0 or v == "<10" or (isinstance(v, int) and v >= 10) for v in exact)
    assert content["dp_error"]["cells"] == 4 * len(content["jurisdictions"])
    assert content["monitor"]["officers_flagged"] >= 1
    client = TestClient(create_app(database, cookie_secure=False))
    page = client.get("/transparency")
    assert page.status_code == 200
    assert "Is participation mandatory?" in page.text
    assert "epsilon = 1.0" in page.text
    api = client.get("/api/v1/transparency")
    assert api.json()["content"] == content  # everyone sees the release as published


def test_redress_merges_a_person_s_two_identities_and_splits_off_a_wrong_one(
    flowed: tuple[World, Database, str],
) -> None:
    """Merge: the newer identity folds into the older (arrests, names, bookings) and a
    later search landing on its prints is resolved to the older one. Split: a booking
    added to the wrong identity gets its own, enrolled with its prints. Both leave the
    audit log verifiable; impossible requests name the field."""
    world, database, url = flowed
    with database.session() as session:
        newer = session.scalars(
            select(CriminalSubject)
            .where(CriminalSubject.enrolled_by_tcn.is_not(None))
            .order_by(CriminalSubject.id.desc())
        ).first() or pytest.fail("no identity enrolled by a booking")
        older = session.scalars(select(CriminalSubject).order_by(CriminalSubject.id)).first()
        assert older is not None
        assert older.id < newer.id
        enrolling = session.scalars(
            select(Transaction).where(Transaction.tcn == newer.enrolled_by_tcn)
        ).one()
        moved = {arrest.incident_id for arrest in newer.arrests}
        older_id, newer_id, enrolling_id = older.id, newer.id, enrolling.id
        bad = _complaint(session, ComplaintKind.WRONG_IDENTITY, enrolling.tcn)
        with pytest.raises(InputError) as unknown:
            redress_corrections.correct(
                session, complaint_id=bad, officer="redress1", at=NOW,
                merge_with="9999999ZZ", note="the person also holds another record",
            )  # fmt: skip
        assert unknown.value.problems[0].field == "merge_with"
        with pytest.raises(InputError) as own:
            redress_corrections.correct(
                session, complaint_id=bad, officer="redress1", at=NOW,
                split_identity=True, note="this booking is not the person on record",
            )  # fmt: skip
        assert own.value.problems[0].field == "split_identity"
        merged = redress_corrections.correct(
            session, complaint_id=bad, officer="redress1", at=NOW,
            merge_with=older.fbi_number, note="same person: prints and documents agree",
        )  # fmt: skip
        assert merged.corrections[0]["action"] == "identity_merged"
        assert newer.merged_into_id == older_id
        assert newer.arrests == []
        assert moved <= {arrest.incident_id for arrest in older.arrests}
        assert enrolling.criminal_subject_id == older_id
    # Booked again with the prints the newer identity was enrolled with: the older one.
    live.rebook(database, enrolling_id, at=NOW + timedelta(hours=6), sequence=7)
    Worker(database, court=SimulatedImmigrationCourt(world)).run()
    with database.session() as session:
        again = session.scalars(select(Transaction).order_by(Transaction.id.desc())).first()
        assert again is not None
        assert again.criminal_subject_id == older_id
        assert again.criminal_identified
        # That booking was the wrong person after all: split it off.
        wrong = _complaint(session, ComplaintKind.WRONG_IDENTITY, again.tcn)
        split = redress_corrections.correct(
            session, complaint_id=wrong, officer="redress1", at=NOW,
            split_identity=True, note="examiner found the prints are another person's",
        )  # fmt: skip
        assert split.corrections[0]["action"] == "identity_split"
        own_identity = session.get_one(CriminalSubject, again.criminal_subject_id)
        assert own_identity.id not in (older_id, newer_id)
        assert own_identity.enrolled_by_tcn == again.tcn
        assert [a.incident_id for a in own_identity.arrests] == [again.tcn]
        assert again.tcn not in {
            a.incident_id for a in session.get_one(CriminalSubject, older_id).arrests
        }
        prints = session.scalars(
            select(FingerprintRecord).where(
                FingerprintRecord.repository == Repository.CRIMINAL,
                FingerprintRecord.subject_id == own_identity.id,
            )
        ).all()
        assert prints
    for command in (["audit", "seal"], ["audit", "verify"]):
        result = CliRunner().invoke(app, [*command, "--database-url", url])
        assert result.exit_code == 0, result.output
