"""The row helpers: a unique lookup asked once per unit of work, an insert that leaves
an existing row alone; and the prints' one-statement insert; on each backend."""

from __future__ import annotations

import gc
from datetime import UTC, datetime

from sqlalchemy import func, select
from statement_log import statements_sent

from securecomm.database import Database
from securecomm.database.rows import by_unique, insert_unless_present
from securecomm.domain import DetainerPolicy
from securecomm.interop.models import Jurisdiction, OutboxMessage
from securecomm.repositories.models import FingerprintRecord, Repository
from securecomm.repositories.prints import store_prints


def _jurisdiction(code: str) -> Jurisdiction:
    return Jurisdiction(
        code=code, name=code, state="TX", county="Travis", detainer_policy=DetainerPolicy.HONOUR_ALL
    )


def test_a_unique_row_is_asked_for_once_per_unit_of_work(database: Database) -> None:
    with database.session() as session:
        session.add(_jurisdiction("TX-ONE"))
    with database.session() as session, statements_sent(database) as seen:
        first = by_unique(session, Jurisdiction, Jurisdiction.code, "TX-ONE")
        asked = len(seen)
        gc.collect()  # the identity map alone would have let the row go
        again = by_unique(session, Jurisdiction, Jurisdiction.code, "TX-ONE")
        assert again is first
        assert len(seen) == asked == 1
    with database.session() as session, statements_sent(database) as seen:
        by_unique(session, Jurisdiction, Jurisdiction.code, "TX-ONE")
        assert len(seen) == 1  # a new unit of work asks again


def test_a_lookup_flushes_the_unit_only_when_a_new_row_of_its_kind_is_pending(
    database: Database,
) -> None:
    with database.session() as session:
        session.add(_jurisdiction("TX-SIX"))
    with database.session() as session:
        pending = OutboxMessage(
            key="TCN-6:SRE:TX0000001",
            message_type="SRE",
            sender="DOJFBI000",
            recipient="TX0000001",
            created_at=datetime(2012, 5, 1, tzinfo=UTC),
            payload={},
        )
        session.add(pending)  # pending, and not a jurisdiction
        found = by_unique(session, Jurisdiction, Jurisdiction.code, "TX-SIX")
        assert found is not None
        assert len(session.new) == 1  # not flushed by the lookup: it goes with the commit
        session.add(_jurisdiction("TX-SEVEN"))
        # a new jurisdiction is pending: the lookup flushes first and so finds it
        assert by_unique(session, Jurisdiction, Jurisdiction.code, "TX-SEVEN") is not None
        assert not session.new


def test_a_row_not_found_is_asked_for_again(database: Database) -> None:
    with database.session() as session:
        assert by_unique(session, Jurisdiction, Jurisdiction.code, "TX-TWO") is None
        session.add(_jurisdiction("TX-TWO"))
        session.flush()
        found = by_unique(session, Jurisdiction, Jurisdiction.code, "TX-TWO")
        assert found is not None
        assert found.code == "TX-TWO"


def test_a_locked_lookup_reads_what_others_wrote_and_keeps_its_own_changes(
    database: Database,
) -> None:
    with database.session() as session:
        session.add(_jurisdiction("TX-TEN"))
    with database.session() as session:
        row = by_unique(session, Jurisdiction, Jurisdiction.code, "TX-TEN")
        assert row is not None
        with database.session() as other:  # another unit changes it meanwhile
            changed = by_unique(other, Jurisdiction, Jurisdiction.code, "TX-TEN")
            assert changed is not None
            changed.county = "Bexar"
        row.name = "Tenth"  # this unit's own pending change
        locked = by_unique(session, Jurisdiction, Jurisdiction.code, "TX-TEN", lock=True)
        assert locked is row
        assert (locked.county, locked.name) == ("Bexar", "Tenth")


def test_an_insert_flushes_the_unit_only_for_a_pending_row_it_may_refer_to(
    database: Database,
) -> None:
    def message(key: str) -> dict[str, object]:
        at = datetime(2012, 5, 1, tzinfo=UTC)
        return {"key": key, "message_type": "SRE", "sender": "DOJFBI000"} | {
            "recipient": "TX0000001",
            "created_at": at,
            "payload": {},
        }

    with database.session() as session:
        session.add(_jurisdiction("TX-EIGHT"))  # pending, and not referred to
        insert_unless_present(
            session,
            OutboxMessage,
            unique="key",
            rows=[message("K-8")],
            refers_to=(FingerprintRecord,),
        )
        assert len(session.new) == 1  # not flushed: it goes with the commit
        insert_unless_present(
            session, OutboxMessage, unique="key", rows=[message("K-9")], refers_to=(Jurisdiction,)
        )
        assert not session.new  # a row it may refer to was pending: flushed first


def test_an_insert_unless_present_keeps_the_first_row(database: Database) -> None:
    at = datetime(2012, 5, 1, tzinfo=UTC)

    def message(key: str, note: str) -> dict[str, object]:
        return {
            "key": key,
            "message_type": "SRE",
            "sender": "DOJFBI000",
            "recipient": "TX0000001",
            "created_at": at,
            "payload": {"note": note},
        }

    with database.session() as session:
        first = [message("TCN-1:SRE:TX0000001", "first")]
        assert insert_unless_present(session, OutboxMessage, unique="key", rows=first) == 1
        again = [message("TCN-1:SRE:TX0000001", "second"), message("TCN-2:SRE:TX0000001", "new")]
        assert insert_unless_present(session, OutboxMessage, unique="key", rows=again) == 1
        assert insert_unless_present(session, OutboxMessage, unique="key", rows=[]) == 0
    with database.session() as session:
        kept = {m.key: m for m in session.scalars(select(OutboxMessage))}
    assert sorted(kept) == ["TCN-1:SRE:TX0000001", "TCN-2:SRE:TX0000001"]
    assert kept["TCN-1:SRE:TX0000001"].payload == {"note": "first"}
    assert kept["TCN-1:SRE:TX0000001"].attempts == 0
    assert kept["TCN-2:SRE:TX0000001"].delivered_at is None


def test_storing_no_prints_stores_nothing(database: Database) -> None:
    with database.session() as session:
        store_prints(session, repository=Repository.CRIMINAL, subject_id=1, prints={})
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(FingerprintRecord)) == 0
