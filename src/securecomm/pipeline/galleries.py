"""How a worker gets its galleries: rebuilt in memory from the database, kept on disk
and brought level with it, or split in Ray actors (each from its snapshot, when one was
written), as the settings and the worker's options say."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from securecomm.biometrics import MatchParameters
from securecomm.config import get_settings
from securecomm.database import Database
from securecomm.interop.context import Galleries
from securecomm.repositories import prints as print_store
from securecomm.repositories.models import Repository
from securecomm.repositories.shards import sharded_gallery


@dataclass
class OpenedGalleries:
    """The galleries, how many stored subjects had to be reconciled with the database,
    and the reads still to be put in the audit log (the in-memory load's: recorded with
    the worker's first unit of work, so a full store is waited for like any write)."""

    galleries: Galleries
    reconciled: int = 0
    unrecorded_reads: dict[Repository, list[int]] = field(default_factory=dict)


def open_galleries(
    database: Database,
    *,
    reader: str,
    params: MatchParameters | None,
    gallery_dir: Path | None,
    shards: int,
) -> OpenedGalleries:
    with database.session() as session:
        mark = print_store.newest_fingerprint_id(session)
    if shards:
        opened = OpenedGalleries(_sharded(database, reader, shards, params, gallery_dir))
    elif gallery_dir is not None:
        opened = _stored(database, reader, gallery_dir, params)
    else:
        opened = _in_memory(database, reader, params)
    opened.galleries.synced_to = mark
    return opened


def _in_memory(database: Database, reader: str, params: MatchParameters | None) -> OpenedGalleries:
    with database.session() as session:
        criminal, immigration = (
            print_store.load_gallery(session, repository=repository, params=params)
            for repository in (Repository.CRIMINAL, Repository.IMMIGRATION)
        )
    return OpenedGalleries(
        Galleries(criminal=criminal, immigration=immigration, reader=reader),
        unrecorded_reads={
            Repository.CRIMINAL: criminal.subject_ids(),
            Repository.IMMIGRATION: immigration.subject_ids(),
        },
    )


def _sharded(
    database: Database,
    reader: str,
    shards: int,
    params: MatchParameters | None,
    snapshots: Path | None,
) -> Galleries:
    """Galleries in Ray actors: each shard from its snapshot under ``snapshots`` (when
    written), brought level with the database."""
    criminal, immigration = (
        sharded_gallery(
            database,
            repository,
            shards=shards,
            reader=reader,
            params=params,
            ray_address=get_settings().ray_address,
            directory=snapshots,
        )
        for repository in (Repository.CRIMINAL, Repository.IMMIGRATION)
    )
    return Galleries(criminal=criminal, immigration=immigration, reader=reader)


def _stored(
    database: Database, reader: str, directory: Path, params: MatchParameters | None
) -> OpenedGalleries:
    owner = database.engine.url.render_as_string(hide_password=True)
    opened = {}
    reconciled = 0
    with database.session() as session:
        for repository in (Repository.CRIMINAL, Repository.IMMIGRATION):
            gallery, changed = print_store.open_gallery(
                session,
                repository=repository,
                directory=directory,
                owner=owner,
                reader=reader,
                params=params,
            )
            opened[repository] = gallery
            reconciled += changed
    galleries = Galleries(
        criminal=opened[Repository.CRIMINAL],
        immigration=opened[Repository.IMMIGRATION],
        reader=reader,
    )
    return OpenedGalleries(galleries, reconciled=reconciled)
