"""The home page's cards: each thing the user may do, with the size of its queue."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from securecomm.audit.models import AuditEvent
from securecomm.auth.accounts import Principal
from securecomm.auth.models import Agency, User
from securecomm.auth.roles import P
from securecomm.auth.scope import booking_scope, case_scope, examiner_repository
from securecomm.cases import service as case_service
from securecomm.cases.models import CaseState
from securecomm.interop import examiner
from securecomm.interop import service as interop_service


@dataclass(frozen=True)
class Card:
    href: str
    title: str
    figure: int | None
    caption: str


def cards(session: Session, principal: Principal) -> list[Card]:
    found: list[Card] = []
    if principal.can(P.READ_BOOKINGS):
        scope = booking_scope(session, principal)
        _, total = interop_service.bookings(session, scope, state=None, limit=1, offset=0)
        found.append(Card("/bookings", "Bookings", total, "submissions you may see"))
    if principal.can(P.SUBMIT_BOOKING):
        found.append(Card("/bookings/new", "Send a booking", None, "an ANSI/NIST or JSON file"))
    if principal.can(P.READ_STATUS_QUEUE):
        waiting = case_service.count_cases(
            session, field_offices=None, states=(CaseState.ANALYST_REVIEW,)
        )
        found.append(Card("/status-queue", "Status queue", waiting, "statuses to determine"))
    if principal.can(P.READ_CASES):
        offices = case_scope(principal).oris
        open_work = case_service.count_cases(
            session, field_offices=offices, states=case_service.OPEN_WORK
        )
        found.append(Card("/work-queue", "Field office queue", open_work, "open detainer work"))
    if principal.can(P.READ_EXAMINER_QUEUE):
        _, pending = examiner.queue_page(
            session, repository=examiner_repository(principal), limit=1, offset=0
        )
        found.append(Card("/examiner", "Examiner queue", pending, "comparisons to decide"))
    if principal.can(P.READ_AUDIT_LOG):
        events = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
        found.append(Card("/audit", "Audit log", events, "events recorded"))
    if principal.can(P.READ_USERS):
        users = session.scalar(select(func.count()).select_from(User)) or 0
        found.append(Card("/admin/users", "Users", users, "people who sign in"))
    if principal.can(P.READ_AGENCIES):
        agencies = session.scalar(select(func.count()).select_from(Agency)) or 0
        found.append(Card("/admin/agencies", "Agencies", agencies, "participants"))
    if principal.can(P.READ_STATISTICS):
        found.append(Card("/statistics", "Statistics", None, "nationwide, by state and county"))
    return found
