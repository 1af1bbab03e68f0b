"""Every table, imported once so Alembic and ``Base.metadata`` see the whole schema."""

from securecomm.audit.models import AuditChainLink, AuditCheckpoint, AuditEvent
from securecomm.auth.models import AccessToken, Agency, User
from securecomm.booking.models import Submission
from securecomm.cases.models import Case, CaseEvent, Detainer, DocketEntry
from securecomm.database import Base
from securecomm.database.reference import ReferenceRevision
from securecomm.interop.models import (
    DecisionRecord,
    Jurisdiction,
    JurisdictionSuspension,
    MailboxMessage,
    OutboxMessage,
    Transaction,
)
from securecomm.oversight.models import ProfilingReview
from securecomm.repositories.models import (
    Arrest,
    Charge,
    CriminalAlias,
    CriminalSubject,
    Encounter,
    ExaminerReview,
    FingerprintRecord,
    ImmigrationSubject,
)
from securecomm.simulation.models import DemoRun

metadata = Base.metadata

__all__ = [
    "AccessToken",
    "Agency",
    "Arrest",
    "AuditChainLink",
    "AuditCheckpoint",
    "AuditEvent",
    "Case",
    "CaseEvent",
    "Charge",
    "CriminalAlias",
    "CriminalSubject",
    "DecisionRecord",
    "DemoRun",
    "Detainer",
    "DocketEntry",
    "Encounter",
    "ExaminerReview",
    "FingerprintRecord",
    "ImmigrationSubject",
    "Jurisdiction",
    "JurisdictionSuspension",
    "MailboxMessage",
    "OutboxMessage",
    "ProfilingReview",
    "ReferenceRevision",
    "Submission",
    "Transaction",
    "User",
    "metadata",
]
