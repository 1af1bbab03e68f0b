"""FVC evaluation: pair enumeration, error-rate arithmetic, and the CLI's JSON."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from securecomm.biometrics.cli import app
from securecomm.biometrics.evaluation import (
    DatasetError,
    ErrorRates,
    Evaluation,
    Impression,
    MatcherResult,
    error_rates,
    genuine_pairs,
    impostor_pairs,
    load_dataset,
)

from .ridge_images import FVC, ridge_image

KEYS = {"eer", "fmr100", "fmr1000", "zero_fmr", "fte", "comparisons_per_second"}


def test_error_rates_of_a_hand_made_score_set() -> None:
    genuine = [20, 40, 50, 60, 70, 80, 90, 100, 110, 120]
    # 1,000 impostors: 10 reach 30 or more (FMR 1 %), 1 reaches 75 (FMR 0.1 %)
    impostor = [0] * 990 + [30] * 9 + [75]
    rates = error_rates(genuine, impostor)
    assert rates.fmr100 == pytest.approx(0.0)  # threshold 20: FMR 1 %, no genuine lost
    assert rates.fmr1000 == pytest.approx(0.1)  # threshold 40 loses the genuine 20
    assert rates.zero_fmr == pytest.approx(0.5)  # threshold 80 loses 20..70
    assert rates.eer == pytest.approx(0.005)  # at 20: FNMR 0, FMR 1 %


def test_error_rates_of_separated_and_identical_distributions() -> None:
    separated = error_rates([50, 60, 70], [1, 2, 3])
    assert separated.eer == separated.fmr100 == separated.fmr1000 == separated.zero_fmr == 0.0
    same = error_rates([1, 2, 3, 4], [1, 2, 3, 4])
    assert same.eer == pytest.approx(0.5)
    assert same.zero_fmr == pytest.approx(1.0)


def test_failed_extractions_count_as_rejections() -> None:
    rates = error_rates([-np.inf, 50, 60, 70], [-np.inf, 1, 2])
    assert rates.zero_fmr == pytest.approx(0.25)


def test_error_rates_need_both_kinds_of_score() -> None:
    with pytest.raises(ValueError, match="at least one"):
        error_rates([], [1.0])


def _impressions(fingers: int, each: int) -> list[Impression]:
    return [
        Impression(str(100 + f), i, Path(f"{100 + f}_{i}.png"))
        for f in range(fingers)
        for i in range(1, each + 1)
    ]


def test_fvc_pairs_all_genuine_and_all_or_first_impostors() -> None:
    items = _impressions(3, 3)
    assert len(genuine_pairs(items)) == 3 * 3  # C(3,2) per finger
    every, rule = impostor_pairs(items)
    assert len(every) == 36 - 9
    assert rule == "all pairs of different fingers"
    assert all(items[i].finger != items[j].finger for i, j in every)
    first, rule = impostor_pairs(items, max_pairs=5)
    assert rule.startswith("FVC rule")
    assert [(items[i].impression, items[j].impression) for i, j in first] == [(1, 1)] * 3


def test_dataset_layout_errors_are_typed(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="not a folder"):
        load_dataset(tmp_path / "missing")
    with pytest.raises(DatasetError, match="no images"):
        load_dataset(tmp_path)
    Image.fromarray(ridge_image()).save(tmp_path / "thumb.png")
    with pytest.raises(DatasetError, match="FINGER_IMPRESSION"):
        load_dataset(tmp_path)


def _tiny_dataset(folder: Path) -> Path:
    """Three made-up fingers, two impressions each (shifted), plus one blank image."""
    folder.mkdir()
    rng = np.random.default_rng(5)
    for finger in range(3):
        points = tuple((int(x), int(y)) for x, y in rng.integers(50, 270, size=(12, 2)))
        for impression, shift in enumerate([(0, 0), (6, -5)], start=1):
            pixels = ridge_image(points=points, shift=shift, seed=impression, period=8.5 + finger)
            Image.fromarray(pixels).save(folder / f"{finger + 1}_{impression}.png")
    Image.fromarray(np.full((300, 300), 255, dtype=np.uint8)).save(folder / "4_1.png")
    return folder


def test_cli_json_has_both_matchers_and_writes_the_det_plot(tmp_path: Path) -> None:
    dataset = _tiny_dataset(tmp_path / "tiny")
    det = tmp_path / "det.png"
    result = CliRunner().invoke(
        app, ["evaluate", "--dataset", str(dataset), "--json", "--det", str(det)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report.keys() >= KEYS
    assert report["bozorth3"].keys() == KEYS
    assert report["fte"] == pytest.approx(1 / 7)  # the blank image
    assert report["minutiae"] == "mindtct"  # the default finder
    assert report["failures"] == {"4_1.png": "blank"}
    assert report["genuine_pairs"] == 3
    assert report["impostor_pairs"] == 21 - 3
    weakest = report["weakest_genuine"]
    assert len(weakest) == 3  # every genuine pair, lowest score first
    assert [pair["score"] for pair in weakest] == sorted(pair["score"] for pair in weakest)
    assert all(pair["first"].split("_")[0] == pair["second"].split("_")[0] for pair in weakest)
    assert det.stat().st_size > 1000
    with Image.open(det) as plot:
        assert plot.format == "PNG"


def test_cli_evaluates_with_the_chosen_minutiae_finder(tmp_path: Path) -> None:
    dataset = _tiny_dataset(tmp_path / "tiny")
    result = CliRunner().invoke(
        app, ["evaluate", "--dataset", str(dataset), "--json", "--minutiae", "skeleton"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["minutiae"] == "skeleton"
    assert report["genuine_pairs"] == 3
    unknown = CliRunner().invoke(
        app, ["evaluate", "--dataset", str(dataset), "--minutiae", "bozorth3"]
    )
    assert unknown.exit_code == 2
    assert "--minutiae" in unknown.output


def test_cli_table_and_missing_dataset(tmp_path: Path) -> None:
    dataset = _tiny_dataset(tmp_path / "tiny")
    shown = CliRunner().invoke(app, ["evaluate", "--dataset", str(dataset)])
    assert shown.exit_code == 0, shown.output
    assert "bozorth3" in shown.stdout
    assert "EER" in shown.stdout
    missing = CliRunner().invoke(app, ["evaluate", "--dataset", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2
    assert "not a folder" in missing.output


@pytest.mark.slow
@pytest.mark.skipif(not FVC.is_dir(), reason="FVC 2002 images are not present")
def test_fvc_db1_evaluation_beats_bozorth3() -> None:
    result = CliRunner().invoke(app, ["evaluate", "--dataset", str(FVC / "DB1_B"), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["fte"] == 0.0
    assert report["eer"] < report["bozorth3"]["eer"]


def _evaluation_with_genuine(scores: list[float], names: tuple[tuple[str, str], ...]) -> Evaluation:
    rates = ErrorRates(0.0, 0.0, 0.0, 0.0)
    ours = MatcherResult("securecomm", rates, 1.0, np.array(scores), np.array([0.0]))
    return Evaluation(
        dataset=Path("db"),
        images=4,
        failures={"2_2.png": "blank"},
        genuine_pairs=len(scores),
        impostor_pairs=1,
        impostor_rule="all pairs of different fingers",
        ours=ours,
        bozorth3=ours,
        extraction_seconds_per_image=0.1,
        genuine_names=names,
    )


def test_weakest_genuine_names_the_lowest_pairs_and_failed_extractions() -> None:
    names = (("1_1.png", "1_2.png"), ("2_1.png", "2_2.png"), ("3_1.png", "3_2.png"))
    evaluation = _evaluation_with_genuine([40.0, -np.inf, 3.5], names)
    weakest = evaluation.weakest_genuine(2)
    assert [(pair.first, pair.second, pair.score) for pair in weakest] == [
        ("2_1.png", "2_2.png", None),  # failed extraction: no score, and JSON has no -inf
        ("3_1.png", "3_2.png", 3.5),
    ]
    report = evaluation.as_dict()
    assert [pair["score"] for pair in report["weakest_genuine"]] == [None, 3.5, 40.0]
    json.dumps(report, allow_nan=False)  # the report stays strict JSON


def test_weakest_genuine_is_empty_without_names() -> None:
    assert _evaluation_with_genuine([1.0, 2.0], ()).weakest_genuine() == []
