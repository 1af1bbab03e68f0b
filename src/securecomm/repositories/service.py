"""Data access for the two repositories: subjects, histories, enrolled fingerprints."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path

from sqlalchemy import bindparam, func, insert, inspect, select
from sqlalchemy.orm import Session

from securecomm.audit import service as audit_service
from securecomm.biometrics import Gallery, MatchParameters, Template
from securecomm.biometrics.sharded import AnyGallery
from securecomm.database import utcnow
from securecomm.database.locks import enrolment_lock
from securecomm.database.rows import insert_unless_present
from securecomm.domain import (
    ChargeFact,
    CriminalHistoryFact,
    Disposition,
    EncounterFact,
    EncounterKind,
)
from securecomm.exceptions import ConfigurationError, NotFoundError
from securecomm.repositories.models import (
    Arrest,
    Charge,
    CriminalAlias,
    CriminalSubject,
    Encounter,
    FingerprintRecord,
    ImmigrationSubject,
    Repository,
)

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


# Asked at every search, for what other workers enrolled: built once.
_STORED_SINCE = select(FingerprintRecord.id, FingerprintRecord.subject_id).where(
    FingerprintRecord.repository == bindparam("repository"),
    FingerprintRecord.id > bindparam("after"),
)


def enrol_stored_since(
    session: Session,
    *,
    gallery: AnyGallery,
    repository: Repository,
    after_id: int,
    reader: str,
) -> tuple[int, list[int]]:
    """Enrol subjects whose fingerprints were stored after ``after_id`` (by another
    worker) and are not in ``gallery`` yet, the read audited under ``reader``; returns
    the new sync mark and those subjects."""
    rows = session.execute(_STORED_SINCE, {"repository": repository, "after": after_id}).all()
    newcomers = sorted({subject for _, subject in rows if subject not in gallery})
    for start in range(0, len(newcomers), 500):
        _enrol_from_database(session, gallery, repository, newcomers[start : start + 500])
    record_gallery_read(session, reader=reader, repository=repository, subject_ids=newcomers)
    return max((record_id for record_id, _ in rows), default=after_id), newcomers


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


def criminal_subject_numbers(session: Session) -> list[tuple[int, str]]:
    """(subject id, FBI number) of every criminal subject."""
    query = select(CriminalSubject.id, CriminalSubject.fbi_number)
    return [(subject_id, number) for subject_id, number in session.execute(query)]


def immigration_subject_fins(session: Session) -> list[tuple[int, str]]:
    """(subject id, FIN) of every immigration subject."""
    query = select(ImmigrationSubject.id, ImmigrationSubject.fin)
    return [(subject_id, fin) for subject_id, fin in session.execute(query)]


def next_fbi_number(session: Session) -> str:
    """FBI numbers are issued in sequence (under the enrolment lock); the letters keep
    them apart from state ids. The next number follows the highest identity id, read
    from the key's index (0.4 ms at 3 million rows on PostgreSQL here): counting the
    identities read every one of them at each enrolment (150 ms at 3 million). Ids are
    never reused, so neither are numbers; an enrolment rolled back on PostgreSQL leaves
    a gap, as ids do."""
    highest = session.scalar(_HIGHEST_SUBJECT_ID) or 0
    return f"{highest + 1:07d}SC"


_HIGHEST_SUBJECT_ID = select(func.max(CriminalSubject.id))


def create_criminal_subject(
    session: Session,
    *,
    name: str,
    dob: date | None,
    sex: str,
    race: str,
    place_of_birth: str,
    aliases: Iterable[str] = (),
    fbi_number: str | None = None,
    state_id: str | None = None,
    enrolled_by_tcn: str | None = None,
) -> CriminalSubject:
    enrolment_lock(session)  # the next FBI number, and the prints stored after it
    subject = CriminalSubject(
        fbi_number=fbi_number or next_fbi_number(session),
        state_id=state_id,
        name=name,
        dob=dob,
        sex=sex,
        race=race,
        place_of_birth=place_of_birth,
        enrolled_by_tcn=enrolled_by_tcn,
        aliases=[],  # new: nothing to load when the first alias or arrest is added
        arrests=[],
    )
    session.add(subject)
    session.flush()
    add_aliases(session, subject=subject, names=aliases)
    return subject


def add_aliases(session: Session, *, subject: CriminalSubject, names: Iterable[str]) -> None:
    """The names not yet on record for ``subject``. One insert that keeps a name already
    there: two bookings of one person identified at the same moment may bring the same
    new name, and neither may fail for it (nor load every alias to look first)."""
    rows = [
        {"subject_id": subject.id, "name": name}
        for name in dict.fromkeys(names)
        if name != subject.name
    ]
    insert_unless_present(
        session,
        CriminalAlias,
        unique=("subject_id", "name"),
        rows=rows,
        refers_to=(CriminalSubject,),
    )
    if rows:  # if loaded before, read again when next asked (another unit may have added)
        session.expire(subject, ["aliases"])


def add_arrest(
    session: Session,
    *,
    subject: CriminalSubject,
    incident_id: str,
    ori: str,
    arrested_on: date,
    charges: Sequence[ChargeFact],
) -> Arrest:
    """The arrest and its charges, written with the unit's next flush (the charges
    take the arrest's id then)."""
    arrest = Arrest(
        subject_id=subject.id, incident_id=incident_id, ori=ori, arrested_on=arrested_on
    )
    session.add(arrest)
    for position, fact in enumerate(charges):
        arrest.charges.append(
            Charge(
                position=position,
                ncic_code=fact.ncic_code,
                description=fact.description,
                max_term_days=fact.max_term_days,
                disposition=fact.disposition,
                disposition_date=fact.disposition_date,
                sentence_days=fact.sentence_days,
            )
        )
    if "arrests" not in inspect(subject).unloaded:  # else loaded with the arrest in it
        subject.arrests.append(arrest)
    return arrest


def arrest_by_incident(session: Session, incident_id: str) -> Arrest | None:
    return session.scalar(_ARREST_BY_INCIDENT, {"incident": incident_id})


_ARREST_BY_INCIDENT = select(Arrest).where(Arrest.incident_id == bindparam("incident"))


def history(subject: CriminalSubject) -> CriminalHistoryFact:
    facts = []
    for arrest in subject.arrests:
        for charge in arrest.charges:
            facts.append(
                ChargeFact(
                    ncic_code=charge.ncic_code,
                    description=charge.description,
                    arrest_date=arrest.arrested_on,
                    incident_id=arrest.incident_id,
                    max_term_days=charge.max_term_days,
                    disposition=Disposition(charge.disposition),
                    disposition_date=charge.disposition_date,
                    sentence_days=charge.sentence_days,
                )
            )
    return CriminalHistoryFact(tuple(facts))


def create_immigration_subject(
    session: Session,
    *,
    fin: str,
    a_number: str | None,
    name: str,
    dob: date | None,
    sex: str,
    country_of_birth: str,
    encounters: Sequence[EncounterFact],
) -> ImmigrationSubject:
    subject = ImmigrationSubject(
        fin=fin, a_number=a_number, name=name, dob=dob, sex=sex, country_of_birth=country_of_birth
    )
    session.add(subject)
    session.flush()
    for fact in encounters:
        encounter = Encounter(
            subject_id=subject.id, kind=fact.kind, day=fact.day, detail=dict(fact.detail)
        )
        session.add(encounter)
        subject.encounters.append(encounter)
    return subject


def encounter_facts(subject: ImmigrationSubject) -> tuple[EncounterFact, ...]:
    return tuple(
        EncounterFact(kind=EncounterKind(e.kind), day=e.day, detail=dict(e.detail))
        for e in subject.encounters
    )


def criminal_subject_by_fbi(session: Session, fbi_number: str) -> CriminalSubject:
    subject = session.scalar(
        select(CriminalSubject).where(CriminalSubject.fbi_number == fbi_number)
    )
    if subject is None:
        raise NotFoundError(f"no criminal record with FBI number {fbi_number}")
    return subject


def immigration_subject_by_fin(session: Session, fin: str) -> ImmigrationSubject:
    subject = session.scalar(select(ImmigrationSubject).where(ImmigrationSubject.fin == fin))
    if subject is None:
        raise NotFoundError(f"no immigration record with FIN {fin}")
    return subject
