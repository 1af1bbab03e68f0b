"""Loading a synthetic world into the system and feeding it its events.

The runner is the only place that sees both sides: it gives the system what a real
deployment would hold (agencies, jurisdictions, repository contents, the stream of
bookings and dispositions) and keeps, apart, the links it needs to score the result
against ground truth (which stored subject is which synthetic person).
"""

from __future__ import annotations

import base64
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from securecomm.auth import service as auth_service
from securecomm.auth.models import Agency
from securecomm.biometrics import quality_is_nfiq2
from securecomm.booking import service as booking_service
from securecomm.booking.car import ANSI_NIST_CONTENT as CAR
from securecomm.booking.car import car_from_booking
from securecomm.booking.models import SubmissionKind
from securecomm.booking.schemas import BookingDocument
from securecomm.database import Database
from securecomm.domain import AgencyRole, ChargeFact, CourtOutcome
from securecomm.interop.models import Jurisdiction, JurisdictionSuspension
from securecomm.repositories import prints as print_store
from securecomm.repositories import service as repository_service
from securecomm.repositories.models import Repository
from securecomm.simulation.world import (
    BookingEvent,
    DispositionEvent,
    Event,
    ReleaseEvent,
    SubjectDescription,
    World,
)


@dataclass
class SubjectLinks:
    """Ground-truth links from stored subjects to synthetic persons (never shown to the system)."""

    criminal: dict[int, int] = field(default_factory=dict)  # criminal subject id -> person
    immigration: dict[int, int] = field(default_factory=dict)  # immigration subject id -> person
    invalid_tcns: set[str] = field(default_factory=set)  # bookings the runner corrupted


def utc(moment: datetime) -> datetime:
    """The world's clock is naive; the system keeps every time in UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


_NAME_CHARS = re.compile(r"[^A-Z' \-]")


def _clean(part: str) -> str:
    cleaned = _NAME_CHARS.sub("", part.upper()).strip(" '-")
    return cleaned or "UNKNOWN"


def ebts_name(subject: SubjectDescription) -> str:
    given = _clean(subject.given)
    if subject.middle:
        given = f"{given} {_clean(subject.middle)}"
    return f"{_clean(subject.surname)},{given}"[:50]


def _alias(name: str) -> str:
    surname, _, given = name.partition(",")
    return f"{_clean(surname)},{_clean(given or 'UNKNOWN')}"[:50]


def load_reference(database: Database, world: World) -> SubjectLinks:
    """Agencies, jurisdictions and the repositories' contents at the world's start."""
    links = SubjectLinks()
    with database.session() as session:
        jurisdiction_ids: dict[str, int] = {}
        for spec in world.jurisdictions:
            jurisdiction = Jurisdiction(
                code=spec.code,
                name=spec.name,
                state=spec.state,
                county=spec.county,
                activation_date=spec.activation_date,
                detainer_policy=spec.detainer_policy,
            )
            session.add(jurisdiction)
            session.flush()
            jurisdiction_ids[spec.code] = jurisdiction.id
            for period in spec.suspensions:
                session.add(
                    JurisdictionSuspension(
                        jurisdiction_id=jurisdiction.id,
                        start=period.start,
                        end=period.end,
                        reason=period.reason,
                        stops_sharing=period.stops_sharing,
                    )
                )
        for agency in world.agencies:
            session.add(
                Agency(
                    ori=agency.ori,
                    name=agency.name,
                    role=agency.role,
                    state=agency.state,
                    jurisdiction_id=jurisdiction_ids.get(agency.jurisdiction_code or ""),
                )
            )
    _load_criminal_records(database, world, links)
    _load_immigration_records(database, world, links)
    return links


def relink(database: Database, world: World) -> SubjectLinks:
    """The ground-truth links of a world loaded earlier (a resumed run), found again by
    the identifiers each repository gave its records: FBI number and FIN."""
    by_fbi = {record.fbi_number: record.person_id for record in world.criminal_records}
    by_fin = {record.fin: record.person_id for record in world.immigration_records}
    links = SubjectLinks()
    with database.session() as session:
        for subject_id, fbi_number in repository_service.criminal_subject_numbers(session):
            if fbi_number in by_fbi:
                links.criminal[subject_id] = by_fbi[fbi_number]
        for subject_id, fin in repository_service.immigration_subject_fins(session):
            if fin in by_fin:
                links.immigration[subject_id] = by_fin[fin]
    return links


def _load_criminal_records(database: Database, world: World, links: SubjectLinks) -> None:
    with database.session() as session:
        for record in world.criminal_records:
            subject = repository_service.create_criminal_subject(
                session,
                name=ebts_name(record.subject),
                dob=record.subject.dob,
                sex=record.subject.sex,
                race=record.subject.race,
                place_of_birth=record.subject.place_of_birth,
                aliases=[_alias(a) for a in record.subject.aliases],
                fbi_number=record.fbi_number,
                state_id=record.state_id,
            )
            by_incident: dict[str, list[ChargeFact]] = defaultdict(list)
            for charge in record.history.charges:
                by_incident[charge.incident_id].append(charge)
            for incident, charges in by_incident.items():
                repository_service.add_arrest(
                    session,
                    subject=subject,
                    incident_id=incident,
                    ori="PRIORREC0",
                    arrested_on=charges[0].arrest_date,
                    charges=charges,
                )
            print_store.store_prints(
                session, repository=Repository.CRIMINAL, subject_id=subject.id, prints=record.prints
            )
            links.criminal[subject.id] = record.person_id


def _load_immigration_records(database: Database, world: World, links: SubjectLinks) -> None:
    with database.session() as session:
        for record in world.immigration_records:
            subject = repository_service.create_immigration_subject(
                session,
                fin=record.fin,
                a_number=record.a_number,
                name=ebts_name(record.subject),
                dob=record.subject.dob,
                sex=record.subject.sex,
                country_of_birth=record.subject.place_of_birth,
                encounters=record.encounters,
            )
            print_store.store_prints(
                session,
                repository=Repository.IMMIGRATION,
                subject_id=subject.id,
                prints=record.prints,
            )
            links.immigration[subject.id] = record.person_id


def booking_document(event: BookingEvent) -> dict[str, Any]:
    """The JSON booking a local agency's live-scan station would send for this arrest."""
    subject = event.subject
    return {
        "tcn": event.tcn,
        "ori": event.ori,
        "booked_at": utc(event.at).isoformat(),
        "name": ebts_name(subject),
        "aliases": [_alias(a) for a in subject.aliases][:10],
        "dob": subject.dob.isoformat(),
        "sex": subject.sex,
        "race": subject.race,
        "place_of_birth": subject.place_of_birth,
        "height_in": subject.height_in,
        "weight_lb": subject.weight_lb,
        "eyes": subject.eyes,
        "hair": subject.hair,
        "claimed_citizenship": subject.claimed_citizenship,
        "arresting_officer": event.arresting_officer,
        "charges": [
            {
                "ncic_code": c.ncic_code,
                "description": c.description[:120],
                "offence_date": c.offence_date.isoformat(),
                "max_term_days": c.max_term_days,
            }
            for c in event.charges
        ],
        "prints": {
            str(pos): base64.b64encode(t.to_bytes()).decode() for pos, t in event.prints.items()
        },
    }


def release_document(event: ReleaseEvent) -> dict[str, Any]:
    return {"tcn": event.tcn, "release_at": utc(event.at).isoformat(), "basis": "bail"}


def disposition_document(event: DispositionEvent) -> dict[str, Any]:
    released = {} if event.release_at is None else {"release_at": utc(event.release_at).isoformat()}
    return {
        "tcn": event.tcn,
        "decided_at": utc(event.at).isoformat(),
        **released,
        "outcomes": [
            {
                "position": o.index,
                "disposition": str(o.disposition),
                "sentence_days": o.sentence_days,
            }
            for o in event.outcomes
        ],
    }


# Ways a live-scan station or an operator gets a booking wrong; each must be answered by
# an ERRT naming the field, and the raw submission kept.
CORRUPTIONS: tuple[tuple[str, Callable[[dict[str, Any]], None]], ...] = (
    ("dob", lambda d: d.update(dob="1985-13-45")),
    ("ori", lambda d: d.update(ori="not-an-ori")),
    ("charges", lambda d: d.update(charges=[])),
    ("sex", lambda d: d.update(sex="Q")),
    ("prints", lambda d: d["prints"].update({"3": "%%% not base64 %%%"})),
    ("name", lambda d: d.update(name="smith john")),
)


def enqueue_events(
    database: Database,
    world: World,
    links: SubjectLinks,
    *,
    invalid_fraction: float = 0.0,
    on_progress: Callable[[int], None] | None = None,
    as_car: bool = False,
) -> int:
    """Store every event as a raw submission (what arrives from outside), in order.
    ``as_car``: bookings arrive as the ANSI/NIST CAR a live-scan station sends its state
    bureau (Type-1/2, and Type-9 minutiae or, in a world drawn from images, the WSQ
    Type-14 images), as in the demo; else as JSON documents. A
    booking corrupted on purpose has no CAR form and arrives as JSON either way."""
    rng = np.random.default_rng(world.seed + 7919)
    stored = 0
    batch = 200
    events = list(world.events)
    destinations: dict[str, str] | None = {} if as_car else None
    for start in range(0, len(events), batch):
        with database.session() as session:
            for event in events[start : start + batch]:
                _receive(session, event, rng, links, invalid_fraction, destinations)
                stored += 1
        if on_progress is not None:
            on_progress(stored)
    return stored


def _receive(
    session: Any,
    event: Event,
    rng: np.random.Generator,
    links: SubjectLinks,
    invalid_fraction: float,
    destinations: dict[str, str] | None,
) -> None:
    if isinstance(event, BookingEvent):
        document = booking_document(event)
        corrupted = invalid_fraction > 0 and rng.random() < invalid_fraction
        if corrupted:
            _name, corrupt = CORRUPTIONS[int(rng.integers(len(CORRUPTIONS)))]
            corrupt(document)
            links.invalid_tcns.add(event.tcn)
        raw, content_type = json.dumps(document).encode(), booking_service.JSON_CONTENT
        if destinations is not None and not corrupted:
            booking = BookingDocument.model_validate(document)
            destination = car_destination(session, booking.ori, destinations)
            car = car_from_booking(
                booking,
                destination_ori=destination,
                images=event.images,
                nfiq2={p: t.quality for p, t in event.prints.items() if quality_is_nfiq2(t)},
            )
            raw, content_type = car, CAR
        booking_service.receive(
            session,
            kind=SubmissionKind.BOOKING,
            raw=raw,
            event_at=utc(event.at),
            seq=event.seq,
            sender=event.ori,
            content_type=content_type,
            tcn=event.tcn,
        )
    elif isinstance(event, ReleaseEvent):
        booking_service.receive(
            session,
            kind=SubmissionKind.RELEASE,
            raw=json.dumps(release_document(event)).encode(),
            event_at=utc(event.at),
            seq=event.seq,
        )
    else:
        booking_service.receive(
            session,
            kind=SubmissionKind.DISPOSITION,
            raw=json.dumps(disposition_document(event)).encode(),
            event_at=utc(event.at),
            seq=event.seq,
        )


def car_destination(session: Session, ori: str, known: dict[str, str]) -> str:
    """Where a live-scan station of agency ``ori`` sends its CAR: its state's bureau, or
    the criminal repository where no bureau serves the state (remembered in ``known``)."""
    if ori not in known:
        state = auth_service.agency_by_ori(session, ori).state
        bureau = auth_service.state_bureau(session, state) if state else None
        if bureau is None:
            bureau = auth_service.agency_for_role(session, AgencyRole.CRIMINAL_REPOSITORY)
        known[ori] = bureau.ori
    return known[ori]


def court_docket(world: World) -> dict[str, CourtOutcome]:
    """The simulated immigration court's decisions by FIN, as the court would send them."""
    return {
        truth.fin: truth.court_outcome
        for truth in world.truth.persons.values()
        if truth.fin is not None
    }


def write_docket(world: World, path: Path) -> Path:
    """The court's decisions as a docket file (``securecomm case load-docket``)."""
    docket = {fin: str(outcome) for fin, outcome in court_docket(world).items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(docket, sort_keys=True))
    return path


def persons_of(links: dict[int, int], subject_ids: Iterable[int]) -> list[int]:
    return [links[s] for s in subject_ids if s in links]
