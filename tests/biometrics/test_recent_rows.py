"""A stored gallery computes the matcher's features of a row straight from the mapped
minutiae and keeps those of the rows it compared lately: the features are bit for bit
those of the templates read back, and searching again gives exactly the same result,
whatever the size of that cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from securecomm.biometrics import Gallery, Template
from securecomm.biometrics import _gallery as gallery_module
from securecomm.biometrics._compare import DEFAULT_PARAMETERS
from securecomm.biometrics._descriptors import Features, compute_features

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


def test_a_stored_rows_features_are_those_of_its_templates_bit_for_bit(
    enrolment_impressions: list[TenPrint], strangers: list[TenPrint], tmp_path: Path
) -> None:
    def with_second(prints: TenPrint, other: TenPrint) -> TenPrint:
        def inside(t: Template, m: np.ndarray) -> np.ndarray:
            return np.ascontiguousarray(m[(m[:, 0] < t.width) & (m[:, 1] < t.height)][:25])

        return {
            p: Template(t.minutiae, t.width, t.height, t.quality, p, inside(t, other[p].minutiae))
            for p, t in prints.items()
        }

    gallery = Gallery()
    for subject_id, prints in enumerate(enrolment_impressions[:20]):
        gallery.enrol(subject_id, prints)
    gallery.enrol(20, with_second(enrolment_impressions[20], strangers[0]))
    gallery.save(tmp_path / "store")
    rows = Gallery.open(tmp_path / "store")._segments[0].rows
    params = DEFAULT_PARAMETERS
    for row in range(len(rows)):
        stored = rows.features(row, params)
        templates = rows.prints(row)
        assert sorted(stored) == sorted(templates)
        for position, template in templates.items():
            features, second = stored[position]
            _assert_same(features, compute_features(template.minutiae, params))
            if template.second is None:
                assert second is None
            else:
                assert second is not None
                _assert_same(second, compute_features(template.second, params))
    assert all(second is not None for _, second in rows.features(20, params).values())


def _assert_same(found: Features, expected: Features) -> None:
    for name in ("xyt", "order", "codes", "bit_counts"):
        got, wanted = getattr(found, name), getattr(expected, name)
        assert got.dtype == wanted.dtype, name
        assert got.flags.c_contiguous, name
        np.testing.assert_array_equal(got, wanted, err_msg=name)
