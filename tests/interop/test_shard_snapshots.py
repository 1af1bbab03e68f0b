"""Shard snapshots: written from the database (`securecomm repositories snapshot`) or by
the background population, opened mapped by the shards, brought level with the
database, and searched with the in-process gallery's results."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import ray
from world_fixtures import small_world

from securecomm.biometrics import Gallery
from securecomm.biometrics.sharded import connect_ray
from securecomm.database import Database
from securecomm.repositories import prints as print_store
from securecomm.repositories.models import Repository
from securecomm.repositories.shards import sharded_gallery, write_snapshots
from securecomm.simulation import runner
from securecomm.simulation.background import add_background


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[None]:
    connect_ray()
    yield
    ray.shutdown()


def _whole(database: Database, repository: Repository) -> Gallery:
    with database.session() as session:
        return print_store.load_gallery(session, repository=repository)


def test_snapshots_and_background_give_the_whole_gallery(
    ray_cluster: None, database: Database, tmp_path: Path
) -> None:
    world = small_world()
    runner.load_reference(database, world)
    snapshots = tmp_path / "galleries"
    held = write_snapshots(
        database, Repository.CRIMINAL, directory=snapshots, shards=2, reader="test"
    )
    assert held == len(world.criminal_records)
    report = add_background(database, identities=40, shards=2, gallery_dir=snapshots)
    assert report.fingers[str(Repository.CRIMINAL)] > 0

    whole = _whole(database, Repository.CRIMINAL)
    sharded = sharded_gallery(
        database, Repository.CRIMINAL, shards=2, reader="test", directory=snapshots
    )
    try:
        assert sharded.subject_ids() == whole.subject_ids()
        assert len(whole) == len(world.criminal_records) + 40
        for record in world.criminal_records[:8]:
            probe = record.prints
            assert sharded.search(probe) == whole.search(probe)
    finally:
        sharded.close()


def test_the_snapshot_commands_say_what_they_did_and_what_is_missing(
    sqlite_database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from securecomm.cli import app
    from securecomm.config import get_settings

    monkeypatch.delenv("SECURECOMM_GALLERY_DIR", raising=False)
    get_settings.cache_clear()
    world = small_world()
    runner.load_reference(sqlite_database, world)
    url = sqlite_database.engine.url.render_as_string(hide_password=False)

    def cli(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
        return result.exit_code, " ".join(result.output.split())

    code, output = cli(
        "repositories", "background", "--identities", "5", "--shards", "2", "--database-url", url
    )
    assert code == 2
    assert "--gallery-dir or SECURECOMM_GALLERY_DIR" in output
    code, output = cli(
        "repositories",
        "snapshot",
        "--shards",
        "2",
        "--gallery-dir",
        str(tmp_path / "g"),
        "--database-url",
        url,
    )
    assert code == 0, output
    assert f"criminal: {len(world.criminal_records)} subjects in 2 shards" in output
    assert (tmp_path / "g" / "criminal" / "shard-1-of-2" / "MANIFEST.json").exists()
    get_settings.cache_clear()
