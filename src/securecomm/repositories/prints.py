"""Enrolled fingerprints: storing a subject's prints, and the in-memory galleries built,
kept on disk and brought level from them, every read of them audited."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.orm import Session

from securecomm.audit import service as audit_service
from securecomm.biometrics import Gallery, MatchParameters, Template
from securecomm.biometrics.sharded import AnyGallery
from securecomm.database import utcnow
from securecomm.database.locks import enrolment_lock
from securecomm.exceptions import ConfigurationError
from securecomm.repositories.models import FingerprintRecord, Repository

GALLERY_PURPOSE = "1:N fingerprint search of bookings (templates held in a gallery's memory)"
RECORDS_LISTED = 500  # subjects named in one audit event; its details count the rest


def store_prints(
    session: Session,
    *,
    repository: Repository,
    subject_id: int,
    prints: Mapping[int, Template],
) -> None:
    """Store a subject's prints; under the enrolment lock, so their ids commit in order."""
    enrolment_lock(session)
    rows = [
        {
            "repository": repository,
            "subject_id": subject_id,
            "finger_position": position,
            "quality": template.quality,
            "template": template.to_bytes(),
        }
        for position, template in sorted(prints.items())
    ]
    if rows:  # an empty list would insert one row of defaults
        session.execute(insert(FingerprintRecord), rows)  # one statement for the ten prints


def load_gallery(
    session: Session, *, repository: Repository, params: MatchParameters | None = None
) -> Gallery:
    """Rebuild a repository's in-memory gallery from the stored templates. The caller
    records the read (:func:`record_gallery_read`): a worker does so in its first unit
    of work, which waits for a full or restarting store like any other."""
    gallery = Gallery(params)
    query = (
        select(FingerprintRecord)
        .where(FingerprintRecord.repository == repository)
        .order_by(FingerprintRecord.subject_id, FingerprintRecord.finger_position)
    )
    current: int | None = None
    prints: dict[int, Template] = {}
    for record in session.scalars(query):
        if record.subject_id != current:
            if current is not None:
                gallery.enrol(current, prints)
            current, prints = record.subject_id, {}
        prints[record.finger_position] = Template.from_bytes(record.template)
    if current is not None:
        gallery.enrol(current, prints)
    return gallery


def open_gallery(
    session: Session,
    *,
    repository: Repository,
    directory: Path,
    owner: str,
    reader: str,
    params: MatchParameters | None = None,
) -> tuple[Gallery, int]:
    """The repository's gallery kept on disk under ``directory``, brought level with the
    database (which stays the source of truth): subjects enrolled since the last save
    are added, subjects no longer stored are removed. Returns the gallery and how many
    subjects had to be reconciled. ``owner`` names the database the store belongs to; a
    store made for another database is refused rather than silently mixed."""
    path = directory / str(repository)
    claim_store(path, owner)
    gallery = Gallery.open(path, params, create=True)
    return gallery, level_gallery(session, gallery, repository, reader=reader)


def level_gallery(
    session: Session,
    gallery: AnyGallery,
    repository: Repository,
    *,
    reader: str,
    shard: tuple[int, int] | None = None,
) -> int:
    """Bring ``gallery`` level with the stored fingerprints of ``repository`` (only the
    subjects of ``shard`` = (index, shards) when given): the stored are enrolled, the no
    longer stored removed; the prints read are in the audit log under ``reader``.
    Returns how many subjects changed."""
    query = select(FingerprintRecord.subject_id).where(FingerprintRecord.repository == repository)
    if shard is not None:
        index, shards = shard
        query = query.where(FingerprintRecord.subject_id % shards == index)
    stored = set(session.scalars(query.distinct()))
    held = set(gallery.subject_ids())
    for subject_id in held - stored:
        gallery.remove(subject_id)
    missing = sorted(stored - held)
    for start in range(0, len(missing), 500):
        _enrol_from_database(session, gallery, repository, missing[start : start + 500])
    where = None if shard is None else f"shard {shard[0] + 1} of {shard[1]}"
    record_gallery_read(
        session, reader=reader, repository=repository, subject_ids=missing, shard=where
    )
    return len(held - stored) + len(missing)


def newest_fingerprint_id(session: Session) -> int:
    """The id of the newest stored fingerprint (0 when none): a gallery's sync mark."""
    return session.scalar(select(func.max(FingerprintRecord.id))) or 0


# Asked at every search, for what other workers enrolled in either repository (one
# statement for both: fingerprint ids are one sequence): built once.
_STORED_SINCE = select(
    FingerprintRecord.id, FingerprintRecord.repository, FingerprintRecord.subject_id
).where(FingerprintRecord.id > bindparam("after"))


def enrol_stored_since(
    session: Session,
    *,
    galleries: Mapping[Repository, AnyGallery],
    after_id: int,
    reader: str,
) -> tuple[int, dict[Repository, list[int]]]:
    """Enrol subjects whose fingerprints were stored after ``after_id`` (by another
    worker) and are not yet in their repository's gallery, each repository's read
    audited under ``reader``; returns the new sync mark and those subjects."""
    rows = session.execute(_STORED_SINCE, {"after": after_id}).all()
    enrolled: dict[Repository, list[int]] = {}
    for repository, gallery in galleries.items():
        newcomers = sorted(
            {
                subject
                for _, stored_in, subject in rows
                if stored_in is repository and subject not in gallery
            }
        )
        for start in range(0, len(newcomers), 500):
            _enrol_from_database(session, gallery, repository, newcomers[start : start + 500])
        record_gallery_read(session, reader=reader, repository=repository, subject_ids=newcomers)
        enrolled[repository] = newcomers
    return max((record_id for record_id, _, _ in rows), default=after_id), enrolled


def record_gallery_read(
    session: Session,
    *,
    reader: str,
    repository: Repository,
    subject_ids: Sequence[int],
    shard: str | None = None,
) -> None:
    """Fingerprint templates read into a gallery's memory are personal data read like any
    other: one audit event per read (none when nothing was read), naming the reader,
    the purpose, how many subjects and which (the first ``RECORDS_LISTED`` by id; the
    range and count cover the rest of a bulk load)."""
    if not subject_ids:
        return
    ordered = sorted(subject_ids)
    where = f" ({shard})" if shard else ""
    audit_service.record(
        session,
        kind="gallery.read",
        actor=reader,
        role="system",
        purpose=GALLERY_PURPOSE,
        records=[f"{repository}_subject:{number}" for number in ordered[:RECORDS_LISTED]],
        occurred_at=utcnow(),
        summary=f"{len(ordered)} {repository} subjects' fingerprints read into a gallery{where}",
        details={
            "repository": str(repository),
            "subjects": len(ordered),
            "first_subject": ordered[0],
            "last_subject": ordered[-1],
            "listed": min(len(ordered), RECORDS_LISTED),
            "shard": shard,
        },
    )


def claim_store(path: Path, owner: str) -> None:
    marker = path / "OWNER"
    if marker.exists():
        recorded = marker.read_text().strip()
        if recorded != owner:
            raise ConfigurationError(
                f"gallery store {path} belongs to database {recorded!r}, not {owner!r}"
            )
        return
    path.mkdir(parents=True, exist_ok=True)
    marker.write_text(owner + "\n")


def _enrol_from_database(
    session: Session, gallery: AnyGallery, repository: Repository, subject_ids: list[int]
) -> None:
    query = (
        select(FingerprintRecord)
        .where(
            FingerprintRecord.repository == repository,
            FingerprintRecord.subject_id.in_(subject_ids),
        )
        .order_by(FingerprintRecord.subject_id, FingerprintRecord.finger_position)
    )
    prints: dict[int, dict[int, Template]] = {}
    for record in session.scalars(query):
        prints.setdefault(record.subject_id, {})[record.finger_position] = Template.from_bytes(
            record.template
        )
    for subject_id, subject_prints in prints.items():
        gallery.enrol(subject_id, subject_prints)
