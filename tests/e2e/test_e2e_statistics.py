"""A small world end to end: every published statistic equals the count computed from
ground truth, and nobody is misidentified or wrongly flagged."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pypdfium2

from securecomm.database import Database
from securecomm.oversight.statistics import Counts
from securecomm.simulation.demo import DemoOptions, run_demo


def test_every_statistic_equals_ground_truth(database: Database, tmp_path: Path) -> None:
    options = DemoOptions(
        population="dense",
        people=200,
        start=date(2008, 10, 1),
        end=date(2018, 12, 31),
        seed=5,
        invalid_fraction=0.03,
        output_dir=tmp_path,
        large_world=0,
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
    _check_the_report(tmp_path, n)


def _check_the_report(tmp_path: Path, n: Counts) -> None:
    """Every format was written; the periods add up; every PDF page carries text and ink,
    and the first the headline numbers."""
    written = json.loads((tmp_path / "report.json").read_text())
    cumulative = written["cumulative"]["nationwide"]
    assert cumulative["matches"] == n.matches
    assert cumulative["removed"] == n.removed
    for key in ("bookings", "matches", "detainers", "removed"):  # periods add up
        assert sum(year[key] for year in written["fiscal_years"].values()) == cumulative[key]
        assert sum(month[key] for month in written["months"].values()) == cumulative[key]
    assert (tmp_path / "statistics_by_fiscal_year.csv").read_text().startswith("fiscal_year,")
    assert written["citizen_safeguards"]["detainers_on_citizens"] == 0
    assert written["citizen_safeguards"]["detainers_on_unable_to_determine"] == 0

    document = pypdfium2.PdfDocument(tmp_path / "report.pdf")
    assert len(document) >= 3
    for page in document:
        image = np.asarray(page.render(scale=0.5).to_pil().convert("L"))
        assert (image < 128).mean() > 0.0005, "a page of the PDF is blank"
        assert page.get_textpage().get_text_range().strip(), "a page of the PDF has no text"
    first = document[0].get_textpage().get_text_range()
    assert "IDENT/IAFIS Interoperability Statistics" in first
    for figure in (n.submissions, n.matches, n.detainers, n.booked, n.removed):
        assert str(figure) in first
    everything = "".join(page.get_textpage().get_text_range() for page in document)
    assert "page 1 of" in first
    assert "By jurisdiction" in everything
    assert "Detainers on citizens" in everything
    assert "FY2011" in everything
    document.close()
