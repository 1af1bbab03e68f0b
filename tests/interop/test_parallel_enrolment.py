"""Workers side by side: a booking about to enrol a new identity re-checks, under the
enrolment lock, the identities enrolled since its search, so two bookings of one person
close together still end on one identity."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from sqlalchemy import text

from securecomm.biometrics import Band, Gallery, Template, synthetic
from securecomm.database import Database
from securecomm.database.locks import ENROLMENT_LOCK_KEY, enrolment_lock, runs_in_parallel
from securecomm.interop.context import Galleries
from securecomm.repositories import prints as print_store
from securecomm.repositories import service as repository_service
from securecomm.repositories.models import Repository


def _enrol(database: Database, prints: dict[int, Template], name: str) -> int:
    with database.session() as session:
        subject = repository_service.create_criminal_subject(
            session, name=name, dob=date(1980, 1, 1), sex="M", race="W", place_of_birth="MX"
        )
        print_store.store_prints(
            session, repository=Repository.CRIMINAL, subject_id=subject.id, prints=prints
        )
        return subject.id


def test_the_recheck_finds_the_person_another_worker_enrolled_since_the_search(
    database: Database,
) -> None:
    rng = np.random.default_rng(31)
    strangers = [synthetic.synthesize_tenprint(rng) for _ in range(5)]
    for number, stranger in enumerate(strangers):
        _enrol(database, stranger, f"STRANGER, NUMBER{number}")
    person = synthetic.synthesize_tenprint(rng)
    first, second = synthetic.impressions_of(person, rng), synthetic.impressions_of(person, rng)
    worker_a = Galleries(criminal=Gallery(), immigration=Gallery())
    with database.session() as session:
        worker_a.sync(session)
    searched = worker_a.criminal.search(second)
    assert searched.band is Band.NO_IDENTIFICATION

    enrolled_by_b = _enrol(database, first, "DOE, JOHN")  # another worker, meanwhile

    with database.session() as session:
        rechecked = worker_a.recheck_before_enrolment(session, second, searched)
    assert rechecked.band is Band.IDENTIFICATION
    assert rechecked.best is not None
    assert rechecked.best.subject_id == enrolled_by_b
    assert rechecked.gallery_size == searched.gallery_size + 1
    assert enrolled_by_b in worker_a.criminal


def test_nothing_enrolled_since_leaves_the_search_as_it_was(database: Database) -> None:
    rng = np.random.default_rng(32)
    _enrol(database, synthetic.synthesize_tenprint(rng), "ROE, RICHARD")
    worker = Galleries(criminal=Gallery(), immigration=Gallery())
    with database.session() as session:
        worker.sync(session)
    probe = synthetic.impressions_of(synthetic.synthesize_tenprint(rng), rng)
    searched = worker.criminal.search(probe)
    with database.session() as session:
        assert worker.recheck_before_enrolment(session, probe, searched) is searched


def test_the_enrolment_lock_is_held_until_the_enrolling_transaction_ends(
    database: Database,
) -> None:
    if not runs_in_parallel(database.engine):
        pytest.skip("SQLite takes one writer at a time: workers take turns")
    probe = "SELECT pg_try_advisory_xact_lock(:key)"
    with database.session() as enrolling:
        enrolment_lock(enrolling)
        with database.engine.connect() as other:
            assert other.scalar(text(probe), {"key": ENROLMENT_LOCK_KEY}) is False
            other.rollback()
    with database.engine.connect() as other:
        assert other.scalar(text(probe), {"key": ENROLMENT_LOCK_KEY}) is True
        other.rollback()
