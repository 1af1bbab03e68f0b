"""A gallery split in shards held by Ray actors, with the :class:`Gallery` API.

Subject ``s`` lives in shard ``s % shards``; each shard is a :class:`Gallery` in its own
actor process. A search runs the two stages of :meth:`Gallery.search` across the shards
in parallel: every shard's index stage, one shortlist merged from them (the best of each
shard's shortlist are the best overall, and equal scores go in subject order), then the
comparison of each shortlisted identity in its shard. The result is the one the whole
gallery in one process gives, score for score.

A shard starts from its snapshot (a gallery store under ``snapshots``, mapped, never
written by the shard) when there is one, and its ``source`` brings it level (for the
booking flow, with the database, which stays the source of truth). A shard actor that
dies is restarted by Ray and rebuilt the same way; calls made while it was down are
retried once it is back. Without a source a restarted shard comes back as its snapshot
or empty, so the flow always gives one.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import ray

from securecomm.biometrics._compare import DEFAULT_PARAMETERS
from securecomm.biometrics._errors import UnknownSubjectError
from securecomm.biometrics._gallery import Gallery, check_subject_id
from securecomm.biometrics._index import CodeBasis, default_basis
from securecomm.biometrics._params import MatchParameters
from securecomm.biometrics._result import (
    Candidate,
    SearchResult,
    ranked,
    search_result,
    shortlisted,
)
from securecomm.biometrics._rows import Rows, subset
from securecomm.biometrics._store import MANIFEST, GalleryStore, SegmentWriter
from securecomm.biometrics._template import Template

# Brings a shard's gallery level with the source of truth: (gallery, shard, shards).
ShardSource = Callable[[Gallery, int, int], None]


def shard_of(subject_id: int, shards: int) -> int:
    return subject_id % shards


def shard_directory(shard: int, shards: int) -> str:
    """Where shard ``shard`` of ``shards`` keeps its snapshot, under the gallery's."""
    return f"shard-{shard}-of-{shards}"


def connect_ray(address: str | None = None) -> None:
    """Join the Ray cluster at ``address`` ("auto": the one started on this machine by
    `ray start`), or start a private one for this process when ``address`` is None."""
    if ray.is_initialized():
        return
    if address is None:  # a private cluster of this process, on loopback: no tokens
        os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    ray.init(
        address=address,
        include_dashboard=False,
        log_to_driver=False,
        logging_level=logging.WARNING,
        configure_logging=False,
    )


class GalleryShard:
    """One shard: a gallery in an actor. Ray runs this class in the actor's process;
    every method answers plain data (ids, scores, templates)."""

    def __init__(
        self,
        arguments: tuple[MatchParameters, ShardSource | None, Path | None],
        shard: int,
        shards: int,
    ) -> None:
        params, source, snapshots = arguments
        snapshot = None if snapshots is None else snapshots / shard_directory(shard, shards)
        if snapshot is not None and (snapshot / MANIFEST).exists():
            # Mapped, never written here: what was enrolled since lives in memory.
            self.gallery = Gallery.open(snapshot, params)
        else:
            self.gallery = Gallery(params)
        if source is not None:
            source(self.gallery, shard, shards)

    def subject_ids(self) -> npt.NDArray[np.int64]:
        return np.asarray(self.gallery.subject_ids(), dtype=np.int64)

    def enrol(self, subject_id: int, prints: Mapping[int, Template]) -> None:
        self.gallery.enrol(subject_id, prints)

    def remove(self, subject_id: int) -> None:
        self.gallery.remove(subject_id)

    def prints_of(self, subject_id: int) -> dict[int, Template]:
        return self.gallery.prints_of(subject_id)

    def index_stage(self, usable: Mapping[int, Template]) -> list[tuple[int, int]]:
        return self.gallery.index_stage(usable)

    def compare_stage(
        self, usable: Mapping[int, Template], subject_ids: list[int]
    ) -> list[Candidate]:
        return self.gallery.compare_stage(usable, subject_ids)

    def pid(self) -> int:
        return os.getpid()


_ShardActor = ray.remote(num_cpus=0, max_restarts=-1, max_task_retries=-1)(GalleryShard)


class ShardedGallery:
    """The :class:`Gallery` API over ``shards`` Ray actors (see the module's notes)."""

    def __init__(
        self,
        params: MatchParameters | None = None,
        *,
        shards: int,
        source: ShardSource | None = None,
        snapshots: Path | None = None,
        ray_address: str | None = None,
    ) -> None:
        if shards < 1:
            raise ValueError("a sharded gallery needs at least one shard")
        self.params = params if params is not None else DEFAULT_PARAMETERS
        self.shards = shards
        connect_ray(ray_address)
        self._validator = Gallery(self.params)  # checks prints before they travel
        # Held here for the gallery's life: Ray rebuilds a lost shard from these arguments.
        self._arguments = ray.put((self.params, source, snapshots))
        self._actors: list[Any] = [
            _ShardActor.remote(self._arguments, index, shards) for index in range(shards)
        ]
        held = ray.get([actor.subject_ids.remote() for actor in self._actors])
        self._subjects: set[int] = {int(s) for ids in held for s in ids.tolist()}

    @property
    def path(self) -> None:
        return None  # shards never write: snapshots are written offline, the rest rebuilt

    def save(self, path: object = None) -> None:
        """Nothing to save: a shard is its snapshot plus what its source adds."""

    def __repr__(self) -> str:
        return f"ShardedGallery(subjects={len(self)}, shards={self.shards})"

    def __len__(self) -> int:
        return len(self._subjects)

    def __contains__(self, subject_id: object) -> bool:
        return subject_id in self._subjects

    def subject_ids(self) -> list[int]:
        return sorted(self._subjects)

    def shard_sizes(self) -> list[int]:
        held = ray.get([actor.subject_ids.remote() for actor in self._actors])
        return [len(ids) for ids in held]

    def shard_pids(self) -> list[int]:
        """The process of each shard's actor (fault tests kill one)."""
        return [int(pid) for pid in ray.get([a.pid.remote() for a in self._actors])]

    def enrol(self, subject_id: int, prints: Mapping[int, Template]) -> None:
        """As :meth:`Gallery.enrol`; the prints are checked here before they travel."""
        check_subject_id(subject_id)
        self._validator.usable_prints(prints)
        ray.get(self._actor(subject_id).enrol.remote(subject_id, dict(prints)))
        self._subjects.add(subject_id)

    def remove(self, subject_id: int) -> None:
        if subject_id not in self._subjects:
            raise UnknownSubjectError(subject_id)
        ray.get(self._actor(subject_id).remove.remote(subject_id))
        self._subjects.discard(subject_id)

    def prints_of(self, subject_id: int) -> dict[int, Template]:
        if subject_id not in self._subjects:
            raise UnknownSubjectError(subject_id)
        found: dict[int, Template] = ray.get(self._actor(subject_id).prints_of.remote(subject_id))
        return found

    def search(self, probe: Mapping[int, Template], *, max_candidates: int = 5) -> SearchResult:
        if max_candidates < 1:
            raise ValueError("max_candidates must be at least 1")
        usable, reasons = self._validator.usable_prints(probe)
        shared = ray.put(usable)
        shortlist = self._shortlist(shared)
        compared = self._compare(shared, [subject for _, subject in shortlist])
        return search_result(
            self.params,
            searched=usable,
            unusable_reasons=reasons,
            ranked=compared,
            gallery_size=len(self),
            shortlist_size=len(shortlist),
            max_candidates=max_candidates,
        )

    def shortlist_ids(self, probe: Mapping[int, Template]) -> list[int]:
        usable, _ = self._validator.usable_prints(probe)
        return [subject for _, subject in self._shortlist(ray.put(usable))]

    def _shortlist(self, usable: Any) -> list[tuple[int, int]]:
        stages = ray.get([actor.index_stage.remote(usable) for actor in self._actors])
        found = (item for stage in stages for item in stage)
        return shortlisted(found, self.params.index_shortlist)

    def _compare(self, usable: Any, subject_ids: Collection[int]) -> list[Candidate]:
        by_shard: dict[int, list[int]] = {}
        for subject in subject_ids:
            by_shard.setdefault(shard_of(subject, self.shards), []).append(subject)
        answers = ray.get(
            [
                self._actors[shard].compare_stage.remote(usable, subjects)
                for shard, subjects in sorted(by_shard.items())
            ]
        )
        return ranked([candidate for answer in answers for candidate in answer])

    def close(self) -> None:
        """Stop the shard actors (their memory is given back at once)."""
        for actor in self._actors:
            ray.kill(actor, no_restart=True)
        self._actors = []

    def _actor(self, subject_id: int) -> Any:
        return self._actors[shard_of(subject_id, self.shards)]


@dataclass(frozen=True)
class EnrolmentsSource:
    """A shard source holding the enrolments themselves (benchmarks, tests, a gallery
    built from files): each shard takes its own subjects from them."""

    enrolments: Mapping[int, Mapping[int, Template]]

    def __call__(self, gallery: Gallery, shard: int, shards: int) -> None:
        for subject_id, prints in self.enrolments.items():
            if shard_of(subject_id, shards) == shard:
                gallery.enrol(subject_id, prints)


class SnapshotWriter:
    """Appends rows to the shard snapshots of one gallery (one new segment a shard),
    creating the stores that do not exist yet; nothing is visible before ``finish``."""

    def __init__(self, directory: Path, shards: int, basis: CodeBasis | None = None) -> None:
        self.shards = shards
        self._stores: list[GalleryStore] = []
        self._writers: list[SegmentWriter] = []
        for shard in range(shards):
            path = directory / shard_directory(shard, shards)
            exists = (path / MANIFEST).exists()
            store = (
                GalleryStore.open(path)
                if exists
                else GalleryStore.create(path, basis if basis is not None else default_basis())
            )
            self._stores.append(store)
            self._writers.append(store.new_segment())

    def append(self, rows: Rows) -> None:
        shard_of_row = rows.subjects % self.shards
        for shard, writer in enumerate(self._writers):
            selected = np.flatnonzero(shard_of_row == shard).astype(np.int64)
            if len(selected):
                writer.append(subset(rows, selected))

    def finish(self) -> None:
        for store, writer in zip(self._stores, self._writers, strict=True):
            store.commit([writer.finish()], store.deleted)

    def abandon(self) -> None:
        for writer in self._writers:
            writer.abandon()


AnyGallery = Gallery | ShardedGallery
