"""What the service gives of the two repositories' records."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel

from securecomm.repositories.models import CriminalSubject, ImmigrationSubject


class ChargeOut(BaseModel):
    position: int
    ncic_code: str
    description: str
    max_term_days: int
    disposition: str
    disposition_date: date | None
    sentence_days: int | None


class ArrestOut(BaseModel):
    incident_id: str
    ori: str
    arrested_on: date
    released_on: date | None
    charges: list[ChargeOut]


class CriminalRecordOut(BaseModel):
    """The criminal repository's record of one subject (the rap sheet)."""

    fbi_number: str
    state_id: str | None
    name: str
    aliases: list[str]
    dob: date | None
    sex: str
    race: str
    place_of_birth: str
    arrests: list[ArrestOut]

    @classmethod
    def of(cls, subject: CriminalSubject) -> CriminalRecordOut:
        return cls(
            fbi_number=subject.fbi_number,
            state_id=subject.state_id,
            name=subject.name,
            aliases=[alias.name for alias in subject.aliases],
            dob=subject.dob,
            sex=subject.sex,
            race=subject.race,
            place_of_birth=subject.place_of_birth,
            arrests=[
                ArrestOut(
                    incident_id=arrest.incident_id,
                    ori=arrest.ori,
                    arrested_on=arrest.arrested_on,
                    released_on=arrest.released_on,
                    charges=[
                        ChargeOut(
                            position=charge.position,
                            ncic_code=charge.ncic_code,
                            description=charge.description,
                            max_term_days=charge.max_term_days,
                            disposition=charge.disposition.value,
                            disposition_date=charge.disposition_date,
                            sentence_days=charge.sentence_days,
                        )
                        for charge in arrest.charges
                    ],
                )
                for arrest in subject.arrests
            ],
        )


class EncounterOut(BaseModel):
    kind: str
    day: date
    detail: dict[str, Any]


class ImmigrationRecordOut(BaseModel):
    """The immigration repository's record of one subject: identity and encounters."""

    fin: str
    a_number: str | None
    name: str
    dob: date | None
    sex: str
    country_of_birth: str
    encounters: list[EncounterOut]

    @classmethod
    def of(cls, subject: ImmigrationSubject) -> ImmigrationRecordOut:
        return cls(
            fin=subject.fin,
            a_number=subject.a_number,
            name=subject.name,
            dob=subject.dob,
            sex=subject.sex,
            country_of_birth=subject.country_of_birth,
            encounters=[
                EncounterOut(kind=e.kind.value, day=e.day, detail=dict(e.detail))
                for e in subject.encounters
            ],
        )
