"""Which rows a permission reaches, decided once for every route, page and command.

A permission says what kind of thing a user may read or do; the scope says whose:

- bookings, their answers and the detainers lodged with an agency: a booking officer
  sees their own agency's, a state bureau operator their state's agencies', federal
  roles and auditors every agency's;
- cases: an ICE officer or supervisor sees their own field office's; status analysts
  and auditors see every case;
- the examiner queue: an examiner sees their own repository's comparisons; auditors
  see both.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from securecomm.auth.accounts import Principal
from securecomm.auth.models import Agency
from securecomm.auth.roles import Permission, Role
from securecomm.domain import AgencyRole
from securecomm.exceptions import PermissionDeniedError

_NATIONWIDE_CASE_ROLES = frozenset({Role.STATUS_ANALYST, Role.AUDITOR})


@dataclass(frozen=True)
class AgencyScope:
    """The agencies (ORIs) whose bookings a user may see; ``None``: every agency."""

    oris: frozenset[str] | None

    def covers(self, ori: str | None) -> bool:
        return self.oris is None or (ori is not None and ori in self.oris)


def booking_scope(session: Session, principal: Principal) -> AgencyScope:
    if not principal.can(Permission.READ_BOOKINGS):
        raise PermissionDeniedError("this role sees no bookings")
    if principal.can(Permission.READ_TRANSACTIONS):  # federal roles and auditors
        return AgencyScope(None)
    if principal.agency_role == str(AgencyRole.STATE_BUREAU) and principal.agency_state:
        in_state = select(Agency.ori).where(Agency.state == principal.agency_state)
        return AgencyScope(frozenset(session.scalars(in_state)))
    if principal.agency_role == str(AgencyRole.LOCAL_AGENCY):
        return AgencyScope(frozenset({principal.agency_ori}))
    raise PermissionDeniedError("bookings are seen by their agency, its bureau and federal roles")


def submission_scope(session: Session, principal: Principal) -> AgencyScope:
    """For whom a user may send bookings: their own agency, or, for a state bureau, any
    agency of its state (the bureau relays them)."""
    if principal.can(Permission.SUBMIT_BOOKING) and principal.agency_role == str(
        AgencyRole.STATE_BUREAU
    ):
        in_state = select(Agency.ori).where(Agency.state == principal.agency_state)
        return AgencyScope(frozenset(session.scalars(in_state)))
    if principal.can(Permission.SUBMIT_BOOKING):
        return AgencyScope(frozenset({principal.agency_ori}))
    raise PermissionDeniedError("this role does not submit bookings")


def case_scope(principal: Principal) -> AgencyScope:
    """Field offices whose cases a user may see."""
    if principal.roles & _NATIONWIDE_CASE_ROLES:
        return AgencyScope(None)
    if principal.can(Permission.READ_CASES) and principal.agency_role == str(
        AgencyRole.ICE_FIELD_OFFICE
    ):
        return AgencyScope(frozenset({principal.agency_ori}))
    raise PermissionDeniedError("this role sees no cases")


def examiner_repository(principal: Principal) -> str | None:
    """The repository whose comparisons an examiner works (``None``: both, read-only)."""
    if Role.AUDITOR in principal.roles:
        return None
    if principal.agency_role == str(AgencyRole.CRIMINAL_REPOSITORY):
        return "criminal"
    if principal.agency_role == str(AgencyRole.IMMIGRATION_REPOSITORY):
        return "immigration"
    raise PermissionDeniedError("examiners work in a repository")
