"""A gallery on disk: immutable memory-mapped segments switched in by an atomic manifest.

Layout of a store directory::

    MANIFEST.json          the only mutable file: which files make up the gallery now
    basis-NNNNNN.bin       the index code basis (float32 mean, then projection)
    seg-NNNNNN/            one immutable segment of enrolled rows (one row = one subject)
        subjects.bin       int64 (rows,)
        codes.bin          uint64 (rows, 10, CODE_WORDS)   the index codes, scanned
        fingers.bin        uint16 (rows,)                  bitmask of enrolled positions
        finger_table.bin   FINGER (rows, 10)               where each finger's minutiae sit
        minutiae.bin       MINUTIA (total,)                quantised like Template.to_bytes
    deleted-NNNNNN.bin     int64 (k, 2) (segment number, row) removed or replaced

**Crash consistency.** Nothing referenced by the manifest is ever modified. A save
writes new files under temporary names, fsyncs them, renames them into place, then
writes ``MANIFEST.json.tmp``, fsyncs it and ``os.replace``-s it over the manifest (an
atomic switch on POSIX), and only then deletes files the new manifest no longer
names. A crash at any point leaves either the old manifest, naming only complete old
files, or the new one, naming only complete new files; leftovers are ignored and swept
on the next save. The manifest carries a CRC-32 of its own content and the size and
CRC-32 of every file it names: sizes are checked on every open (fast restart: nothing
is read but the manifest, the small files and the mapped headers), CRCs by
:meth:`GalleryStore.verify`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from securecomm.biometrics._index import CODE_WORDS, POSITIONS, VECTOR_DIMS, CodeBasis, layout
from securecomm.biometrics._params import INDEX_CODE_BITS, STORE_FORMAT_VERSION
from securecomm.biometrics._rows import FINGER, MINUTIA, Rows
from securecomm.exceptions import SecurecommError

MANIFEST = "MANIFEST.json"
FORMAT_NAME = "securecomm-gallery"
_SEGMENT_NAME = re.compile(r"seg-(\d{6})")
_CRC_BLOCK = 1 << 24


class GalleryStoreError(SecurecommError):
    """A store directory that cannot be opened or written, naming the file and the rule."""

    def __init__(self, path: Path, rule: str, message: str) -> None:
        self.path = path
        self.rule = rule
        super().__init__(f"gallery store {path}: {message} ({rule})")


@dataclass(frozen=True)
class SegmentFile:
    dtype: np.dtype[Any]
    trailing_shape: tuple[int, ...]
    counted_by: str  # "rows" or "minutiae"


SEGMENT_FILES = {
    "subjects": SegmentFile(np.dtype("<i8"), (), "rows"),
    "codes": SegmentFile(np.dtype("<u8"), (POSITIONS, CODE_WORDS), "rows"),
    "fingers": SegmentFile(np.dtype("<u2"), (), "rows"),
    "finger_table": SegmentFile(FINGER, (POSITIONS,), "rows"),
    "minutiae": SegmentFile(MINUTIA, (), "minutiae"),
}


class SegmentWriter:
    """Streams rows into a new segment under a temporary name; ``finish`` publishes it.

    Chunks are appended straight to the files (the writer holds no rows in memory), so
    a gallery of millions of subjects is written in bounded memory. ``finish`` returns
    the manifest entry; the segment is part of the gallery only once a manifest that
    names it has been committed.
    """

    def __init__(self, root: Path, number: int) -> None:
        self.name = f"seg-{number:06d}"
        self._final = root / self.name
        self._temporary = root / f"{self.name}.tmp"
        for leftover in (self._temporary, self._final):  # from a crash before a commit
            if leftover.exists():
                shutil.rmtree(leftover)
        self._temporary.mkdir()
        self._files = {name: (self._temporary / f"{name}.bin").open("wb") for name in SEGMENT_FILES}
        self._crcs = dict.fromkeys(SEGMENT_FILES, 0)
        self.rows = 0
        self.minutiae = 0

    def append(self, rows: Rows) -> None:
        table = rows.finger_table.copy()
        table["start"] += np.uint64(self.minutiae)  # chunk offsets become segment offsets
        for name, array in (
            ("subjects", rows.subjects),
            ("codes", rows.codes),
            ("fingers", rows.fingers),
            ("finger_table", table),
            ("minutiae", rows.minutiae),
        ):
            data = np.ascontiguousarray(array, dtype=SEGMENT_FILES[name].dtype).tobytes()
            self._files[name].write(data)
            self._crcs[name] = zlib.crc32(data, self._crcs[name])
        self.rows += len(rows)
        self.minutiae += len(rows.minutiae)

    def finish(self) -> dict[str, Any]:
        for handle in self._files.values():
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
        _fsync_directory(self._temporary)
        os.replace(self._temporary, self._final)
        _fsync_directory(self._final.parent)
        return {
            "name": self.name,
            "rows": self.rows,
            "minutiae": self.minutiae,
            "files": {
                name: {"size": (self._final / f"{name}.bin").stat().st_size, "crc32": crc}
                for name, crc in self._crcs.items()
            },
        }

    def abandon(self) -> None:
        for handle in self._files.values():
            handle.close()
        shutil.rmtree(self._temporary, ignore_errors=True)


class GalleryStore:
    """The files of one persisted gallery and the protocol that changes them."""

    def __init__(self, path: Path, manifest: dict[str, Any]) -> None:
        self.path = path
        self._manifest = manifest
        self.basis = self._read_basis()
        self.segments: list[tuple[str, Rows]] = [
            (entry["name"], self._map_segment(entry)) for entry in manifest["segments"]
        ]
        self.deleted = self._read_deleted()

    @property
    def generation(self) -> int:
        return int(self._manifest["generation"])

    @classmethod
    def create(cls, path: Path, basis: CodeBasis) -> GalleryStore:
        path = Path(path)
        if (path / MANIFEST).exists():
            raise GalleryStoreError(path, "exists", "a gallery store already exists here")
        path.mkdir(parents=True, exist_ok=True)
        data = basis.mean.astype("<f4").tobytes() + basis.projection.astype("<f4").tobytes()
        basis_entry = _publish_bytes(path, "basis-000001.bin", data)
        manifest: dict[str, Any] = {
            "format": FORMAT_NAME,
            "version": STORE_FORMAT_VERSION,
            "layout": layout(),
            "generation": 1,
            "next_segment": 1,
            "basis": basis_entry,
            "segments": [],
            "deleted": None,
        }
        _write_manifest(path, manifest)
        return cls(path, manifest)

    @classmethod
    def open(cls, path: Path) -> GalleryStore:
        path = Path(path)
        manifest_path = path / MANIFEST
        if not manifest_path.is_file():
            raise GalleryStoreError(path, "manifest", f"no {MANIFEST}: not a gallery store")
        return cls(path, _read_manifest(manifest_path))

    def new_segment(self) -> SegmentWriter:
        number = int(self._manifest["next_segment"])
        self._manifest["next_segment"] = number + 1  # never reuse a number, even abandoned
        return SegmentWriter(self.path, number)

    def commit(
        self,
        added: list[dict[str, Any]],
        deleted: npt.NDArray[np.int64],
        dropped: Iterable[str] = (),
    ) -> None:
        """Switch the gallery to: current segments - ``dropped`` + ``added``, with
        ``deleted`` (k, 2) as the complete set of removed (segment number, row)."""
        generation = self.generation + 1
        gone = set(dropped)
        manifest = dict(self._manifest)
        manifest["generation"] = generation
        manifest["segments"] = [s for s in self._manifest["segments"] if s["name"] not in gone]
        manifest["segments"] += added
        manifest["deleted"] = (
            _publish_bytes(
                self.path,
                f"deleted-{generation:06d}.bin",
                np.ascontiguousarray(deleted, dtype="<i8").tobytes(),
            )
            if len(deleted)
            else None
        )
        _write_manifest(self.path, manifest)
        self._manifest = manifest
        self.segments = [
            (entry["name"], self._map_segment(entry)) for entry in manifest["segments"]
        ]
        self.deleted = self._read_deleted()
        self.sweep()

    def sweep(self) -> None:
        """Delete files and directories the manifest does not name (after a switch)."""
        keep = {MANIFEST, self._manifest["basis"]["name"]}
        keep.update(entry["name"] for entry in self._manifest["segments"])
        if self._manifest["deleted"]:
            keep.add(self._manifest["deleted"]["name"])
        for child in self.path.iterdir():
            if child.name in keep:
                continue
            if child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)

    def verify(self) -> None:
        """Read every segment file and check its CRC-32 (slow: reads the whole store)."""
        for entry in self._manifest["segments"]:
            for name, expected in entry["files"].items():
                path = self.path / entry["name"] / f"{name}.bin"
                if _file_crc(path) != expected["crc32"]:
                    raise GalleryStoreError(path, "crc32", "file content does not match")

    def _read_basis(self) -> CodeBasis:
        data = _read_small(self.path, self._manifest["basis"])
        floats = np.frombuffer(data, dtype="<f4")
        if floats.size != VECTOR_DIMS * (1 + INDEX_CODE_BITS):
            raise GalleryStoreError(self.path, "basis", "basis file has the wrong size")
        mean = floats[:VECTOR_DIMS].astype(np.float32)
        projection = floats[VECTOR_DIMS:].reshape(VECTOR_DIMS, INDEX_CODE_BITS)
        return CodeBasis(mean, projection.astype(np.float32))

    def _read_deleted(self) -> npt.NDArray[np.int64]:
        entry = self._manifest["deleted"]
        if not entry:
            return np.zeros((0, 2), dtype=np.int64)
        data = _read_small(self.path, entry)
        pairs: npt.NDArray[np.int64] = np.frombuffer(data, dtype="<i8").reshape(-1, 2)
        return pairs.astype(np.int64)

    def _map_segment(self, entry: dict[str, Any]) -> Rows:
        directory = self.path / entry["name"]
        counts = {"rows": int(entry["rows"]), "minutiae": int(entry["minutiae"])}
        arrays: dict[str, Any] = {}
        for name, spec in SEGMENT_FILES.items():
            path = directory / f"{name}.bin"
            shape = (counts[spec.counted_by], *spec.trailing_shape)
            expected = int(np.prod(shape)) * spec.dtype.itemsize
            if not path.is_file():
                raise GalleryStoreError(path, "missing", "a file named by the manifest is absent")
            if path.stat().st_size != expected or entry["files"][name]["size"] != expected:
                raise GalleryStoreError(
                    path, "size", f"expected {expected} bytes, found {path.stat().st_size}"
                )
            arrays[name] = (
                np.memmap(path, dtype=spec.dtype, mode="r", shape=shape)
                if expected
                else np.zeros(shape, dtype=spec.dtype)
            )
        return Rows(**arrays)


def segment_number(name: str) -> int:
    found = _SEGMENT_NAME.fullmatch(name)
    if found is None:
        raise ValueError(f"{name!r} is not a segment name")
    return int(found.group(1))


def _manifest_body(manifest: dict[str, Any]) -> bytes:
    return json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()


def _write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    document = {"manifest": manifest, "crc32": zlib.crc32(_manifest_body(manifest))}
    _publish_bytes(path, MANIFEST, json.dumps(document, indent=1).encode())


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_bytes())
        manifest: dict[str, Any] = document["manifest"]
        stored_crc = int(document["crc32"])
    except (ValueError, KeyError, TypeError) as error:
        raise GalleryStoreError(path, "manifest", f"unreadable manifest: {error}") from error
    if zlib.crc32(_manifest_body(manifest)) != stored_crc:
        raise GalleryStoreError(path, "crc32", "manifest checksum does not match its content")
    if manifest.get("format") != FORMAT_NAME or manifest.get("version") != STORE_FORMAT_VERSION:
        raise GalleryStoreError(
            path,
            "version",
            f"store version {manifest.get('version')!r} is not {STORE_FORMAT_VERSION}; rebuild "
            "the store from the database",
        )
    if manifest.get("layout") != layout():
        raise GalleryStoreError(
            path, "layout", "codes were built with another index layout; rebuild the store"
        )
    return manifest


def _publish_bytes(directory: Path, name: str, data: bytes) -> dict[str, Any]:
    """Write ``data`` to ``directory/name`` via a temporary file, fsync and rename."""
    temporary = directory / f"{name}.tmp"
    with temporary.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, directory / name)
    _fsync_directory(directory)
    return {"name": name, "size": len(data), "crc32": zlib.crc32(data)}


def _read_small(directory: Path, entry: dict[str, Any]) -> bytes:
    path = directory / str(entry["name"])
    try:
        data = path.read_bytes()
    except OSError as error:
        raise GalleryStoreError(path, "missing", f"cannot read: {error.strerror}") from error
    if len(data) != entry["size"] or zlib.crc32(data) != entry["crc32"]:
        raise GalleryStoreError(path, "crc32", "file does not match the manifest")
    return data


def _file_crc(path: Path) -> int:
    crc = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_CRC_BLOCK), b""):
            crc = zlib.crc32(block, crc)
    return crc


def _fsync_directory(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
