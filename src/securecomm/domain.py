"""Shared vocabulary: the enumerations and fact records that cross domain packages.

Domain packages keep their own tables and rules; what several of them must agree on
(an encounter kind, a disposition, a status category) is named once here. Fact records
are plain frozen dataclasses so pure rules can be tested without a database.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date


class AgencyRole(enum.StrEnum):
    LOCAL_AGENCY = "local_agency"
    STATE_BUREAU = "state_bureau"
    CRIMINAL_REPOSITORY = "criminal_repository"
    IMMIGRATION_REPOSITORY = "immigration_repository"
    STATUS_CENTRE = "status_centre"
    ICE_FIELD_OFFICE = "ice_field_office"


class DetainerPolicy(enum.StrEnum):
    """A jurisdiction's stated policy on immigration detainers (data, per jurisdiction)."""

    HONOUR_ALL = "honour_all"
    HONOUR_WITH_WARRANT = "honour_with_warrant"  # holds only with a signed I-200/I-205
    NOTIFY_ONLY = "notify_only"  # notifies release, never holds
    DECLINE_ALL = "decline_all"


class EncounterKind(enum.StrEnum):
    """Immigration encounters held by the immigration repository (IDENT role)."""

    VISA_ISSUANCE = "visa_issuance"
    ENTRY = "entry"  # admission at a port of entry (detail: class, admitted_until)
    BORDER_APPREHENSION = "border_apprehension"  # caught at or near the border
    INTERIOR_APPREHENSION = "interior_apprehension"
    REMOVAL = "removal"
    VOLUNTARY_RETURN = "voluntary_return"
    LPR_ADJUSTMENT = "lpr_adjustment"
    NATURALISATION = "naturalisation"
    DERIVED_CITIZENSHIP = "derived_citizenship"  # certificate of citizenship via a parent
    ASYLUM_GRANT = "asylum_grant"
    REFUGEE_ADMISSION = "refugee_admission"
    TPS_GRANT = "tps_grant"
    PAROLE = "parole"
    NTA_ISSUED = "nta_issued"  # notice to appear: removal proceedings begin
    PROCEEDINGS_TERMINATED = "proceedings_terminated"
    RELIEF_GRANTED = "relief_granted"
    FINAL_ORDER = "final_order"  # final order of removal


class Disposition(enum.StrEnum):
    PENDING = "pending"
    CONVICTED = "convicted"
    DISMISSED = "dismissed"
    ACQUITTED = "acquitted"


class StatusCategory(enum.StrEnum):
    """Status determinations the status centre (LESC role) can reach (DOMAIN.md section 4)."""

    CITIZEN_BY_BIRTH = "citizen_by_birth"
    CITIZEN_BY_NATURALISATION = "citizen_by_naturalisation"
    CITIZEN_BY_DERIVATION = "citizen_by_derivation"
    LPR = "lawful_permanent_resident"
    OTHER_LAWFUL = "other_lawful_status"
    OVERSTAY = "nonimmigrant_overstay"
    ENTERED_WITHOUT_INSPECTION = "entered_without_inspection"
    REMOVED_AND_REENTERED = "previously_removed_reentered"
    FINAL_ORDER = "final_order"
    IN_PROCEEDINGS = "in_removal_proceedings"
    UNABLE_TO_DETERMINE = "unable_to_determine"

    @property
    def is_citizen(self) -> bool:
        return self in CITIZEN_CATEGORIES


CITIZEN_CATEGORIES = frozenset(
    {
        StatusCategory.CITIZEN_BY_BIRTH,
        StatusCategory.CITIZEN_BY_NATURALISATION,
        StatusCategory.CITIZEN_BY_DERIVATION,
    }
)


class MatchLevel(enum.StrEnum):
    """2008 Secure Communities offence level at match time (charged or convicted)."""

    LEVEL_1 = "level_1"
    LEVEL_2 = "level_2"
    LEVEL_3 = "level_3"


class ConvictionLevel(enum.StrEnum):
    """Conviction-based level used for custody and removal statistics."""

    LEVEL_1 = "level_1"
    LEVEL_2 = "level_2"
    LEVEL_3 = "level_3"
    NON_CRIMINAL = "non_criminal"


class DetainerForm(enum.StrEnum):
    I_247 = "I-247"
    I_247D = "I-247D"
    I_247N = "I-247N"
    I_247X = "I-247X"
    I_247A = "I-247A"


class LeaResponse(enum.StrEnum):
    """The holding agency's answer to a detainer."""

    HONOURED = "honoured"
    DECLINED = "declined"
    LAPSED = "lapsed"
    CANCELLED = "cancelled"


class CourtOutcome(enum.StrEnum):
    REMOVED = "removed"
    VOLUNTARY_RETURN = "voluntary_return"
    RELIEF_GRANTED = "relief_granted"
    RELEASED_ON_BOND = "released_on_bond"
    PROCEEDINGS_TERMINATED = "proceedings_terminated"

    @property
    def is_removal(self) -> bool:
        """Counted in the statistics' 'removed and returned' column."""
        return self in (CourtOutcome.REMOVED, CourtOutcome.VOLUNTARY_RETURN)


@dataclass(frozen=True)
class ChargeFact:
    """One charge on one arrest, with what the courts later made of it."""

    ncic_code: str  # four digits, e.g. "1313" simple assault
    description: str
    arrest_date: date
    incident_id: str  # the arrest's control number; charges of one arrest share it
    max_term_days: int  # statutory maximum; a felony is punishable by more than 365 days
    disposition: Disposition = Disposition.PENDING
    disposition_date: date | None = None
    sentence_days: int | None = None  # custodial sentence imposed, if convicted

    @property
    def is_felony(self) -> bool:
        return self.max_term_days > 365

    @property
    def convicted(self) -> bool:
        return self.disposition is Disposition.CONVICTED


@dataclass(frozen=True)
class CriminalHistoryFact:
    """Everything the criminal repository knows about a subject's charges."""

    charges: tuple[ChargeFact, ...] = ()

    def as_of(self, day: date) -> CriminalHistoryFact:
        """The history as it stood on ``day``: later arrests dropped, later dispositions pending."""
        kept = []
        for charge in self.charges:
            if charge.arrest_date > day:
                continue
            if charge.disposition_date is not None and charge.disposition_date > day:
                charge = ChargeFact(
                    ncic_code=charge.ncic_code,
                    description=charge.description,
                    arrest_date=charge.arrest_date,
                    incident_id=charge.incident_id,
                    max_term_days=charge.max_term_days,
                )
            kept.append(charge)
        return CriminalHistoryFact(tuple(kept))


@dataclass(frozen=True)
class EncounterFact:
    """One immigration encounter. ``detail`` holds kind-specific strings, for example
    ``{"class": "B2", "admitted_until": "2012-03-01"}`` for an entry, or
    ``{"country": "MX"}`` for a removal."""

    kind: EncounterKind
    day: date
    detail: Mapping[str, str] = field(default_factory=dict)
