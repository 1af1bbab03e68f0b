"""A background population: synthetic strangers enrolled in both repositories, so the
bookings of a world are searched against galleries of national size (the load test).

Each background identity is a real subject of its repository (a record and its stored
templates, no arrests or encounters), written to the database in bulk; where a gallery
directory and a shard count are given, its rows also go straight into the galleries'
shard snapshots, so workers open them mapped instead of encoding a million identities
from the database at start. The world's own people stay as they are; they are simply
searched among many more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from securecomm.biometrics import MatchParameters
from securecomm.biometrics._index import POSITIONS, default_basis
from securecomm.biometrics._rows import Rows
from securecomm.biometrics.sharded import SnapshotWriter
from securecomm.biometrics.synthetic_gallery import synthetic_rows
from securecomm.database import Database, refresh_statistics
from securecomm.repositories.models import (
    CriminalSubject,
    FingerprintRecord,
    ImmigrationSubject,
    Repository,
)
from securecomm.repositories.shards import snapshot_directory

CHUNK = 2_000  # identities generated, inserted and written at a time (bounded memory)
Progress = Callable[[str, int, int], None]  # (repository, identities done, in total)


@dataclass(frozen=True)
class BackgroundReport:
    identities: int  # in each repository
    fingers: dict[str, int]  # stored, by repository
    subject_ids: dict[str, tuple[int, int]]  # first and last id, by repository


def add_background(
    database: Database,
    *,
    identities: int,
    seed: int = 17,
    shards: int = 0,
    gallery_dir: Path | None = None,
    params: MatchParameters | None = None,
    progress: Progress | None = None,
    repositories: tuple[Repository, ...] = (Repository.CRIMINAL, Repository.IMMIGRATION),
) -> BackgroundReport:
    """Enrol ``identities`` strangers in each of ``repositories`` (see the module's
    notes); each repository's prints have their own seed."""
    if identities < 1:
        raise ValueError("identities must be at least 1")
    chosen = params if params is not None else MatchParameters()
    fingers: dict[str, int] = {}
    ids: dict[str, tuple[int, int]] = {}
    for repository in repositories:
        offset = list(Repository).index(repository)
        writer = _snapshot_writer(database, repository, shards, gallery_dir)
        try:
            first, stored = _populate(
                database, repository, identities, seed + offset, chosen, writer, progress
            )
            if writer is not None:
                writer.finish()
        except BaseException:
            if writer is not None:
                writer.abandon()
            raise
        fingers[str(repository)] = stored
        ids[str(repository)] = (first, first + identities - 1)
    return BackgroundReport(identities, fingers, ids)


def _snapshot_writer(
    database: Database, repository: Repository, shards: int, gallery_dir: Path | None
) -> SnapshotWriter | None:
    if not shards or gallery_dir is None:
        return None
    return SnapshotWriter(
        snapshot_directory(database, gallery_dir, repository), shards, default_basis()
    )


def _populate(
    database: Database,
    repository: Repository,
    identities: int,
    seed: int,
    params: MatchParameters,
    writer: SnapshotWriter | None,
    progress: Progress | None,
) -> tuple[int, int]:
    model = CriminalSubject if repository is Repository.CRIMINAL else ImmigrationSubject
    with database.session() as session:
        first = int(session.scalar(select(func.coalesce(func.max(model.id), 0))) or 0) + 1
    stored = 0
    basis = default_basis()
    for start in range(0, identities, CHUNK):
        count = min(CHUNK, identities - start)
        rows = synthetic_rows(first + start, count, seed=seed, basis=basis, params=params)
        with database.session() as session:
            session.execute(insert(model), [_subject(repository, int(s)) for s in rows.subjects])
            records = _fingerprints(repository, rows)
            session.execute(insert(FingerprintRecord), records)
        stored += len(records)
        if writer is not None:
            writer.append(rows)
        if progress is not None:
            progress(str(repository), start + count, identities)
    with database.session() as session:
        _advance_sequence(session, model.__tablename__)
    refresh_statistics(database, model.__tablename__, FingerprintRecord.__tablename__)
    return first, stored


def _subject(repository: Repository, subject_id: int) -> dict[str, Any]:
    """A stranger's record: synthetic numbers no world draws (they start with letters)."""
    name = f"BACKGROUND,PERSON {subject_id}"
    if repository is Repository.CRIMINAL:
        return {
            "id": subject_id,
            "fbi_number": f"BG{subject_id:07d}",
            "name": name,
            "sex": "X",
            "race": "U",
            "place_of_birth": "XX",
        }
    return {
        "id": subject_id,
        "fin": f"BG{subject_id:010d}",
        "name": name,
        "sex": "X",
        "country_of_birth": "XX",
    }


def _fingerprints(repository: Repository, rows: Rows) -> list[dict[str, Any]]:
    records = []
    for row, subject in enumerate(rows.subjects.tolist()):
        mask = int(rows.fingers[row])
        for position in range(1, POSITIONS + 1):
            if mask >> (position - 1) & 1:
                template = rows.template(row, position)
                records.append(
                    {
                        "repository": repository,
                        "subject_id": subject,
                        "finger_position": position,
                        "quality": template.quality,
                        "template": template.to_bytes(),
                    }
                )
    return records


def _advance_sequence(session: Session, table: str) -> None:
    """PostgreSQL's id sequence past the ids given here (SQLite takes max + 1 itself)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}")
        )
