"""The Ray-sharded gallery answers exactly as the gallery in one process, before and
after a shard's actor is killed."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest
import ray

from securecomm.biometrics import Gallery, NoUsableFingerError, Template, UnknownSubjectError
from securecomm.biometrics.sharded import EnrolmentsSource, ShardedGallery, connect_ray

TenPrint = dict[int, Template]
SHARDS = 3


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[None]:
    connect_ray()
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def sharded(ray_cluster: None, enrolment_impressions: list[TenPrint]) -> Iterator[ShardedGallery]:
    source = EnrolmentsSource(dict(enumerate(enrolment_impressions)))
    built = ShardedGallery(shards=SHARDS, source=source)
    yield built
    built.close()


def _searches(gallery: Gallery | ShardedGallery, probes: list[TenPrint]) -> list[object]:
    return [gallery.search(probe, max_candidates=5) for probe in probes]


def test_every_shard_holds_its_own_subjects(
    sharded: ShardedGallery, enrolment_impressions: list[TenPrint]
) -> None:
    sizes = sharded.shard_sizes()
    assert sum(sizes) == len(enrolment_impressions) == len(sharded)
    assert all(size > 0 for size in sizes)
    assert sharded.subject_ids() == list(range(len(enrolment_impressions)))


def test_sharded_search_equals_the_whole_gallery(
    sharded: ShardedGallery,
    gallery: Gallery,
    probe_impressions: list[TenPrint],
    strangers: list[TenPrint],
) -> None:
    probes = probe_impressions[:12] + strangers[:4]
    assert _searches(sharded, probes) == _searches(gallery, probes)
    partial = {p: t for p, t in probe_impressions[5].items() if p in (2, 7)}
    assert sharded.search(partial) == gallery.search(partial)
    assert sharded.shortlist_ids(probe_impressions[3]) == gallery.shortlist_ids(
        probe_impressions[3]
    )


def test_enrolment_and_removal_go_to_the_shard(
    sharded: ShardedGallery, gallery: Gallery, probe_impressions: list[TenPrint]
) -> None:
    newcomer = 10_000 + 1  # shard 10_001 % 3
    sharded.enrol(newcomer, probe_impressions[0])
    gallery.enrol(newcomer, probe_impressions[0])
    assert sharded.prints_of(newcomer).keys() == gallery.prints_of(newcomer).keys()
    assert sharded.search(probe_impressions[0]) == gallery.search(probe_impressions[0])
    sharded.remove(newcomer)
    gallery.remove(newcomer)
    assert newcomer not in sharded
    assert sharded.search(probe_impressions[0]) == gallery.search(probe_impressions[0])
    with pytest.raises(UnknownSubjectError):
        sharded.prints_of(newcomer)


def test_prints_are_checked_before_they_travel(sharded: ShardedGallery) -> None:
    with pytest.raises(NoUsableFingerError):
        sharded.enrol(5, {})
    with pytest.raises(NoUsableFingerError):
        sharded.search({})


def test_a_killed_shard_is_rebuilt_and_answers_the_same(
    sharded: ShardedGallery, gallery: Gallery, probe_impressions: list[TenPrint]
) -> None:
    before = _searches(sharded, probe_impressions[:6])
    victim = sharded.shard_pids()[1]
    os.kill(victim, signal.SIGKILL)
    after = _searches(sharded, probe_impressions[:6])  # retried while the shard restarts
    assert after == before == _searches(gallery, probe_impressions[:6])
    assert sharded.shard_pids()[1] != victim
