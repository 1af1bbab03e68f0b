"""Data access for the two repositories: subjects, aliases, arrests and histories, and
encounters (their enrolled fingerprints: ``repositories.prints``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import bindparam, func, inspect, select
from sqlalchemy.orm import Session, lazyload

from securecomm.database.locks import enrolment_lock
from securecomm.database.rows import insert_unless_present
from securecomm.domain import (
    ChargeFact,
    CriminalHistoryFact,
    Disposition,
    EncounterFact,
    EncounterKind,
)
from securecomm.exceptions import NotFoundError
from securecomm.repositories.models import (
    Arrest,
    Charge,
    CriminalAlias,
    CriminalSubject,
    Encounter,
    ImmigrationSubject,
)


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


def arrest_by_incident(
    session: Session, incident_id: str, *, with_charges: bool = True
) -> Arrest | None:
    """The booking's arrest; ``with_charges=False`` leaves its charges to be read only if
    asked for (a release changes the arrest alone)."""
    statement = _ARREST_BY_INCIDENT if with_charges else _ARREST_ALONE_BY_INCIDENT
    return session.scalar(statement, {"incident": incident_id})


_ARREST_BY_INCIDENT = select(Arrest).where(Arrest.incident_id == bindparam("incident"))
_ARREST_ALONE_BY_INCIDENT = _ARREST_BY_INCIDENT.options(lazyload(Arrest.charges))


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
