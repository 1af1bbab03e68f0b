"""A jurisdiction as the flow reads it at every booking (its state, detainer policy,
activation, suspensions and declarations), cached as reference data
(``database.reference``): it changes a few times a year, bookings come every second."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from securecomm.database.reference import ReferenceCache
from securecomm.domain import DetainerPolicy
from securecomm.interop import rules as interop_rules
from securecomm.interop.models import Jurisdiction, JurisdictionSuspension, ParticipationEvent

_JURISDICTIONS = ReferenceCache()  # jurisdiction id -> JurisdictionRef


@dataclass(frozen=True)
class Declaration:
    """A participation event that says whether the jurisdiction takes immigration
    information about its arrestees."""

    id: int
    on: date
    kind: str


@dataclass(frozen=True)
class JurisdictionRef:
    id: int
    code: str
    name: str
    state: str
    county: str
    activation_date: date | None
    detainer_policy: DetainerPolicy
    suspensions: tuple[interop_rules.SuspensionPeriod, ...]  # by start
    declarations: tuple[Declaration, ...]  # information declarations, by date then id

    def declaration_in_force(self, on: date) -> Declaration | None:
        """The latest information declaration made on or before ``on``."""
        in_force = None
        for declaration in self.declarations:
            if declaration.on > on:
                break
            in_force = declaration
        return in_force


def jurisdiction_ref(session: Session, jurisdiction_id: int) -> JurisdictionRef:
    return _JURISDICTIONS.get(session, jurisdiction_id, lambda s: _load(s, jurisdiction_id))


def _load(session: Session, jurisdiction_id: int) -> JurisdictionRef:
    row = session.get_one(Jurisdiction, jurisdiction_id)
    suspensions = session.scalars(
        select(JurisdictionSuspension)
        .where(JurisdictionSuspension.jurisdiction_id == jurisdiction_id)
        .order_by(JurisdictionSuspension.start, JurisdictionSuspension.id)
    )
    declarations = session.scalars(
        select(ParticipationEvent)
        .where(
            ParticipationEvent.jurisdiction_id == jurisdiction_id,
            ParticipationEvent.kind.in_(interop_rules.INFORMATION_DECLARATIONS),
        )
        .order_by(ParticipationEvent.on, ParticipationEvent.id)
    )
    return JurisdictionRef(
        id=row.id,
        code=row.code,
        name=row.name,
        state=row.state,
        county=row.county,
        activation_date=row.activation_date,
        detainer_policy=row.detainer_policy,
        suspensions=tuple(
            interop_rules.SuspensionPeriod(s.start, s.end, s.reason, s.stops_sharing)
            for s in suspensions
        ),
        declarations=tuple(Declaration(e.id, e.on, e.kind) for e in declarations),
    )
