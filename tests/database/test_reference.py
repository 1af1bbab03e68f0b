"""Reference rows cached across units of work: asked once per revision, and never
stale, whoever changes them (another process, raw SQL, this unit); on each backend."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text
from statement_log import statements_sent

from securecomm.auth import service as auth_service
from securecomm.auth.models import Agency
from securecomm.database import Database, open_database
from securecomm.database.reference import REFERENCE_TABLES, ReferenceRevision, read_as_of
from securecomm.domain import AgencyRole, DetainerPolicy
from securecomm.interop.jurisdictions import jurisdiction_ref
from securecomm.interop.models import Jurisdiction, JurisdictionSuspension, ParticipationEvent


def _world(database: Database) -> int:
    with database.session() as session:
        county = Jurisdiction(
            code="TX-TRAVIS",
            name="Travis",
            state="TX",
            county="Travis",
            activation_date=date(2009, 1, 1),
            detainer_policy=DetainerPolicy.HONOUR_ALL,
        )
        session.add(county)
        session.flush()
        auth_service.register_agency(
            session, ori="TXICE0000", name="Houston", role=AgencyRole.ICE_FIELD_OFFICE, state="TX"
        )
        return county.id


def test_a_reference_lookup_asks_the_database_once_per_revision(database: Database) -> None:
    county = _world(database)
    with database.session() as session:
        jurisdiction_ref(session, county)
        auth_service.agency_for_role(session, AgencyRole.ICE_FIELD_OFFICE, state="TX")
    with database.session() as session, statements_sent(database) as seen:
        assert jurisdiction_ref(session, county).state == "TX"
        office = auth_service.agency_for_role(session, AgencyRole.ICE_FIELD_OFFICE, state="TX")
        assert office.ori == "TXICE0000"
        assert len(seen) == 1  # the revision, nothing else
        assert "reference_revision" in seen[0]


def test_a_change_committed_elsewhere_is_seen_by_the_next_unit(database: Database) -> None:
    """Raw SQL on a connection of its own, as another worker or a person at psql."""
    county = _world(database)
    with database.session() as session:
        assert jurisdiction_ref(session, county).suspensions == ()
        assert auth_service.agency_ref(session, "TXICE0000").name == "Houston"
    with database.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO jurisdiction_suspensions (jurisdiction_id, start, reason, "
                "stops_sharing) VALUES (:id, :start, 'paused', true)"
            ),
            {"id": county, "start": date(2015, 1, 1)},
        )
        connection.execute(text("UPDATE agencies SET name = 'Harris' WHERE ori = 'TXICE0000'"))
    with database.session() as session:
        (suspension,) = jurisdiction_ref(session, county).suspensions
        assert suspension.start == date(2015, 1, 1)
        assert suspension.stops_sharing
        assert auth_service.agency_ref(session, "TXICE0000").name == "Harris"


def test_every_change_to_a_reference_table_moves_the_revision(database: Database) -> None:
    county = _world(database)

    def revision() -> int:
        with database.session() as session:
            return session.scalars(select(ReferenceRevision.revision)).one()

    changes = {
        "agencies": "UPDATE agencies SET name = name || '.'",
        "jurisdictions": "UPDATE jurisdictions SET name = name || '.'",
        "jurisdiction_suspensions": "INSERT INTO jurisdiction_suspensions (jurisdiction_id, "
        "start, reason, stops_sharing) VALUES (:id, '2015-01-01', 'x', false)",
        "participation_events": 'INSERT INTO participation_events (jurisdiction_id, "on", '
        "kind, note, recorded_by) VALUES (:id, '2011-05-01', 'declines_information', '', 'x')",
    }
    assert set(changes) == set(REFERENCE_TABLES)
    for table, statement in changes.items():
        before = revision()
        with database.engine.begin() as connection:
            connection.execute(text(statement), {"id": county})
        assert revision() > before, table
    before = revision()
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM participation_events"))
    assert revision() > before


def test_a_unit_that_changes_reference_rows_reads_its_own_changes(database: Database) -> None:
    county = _world(database)
    with database.session() as session:
        assert auth_service.state_bureau(session, "TX") is None
        jurisdiction_ref(session, county)
    with database.session() as session:
        assert auth_service.state_bureau(session, "TX") is None  # cached
        auth_service.register_agency(
            session, ori="TXDPS0000", name="Texas DPS", role=AgencyRole.STATE_BUREAU, state="TX"
        )
        bureau = auth_service.state_bureau(session, "TX")
        assert bureau is not None
        assert bureau.ori == "TXDPS0000"
        session.add(
            ParticipationEvent(
                jurisdiction_id=county,
                on=date(2011, 5, 1),
                kind="declines_information",
                note="",
                recorded_by="test",
            )
        )
        declared = jurisdiction_ref(session, county).declaration_in_force(date(2012, 1, 1))
        assert declared is not None
        assert declared.kind == "declines_information"
        row = session.get_one(Jurisdiction, county)
        row.state = "OK"  # changed, not yet flushed
        assert jurisdiction_ref(session, county).state == "OK"
    with database.session() as session:
        assert jurisdiction_ref(session, county).state == "OK"


def test_a_rolled_back_change_leaves_the_cache_as_it_was(database: Database) -> None:
    county = _world(database)

    def change_then_fail() -> None:
        with database.session() as session:
            session.get_one(Jurisdiction, county).state = "OK"
            session.flush()
            assert jurisdiction_ref(session, county).state == "OK"
            raise RuntimeError("the unit fails")

    with pytest.raises(RuntimeError, match="the unit fails"):
        change_then_fail()
    with database.session() as session:
        assert jurisdiction_ref(session, county).state == "TX"


def test_declarations_and_suspensions_come_in_date_order(database: Database) -> None:
    county = _world(database)
    with database.session() as session:
        for on, kind in (
            (date(2012, 3, 1), "accepts_information"),
            (date(2011, 5, 1), "declines_information"),
            (date(2011, 6, 1), "asks_to_opt_out"),  # not about information
        ):
            session.add(
                ParticipationEvent(
                    jurisdiction_id=county, on=on, kind=kind, note="", recorded_by="test"
                )
            )
        for start in (date(2016, 1, 1), date(2014, 11, 20)):
            session.add(
                JurisdictionSuspension(
                    jurisdiction_id=county, start=start, reason="x", stops_sharing=False
                )
            )
    with database.session() as session:
        found = jurisdiction_ref(session, county)
        assert [s.start for s in found.suspensions] == [date(2014, 11, 20), date(2016, 1, 1)]
        assert found.declaration_in_force(date(2011, 1, 1)) is None
        in_2011 = found.declaration_in_force(date(2011, 12, 31))
        assert in_2011 is not None
        assert in_2011.kind == "declines_information"
        in_2013 = found.declaration_in_force(date(2013, 1, 1))
        assert in_2013 is not None
        assert in_2013.kind == "accepts_information"


def test_a_store_made_again_is_not_answered_from_the_old_one(tmp_path: Path) -> None:
    """Two stores, each migrated afresh, both at revision n: different epochs."""
    stores = [open_database(f"sqlite:///{tmp_path}/{name}.sqlite") for name in ("a", "b")]
    try:
        for store, name in zip(stores, ("First", "Second"), strict=True):
            with store.session() as session:
                auth_service.register_agency(
                    session, ori="USDOJFBI0", name=name, role=AgencyRole.CRIMINAL_REPOSITORY
                )
        names = []
        for store in stores:
            with store.session() as session:
                names.append(
                    auth_service.agency_for_role(session, AgencyRole.CRIMINAL_REPOSITORY).name
                )
        assert names == ["First", "Second"]
        with stores[0].session() as session:
            assert session.scalar(select(Agency.name)) == "First"
    finally:
        for store in stores:
            store.dispose()


def test_units_given_the_revision_by_their_claim_do_not_ask_for_it(database: Database) -> None:
    county = _world(database)
    with database.session() as session:
        epoch, revision = session.execute(
            select(ReferenceRevision.epoch, ReferenceRevision.revision)
        ).one()
        jurisdiction_ref(session, county)
    with read_as_of(epoch, revision), database.session() as session:
        with statements_sent(database) as seen:
            assert jurisdiction_ref(session, county).state == "TX"
        assert seen == []
    with database.engine.begin() as connection:  # changed after the claim read it
        connection.execute(text("UPDATE jurisdictions SET state = 'OK'"))
    with read_as_of(epoch, revision), database.session() as session:
        assert jurisdiction_ref(session, county).state == "TX"  # as of the claim
    with database.session() as session:  # the next claim's work sees the change
        assert jurisdiction_ref(session, county).state == "OK"
    with read_as_of(epoch, revision), database.session() as session:
        # a revision older than the cache's is read around the cache, not cached
        assert jurisdiction_ref(session, county).state == "OK"
