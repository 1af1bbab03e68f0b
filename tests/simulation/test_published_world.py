"""The default world is calibrated to the program's published national figures: about
one submission in ten matches an immigration record (the dense world: two in five), and
the demo sets the world's figures beside the published ones."""

from __future__ import annotations

from datetime import date

import pytest
from typer.testing import CliRunner

from securecomm.cli import app
from securecomm.simulation import published, scoring
from securecomm.simulation.generate import build_world
from securecomm.simulation.runner import SubjectLinks
from securecomm.simulation.world import WorldSpecError


def _nationwide(population: str, people: int) -> published.Counts:
    world = build_world(
        people=people,
        start=date(2008, 10, 1),
        end=date(2018, 12, 31),
        seed=2008,
        population=population,
        fingerprints=False,  # statistics by the rule oracle: nobody is searched
    )
    return scoring.expected_statistics(world, SubjectLinks()).statistics.nationwide


def test_the_default_world_matches_at_the_published_rate_and_the_dense_one_does_not() -> None:
    default = published.world_figures(_nationwide("published", 1500))
    dense = published.world_figures(_nationwide("dense", 400))
    assert default["match_rate"] is not None
    assert dense["match_rate"] is not None
    assert 0.06 <= default["match_rate"] <= 0.12  # the published range, 2009-2011
    assert dense["match_rate"] > 0.3
    assert default["booked_of_matches"] is not None
    assert 0.15 <= default["booked_of_matches"] <= 0.6  # published: about 40 %


def test_the_comparison_says_how_far_a_figure_is_outside_the_published_range() -> None:
    counts = published.Counts(submissions=100, matches=20, matches_level_1=3)
    rows = {row.key: row for row in published.compare(counts)}
    assert rows["match_rate"].world == pytest.approx(0.2)
    assert rows["match_rate"].off_by() == pytest.approx(0.08)
    assert rows["match_rate"].published == "6-12 %"
    assert rows["level_1_of_matches"].off_by() == pytest.approx(0.001)
    assert rows["removed_level_1"].world is None  # no removals: no share, not zero
    assert rows["removed_level_1"].world_text == "—"


def test_an_unknown_population_is_refused_by_name() -> None:
    with pytest.raises(WorldSpecError, match="population"):
        build_world(people=10, start=date(2010, 1, 1), end=date(2011, 1, 1), seed=1, population="x")


def test_the_default_world_removes_near_the_published_level_mix() -> None:
    """Most people the program removed were picked up at a release before trial, with no
    conviction yet, or had one lesser conviction: the world's release before trial and
    its U.S.-only prior records give that mix (it gave 5 % non-criminal removals before)."""
    calibration = published.calibrate(
        people=8000, seeds=[2008], start=date(2008, 10, 1), end=date(2018, 12, 31)
    )
    rows = {row.key: row for row in calibration.pooled}
    assert rows["removed_level_1"].whole > 80
    for key in ("removed_level_1", "removed_level_2", "removed_level_3", "removed_non_criminal"):
        off = rows[key].off_by()
        assert off is not None
        assert off <= 0.1, (key, rows[key].world_text, rows[key].published)
    assert rows["removed_non_criminal"].world is not None
    assert rows["removed_non_criminal"].world >= 0.18


def test_a_small_world_s_share_is_off_only_when_its_interval_misses_the_range() -> None:
    few = published.Counts(removed=10, removed_non_criminal=1)  # 10 %: could be noise
    many = published.Counts(removed=1000, removed_non_criminal=100)  # 10 %: clearly low
    few_row = {row.key: row for row in published.compare(few)}["removed_non_criminal"]
    many_row = {row.key: row for row in published.compare(many)}["removed_non_criminal"]
    assert few_row.off_by() == many_row.off_by() == pytest.approx(0.16)
    assert not few_row.clearly_off()
    assert many_row.clearly_off()
    assert many_row.world_text == "10.0 % (100 of 1,000)"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--seeds", "x,y"], "--seeds must be integers"),
        (["--seeds", ","], "give at least one seed"),
        (["--start", "2018-01-01", "--end", "2010-01-01"], "--end must be after --start"),
    ],
)
def test_calibrate_refuses_bad_options_by_name(arguments: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["calibrate", "--people", "100", *arguments])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
