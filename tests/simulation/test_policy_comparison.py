"""One booking stream under every priority scheme: the narrower schemes lodge fewer
detainers on minor offenders, "serious offenders only" lodges on Level 1 convictions
alone, and no scheme ever lodges on a citizen."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from securecomm.cli import app
from securecomm.simulation import policies
from securecomm.simulation.generate import build_world


def test_each_scheme_lodges_by_its_own_rules_on_the_same_stream() -> None:
    # Larger than the shared world: a Level 1 conviction at booking is rare.
    world = build_world(
        people=600,
        start=date(2010, 1, 1),
        end=date(2015, 12, 31),
        seed=11,
        population="dense",
        fingerprints=False,
    )
    comparison = policies.compare_policies(world)
    by_scheme = {outcome.scheme: outcome for outcome in comparison.outcomes}
    assert list(by_scheme) == list(policies.SCHEMES)
    assert comparison.matched_bookings > 0
    everyone, pep = by_scheme["sc2008"], by_scheme["pep2014"]
    serious = by_scheme[policies.SERIOUS_ONLY]
    assert everyone.detainers_total > pep.detainers_total > serious.detainers_total > 0
    assert set(serious.detainers) == {"level_1"}  # Level 1 convictions only
    assert serious.minor_offenders == 0
    assert everyone.minor_offenders > pep.minor_offenders
    for outcome in comparison.outcomes:
        assert outcome.citizens_affected == 0
        assert outcome.removals_total <= outcome.custody <= outcome.detainers_total
        assert outcome.peak_beds <= outcome.custody
        assert (outcome.bed_days > 0) == (outcome.custody > 0)


def test_compare_policies_prints_the_table_and_writes_the_charts(tmp_path: Path) -> None:
    arguments = ["oversight", "compare-policies", "--people", "300", "--population", "dense"]
    result = CliRunner().invoke(app, [*arguments, "--output-dir", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert [row["scheme"] for row in payload["schemes"]] == list(policies.SCHEMES)
    assert (tmp_path / "policies.csv").read_text().startswith("scheme,label,detainers")
    for name in ("policies_detainers.png", "policies_removals.png"):
        assert (tmp_path / name).stat().st_size > 10_000
    refused = CliRunner().invoke(app, [*arguments[:2], "--population", "sparse"])
    assert refused.exit_code == 2
    assert "population" in refused.output
