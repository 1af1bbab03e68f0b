"""``securecomm repositories``: the repositories' galleries as shard snapshots (and,
wired in by the top-level CLI, ``background``: strangers to search among)."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, TaskID

from securecomm.clitools import DatabaseOption, console, fail, operator, progress
from securecomm.config import get_settings
from securecomm.database import opened_database
from securecomm.exceptions import SecurecommError
from securecomm.repositories.models import Repository

app = typer.Typer(no_args_is_help=True, help="The repositories' galleries.")

ShardsOption = Annotated[int, typer.Option(min=1, help="Shards a gallery (as the workers').")]
GalleryDirOption = Annotated[
    Path | None, typer.Option(help="Where the snapshots live; default SECURECOMM_GALLERY_DIR.")
]


def _advance(bars: Progress, task: TaskID, done: int, _total: int) -> None:
    bars.update(task, completed=done)


def gallery_directory(gallery_dir: Path | None) -> Path:
    directory = gallery_dir or get_settings().gallery_dir
    if directory is None:
        raise fail("name a directory: --gallery-dir or SECURECOMM_GALLERY_DIR")
    return directory


@app.command()
def snapshot(
    shards: ShardsOption,
    gallery_dir: GalleryDirOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Write both galleries' shard snapshots from the database (or bring them level):
    workers with SECURECOMM_GALLERY_SHARDS open them mapped instead of rebuilding."""
    from securecomm.repositories.shards import write_snapshots

    directory = gallery_directory(gallery_dir)
    try:
        with opened_database(database_url) as database, progress() as bars:
            for repository in Repository:
                task = bars.add_task(f"{repository} shards", total=shards)
                held = write_snapshots(
                    database,
                    repository,
                    directory=directory,
                    shards=shards,
                    reader=operator(),
                    progress=partial(_advance, bars, task),
                )
                console.print(f"{repository}: {held} subjects in {shards} shards")
    except SecurecommError as error:
        raise fail(str(error)) from None
