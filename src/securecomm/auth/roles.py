"""Who may do what: the one permission table.

Every user belongs to one agency and holds one or more roles; each role grants a set of
permissions, and each role may be held only in the kinds of agency that do that work.
Routes, pages and commands ask for one permission by name (``api.security.requires``);
which rows a permission reaches (a local agency's own bookings, a field office's own
cases, an examiner's own repository) is decided once, in ``auth.scope``, from the same
principal. ``docs/service.md`` prints this table from the code.
"""

from __future__ import annotations

import enum

from securecomm.domain import AgencyRole


class Role(enum.StrEnum):
    BOOKING_OFFICER = "booking_officer"
    STATE_BUREAU_OPERATOR = "state_bureau_operator"
    FINGERPRINT_EXAMINER = "fingerprint_examiner"
    STATUS_ANALYST = "status_analyst"
    ICE_OFFICER = "ice_officer"
    ICE_SUPERVISOR = "ice_supervisor"
    AUDITOR = "auditor"
    REDRESS_OFFICER = "redress_officer"
    ADMINISTRATOR = "administrator"


class Permission(enum.StrEnum):
    SUBMIT_BOOKING = "booking.submit"
    # Bookings, their answers and the detainers lodged with an agency: a local agency's
    # own, a state bureau's state's, everyone's for federal roles (auth.scope).
    READ_BOOKINGS = "booking.read"
    READ_TRANSACTIONS = "transactions.read"  # a booking's whole path and decisions: federal
    REVIEW_SUBMISSIONS = "booking.review"  # rejected and failed submissions
    RETRY_SUBMISSION = "booking.retry"
    ANSWER_DETAINER = "detainer.answer"  # the holding agency honours or declines
    READ_CRIMINAL_RECORDS = "records.criminal.read"
    READ_IMMIGRATION_RECORDS = "records.immigration.read"  # federal roles only
    READ_EXAMINER_QUEUE = "examiner.read"  # examiners: only their repository's queue
    EXAMINE_PRINTS = "examiner.decide"
    READ_STATUS_QUEUE = "status.queue.read"
    DECIDE_STATUS = "status.decide"
    READ_CASES = "cases.read"  # ICE officers: their field office's cases
    MANAGE_CASES = "cases.manage"  # discretion, counsel, release from custody
    LODGE_DETAINER = "detainer.lodge"
    LIFT_DETAINER = "detainer.lift"
    APPROVE_DETAINER = "detainer.approve"  # supervisors, where the form needs a warrant
    READ_STATISTICS = "statistics.read"
    READ_AUDIT_LOG = "audit.read"
    VERIFY_AUDIT_LOG = "audit.verify"
    READ_COMPLAINTS = "redress.read"
    WORK_COMPLAINTS = "redress.work"  # take up, correct the records, refer, answer
    # The profiling monitor's findings and the reviews they open; deciding a review
    # (clear, order training, suspend a jurisdiction's sharing) is a supervisor's.
    READ_OVERSIGHT = "oversight.read"
    DECIDE_REVIEW = "oversight.decide"
    READ_USERS = "users.read"
    MANAGE_USERS = "users.manage"
    READ_AGENCIES = "agencies.read"
    MANAGE_AGENCIES = "agencies.manage"


P = Permission

# Everything that changes something. Every other permission only reads.
WRITE_PERMISSIONS = frozenset(
    {
        P.SUBMIT_BOOKING,
        P.RETRY_SUBMISSION,
        P.ANSWER_DETAINER,
        P.EXAMINE_PRINTS,
        P.DECIDE_STATUS,
        P.MANAGE_CASES,
        P.LODGE_DETAINER,
        P.LIFT_DETAINER,
        P.APPROVE_DETAINER,
        P.DECIDE_REVIEW,
        P.WORK_COMPLAINTS,
        P.MANAGE_USERS,
        P.MANAGE_AGENCIES,
    }
)
READ_PERMISSIONS = frozenset(Permission) - WRITE_PERMISSIONS

_FEDERAL_READS = frozenset(
    {
        P.READ_BOOKINGS,
        P.READ_TRANSACTIONS,
        P.READ_CRIMINAL_RECORDS,
        P.READ_IMMIGRATION_RECORDS,
        P.READ_CASES,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.BOOKING_OFFICER: frozenset(
        {P.SUBMIT_BOOKING, P.READ_BOOKINGS, P.ANSWER_DETAINER, P.READ_STATISTICS}
    ),
    Role.STATE_BUREAU_OPERATOR: frozenset(
        {P.SUBMIT_BOOKING, P.READ_BOOKINGS, P.READ_CRIMINAL_RECORDS, P.READ_STATISTICS}
    ),
    Role.FINGERPRINT_EXAMINER: frozenset({P.READ_EXAMINER_QUEUE, P.EXAMINE_PRINTS}),
    Role.STATUS_ANALYST: _FEDERAL_READS | {P.READ_STATUS_QUEUE, P.DECIDE_STATUS, P.READ_STATISTICS},
    Role.ICE_OFFICER: _FEDERAL_READS
    | {P.MANAGE_CASES, P.LODGE_DETAINER, P.LIFT_DETAINER, P.READ_STATISTICS},
    Role.ICE_SUPERVISOR: _FEDERAL_READS
    | {P.MANAGE_CASES, P.LODGE_DETAINER, P.LIFT_DETAINER, P.APPROVE_DETAINER}
    | {P.READ_STATISTICS, P.READ_OVERSIGHT, P.DECIDE_REVIEW},
    # Auditors read everything and change nothing.
    Role.AUDITOR: READ_PERMISSIONS,
    Role.REDRESS_OFFICER: frozenset({P.READ_COMPLAINTS, P.WORK_COMPLAINTS}),
    Role.ADMINISTRATOR: frozenset(
        {P.READ_USERS, P.MANAGE_USERS, P.READ_AGENCIES, P.MANAGE_AGENCIES}
        | {P.REVIEW_SUBMISSIONS, P.RETRY_SUBMISSION, P.VERIFY_AUDIT_LOG, P.READ_STATISTICS}
    ),
}

# The kinds of agency in which each role may be held (a booking officer works for a
# local agency; only the field office's people lodge detainers; ...).
ROLE_AGENCIES: dict[Role, frozenset[AgencyRole]] = {
    Role.BOOKING_OFFICER: frozenset({AgencyRole.LOCAL_AGENCY}),
    Role.STATE_BUREAU_OPERATOR: frozenset({AgencyRole.STATE_BUREAU}),
    Role.FINGERPRINT_EXAMINER: frozenset(
        {AgencyRole.CRIMINAL_REPOSITORY, AgencyRole.IMMIGRATION_REPOSITORY}
    ),
    Role.STATUS_ANALYST: frozenset({AgencyRole.STATUS_CENTRE}),
    Role.ICE_OFFICER: frozenset({AgencyRole.ICE_FIELD_OFFICE}),
    Role.ICE_SUPERVISOR: frozenset({AgencyRole.ICE_FIELD_OFFICE}),
    Role.AUDITOR: frozenset(AgencyRole),
    Role.REDRESS_OFFICER: frozenset(AgencyRole),
    Role.ADMINISTRATOR: frozenset(AgencyRole),
}

ROLE_TITLES: dict[Role, str] = {
    Role.BOOKING_OFFICER: "Booking officer",
    Role.STATE_BUREAU_OPERATOR: "State bureau operator",
    Role.FINGERPRINT_EXAMINER: "Fingerprint examiner",
    Role.STATUS_ANALYST: "Status analyst",
    Role.ICE_OFFICER: "ICE officer",
    Role.ICE_SUPERVISOR: "ICE supervisor",
    Role.AUDITOR: "Auditor",
    Role.REDRESS_OFFICER: "Redress officer",
    Role.ADMINISTRATOR: "Administrator",
}


def permissions_of(roles: frozenset[Role] | set[Role]) -> frozenset[Permission]:
    granted: frozenset[Permission] = frozenset()
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return granted
