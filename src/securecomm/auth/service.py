from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from securecomm.auth.models import Agency
from securecomm.database.reference import ReferenceCache
from securecomm.database.rows import flush_if_new
from securecomm.domain import AgencyRole
from securecomm.exceptions import FieldProblem, InputError, NotFoundError

_AGENCIES = ReferenceCache()  # ("ori", ori) or ("playing", role, state) -> AgencyRef | None


@dataclass(frozen=True)
class AgencyRef:
    """An agency as the flow asks for it (who plays a role, which state an ORI is in),
    kept across units of work while the reference tables are unchanged."""

    id: int
    ori: str
    name: str
    role: AgencyRole
    state: str | None
    jurisdiction_id: int | None

    @classmethod
    def of(cls, agency: Agency) -> AgencyRef:
        return cls(
            agency.id, agency.ori, agency.name, agency.role, agency.state, agency.jurisdiction_id
        )


def agency_by_ori(session: Session, ori: str) -> Agency:
    agency = _with_ori(session, ori)
    if agency is None:
        raise _unknown(ori)
    return agency


def agency_ref(session: Session, ori: str) -> AgencyRef:
    """The agency with ``ori``, as reference data (cached; ``agency_by_ori`` for the row)."""

    def load(session: Session) -> AgencyRef | None:
        agency = _with_ori(session, ori)
        return None if agency is None else AgencyRef.of(agency)

    found = _AGENCIES.get(session, ("ori", ori), load)
    if found is None:
        raise _unknown(ori)
    return found


def _with_ori(session: Session, ori: str) -> Agency | None:
    return session.scalar(select(Agency).where(Agency.ori == ori))


def _unknown(ori: str) -> NotFoundError:
    return NotFoundError(f"no agency with ORI {ori!r}: register it with `securecomm agencies add`")


def list_agencies(session: Session) -> list[Agency]:
    return list(session.scalars(select(Agency).order_by(Agency.role, Agency.ori)))


def _first_playing(session: Session, role: AgencyRole, state: str | None) -> AgencyRef | None:
    """The first agency registered for ``role`` (in ``state`` where given): every
    booking asks for the same bureau and federal roles, so the answer is reference data."""

    def load(session: Session) -> AgencyRef | None:
        statement = _FIRST_PLAYING if state is None else _FIRST_PLAYING_IN_STATE
        agency = session.scalar(
            statement,
            {"role": role, "state": state},
            execution_options=flush_if_new(session, Agency),  # an agency's role stays
        )
        return None if agency is None else AgencyRef.of(agency)

    return _AGENCIES.get(session, ("playing", role, state), load)


_FIRST_PLAYING = select(Agency).where(Agency.role == bindparam("role")).order_by(Agency.id).limit(1)
_FIRST_PLAYING_IN_STATE = _FIRST_PLAYING.where(Agency.state == bindparam("state"))


def state_bureau(session: Session, state: str) -> AgencyRef | None:
    """The state identification bureau that relays its local agencies' bookings and
    answers (None where the state has none registered)."""
    return _first_playing(session, AgencyRole.STATE_BUREAU, state)


def agency_for_role(session: Session, role: AgencyRole, *, state: str | None = None) -> AgencyRef:
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
    elif _with_ori(session, ori) is not None:
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
