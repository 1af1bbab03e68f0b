"""``/api/v1/criminal-records`` and ``/api/v1/immigration-records``: the repositories'
records of one subject. Immigration records and encounter history are for federal
roles only; every read is audited with the reader's stated purpose."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from securecomm.api.errors import ERROR_RESPONSES
from securecomm.api.security import Actor, requires
from securecomm.auth.roles import P
from securecomm.repositories import service as repository_service
from securecomm.repositories.schemas import CriminalRecordOut, ImmigrationRecordOut

router = APIRouter(prefix="/api/v1", tags=["repositories"], responses=ERROR_RESPONSES)


@router.get("/criminal-records/{fbi_number}", response_model=CriminalRecordOut)
def criminal_record(
    fbi_number: Annotated[str, Path(max_length=12)],
    actor: Annotated[Actor, requires(P.READ_CRIMINAL_RECORDS, personal=True)],
) -> CriminalRecordOut:
    """A subject's criminal history: identity, aliases, arrests, charges, dispositions."""
    subject = repository_service.criminal_subject_by_fbi(actor.session, fbi_number)
    return CriminalRecordOut.of(subject)


@router.get("/immigration-records/{fin}", response_model=ImmigrationRecordOut)
def immigration_record(
    fin: Annotated[str, Path(max_length=12)],
    actor: Annotated[Actor, requires(P.READ_IMMIGRATION_RECORDS, personal=True)],
) -> ImmigrationRecordOut:
    """A subject's immigration identity and every encounter (federal roles only)."""
    subject = repository_service.immigration_subject_by_fin(actor.session, fin)
    return ImmigrationRecordOut.of(subject)
