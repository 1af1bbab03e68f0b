"""The synthetic world: what the system sees, and the ground truth it is scored against.

The system only ever sees ``World.jurisdictions``, ``World.agencies``,
``World.criminal_records``, ``World.immigration_records`` (repository contents at the
world's start) and ``World.events`` (bookings and court dispositions, in time order).
``World.truth`` is kept apart and is only for scoring and for the simulated courts.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np

from securecomm.biometrics import Template
from securecomm.domain import (
    AgencyRole,
    CourtOutcome,
    CriminalHistoryFact,
    DetainerPolicy,
    Disposition,
    EncounterFact,
    StatusCategory,
)

# A ten-print: finger position (1-10) -> template.
TenPrint = dict[int, Template]
# The capture as scanned, by finger position: 8-bit grayscale, 500 ppi.
FingerImages = Mapping[int, np.ndarray[Any, np.dtype[np.uint8]]]


class SimulationError(Exception):
    """Base of every error raised by the synthetic world."""


class WorldSpecError(SimulationError, ValueError):
    """A ``build_world`` argument breaks a rule; names the argument and the rule."""

    def __init__(self, argument: str, rule: str) -> None:
        super().__init__(f"build_world: {argument}: {rule}")
        self.argument = argument
        self.rule = rule


class PersonKind(enum.StrEnum):
    """How a synthetic person came to be in (or out of) the country: drives their records."""

    US_BORN = "us_born"
    NATURALISED = "naturalised"
    DERIVED = "derived"
    LPR = "lpr"
    OTHER_LAWFUL = "other_lawful"
    OVERSTAY = "overstay"
    EWI = "ewi"
    REMOVED_REENTERED = "removed_reentered"
    FINAL_ORDER = "final_order"
    IN_PROCEEDINGS = "in_proceedings"
    INSUFFICIENT_RECORD = "insufficient_record"


@dataclass(frozen=True)
class SuspensionSpec:
    """A period in which a jurisdiction's participation was suspended.

    ``stops_sharing`` is False for the national 2014-2017 program suspension:
    fingerprints still flowed to the immigration repository, only enforcement changed.
    """

    start: date
    end: date | None
    reason: str
    stops_sharing: bool


@dataclass(frozen=True)
class JurisdictionSpec:
    code: str  # county FIPS code, e.g. "48201" Harris County, TX
    name: str
    state: str
    county: str
    activation_date: date | None
    suspensions: tuple[SuspensionSpec, ...]
    detainer_policy: DetainerPolicy


@dataclass(frozen=True)
class AgencySpec:
    ori: str  # nine characters, unique
    name: str
    role: AgencyRole
    state: str | None
    jurisdiction_code: str | None


@dataclass(frozen=True)
class SubjectDescription:
    """A person as described at one capture; may carry aliases or a misspelt name."""

    surname: str
    given: str
    middle: str | None
    dob: date
    sex: str  # EBTS SEX: M / F
    race: str  # EBTS RAC: A, B, I, W, U
    place_of_birth: str  # NCIC state or country code
    height_in: int
    weight_lb: int
    eyes: str
    hair: str
    aliases: tuple[str, ...]
    claimed_citizenship: str | None


@dataclass(frozen=True)
class ChargeSpec:
    ncic_code: str
    description: str
    offence_date: date
    max_term_days: int


@dataclass(frozen=True)
class BookingEvent:
    seq: int
    at: datetime
    tcn: str
    ori: str
    jurisdiction_code: str
    subject: SubjectDescription
    charges: tuple[ChargeSpec, ...]
    prints: TenPrint
    arresting_officer: str | None = None  # badge (EBTS 2.006 ATN)
    # the images ``prints`` were extracted from (worlds built with ``images=True``): what a
    # live-scan station sends as Type-14 records
    images: FingerImages | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class ChargeOutcome:
    index: int  # position of the charge in its booking's ``charges``
    disposition: Disposition
    sentence_days: int | None


@dataclass(frozen=True)
class ReleaseEvent:
    """Released by the local agency before trial (bail, own recognisance, a citation)."""

    seq: int
    at: datetime
    tcn: str  # the booking the person is released from


@dataclass(frozen=True)
class DispositionEvent:
    seq: int
    at: datetime
    tcn: str  # the booking this disposes of
    outcomes: tuple[ChargeOutcome, ...]
    # Released from custody at the disposition or after the sentence; None when the
    # person was released before trial and the sentence keeps nobody in custody.
    release_at: datetime | None


@dataclass(frozen=True)
class CriminalRecordSpec:
    person_id: int
    fbi_number: str
    state_id: str
    subject: SubjectDescription
    history: CriminalHistoryFact
    prints: TenPrint


@dataclass(frozen=True)
class ImmigrationRecordSpec:
    person_id: int
    fin: str
    a_number: str | None
    subject: SubjectDescription
    encounters: tuple[EncounterFact, ...]
    prints: TenPrint


@dataclass(frozen=True)
class PersonTruth:
    person_id: int
    kind: str  # a PersonKind value
    true_status: StatusCategory
    citizen: bool
    removable: bool
    in_immigration_repository: bool
    in_criminal_repository_at_start: bool
    # What an immigration judge would decide; for citizens always PROCEEDINGS_TERMINATED.
    court_outcome: CourtOutcome
    fin: str | None


@dataclass(frozen=True)
class PlantedProfiling:
    """Profiling planted in the world: a jurisdiction whose police stop one group on
    pretexts, and one officer in another jurisdiction who does the same."""

    jurisdiction: str  # county FIPS code
    officer: str  # badge
    group: str


@dataclass(frozen=True)
class GroundTruth:
    persons: dict[int, PersonTruth]
    booking_person: dict[str, int]  # TCN -> person id
    masters: dict[int, TenPrint]  # person id -> master ten-print
    # Profiling planted on request (build_world(plant_profiling=True)), for scoring the
    # profiling monitor; None when nothing was planted.
    planted: PlantedProfiling | None = None


Event = BookingEvent | ReleaseEvent | DispositionEvent


@dataclass(frozen=True)
class World:
    seed: int
    start: date
    end: date
    jurisdictions: tuple[JurisdictionSpec, ...]
    agencies: tuple[AgencySpec, ...]
    criminal_records: tuple[CriminalRecordSpec, ...]
    immigration_records: tuple[ImmigrationRecordSpec, ...]
    events: tuple[Event, ...]
    truth: GroundTruth

    @property
    def bookings(self) -> tuple[BookingEvent, ...]:
        return tuple(event for event in self.events if isinstance(event, BookingEvent))

    @property
    def dispositions(self) -> tuple[DispositionEvent, ...]:
        return tuple(event for event in self.events if isinstance(event, DispositionEvent))
