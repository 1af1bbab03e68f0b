"""A name added to an identity that another unit of work added a moment before (two
bookings of one person identified at once) is kept once, and nothing fails."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from securecomm.database import Database
from securecomm.repositories import service as repository_service
from securecomm.repositories.models import CriminalAlias, CriminalSubject


def _enrol(database: Database) -> int:
    with database.session() as session:
        subject = repository_service.create_criminal_subject(
            session,
            name="DOE, JOHN",
            dob=date(1980, 1, 2),
            sex="M",
            race="W",
            place_of_birth="MX",
            aliases=["ROE, JOHN"],
        )
        return subject.id


def test_an_alias_added_by_two_units_at_once_is_stored_once(database: Database) -> None:
    subject_id = _enrol(database)
    with database.session() as late:
        subject = late.get_one(CriminalSubject, subject_id)
        assert [alias.name for alias in subject.aliases] == ["ROE, JOHN"]  # seen before
        with database.session() as early:  # the other booking commits the name first
            repository_service.add_aliases(
                early, subject=early.get_one(CriminalSubject, subject_id), names=["DOE, J"]
            )
        repository_service.add_aliases(late, subject=subject, names=["DOE, J", "DOE, JOHN"])
        assert sorted(alias.name for alias in subject.aliases) == ["DOE, J", "ROE, JOHN"]
    with database.session() as session:
        names = session.scalars(
            select(CriminalAlias.name).where(CriminalAlias.subject_id == subject_id)
        ).all()
    assert sorted(names) == ["DOE, J", "ROE, JOHN"]  # the subject's own name is no alias
