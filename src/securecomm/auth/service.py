from __future__ import annotations

import re

from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session

from securecomm.auth.models import Agency
from securecomm.database.rows import flush_if_new
from securecomm.domain import AgencyRole
from securecomm.exceptions import FieldProblem, InputError, NotFoundError

_PLAYING = "securecomm.auth.playing"  # session.info: (role, state) -> first such agency


@event.listens_for(Session, "transient_to_pending")
def _forget_playing(session: Session, instance: object) -> None:
    """An agency added in this unit of work may be the one a later lookup wants."""
    if isinstance(instance, Agency):
        session.info.pop(_PLAYING, None)


def agency_by_ori(session: Session, ori: str) -> Agency:
    agency = session.scalar(select(Agency).where(Agency.ori == ori))
    if agency is None:
        raise NotFoundError(
            f"no agency with ORI {ori!r}: register it with `securecomm agencies add`"
        )
    return agency


def list_agencies(session: Session) -> list[Agency]:
    return list(session.scalars(select(Agency).order_by(Agency.role, Agency.ori)))


def _first_playing(session: Session, role: AgencyRole, state: str | None) -> Agency | None:
    """The first agency registered for ``role`` (in ``state`` where given), asked once
    per unit of work: a booking's steps ask for the same bureau and federal roles again
    and again, and no step registers an agency."""
    found: dict[tuple[AgencyRole, str | None], Agency | None]
    found = session.info.setdefault(_PLAYING, {})
    if (role, state) not in found:
        statement = _FIRST_PLAYING if state is None else _FIRST_PLAYING_IN_STATE
        found[(role, state)] = session.scalar(
            statement,
            {"role": role, "state": state},
            execution_options=flush_if_new(session, Agency),  # an agency's role stays
        )
    return found[(role, state)]


_FIRST_PLAYING = select(Agency).where(Agency.role == bindparam("role")).order_by(Agency.id).limit(1)
_FIRST_PLAYING_IN_STATE = _FIRST_PLAYING.where(Agency.state == bindparam("state"))


def state_bureau(session: Session, state: str) -> Agency | None:
    """The state identification bureau that relays its local agencies' bookings and
    answers (None where the state has none registered)."""
    return _first_playing(session, AgencyRole.STATE_BUREAU, state)


def agency_for_role(session: Session, role: AgencyRole, *, state: str | None = None) -> Agency:
    """The agency playing ``role`` (for a state, when the role is held per state)."""
    if state is not None:
        in_state = _first_playing(session, role, state)
        if in_state is not None:
            return in_state
    agency = _first_playing(session, role, None)
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
