"""Jurisdictions and agencies of the synthetic world.

Counties and their FIPS codes are real; activation dates approximate the 2008-2013
rollout (Harris County, TX first on 27 Oct 2008; the last on 22 Jan 2013) and are
synthetic, as are the detainer policies and the one state-law sharing suspension.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from securecomm.auth.standing import standing_agencies
from securecomm.domain import AgencyRole, DetainerPolicy
from securecomm.simulation.world import AgencySpec, JurisdictionSpec, SuspensionSpec

PROGRAM_SUSPENSION = SuspensionSpec(
    start=date(2014, 11, 20),
    end=date(2017, 1, 25),
    reason=(
        "national program suspended and replaced by the Priority Enforcement Program (PEP); "
        "reinstated by Executive Order 13768; fingerprint sharing continued"
    ),
    stops_sharing=False,
)

STATE_LAW_SUSPENSION = SuspensionSpec(
    start=date(2011, 6, 1),
    end=date(2012, 3, 1),
    reason="state law limiting participation (synthetic)",
    stops_sharing=True,
)


@dataclass(frozen=True)
class County:
    fips: str
    county: str
    population_k: int  # 2010 census, thousands: weights where people live
    state: str
    activated: date
    policy: DetainerPolicy = DetainerPolicy.HONOUR_ALL
    limits_sharing: bool = False  # has its own sharing suspension

    @property
    def local_ori(self) -> str:
        # Two-letter state + 7 digits: the county part of the FIPS code, then zeros.
        return f"{self.state}{self.fips[2:]}0000"


_H = DetainerPolicy.HONOUR_ALL
_W = DetainerPolicy.HONOUR_WITH_WARRANT
_N = DetainerPolicy.NOTIFY_ONLY
_D = DetainerPolicy.DECLINE_ALL

COUNTIES: tuple[County, ...] = (
    County("48201", "Harris", 4092, "TX", date(2008, 10, 27)),
    County("48113", "Dallas", 2368, "TX", date(2008, 11, 12)),
    County("48453", "Travis", 1024, "TX", date(2009, 6, 9), _W),
    County("48141", "El Paso", 800, "TX", date(2009, 8, 18)),
    County("06037", "Los Angeles", 9819, "CA", date(2009, 8, 27), _W),
    County("06073", "San Diego", 3095, "CA", date(2009, 5, 26)),
    County("06085", "Santa Clara", 1781, "CA", date(2010, 5, 4), _D),
    County("06075", "San Francisco", 805, "CA", date(2010, 6, 8), _N),
    County("04013", "Maricopa", 3817, "AZ", date(2009, 4, 21)),
    County("04019", "Pima", 980, "AZ", date(2009, 9, 15)),
    County("04027", "Yuma", 195, "AZ", date(2010, 2, 2)),
    County("12086", "Miami-Dade", 2496, "FL", date(2009, 2, 24), _W),
    County("12011", "Broward", 1748, "FL", date(2008, 11, 24)),
    County("12095", "Orange", 1146, "FL", date(2010, 3, 16)),
    County("17031", "Cook", 5195, "IL", date(2010, 6, 15), _D, limits_sharing=True),
    County("17043", "DuPage", 917, "IL", date(2010, 11, 9)),
    County("17097", "Lake", 703, "IL", date(2011, 4, 12)),
    County("36047", "Kings", 2505, "NY", date(2012, 5, 15), _N),
    County("36061", "New York", 1586, "NY", date(2012, 5, 15), _N),
    County("36059", "Nassau", 1340, "NY", date(2011, 9, 20)),
    County("13135", "Gwinnett", 805, "GA", date(2009, 11, 3)),
    County("13121", "Fulton", 921, "GA", date(2010, 8, 10)),
    County("13089", "DeKalb", 692, "GA", date(2013, 1, 22), _W),
)

STATES: tuple[str, ...] = tuple(dict.fromkeys(county.state for county in COUNTIES))


def jurisdictions() -> tuple[JurisdictionSpec, ...]:
    return tuple(_jurisdiction(county) for county in COUNTIES)


def _jurisdiction(county: County) -> JurisdictionSpec:
    suspensions = (
        (STATE_LAW_SUSPENSION, PROGRAM_SUSPENSION)
        if county.limits_sharing
        else (PROGRAM_SUSPENSION,)
    )
    return JurisdictionSpec(
        code=county.fips,
        name=f"{county.county} County, {county.state}",
        state=county.state,
        county=county.county,
        activation_date=county.activated,
        suspensions=suspensions,
        detainer_policy=county.policy,
    )


def agencies() -> tuple[AgencySpec, ...]:
    local = tuple(
        AgencySpec(
            ori=county.local_ori,
            name=f"{county.county} County Sheriff's Office",
            role=AgencyRole.LOCAL_AGENCY,
            state=county.state,
            jurisdiction_code=county.fips,
        )
        for county in COUNTIES
    )
    standing = tuple(
        AgencySpec(agency.ori, agency.name, agency.role, agency.state, None)
        for agency in standing_agencies(STATES)
    )
    return local + standing
