"""FBI numbers are issued in sequence, never twice, on each backend: after the highest
identity id (an index read), not after a count of every identity."""

from __future__ import annotations

from datetime import date

from sqlalchemy import event

from securecomm.database import Database
from securecomm.repositories import service as repository_service


def _enrol(database: Database, name: str) -> str:
    with database.session() as session:
        return repository_service.create_criminal_subject(
            session, name=name, dob=date(1980, 1, 1), sex="M", race="W", place_of_birth="MX"
        ).fbi_number


def test_numbers_follow_in_sequence_and_a_rolled_back_enrolment_is_not_reused(
    database: Database,
) -> None:
    first = _enrol(database, "FIRST, ONE")
    assert first == "0000001SC"
    try:
        with database.session() as session:
            repository_service.create_criminal_subject(
                session, name="GONE, ONE", dob=None, sex="F", race="W", place_of_birth="MX"
            )
            raise RuntimeError("the unit fails after the enrolment")
    except RuntimeError:
        pass
    second = _enrol(database, "SECOND, ONE")
    third = _enrol(database, "THIRD, ONE")
    numbers = [first, second, third]
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == 3


def test_the_next_number_does_not_count_the_identities(database: Database) -> None:
    _enrol(database, "FIRST, TWO")
    seen: list[str] = []

    def record(*arguments: object) -> None:
        seen.append(str(arguments[2]).lower())

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        _enrol(database, "SECOND, TWO")
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
    assert not any("count(" in statement for statement in seen)
    assert any("max(criminal_subjects.id)" in statement for statement in seen)
