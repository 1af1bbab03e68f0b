"""The profiling monitor finds what the synthetic world plants: over five seeds it flags
every planted jurisdiction and officer and no clean one; on a world with nothing planted
it flags nothing. Each flag carries its evidence."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import pytest

from securecomm.oversight import monitor
from securecomm.oversight.monitor_facts import BookingFacts, ChargeFacts, charge_facts
from securecomm.simulation.monitor_world import flagged_units, planted_and_flagged

SEEDS = (1, 2, 3, 4, 5)


def _monitor_seed(seed: int, plant: bool = True) -> tuple[set[str], set[str], list[str]]:
    truth, report = planted_and_flagged(seed, plant=plant)
    rules = [str(f.evidence()["rule"]) for f in report.flagged]
    return truth, flagged_units(report), rules


def _clean_seed(seed: int) -> tuple[set[str], set[str], list[str]]:
    return _monitor_seed(seed, plant=False)


@pytest.fixture(scope="module")
def results() -> dict[int, tuple[set[str], set[str], list[str]]]:
    with ProcessPoolExecutor(max_workers=2) as pool:
        planted = dict(zip(SEEDS, pool.map(_monitor_seed, SEEDS), strict=True))
        planted[0] = next(iter(pool.map(_clean_seed, [6])))
    return planted


def test_every_planted_unit_is_flagged_and_no_clean_one_over_five_seeds(
    results: dict[int, tuple[set[str], set[str], list[str]]],
) -> None:
    table = {
        seed: (sorted(truth), sorted(flagged)) for seed, (truth, flagged, _) in results.items()
    }
    for seed in SEEDS:
        truth, flagged, _ = results[seed]
        assert len(truth) == 2, f"seed {seed}: nothing planted"
        assert flagged == truth, f"seed {seed}: planted vs flagged {table}"


def test_a_world_with_nothing_planted_gets_no_flag(
    results: dict[int, tuple[set[str], set[str], list[str]]],
) -> None:
    truth, flagged, _ = results[0]
    assert truth == set()
    assert flagged == set()


def _booking(
    tcn: int, *, officer: str, abroad: bool, pretext: bool, matched: bool = True
) -> BookingFacts:
    charges = [ChargeFacts("5405", "dismissed")] if pretext else [ChargeFacts("1313", "convicted")]
    return BookingFacts(
        tcn=f"T{tcn:05d}",
        jurisdiction="48201",
        officer=officer,
        race="W",
        foreign_born=abroad,
        matched=matched,
        detainer=matched,
        **charge_facts(charges),
    )


def test_a_flag_shows_its_evidence_and_a_lone_disparity_is_not_enough() -> None:
    colleagues = [
        _booking(i, officer=f"48201-0{i % 4 + 2}", abroad=i % 5 == 0, pretext=i % 7 == 0)
        for i in range(200)
    ]
    profiler = [
        _booking(1000 + i, officer="48201-01", abroad=True, pretext=True) for i in range(40)
    ]
    report = monitor.run(colleagues + profiler)
    flagged = {f.unit: f for f in report.flagged}
    assert set(flagged) == {"48201-01"}
    evidence = flagged["48201-01"].evidence()
    kinds = {t["test"] for t in evidence["tests"] if t["significant"]}
    assert kinds & monitor.CONDUCT_TESTS
    assert "group_share" in kinds
    shown = next(t for t in evidence["tests"] if t["test"] == "pretext_arrests")
    assert shown["observed"]["rate"] == 1.0
    assert shown["observed"]["ci95"][0] > shown["benchmark"]["ci95"][1]
    assert shown["q_value"] < monitor.FALSE_DISCOVERY_RATE
    assert evidence["examples"][:2] == ["T01000", "T01001"]
    # the same officer arresting the same people for real offences: disparity only
    lawful = [_booking(2000 + i, officer="48201-01", abroad=True, pretext=False) for i in range(40)]
    assert monitor.run(colleagues + lawful).flagged == []


def test_charges_say_what_became_of_the_arrest() -> None:
    dropped = charge_facts([ChargeFacts("5405", "dismissed"), ChargeFacts("5499", "acquitted")])
    assert dropped == {
        "minor_only": True,
        "traffic_only": True,
        "dropped": True,
        "convicted": False,
        "low_level": True,
    }
    pending = charge_facts([ChargeFacts("1313", "pending")])
    assert pending["convicted"] is None
    assert pending["low_level"] is None
    serious = charge_facts([ChargeFacts("0911", "convicted"), ChargeFacts("5405", "dismissed")])
    assert serious["convicted"] is True
    assert serious["low_level"] is False
    assert serious["minor_only"] is False
