"""The agencies every deployment starts with (``securecomm init``): the national roles,
and each state's identification bureau and ICE field office. Local agencies are added
as jurisdictions join (``securecomm agencies add``)."""

from __future__ import annotations

from dataclasses import dataclass

from securecomm.domain import AgencyRole

CRIMINAL_REPOSITORY_ORI = "WVIAFIS00"
IMMIGRATION_REPOSITORY_ORI = "DCIDENT00"
STATUS_CENTRE_ORI = "VTICE0900"  # DOMAIN.md s4


@dataclass(frozen=True)
class StandingAgency:
    ori: str
    name: str
    role: AgencyRole
    state: str | None


NATIONAL = (
    StandingAgency(
        CRIMINAL_REPOSITORY_ORI,
        "Criminal repository (CJIS role)",
        AgencyRole.CRIMINAL_REPOSITORY,
        None,
    ),
    StandingAgency(
        IMMIGRATION_REPOSITORY_ORI,
        "Immigration biometric repository (IDENT role)",
        AgencyRole.IMMIGRATION_REPOSITORY,
        None,
    ),
    StandingAgency(
        STATUS_CENTRE_ORI,
        "Law Enforcement Support Center (status centre role)",
        AgencyRole.STATUS_CENTRE,
        None,
    ),
)

# ICE field office per state: (city code, city name).
FIELD_OFFICES: dict[str, tuple[str, str]] = {
    "TX": ("HOU", "Houston"),
    "CA": ("LOS", "Los Angeles"),
    "AZ": ("PHO", "Phoenix"),
    "FL": ("MIA", "Miami"),
    "IL": ("CHI", "Chicago"),
    "NY": ("NYC", "New York"),
    "GA": ("ATL", "Atlanta"),
}

STATE_BUREAUS: dict[str, str] = {
    "TX": "Texas Department of Public Safety, Crime Records Service",
    "CA": "California Department of Justice, Bureau of Criminal Identification",
    "AZ": "Arizona Department of Public Safety, Central State Repository",
    "FL": "Florida Department of Law Enforcement, Criminal Justice Information Services",
    "IL": "Illinois State Police, Bureau of Identification",
    "NY": "New York Division of Criminal Justice Services",
    "GA": "Georgia Bureau of Investigation, Crime Information Center",
}


def state_agencies(state: str) -> tuple[StandingAgency, StandingAgency]:
    """The state's identification bureau and ICE field office."""
    code, city = FIELD_OFFICES[state]
    return (
        StandingAgency(f"{state}SIB0000", STATE_BUREAUS[state], AgencyRole.STATE_BUREAU, state),
        StandingAgency(
            f"{state}ICE{code}0", f"ICE ERO {city} Field Office", AgencyRole.ICE_FIELD_OFFICE, state
        ),
    )


def standing_agencies(states: tuple[str, ...] | None = None) -> tuple[StandingAgency, ...]:
    chosen = states if states is not None else tuple(FIELD_OFFICES)
    return NATIONAL + tuple(agency for state in chosen for agency in state_agencies(state))
