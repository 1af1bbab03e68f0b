from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from securecomm.biometrics import MatchParameters, compare, synthetic
from securecomm.biometrics._index import default_basis
from securecomm.biometrics.benchmark import format_report, run_benchmark
from securecomm.biometrics.cli import app
from securecomm.biometrics.synthetic_gallery import SyntheticChunk

JSON_KEYS = {
    "identities",
    "search_p50_s",
    "search_p95_s",
    "bytes_per_finger",
    "comparisons_per_second_per_core",
    "fnir",
    "fpir",
}


def test_bench_json_has_the_promised_keys_and_sane_values(tmp_path: Path) -> None:
    kept = tmp_path / "b"
    arguments = ["bench", "--identities", "40", "--searches", "6", "--json"]
    invoked = CliRunner().invoke(app, [*arguments, "--directory", str(kept)])
    assert invoked.exit_code == 0, invoked.output
    report = json.loads(invoked.stdout)
    assert (kept / "gallery" / "MANIFEST.json").is_file()  # kept when asked
    assert set(report) >= JSON_KEYS
    assert report["identities"] == 40
    assert report["fnir"] == 0.0
    assert report["fpir"] == 0.0
    assert 0 < report["search_p50_s"] <= report["search_p95_s"]
    assert report["comparisons_per_second_per_core"] > 0
    assert report["enrolled_fingers"] > 380  # a few captures may be too poor to enrol


def test_bench_refuses_a_folder_in_use(tmp_path: Path) -> None:
    (tmp_path / "used.txt").write_text("x")
    invoked = CliRunner().invoke(app, ["bench", "--identities", "5", "--directory", str(tmp_path)])
    assert invoked.exit_code == 2
    assert "not empty" in invoked.output


def test_bench_arguments_are_checked() -> None:
    for bad in ({"identities": 0, "searches": 1}, {"identities": 1, "searches": 0}):
        with pytest.raises(ValueError, match="at least 1"):
            run_benchmark(**bad)
    with pytest.raises(ValueError, match="severity"):
        run_benchmark(1, 1, severity=4.0)


def test_the_text_report_names_every_figure() -> None:
    report = run_benchmark(12, 3, seed=4)
    text = format_report(report)
    for words in ("p50 / p95", "comparisons per second", "bytes per finger", "FNIR", "FPIR"):
        assert words in text


def test_the_fast_generator_captures_like_the_reference_model() -> None:
    """Port captures of a master match reference captures of it, and not of others."""
    chunk = SyntheticChunk(seed=5, first=0, count=6, severity=1.0)
    masters = chunk.masters(set(range(6)))
    rows = chunk.rows(default_basis(), MatchParameters())
    rng = np.random.default_rng(5)
    mated, impostor, sizes = [], [], []
    for subject in range(6):
        port = rows.prints(subject)
        for position in (1, 5, 9):
            reference = synthetic.impression(masters[subject][position], rng)
            other = synthetic.impression(masters[(subject + 1) % 6][position], rng)
            mated.append(compare(port[position], reference))
            impostor.append(compare(port[position], other))
            sizes.append((len(port[position]), len(reference)))
    assert np.median(mated) > 25
    assert max(impostor) < 25
    port_sizes, reference_sizes = np.array(sizes).T
    assert abs(port_sizes.mean() - reference_sizes.mean()) < 0.15 * reference_sizes.mean()


def test_the_generator_is_deterministic_per_seed() -> None:
    one = SyntheticChunk(seed=9, first=10, count=3, severity=1.0)
    two = SyntheticChunk(seed=9, first=10, count=3, severity=1.0)
    other = SyntheticChunk(seed=10, first=10, count=3, severity=1.0)
    assert np.array_equal(one.capture, two.capture)
    assert not np.array_equal(one.capture, other.capture)
