"""One user per role and agency for a demo world, each with a fresh random password.

Only for the development environment (``securecomm serve --demo`` refuses otherwise):
the passwords are printed to the terminal that started the service. Two booking
officers work for two different local agencies, so each sees only its own bookings.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from securecomm.auth import accounts
from securecomm.auth.models import Agency, User
from securecomm.auth.roles import Role
from securecomm.domain import AgencyRole
from securecomm.interop.models import Jurisdiction, Transaction


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: Role
    agency: str


# (user name, role, kind of agency, which one of that kind in ORI order)
PEOPLE = (
    ("booking1", Role.BOOKING_OFFICER, AgencyRole.LOCAL_AGENCY, 0),
    ("booking2", Role.BOOKING_OFFICER, AgencyRole.LOCAL_AGENCY, 1),
    ("bureau", Role.STATE_BUREAU_OPERATOR, AgencyRole.STATE_BUREAU, 0),
    ("examiner", Role.FINGERPRINT_EXAMINER, AgencyRole.CRIMINAL_REPOSITORY, 0),
    ("examiner-ident", Role.FINGERPRINT_EXAMINER, AgencyRole.IMMIGRATION_REPOSITORY, 0),
    ("analyst", Role.STATUS_ANALYST, AgencyRole.STATUS_CENTRE, 0),
    ("officer", Role.ICE_OFFICER, AgencyRole.ICE_FIELD_OFFICE, 0),
    ("supervisor", Role.ICE_SUPERVISOR, AgencyRole.ICE_FIELD_OFFICE, 0),
    ("auditor", Role.AUDITOR, AgencyRole.STATUS_CENTRE, 0),
    ("redress", Role.REDRESS_OFFICER, AgencyRole.STATUS_CENTRE, 0),
    ("admin", Role.ADMINISTRATOR, AgencyRole.CRIMINAL_REPOSITORY, 0),
)


def _agency(session: Session, kind: AgencyRole, nth: int, state: str | None) -> Agency | None:
    query = select(Agency).where(Agency.role == kind).order_by(Agency.ori)
    if state is not None and kind in (
        AgencyRole.LOCAL_AGENCY,
        AgencyRole.STATE_BUREAU,
        AgencyRole.ICE_FIELD_OFFICE,
    ):
        query = query.where(Agency.state == state)
    found = list(session.scalars(query))
    return found[nth] if len(found) > nth else None


def ensure_demo_users(session: Session, *, state: str | None = None) -> list[DemoLogin]:
    """Create (or reset) the demo users; every password is new each time. Local agencies,
    the bureau and the field office are taken in one state (the first with two local
    agencies, unless ``state`` names one), so the officer's cases are the booking
    officers' detainers."""
    chosen = state or demo_state(session)
    logins = []
    for username, role, kind, nth in PEOPLE:
        agency = _agency(session, kind, nth, chosen)
        if agency is None:
            continue
        password = accounts.one_time_password()
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            accounts.create_user(
                session,
                username=username,
                full_name=f"Demo {role.value.replace('_', ' ')}",
                agency=agency,
                roles={role},
                password=password,
                must_change_password=False,
            )
        else:
            user.password_hash = accounts.hash_password(password)
            user.disabled, user.failed_logins, user.locked_until = False, 0, None
            user.must_change_password = False
            accounts.revoke_all(session, user)
        logins.append(DemoLogin(username, password, role, agency.ori))
    return logins


def demo_state(session: Session) -> str | None:
    """The state the demo's people work in: of the states with two local agencies or
    more, the one with the most immigration matches (the busiest field office)."""
    locals_by_state = dict(
        session.execute(
            select(Agency.state, func.count())
            .where(Agency.role == AgencyRole.LOCAL_AGENCY)
            .group_by(Agency.state)
        ).all()
    )
    matches = dict(
        session.execute(
            select(Jurisdiction.state, func.count())
            .join(Transaction, Transaction.jurisdiction_id == Jurisdiction.id)
            .where(Transaction.immigration_subject_id.is_not(None))
            .group_by(Jurisdiction.state)
        ).all()
    )
    eligible = [state for state, count in locals_by_state.items() if state and count >= 2]
    return max(eligible, key=lambda state: (matches.get(state, 0), state), default=None)
