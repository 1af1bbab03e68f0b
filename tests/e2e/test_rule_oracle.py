"""The flow's federal decisions against the independent rule oracle, end to end.

Several seeded worlds, each with bookings matched in every policy era, are run through
the flow; every status, priority, form, hold, agency answer and custody is compared
with ``simulation/oracle.py`` person by person, and the statistics cell by cell. A
planted rule error must show up, so the comparison is known to be able to fail.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from securecomm.cases.models import Detainer
from securecomm.database import Database
from securecomm.domain import ChargeFact, DetainerForm, DetainerPolicy, LeaResponse
from securecomm.interop.models import DecisionRecord
from securecomm.priority import categories, levels
from securecomm.simulation import demo
from securecomm.simulation.demo import DemoOptions, DemoResult, run_demo
from securecomm.simulation.world import World

ERAS = {"sc2008", "morton2010", "pep2014", "eo13768"}


def _run(database: Database, tmp_path: Path, seed: int, people: int = 260) -> DemoResult:
    options = DemoOptions(
        population="dense",
        people=people,
        start=date(2008, 10, 1),
        end=date(2018, 12, 31),
        seed=seed,
        invalid_fraction=0.0,
        output_dir=tmp_path,
        large_world=0,
    )
    return run_demo(database, options)


@pytest.mark.parametrize("seed", [7, 13, 29])
def test_the_flow_agrees_with_the_oracle_in_every_era(
    sqlite_database: Database, tmp_path: Path, seed: int
) -> None:
    # Rules are backend-independent; PostgreSQL runs the same flow in test_e2e_statistics.
    result = _run(sqlite_database, tmp_path, seed)
    agreed = result.agreement
    assert set(agreed.by_scheme) == ERAS, agreed.by_scheme  # every era exercised
    assert agreed.compared >= 20
    assert agreed.releases_compared > 0
    first = "\n".join(str(item) for item in agreed.items[:5])
    assert agreed.items == [], f"{len(agreed.items)} decisions differ:\n{first}"
    assert result.mismatches == []


def test_a_planted_rule_error_is_caught(
    sqlite_database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Misdemeanours punishable by exactly a year planted as felonies (the line is "more
    # than one year"): priorities and ranks change, and the oracle must say where.
    def planted(charge: ChargeFact) -> bool:
        return charge.max_term_days >= 365

    for rules_module in (levels, categories):  # every rule that tells felonies apart
        monkeypatch.setattr(rules_module, "is_felony", planted)
    result = _run(sqlite_database, tmp_path, seed=7)
    fields = {item.field for item in result.agreement.items}
    assert fields & {"categories", "rank"}
    assert "oracle" in str(result.agreement.items[0])


def test_jails_that_notify_but_never_hold_get_transfer_requests(
    sqlite_database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every jurisdiction notifies and never holds: in the PEP-forms window each hold
    # priority gets an I-247X (custody at release, no detention past it), and the flow
    # still agrees with the oracle person by person.
    real_build = demo.build_world

    def notify_only_world(**kwargs: Any) -> World:
        world = real_build(**kwargs)
        notify_only = tuple(
            replace(spec, detainer_policy=DetainerPolicy.NOTIFY_ONLY)
            for spec in world.jurisdictions
        )
        return replace(world, jurisdictions=notify_only)

    monkeypatch.setattr(demo, "build_world", notify_only_world)
    result = _run(sqlite_database, tmp_path, seed=13, people=400)
    assert result.agreement.items == [], result.agreement.items[:3]
    with sqlite_database.session() as session:
        transfers = session.scalars(
            select(Detainer).where(Detainer.form == DetainerForm.I_247X)
        ).all()
        assert transfers, "no transfer request was lodged"
        assert not session.scalars(
            select(Detainer).where(Detainer.form == DetainerForm.I_247D)
        ).all()
        plans = 0
        for detainer in transfers:
            assert detainer.requests_hold is False
            assert detainer.response in (LeaResponse.HONOURED, None)  # None: not released
            plan = session.scalars(
                select(DecisionRecord).where(
                    DecisionRecord.case_id == detainer.case_id,
                    DecisionRecord.kind == "custody_plan",
                )
            ).one_or_none()
            if plan is not None:  # released: ICE met the release, or the person walked
                assert plan.traces[0]["rule"] == "custody.meet_release"
                plans += 1
        assert plans > 0
