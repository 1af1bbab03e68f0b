"""A stored gallery keeps the features of the rows it compared lately: searching again
gives exactly the same result, whatever the size of that cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from securecomm.biometrics import Gallery, Template
from securecomm.biometrics import _gallery as gallery_module

TenPrint = dict[int, Template]


def test_searching_a_stored_gallery_again_gives_the_same_result(
    gallery: Gallery,
    probe_impressions: list[TenPrint],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gallery.save(tmp_path / "store")  # stored minutiae are quantised: scores may move
    reopened = Gallery.open(tmp_path / "store")
    expected = [reopened.search(p) for p in probe_impressions[:10]]
    assert [reopened.search(p) for p in probe_impressions[:10]] == expected  # cached now
    monkeypatch.setattr(gallery_module, "RECENT_ROWS", 2)  # evicted at every step
    small = Gallery.open(tmp_path / "store")
    assert [small.search(p) for p in probe_impressions[:10]] == expected
