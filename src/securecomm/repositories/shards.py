"""Where a shard of a repository's gallery is rebuilt from: the database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from securecomm.biometrics import Gallery, MatchParameters
from securecomm.biometrics.sharded import ShardedGallery, shard_directory
from securecomm.database import Database
from securecomm.database.engine import open_database
from securecomm.exceptions import ConfigurationError
from securecomm.repositories.models import Repository
from securecomm.repositories.prints import claim_store, level_gallery


@dataclass(frozen=True)
class DatabaseShardSource:
    """Rebuilds a shard's gallery from the stored fingerprints, in the shard's actor
    (which opens the database itself: it may run on another machine)."""

    database_url: str
    repository: Repository
    reader: str  # whose searches the shard serves: its reads are audited under that name

    def __call__(self, gallery: Gallery, shard: int, shards: int) -> None:
        database = open_database(self.database_url, apply_migrations=False)
        try:
            with database.session() as session:
                level_gallery(
                    session, gallery, self.repository, reader=self.reader, shard=(shard, shards)
                )
        finally:
            database.dispose()


def sharded_gallery(
    database: Database,
    repository: Repository,
    *,
    shards: int,
    reader: str,
    params: MatchParameters | None = None,
    ray_address: str | None = None,
    directory: Path | None = None,
) -> ShardedGallery:
    """The repository's gallery in ``shards`` Ray actors, each rebuilt from ``database``,
    starting from its snapshot under ``directory`` where one was written."""
    url = database.engine.url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        raise ConfigurationError(
            "gallery shards rebuild from the database in their own processes: an "
            "in-memory SQLite database cannot be shared with them; use a file or PostgreSQL"
        )
    source = DatabaseShardSource(url.render_as_string(hide_password=False), repository, reader)
    snapshots = None if directory is None else snapshot_directory(database, directory, repository)
    return ShardedGallery(
        params, shards=shards, source=source, snapshots=snapshots, ray_address=ray_address
    )


def write_snapshots(
    database: Database,
    repository: Repository,
    *,
    directory: Path,
    shards: int,
    reader: str,
    params: MatchParameters | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write (or bring level) the shard snapshots of ``repository``'s gallery under
    ``directory`` from the database; returns the subjects they hold. Shards read their
    snapshot mapped at start and take only what was stored since from the database."""
    snapshots = snapshot_directory(database, directory, repository)
    held = 0
    for shard in range(shards):
        path = snapshots / shard_directory(shard, shards)
        gallery = Gallery.open(path, params, create=True)
        with database.session() as session:
            level_gallery(session, gallery, repository, reader=reader, shard=(shard, shards))
        gallery.save()
        held += len(gallery)
        if progress is not None:
            progress(shard + 1, shards)
    return held


def snapshot_directory(database: Database, directory: Path, repository: Repository) -> Path:
    """Where ``repository``'s shard snapshots live under ``directory``, claimed for
    ``database`` (snapshots made for another database are refused, never mixed)."""
    snapshots = directory / str(repository)
    claim_store(snapshots, database.engine.url.render_as_string(hide_password=True))
    return snapshots
