"""The main job as a user runs it: `securecomm demo --json` prints one JSON object with
the statistics and the accuracy figures; bad options get a clear error, no traceback."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from securecomm.cli import app

REQUIRED_KEYS = {
    "submissions",
    "matches",
    "detainers",
    "removals",
    "ground_truth_mismatches",
    "missed_identifications",
    "wrong_identifications",
    "citizens_flagged",
    "seconds",
}


def test_demo_json_has_the_published_keys(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            *("demo", "--people", "60", "--seed", "3", "--large-world", "400", "--json"),
            *("--output-dir", str(tmp_path)),
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert set(summary) >= REQUIRED_KEYS
    assert summary["ground_truth_mismatches"] == 0
    assert summary["submissions"] > 0
    assert set(summary["beside_published"]) >= {"match_rate", "removed_non_criminal"}
    assert summary["beside_published"]["match_rate"]["larger_world"] is not None
    assert (tmp_path / "report.html").exists()
    assert (tmp_path / "statistics_by_jurisdiction.csv").read_text().startswith("code,name")


def test_demo_refuses_bad_dates_with_a_message(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["demo", "--start", "2018-01-01", "--end", "2010-01-01", "--output-dir", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "--end must be after --start" in result.output
    assert "Traceback" not in result.output


def test_demo_reuses_its_own_store_and_refuses_another_world(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'used.sqlite'}"
    demo = ["demo", "--people", "30", "--large-world", "0", "--database-url", url]
    demo = [*demo, "--output-dir", str(tmp_path)]
    first = CliRunner().invoke(app, [*demo, "--json"])
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(app, [*demo, "--json"])  # same world: nothing done twice
    assert again.exit_code == 0, again.output
    volatile = {"seconds", "phase_seconds", "resumed_from"}
    first_summary, second_summary = json.loads(first.stdout), json.loads(again.stdout)
    assert second_summary["resumed_from"] == "finished"
    for key in volatile:
        first_summary.pop(key), second_summary.pop(key)
    assert second_summary == first_summary
    other = CliRunner().invoke(app, [*demo[:2], "31", *demo[3:]])
    assert other.exit_code == 2
    assert "another demo world" in other.output
    assert "--people 30" in other.output
