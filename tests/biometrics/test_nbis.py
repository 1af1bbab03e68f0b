"""NBIS and NFIQ 2 through the public API of nbis-py only: the bindings' own calls give
the same minutiae and scores; a print larger than NFIQ 2 accepts is scored on its
central region; a print NFIQ 2 cannot score is extracted anyway, its quality marked
unavailable with the reason."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from securecomm.biometrics import _nbis, extract
from securecomm.biometrics._nbis import NativeCallError, nfiq2, run_mindtct

from .ridge_images import FVC, ridge_image


def _images() -> Iterator[npt.NDArray[np.uint8]]:
    yield ridge_image()
    yield ridge_image(period=11.0, seed=3)
    for name in ("DB1_B/101_1.png", "DB2_B/105_2.png"):
        path = FVC / name
        if path.is_file():
            yield np.asarray(Image.open(path).convert("L"))


def _rows(minutiae: list[object]) -> list[tuple[object, ...]]:
    return [(m.x(), m.y(), m.angle(), m.kind().name, m.reliability()) for m in minutiae]  # type: ignore[attr-defined]


def test_the_public_calls_give_the_bindings_own_answers() -> None:
    import nbis

    for pixels in _images():
        run, unavailable = nfiq2(pixels)
        assert unavailable is None
        assert run.quality is not None
        assert run.quality.region == "whole image"
        own = _nbis.mindtct_extractor(True).extract_minutiae(_nbis.png(pixels))
        assert run.quality.score == own.quality().score
        assert _rows(run.minutiae) == _rows(own.get())
        assert _rows(run_mindtct(pixels).minutiae) == _rows(run.minutiae)
        assert isinstance(own, nbis.Minutiae)


def test_each_thread_gets_the_same_answer() -> None:
    pixels = ridge_image(seed=7)
    expected = nfiq2(pixels)[0].quality
    answers: list[object] = []
    workers = [
        threading.Thread(target=lambda: answers.append(nfiq2(pixels)[0].quality)) for _ in range(3)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert answers == [expected] * 3


def test_an_image_nfiq2_cannot_assess_raises_a_typed_error() -> None:
    with pytest.raises(NativeCallError, match="NFIQ 2"):
        run_mindtct(np.zeros((60, 60), dtype=np.uint8), quality=True)


def _wide_print() -> npt.NDArray[np.uint8]:
    """A print larger than NFIQ 2 scores whole (a rolled impression is about 800 px)."""
    return np.ascontiguousarray(ridge_image(size=1000, seed=11)[:700])


def _scored_shapes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, ...]]:
    """The shapes of the images NFIQ 2 is asked to score from now on."""
    real, shapes = _nbis.run_mindtct, []

    def recording(pixels: npt.NDArray[np.uint8], *, quality: bool = False) -> _nbis.MindtctRun:
        if quality:
            shapes.append(pixels.shape)
        return real(pixels, quality=quality)

    monkeypatch.setattr(_nbis, "run_mindtct", recording)
    return shapes


def test_a_print_nfiq2_cannot_score_whole_is_scored_on_a_central_region(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pixels = _wide_print()
    with pytest.raises(NativeCallError, match="Nfiq2ComputeFailed"):
        run_mindtct(pixels, quality=True)
    shapes = _scored_shapes(monkeypatch)
    run, unavailable = nfiq2(pixels)
    assert unavailable is None
    assert run.quality is not None
    assert run.quality.region == "central 800x700 px of a larger print"
    assert shapes == [(700, 800)]  # NFIQ 2's limit is known: no failing call first
    monkeypatch.undo()
    template = extract(pixels, finger_position=2)
    assert template.quality == run.quality.score
    assert "central" in template.quality_note


def test_a_print_nfiq2_cannot_score_is_extracted_with_quality_unavailable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = _nbis.run_mindtct

    def nfiq2_fails(pixels: npt.NDArray[np.uint8], *, quality: bool = False) -> _nbis.MindtctRun:
        if quality:
            raise NativeCallError("mindtct/NFIQ 2: NbisError.Nfiq2ComputeFailed(2)")
        return real(pixels)

    monkeypatch.setattr(_nbis, "run_mindtct", nfiq2_fails)
    template = extract(ridge_image(seed=5), finger_position=3)
    assert len(template) > 10
    assert template.quality_note.startswith("quality unavailable: NFIQ 2 could not score it")
    assert "Nfiq2ComputeFailed(2)" in template.quality_note
    assert 0 < template.quality <= 100  # estimated from the minutiae


def test_nfiq2s_size_limit_is_on_the_print_not_its_white_margin() -> None:
    """NFIQ 2 trims a near-white margin before it checks the size: a print on a large
    white page is scored whole, and the same print on a grey page that large is not."""
    print_ = ridge_image(seed=9)
    white = np.full((1200, 1200), 255, dtype=np.uint8)
    white[400 : 400 + print_.shape[0], 400 : 400 + print_.shape[1]] = print_
    run, unavailable = nfiq2(white)
    assert unavailable is None
    assert run.quality is not None
    assert run.quality.region == "whole image"
    assert run.quality.score == run_mindtct(white, quality=True).quality.score  # type: ignore[union-attr]
    grey = np.where(white == 255, 240, white).astype(np.uint8)
    with pytest.raises(NativeCallError, match="Nfiq2ComputeFailed"):
        run_mindtct(grey, quality=True)
    run, unavailable = nfiq2(grey)
    assert unavailable is None
    assert run.quality is not None
    assert run.quality.region == "central 800x1000 px of a larger print"


def test_the_image_goes_over_as_a_file_that_is_gone_after_the_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The path route gives the bytes route's answers and leaves nothing behind."""
    pixels = ridge_image(seed=3)
    monkeypatch.setattr(_nbis, "HANDOVER_DIR", tmp_path)
    seen: list[list[str]] = []
    extractor = _nbis.mindtct_extractor(True)
    original = type(extractor).extract_minutiae_from_image_file

    def spying(self: object, path: str) -> object:
        seen.append(sorted(p.name for p in tmp_path.iterdir()))
        assert oct(Path(path).stat().st_mode & 0o777) == oct(0o600)  # private to the process
        return original(self, path)  # type: ignore[arg-type]

    monkeypatch.setattr(type(extractor), "extract_minutiae_from_image_file", spying)
    run, _unavailable = nfiq2(pixels)
    assert len(seen) == 1  # one call: NFIQ 2 with mindtct
    [(name,)] = [tuple(names) for names in seen]  # one file in the directory during it
    assert name.endswith(".bmp")
    assert list(tmp_path.iterdir()) == []
    own = extractor.extract_minutiae(_nbis.png(pixels))
    assert run.quality is not None
    assert run.quality.score == own.quality().score
    assert _rows(run.minutiae) == _rows(own.get())


def test_without_a_memory_directory_the_image_goes_over_as_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pixels = ridge_image(seed=3)
    expected = _rows(run_mindtct(pixels).minutiae)
    monkeypatch.setattr(_nbis, "HANDOVER_DIR", tmp_path / "not-there")
    assert _rows(run_mindtct(pixels).minutiae) == expected
    assert not (tmp_path / "not-there").exists()
