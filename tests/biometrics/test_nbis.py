"""NFIQ 2 on its own (the wrapper called directly) against NFIQ 2 bundled with mindtct."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from importlib import metadata

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from securecomm.biometrics import _nbis
from securecomm.biometrics._nbis import NativeCallError, nfiq2, nfiq2_route, run_mindtct

from .ridge_images import FVC, ridge_image


def _bundled(pixels: npt.NDArray[np.uint8]) -> tuple[int, dict[str, float]]:
    quality = run_mindtct(pixels, quality=True).quality()
    return int(quality.score), {value.name: float(value.value) for value in quality.features}


def _images() -> Iterator[npt.NDArray[np.uint8]]:
    yield ridge_image()
    yield ridge_image(period=11.0, seed=3)
    for name in ("DB1_B/101_1.png", "DB1_B/104_3.png", "DB2_B/105_2.png", "DB2_B/109_8.png"):
        path = FVC / name
        if path.is_file():
            yield np.asarray(Image.open(path).convert("L"))


@pytest.fixture
def bundled_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """NFIQ 2 as if the installed nbis-py were not a verified release."""
    monkeypatch.setattr(_nbis, "VERIFIED_NBIS_VERSIONS", frozenset())
    _nbis._direct_wrapper.cache_clear()
    yield
    _nbis._direct_wrapper.cache_clear()


def test_the_verified_release_runs_nfiq2_without_mindtct() -> None:
    if metadata.version("nbis-py") not in _nbis.VERIFIED_NBIS_VERSIONS:
        pytest.skip("installed nbis-py is not a verified release: the bundled route is used")
    assert nfiq2_route() == "direct-single-pass"


@pytest.fixture
def single_pass() -> Iterator[_nbis._CodePatch]:
    wrapper = _nbis._direct_wrapper()
    if wrapper is None or wrapper.single_pass is None:
        pytest.skip("NFIQ 2 runs unpatched here: nothing to compare")
    yield wrapper.single_pass
    assert wrapper.single_pass.apply()


def test_measures_computed_once_give_the_score_of_measures_computed_twice(
    single_pass: _nbis._CodePatch,
) -> None:
    images = list(_images())
    once = [nfiq2(pixels) for pixels in images]
    assert single_pass.revert()
    assert nfiq2_route() == "direct"  # the route says what the code does now
    twice = [nfiq2(pixels) for pixels in images]
    assert once == twice  # scores and every native measure
    assert single_pass.revert()  # reverting twice is harmless
    assert single_pass.apply()
    assert single_pass.apply()
    assert [nfiq2(pixels) for pixels in images] == once


def test_code_that_is_not_the_verified_code_is_left_alone(
    single_pass: _nbis._CodePatch, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not _nbis._swap_code(single_pass.address, b"\x90" * 11, b"\xcc" * 11)
    window = _nbis._SCORE_CALL_WINDOW
    monkeypatch.setattr(_nbis, "_SCORE_CALL_WINDOW", window[:5] + b"\x00" + window[6:])
    _nbis._direct_wrapper.cache_clear()
    try:
        assert single_pass.revert()
        assert nfiq2_route() == "direct"  # the wrapper, computing the measures twice
        pixels = ridge_image(seed=11)
        assert (nfiq2(pixels).score, nfiq2(pixels).features) == _bundled(pixels)
    finally:
        monkeypatch.undo()
        _nbis._direct_wrapper.cache_clear()
    assert nfiq2_route() == "direct-single-pass"  # the verified code, patched again


def test_direct_nfiq2_equals_nfiq2_bundled_with_mindtct() -> None:
    compared = 0
    for pixels in _images():
        direct = nfiq2(pixels)
        score, features = _bundled(pixels)
        assert direct.score == score
        assert direct.features == features  # all native measures, bit for bit
        assert 0 < direct.score <= 100
        compared += 1
    assert compared >= 2


def test_unverified_releases_fall_back_to_the_bundled_call(bundled_only: None) -> None:
    assert nfiq2_route() == "bundled"
    pixels = ridge_image(seed=5)
    assert (nfiq2(pixels).score, nfiq2(pixels).features) == _bundled(pixels)


def test_each_thread_gets_its_own_model_and_the_same_answer() -> None:
    pixels = ridge_image(seed=7)
    expected = nfiq2(pixels)
    answers: list[_nbis.Nfiq2Quality] = []
    workers = [threading.Thread(target=lambda: answers.append(nfiq2(pixels))) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert answers == [expected] * 3


@pytest.mark.parametrize("route", ["direct", "bundled"])
def test_an_image_nfiq2_cannot_assess_raises_a_typed_error(
    route: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if route == "bundled":
        monkeypatch.setattr(_nbis, "VERIFIED_NBIS_VERSIONS", frozenset())
    _nbis._direct_wrapper.cache_clear()
    try:
        with pytest.raises(NativeCallError, match="NFIQ 2"):
            nfiq2(np.zeros((60, 60), dtype=np.uint8))  # under NFIQ 2's minimum size
    finally:
        _nbis._direct_wrapper.cache_clear()


def test_a_library_without_the_wrapper_falls_back_to_the_bundled_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_nbis, "_WRAPPER", ("no_such_nfiq2_function",))
    _nbis._direct_wrapper.cache_clear()
    try:
        assert nfiq2_route() == "bundled"
        pixels = ridge_image(seed=9)
        assert (nfiq2(pixels).score, nfiq2(pixels).features) == _bundled(pixels)
    finally:
        _nbis._direct_wrapper.cache_clear()


def _minutiae_rows(found: object) -> list[tuple[int, int, float, str, float]]:
    return [
        (m.x(), m.y(), m.angle(), m.kind().name, m.reliability())
        for m in found.get()  # type: ignore[attr-defined]
    ]


def test_one_copy_hand_over_finds_what_the_bindings_call_finds() -> None:
    compared = 0
    for pixels in _images():
        bitmap = io.BytesIO()
        Image.fromarray(pixels).save(bitmap, format="BMP")
        extractor = _nbis.mindtct_extractor()
        with _nbis.NATIVE_LOCK:
            ours = _nbis._extract_minutiae(extractor, bitmap.getvalue())
            theirs = extractor.extract_minutiae(bitmap.getvalue())
        assert _minutiae_rows(ours) == _minutiae_rows(theirs)
        assert _minutiae_rows(ours)
        compared += 1
    assert compared >= 2


def test_the_one_copy_hand_over_reports_bad_images_as_the_bindings_do() -> None:
    import nbis

    with pytest.raises(nbis.NbisError), _nbis.NATIVE_LOCK:
        _nbis._extract_minutiae(_nbis.mindtct_extractor(), b"not an image at all")
