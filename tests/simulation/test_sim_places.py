"""Jurisdictions and agencies: activation, suspensions, detainer policies, unique ORIs."""

from __future__ import annotations

import re
from datetime import date

from securecomm.domain import AgencyRole, DetainerPolicy
from securecomm.simulation import World


def test_states_have_two_to_four_counties(world: World) -> None:
    per_state: dict[str, int] = {}
    for jurisdiction in world.jurisdictions:
        per_state[jurisdiction.state] = per_state.get(jurisdiction.state, 0) + 1
    assert len(per_state) >= 5
    assert all(2 <= count <= 4 for count in per_state.values())
    assert len({j.code for j in world.jurisdictions}) == len(world.jurisdictions)


def test_activation_starts_with_harris_county_and_ends_by_january_2013(world: World) -> None:
    activations = {j.county: j.activation_date for j in world.jurisdictions}
    assert all(day is not None for day in activations.values())
    first = min(activations, key=lambda county: activations[county] or date.max)
    assert first == "Harris"
    assert activations["Harris"] == date(2008, 10, 27)
    assert all(
        date(2008, 10, 27) <= day <= date(2013, 1, 22)
        for day in activations.values()
        if day is not None
    )
    assert any(day is not None and day > world.start for day in activations.values())


def test_every_jurisdiction_records_the_national_suspension_without_stopping_sharing(
    world: World,
) -> None:
    for jurisdiction in world.jurisdictions:
        national = [s for s in jurisdiction.suspensions if s.start == date(2014, 11, 20)]
        assert len(national) == 1
        assert national[0].end == date(2017, 1, 25)
        assert national[0].stops_sharing is False
        assert "PEP" in national[0].reason


def test_some_county_suspended_sharing_itself(world: World) -> None:
    own = [(j.county, s) for j in world.jurisdictions for s in j.suspensions if s.stops_sharing]
    assert own
    for _, suspension in own:
        assert suspension.end is None or suspension.end > suspension.start
        assert "state law" in suspension.reason


def test_detainer_policies_vary_but_mostly_honour_all(world: World) -> None:
    policies = [j.detainer_policy for j in world.jurisdictions]
    assert set(policies) == set(DetainerPolicy)
    assert policies.count(DetainerPolicy.HONOUR_ALL) > len(policies) / 2


def test_agencies_have_unique_nine_character_oris(world: World) -> None:
    oris = [agency.ori for agency in world.agencies]
    assert len(set(oris)) == len(oris)
    assert all(len(ori) == 9 for ori in oris)


def test_each_county_has_a_local_agency_and_each_state_a_bureau_and_field_office(
    world: World,
) -> None:
    local = [a for a in world.agencies if a.role is AgencyRole.LOCAL_AGENCY]
    assert sorted(a.jurisdiction_code or "" for a in local) == sorted(
        j.code for j in world.jurisdictions
    )
    assert all(re.fullmatch(r"[A-Z]{2}\d{7}", a.ori) for a in local)
    states = {j.state for j in world.jurisdictions}
    for role in (AgencyRole.STATE_BUREAU, AgencyRole.ICE_FIELD_OFFICE):
        assert {a.state for a in world.agencies if a.role is role} == states


def test_national_agencies_exist_once(world: World) -> None:
    for role in (
        AgencyRole.CRIMINAL_REPOSITORY,
        AgencyRole.IMMIGRATION_REPOSITORY,
        AgencyRole.STATUS_CENTRE,
    ):
        assert sum(a.role is role for a in world.agencies) == 1
    centre = next(a for a in world.agencies if a.role is AgencyRole.STATUS_CENTRE)
    assert centre.ori == "VTICE0900"
