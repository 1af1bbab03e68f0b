from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from securecomm.auth.models import Agency
from securecomm.domain import AgencyRole
from securecomm.exceptions import NotFoundError


def agency_by_ori(session: Session, ori: str) -> Agency:
    agency = session.scalar(select(Agency).where(Agency.ori == ori))
    if agency is None:
        raise NotFoundError(f"no agency with ORI {ori!r}")
    return agency


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
        raise NotFoundError(f"no agency registered for role {role}")
    return agency
