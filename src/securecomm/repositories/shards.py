"""Where a shard of a repository's gallery is rebuilt from: the database."""

from __future__ import annotations

from dataclasses import dataclass

from securecomm.biometrics import Gallery, MatchParameters
from securecomm.biometrics.sharded import ShardedGallery
from securecomm.database import Database
from securecomm.database.engine import open_database
from securecomm.exceptions import ConfigurationError
from securecomm.repositories.models import Repository
from securecomm.repositories.service import level_gallery


@dataclass(frozen=True)
class DatabaseShardSource:
    """Rebuilds a shard's gallery from the stored fingerprints, in the shard's actor
    (which opens the database itself: it may run on another machine)."""

    database_url: str
    repository: Repository

    def __call__(self, gallery: Gallery, shard: int, shards: int) -> None:
        database = open_database(self.database_url, apply_migrations=False)
        try:
            with database.session() as session:
                level_gallery(session, gallery, self.repository, shard=(shard, shards))
        finally:
            database.dispose()


def sharded_gallery(
    database: Database,
    repository: Repository,
    *,
    shards: int,
    params: MatchParameters | None = None,
    ray_address: str | None = None,
) -> ShardedGallery:
    """The repository's gallery in ``shards`` Ray actors, each rebuilt from ``database``."""
    url = database.engine.url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        raise ConfigurationError(
            "gallery shards rebuild from the database in their own processes: an "
            "in-memory SQLite database cannot be shared with them; use a file or PostgreSQL"
        )
    source = DatabaseShardSource(url.render_as_string(hide_password=False), repository)
    return ShardedGallery(params, shards=shards, source=source, ray_address=ray_address)
