from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from securecomm.auth.models import Agency
from securecomm.domain import AgencyRole
from securecomm.exceptions import FieldProblem, InputError, NotFoundError


def agency_by_ori(session: Session, ori: str) -> Agency:
    agency = session.scalar(select(Agency).where(Agency.ori == ori))
    if agency is None:
        raise NotFoundError(
            f"no agency with ORI {ori!r}: register it with `securecomm agencies add`"
        )
    return agency


def list_agencies(session: Session) -> list[Agency]:
    return list(session.scalars(select(Agency).order_by(Agency.role, Agency.ori)))


def state_bureau(session: Session, state: str) -> Agency | None:
    """The state identification bureau that relays its local agencies' bookings and
    answers (None where the state has none registered)."""
    query = select(Agency).where(Agency.role == AgencyRole.STATE_BUREAU, Agency.state == state)
    return session.scalar(query.order_by(Agency.id))


def agency_for_role(session: Session, role: AgencyRole, *, state: str | None = None) -> Agency:
    """The agency playing ``role`` (for a state, when the role is held per state)."""
    query = select(Agency).where(Agency.role == role).order_by(Agency.id)
    if state is not None:
        in_state = session.scalar(query.where(Agency.state == state))
        if in_state is not None:
            return in_state
    agency = session.scalar(query)
    if agency is None:
        raise NotFoundError(
            f"no agency registered for role {role}: run `securecomm init` (or load a world)"
        )
    return agency


ORI = re.compile(r"[A-Z0-9]{9}")


def register_agency(
    session: Session,
    *,
    ori: str,
    name: str,
    role: AgencyRole,
    state: str | None = None,
    jurisdiction_id: int | None = None,
) -> Agency:
    """A new participant; names each field that is wrong. A local agency serves one
    jurisdiction (``jurisdiction_id``, found by the caller from its code)."""
    problems = []
    if not ORI.fullmatch(ori):
        problems.append(FieldProblem("ori", "agency.ori", "nine capital letters or digits"))
    elif session.scalar(select(Agency).where(Agency.ori == ori)) is not None:
        problems.append(FieldProblem("ori", "agency.ori_taken", f"{ori} is registered"))
    if not name.strip():
        problems.append(FieldProblem("name", "agency.name", "an agency needs a name"))
    if state is not None and not re.fullmatch(r"[A-Z]{2}", state):
        problems.append(FieldProblem("state", "agency.state", "a two-letter state code"))
    if role is AgencyRole.LOCAL_AGENCY and jurisdiction_id is None:
        problems.append(
            FieldProblem("jurisdiction", "agency.jurisdiction", "a local agency needs one")
        )
    if problems:
        raise InputError(problems, summary=f"agency {ori!r} not registered")
    agency = Agency(ori=ori, name=name, role=role, state=state, jurisdiction_id=jurisdiction_id)
    session.add(agency)
    session.flush()
    return agency
