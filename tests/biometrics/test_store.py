from __future__ import annotations

import json
import os
import zlib
from pathlib import Path

import numpy as np
import pytest

from securecomm.biometrics import Band, Gallery, Template, UnknownSubjectError
from securecomm.biometrics import _gallery as gallery_module
from securecomm.biometrics import _store as store_module
from securecomm.biometrics._store import MANIFEST, GalleryStore, GalleryStoreError

TenPrint = dict[int, Template]


@pytest.fixture
def saved(tmp_path: Path, gallery: Gallery) -> Path:
    path = tmp_path / "gallery"
    gallery.save(path)
    return path


def best_id(gallery: Gallery, probe: TenPrint) -> int | None:
    best = gallery.search(probe).best
    return best.subject_id if best is not None else None


def test_round_trip_keeps_every_subject_and_finds_them(
    saved: Path, gallery: Gallery, probe_impressions: list[TenPrint]
) -> None:
    reopened = Gallery.open(saved)
    assert len(reopened) == len(gallery) == 80
    assert reopened.subject_ids() == gallery.subject_ids()
    for subject_id in (0, 41, 79):
        result = reopened.search(probe_impressions[subject_id])
        assert result.band is Band.IDENTIFICATION
        assert result.best is not None
        assert result.best.subject_id == subject_id


def test_stored_prints_equal_the_enrolled_ones_up_to_quantisation(
    saved: Path, gallery: Gallery
) -> None:
    stored = Gallery.open(saved).prints_of(7)
    enrolled = gallery.prints_of(7)
    assert sorted(stored) == sorted(enrolled)
    for position, template in enrolled.items():
        assert stored[position] == Template.from_bytes(template.to_bytes())


def test_restart_maps_the_codes_and_never_recomputes_them(
    saved: Path, probe_impressions: list[TenPrint], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("opening a store must not recompute codes")

    monkeypatch.setattr(gallery_module, "tenprint_codes", refuse)
    monkeypatch.setattr(gallery_module, "default_basis", refuse)
    reopened = Gallery.open(saved)
    monkeypatch.undo()
    assert isinstance(reopened._segments[0].rows.codes, np.memmap)
    assert best_id(reopened, probe_impressions[3]) == 3


def test_incremental_changes_persist_and_removed_prints_never_return(
    saved: Path,
    enrolment_impressions: list[TenPrint],
    probe_impressions: list[TenPrint],
    strangers: list[TenPrint],
) -> None:
    first = Gallery.open(saved)
    first.remove(11)  # a persisted row
    first.enrol(12, strangers[0])  # replace a persisted row
    first.enrol(500, strangers[1])  # a new subject
    first.enrol(501, strangers[2])
    first.remove(501)  # a pending row, never saved
    assert best_id(first, probe_impressions[11]) != 11
    first.save()

    second = Gallery.open(saved)
    assert 11 not in second
    assert 501 not in second
    assert 500 in second
    assert len(second) == 80
    for gallery in (first, second):
        assert all(c.subject_id != 11 for c in gallery.search(probe_impressions[11]).candidates)
        assert all(c.subject_id != 12 for c in gallery.search(probe_impressions[12]).candidates)
        assert best_id(gallery, strangers[0]) == 12
        assert best_id(gallery, strangers[1]) == 500
        assert best_id(gallery, strangers[2]) is None
    with pytest.raises(UnknownSubjectError):
        second.remove(11)

    second.enrol(11, enrolment_impressions[11])  # back again, in a third segment
    second.save()
    third = Gallery.open(saved)
    assert best_id(third, probe_impressions[11]) == 11
    assert len(GalleryStore.open(saved).segments) == 3


def test_saves_leave_only_the_files_the_manifest_names(
    saved: Path, strangers: list[TenPrint]
) -> None:
    gallery = Gallery.open(saved)
    gallery.remove(1)
    gallery.save()
    gallery.remove(2)
    gallery.save()
    names = sorted(p.name for p in saved.iterdir())
    assert names == ["MANIFEST.json", "basis-000001.bin", "deleted-000004.bin", "seg-000001"]
    assert GalleryStore.open(saved).generation == 4


def test_a_crash_while_writing_a_segment_keeps_the_saved_gallery(
    saved: Path, strangers: list[TenPrint], monkeypatch: pytest.MonkeyPatch
) -> None:
    gallery = Gallery.open(saved)
    gallery.enrol(900, strangers[3])
    gallery.remove(5)

    def torn(self: store_module.SegmentWriter, rows: store_module.Rows) -> None:
        self._files["codes"].write(b"\x00" * 100)  # half a write, then the power fails
        raise OSError("disk full")

    monkeypatch.setattr(store_module.SegmentWriter, "append", torn)
    with pytest.raises(OSError, match="disk full"):
        gallery.save()
    monkeypatch.undo()
    after = Gallery.open(saved)
    assert 900 not in after
    assert 5 in after
    assert len(after) == 80
    assert not any(p.name.endswith(".tmp") for p in saved.iterdir())


def test_a_crash_before_the_manifest_switch_keeps_the_saved_gallery(
    saved: Path,
    strangers: list[TenPrint],
    probe_impressions: list[TenPrint],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gallery = Gallery.open(saved)
    gallery.enrol(901, strangers[4])
    gallery.remove(6)
    real_replace = os.replace

    def crash_on_manifest(source: str | Path, target: str | Path) -> None:
        if Path(target).name == MANIFEST:
            raise OSError("power lost")
        real_replace(source, target)

    monkeypatch.setattr(store_module.os, "replace", crash_on_manifest)
    with pytest.raises(OSError, match="power lost"):
        gallery.save()
    monkeypatch.undo()
    (saved / f"{MANIFEST}.tmp").write_bytes(b'{"manifest": {"gener')  # torn temporary copy
    after = Gallery.open(saved)  # the new segment is on disk but not named: ignored
    assert 901 not in after
    assert 6 in after
    assert best_id(after, probe_impressions[6]) == 6
    after.enrol(902, strangers[5])
    after.save()  # the next save sweeps the leftovers
    assert sorted(p.name for p in saved.iterdir() if p.name.startswith("seg-")) == [
        "seg-000001",
        "seg-000002",
    ]
    assert 902 in Gallery.open(saved)


def test_damaged_files_are_refused_with_the_file_and_rule(saved: Path) -> None:
    codes = saved / "seg-000001" / "codes.bin"
    original = codes.read_bytes()
    flipped = bytearray(original)
    flipped[10] ^= 0xFF
    codes.write_bytes(bytes(flipped))
    store = GalleryStore.open(saved)  # sizes match: opens fast ...
    with pytest.raises(GalleryStoreError) as damaged:
        store.verify()  # ... and the full check finds it
    assert damaged.value.rule == "crc32"
    assert damaged.value.path == codes
    del store
    codes.write_bytes(original[:-8])
    with pytest.raises(GalleryStoreError) as truncated:
        Gallery.open(saved)
    assert truncated.value.rule == "size"
    codes.write_bytes(original)
    GalleryStore.open(saved).verify()

    manifest = saved / MANIFEST
    document = json.loads(manifest.read_text())
    document["manifest"]["generation"] += 1
    manifest.write_text(json.dumps(document))
    with pytest.raises(GalleryStoreError) as edited:
        Gallery.open(saved)
    assert edited.value.rule == "crc32"
    manifest.write_text("{not json")
    with pytest.raises(GalleryStoreError) as unreadable:
        Gallery.open(saved)
    assert unreadable.value.rule == "manifest"


def test_opening_and_creating_stores(tmp_path: Path, probe_impressions: list[TenPrint]) -> None:
    with pytest.raises(GalleryStoreError) as missing:
        Gallery.open(tmp_path / "nothing")
    assert missing.value.rule == "manifest"
    assert "not a gallery store" in str(missing.value)
    empty = Gallery.open(tmp_path / "new", create=True)
    assert len(empty) == 0
    assert empty.path == tmp_path / "new"
    empty.enrol(1, probe_impressions[1])
    empty.save()
    assert best_id(Gallery.open(tmp_path / "new"), probe_impressions[1]) == 1
    with pytest.raises(GalleryStoreError) as exists:
        GalleryStore.create(tmp_path / "new", Gallery.open(tmp_path / "new")._basis)
    assert exists.value.rule == "exists"


def test_save_needs_a_path_once_and_only_its_own(
    tmp_path: Path, probe_impressions: list[TenPrint]
) -> None:
    gallery = Gallery()
    gallery.enrol(1, probe_impressions[1])
    with pytest.raises(ValueError, match="no store yet"):
        gallery.save()
    gallery.save(tmp_path / "a")
    with pytest.raises(ValueError, match="stored at"):
        gallery.save(tmp_path / "b")
    gallery.save(tmp_path / "a")
    assert len(Gallery.open(tmp_path / "a")) == 1


def test_a_store_built_under_another_index_layout_is_refused(saved: Path) -> None:
    manifest = saved / MANIFEST
    document = json.loads(manifest.read_text())
    document["manifest"]["layout"]["code_bits"] = 128
    body = json.dumps(document["manifest"], sort_keys=True, separators=(",", ":")).encode()
    document["crc32"] = zlib.crc32(body)
    manifest.write_text(json.dumps(document))
    with pytest.raises(GalleryStoreError) as refused:
        Gallery.open(saved)
    assert refused.value.rule == "layout"


def test_compaction_keeps_live_rows_in_one_segment_and_drops_the_rest(
    saved: Path, probe_impressions: list[TenPrint], strangers: list[TenPrint]
) -> None:
    gallery = Gallery.open(saved)
    gallery.remove(3)
    gallery.enrol(4, strangers[6])  # replaced: the old row must go
    gallery.save()
    gallery.enrol(700, strangers[7])  # pending at compaction time
    before = {s: gallery.prints_of(s) for s in (0, 4, 50, 700)}
    gallery.compact()
    names = sorted(p.name for p in saved.iterdir())
    assert names == ["MANIFEST.json", "basis-000001.bin", "seg-000003"]
    reopened = Gallery.open(saved)
    assert len(reopened) == 80
    assert 3 not in reopened
    assert len(reopened._segments[0].rows) == 80  # no dead rows left behind
    for subject_id, prints in before.items():
        assert reopened.prints_of(subject_id) == {
            p: Template.from_bytes(t.to_bytes()) for p, t in prints.items()
        }
    assert best_id(reopened, strangers[6]) == 4
    assert best_id(reopened, strangers[7]) == 700
    assert best_id(reopened, probe_impressions[50]) == 50
    assert best_id(reopened, probe_impressions[3]) is None


def test_compaction_needs_a_store(probe_impressions: list[TenPrint]) -> None:
    gallery = Gallery()
    gallery.enrol(1, probe_impressions[1])
    with pytest.raises(ValueError, match="no store yet"):
        gallery.compact()


def test_second_minutiae_sets_survive_saving_and_compaction(
    tmp_path: Path, enrolment_impressions: list[TenPrint], strangers: list[TenPrint]
) -> None:
    def doubled(prints: TenPrint, other: TenPrint) -> TenPrint:
        def inside(t: Template, m: np.ndarray) -> np.ndarray:
            return np.ascontiguousarray(m[(m[:, 0] < t.width) & (m[:, 1] < t.height)][:20])

        return {
            p: Template(t.minutiae, t.width, t.height, t.quality, p, inside(t, other[p].minutiae))
            for p, t in prints.items()
        }

    gallery = Gallery()
    gallery.enrol(1, doubled(enrolment_impressions[1], enrolment_impressions[1]))
    gallery.enrol(2, enrolment_impressions[2])  # without second sets, beside rows with them
    gallery.enrol(3, doubled(enrolment_impressions[3], strangers[0]))
    path = tmp_path / "gallery"
    gallery.save(path)
    gallery.remove(1)
    gallery.save()
    gallery.compact()
    reopened = Gallery.open(path)
    for subject_id in (2, 3):
        stored, enrolled = reopened.prints_of(subject_id), gallery.prints_of(subject_id)
        assert stored == {p: Template.from_bytes(t.to_bytes()) for p, t in enrolled.items()}
    assert all(t.second is not None and len(t.second) > 0 for t in reopened.prints_of(3).values())
    assert all(t.second is None for t in reopened.prints_of(2).values())


def test_a_store_of_the_format_before_second_sets_is_refused_with_the_way_out(
    saved: Path,
) -> None:
    manifest_path = saved / MANIFEST
    document = json.loads(manifest_path.read_bytes())
    document["manifest"]["version"] = 1
    body = json.dumps(document["manifest"], sort_keys=True, separators=(",", ":")).encode()
    document["crc32"] = zlib.crc32(body)
    manifest_path.write_text(json.dumps(document))
    with pytest.raises(GalleryStoreError) as excinfo:
        Gallery.open(saved)
    assert "rebuild the store" in str(excinfo.value)
