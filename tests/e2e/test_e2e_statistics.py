"""A small world end to end: every published statistic equals the count computed from
ground truth, and nobody is misidentified or wrongly flagged."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from securecomm.database import Database
from securecomm.simulation.demo import DemoOptions, run_demo


def test_every_statistic_equals_ground_truth(database: Database, tmp_path: Path) -> None:
    options = DemoOptions(
        people=200,
        start=date(2008, 10, 1),
        end=date(2018, 12, 31),
        seed=5,
        invalid_fraction=0.03,
        output_dir=tmp_path,
    )
    result = run_demo(database, options)
    n = result.statistics.nationwide
    assert result.mismatches == []
    assert result.accuracy.missed_identifications == 0
    assert result.accuracy.wrong_identifications == 0
    assert result.accuracy.citizens_flagged == 0
    assert result.accuracy.status_mismatches == 0
    # the world is big enough that every column is exercised, so equality means something
    assert n.bookings > n.submissions > n.matches > n.detainers > 0
    assert n.matches_level_1 > 0
    assert n.matches_level_2_3 > 0
    assert n.booked > 0
    assert n.removed > 0
    assert result.rejected > 0
    assert {p.name for p in result.files} >= {"report.html", "statistics_by_jurisdiction.csv"}
    assert "Nationwide" in (tmp_path / "report.html").read_text()
