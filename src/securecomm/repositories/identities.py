"""Correcting who is who in the criminal repository, as a redress decision finds it.

* **Split**: a booking was added to an identity that is not the person's (a wrong
  fingerprint identification). The booking's arrest moves to a new identity enrolled
  with the booking's own prints, so the person's next booking identifies them and not
  the other person; the other identity keeps everything that was its own.
* **Merge**: one person holds two identities (an identification that was missed). The
  newer identity is folded into the older one: its arrests, names and bookings move
  over, it points at the identity it became, and a search that lands on its prints is
  resolved to that identity. Its prints stay searchable: more impressions of the same
  fingers only help.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from securecomm.biometrics import Template
from securecomm.repositories import prints as print_store
from securecomm.repositories import service as repository_service
from securecomm.repositories.models import Arrest, CriminalSubject, MatchExclusion, Repository

# A booking adds an alias and an arrest to an identity: neither collection is read.
_LATER = [lazyload(CriminalSubject.arrests), lazyload(CriminalSubject.aliases)]


class IdentityError(ValueError):
    """A split or merge the records do not allow; ``field`` names the input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class IdentityChange:
    action: str  # "identity_split" or "identity_merged"
    from_fbi: str
    to_fbi: str
    arrests_moved: int


def current(session: Session, subject_id: int) -> CriminalSubject:
    """The identity a subject is now: itself, or the one it was merged into (its
    aliases, arrests and charges are not loaded until asked for: a booking only adds)."""
    subject = session.get_one(CriminalSubject, subject_id, options=_LATER)
    seen = {subject.id}
    while subject.merged_into_id is not None:
        subject = session.get_one(CriminalSubject, subject.merged_into_id, options=_LATER)
        if subject.id in seen:  # never written, but a loop must not hang a search
            raise IdentityError("merged_into_id", f"merge loop at subject {subject.id}")
        seen.add(subject.id)
    return subject


def split_booking(
    session: Session,
    *,
    arrest: Arrest,
    prints: Mapping[int, Template],
    name: str,
    dob: date | None,
    sex: str,
    race: str,
    place_of_birth: str,
) -> tuple[CriminalSubject, IdentityChange]:
    """Move one booking's arrest off a wrong identity onto a new one of its own."""
    wrong = session.get_one(CriminalSubject, arrest.subject_id)
    if wrong.enrolled_by_tcn == arrest.incident_id:
        raise IdentityError(
            "split_identity", "this booking enrolled the identity: nothing to split"
        )
    if not prints:
        raise IdentityError("split_identity", "the booking has no prints to enrol")
    subject = repository_service.create_criminal_subject(
        session,
        name=name,
        dob=dob,
        sex=sex,
        race=race,
        place_of_birth=place_of_birth,
        enrolled_by_tcn=arrest.incident_id,
    )
    print_store.store_prints(
        session, repository=Repository.CRIMINAL, subject_id=subject.id, prints=prints
    )
    arrest.subject = subject  # moves it between the two identities' arrests
    session.flush()
    return subject, IdentityChange("identity_split", wrong.fbi_number, subject.fbi_number, 1)


def merge(session: Session, *, absorbed: CriminalSubject, into: CriminalSubject) -> IdentityChange:
    """Fold ``absorbed`` into ``into``: one person, one identity from now on."""
    if absorbed.id == into.id:
        raise IdentityError("merge_with", "the two identities are the same")
    if absorbed.merged_into_id is not None or into.merged_into_id is not None:
        raise IdentityError("merge_with", "one of the identities was already merged")
    moved = list(absorbed.arrests)
    for arrest in moved:
        arrest.subject = into
    into.arrests.sort(key=lambda arrest: arrest.arrested_on)
    names = [absorbed.name, *(alias.name for alias in absorbed.aliases)]
    repository_service.add_aliases(session, subject=into, names=names)
    _move_exclusions(session, absorbed.id, into.id)
    absorbed.merged_into_id = into.id
    session.flush()
    return IdentityChange("identity_merged", absorbed.fbi_number, into.fbi_number, len(moved))


def _move_exclusions(session: Session, old: int, new: int) -> None:
    """Matches ruled out for either identity stay ruled out for the merged one."""
    kept = set(
        session.scalars(
            select(MatchExclusion.immigration_subject_id).where(
                MatchExclusion.criminal_subject_id == new
            )
        )
    )
    for exclusion in session.scalars(
        select(MatchExclusion).where(MatchExclusion.criminal_subject_id == old)
    ):
        if exclusion.immigration_subject_id in kept:
            session.delete(exclusion)
        else:
            exclusion.criminal_subject_id = new
