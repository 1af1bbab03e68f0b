from __future__ import annotations

import numpy as np
import pytest

from securecomm.biometrics import (
    Band,
    Gallery,
    MatchParameters,
    NoUsableFingerError,
    SearchResult,
    Template,
    TemplateError,
    UnknownSubjectError,
)

TenPrint = dict[int, Template]


def test_mated_probe_is_identified(gallery: Gallery, probe_impressions: list[TenPrint]) -> None:
    for subject_id in (0, 17, 79):
        result = gallery.search(probe_impressions[subject_id])
        assert result.band is Band.IDENTIFICATION
        assert result.best is not None
        assert result.best.subject_id == subject_id
        assert result.best.score >= gallery.params.identification_threshold
        assert sorted(result.best.finger_scores) == list(range(1, 11))
        assert result.fingers_searched == list(range(1, 11))
        assert result.fingers_unusable == []


def test_stranger_gets_no_identification(gallery: Gallery, strangers: list[TenPrint]) -> None:
    for probe in strangers:
        result = gallery.search(probe)
        assert result.band is Band.NO_IDENTIFICATION
        assert result.candidates == []
        assert result.best is None
        assert result.top_scores[0] < gallery.params.possible_threshold


def test_candidates_are_best_first_and_capped(
    gallery: Gallery, probe_impressions: list[TenPrint]
) -> None:
    loose = Gallery(MatchParameters(possible_threshold=0.0))
    for subject_id in range(10):
        loose.enrol(subject_id, gallery_prints(gallery, subject_id, probe_impressions))
    result = loose.search(probe_impressions[4], max_candidates=3)
    scores = [c.score for c in result.candidates]
    assert len(scores) == 3
    assert scores == sorted(scores, reverse=True)
    assert result.candidates[0].subject_id == 4


def gallery_prints(gallery: Gallery, subject_id: int, probes: list[TenPrint]) -> TenPrint:
    # the probe impression of a person stands in for an enrolment in a second gallery
    return probes[subject_id]


def test_trace_explains_the_decision(gallery: Gallery, probe_impressions: list[TenPrint]) -> None:
    result = gallery.search(probe_impressions[5])
    trace = result.to_trace()
    assert trace.rule == "biometrics.tenprint.fusion"
    assert trace.outcome == Band.IDENTIFICATION.value
    assert trace.inputs["gallery_size"] == len(gallery)
    assert trace.inputs["best_subject_id"] == 5
    assert trace.inputs["fingers_searched"] == list(range(1, 11))
    assert trace.thresholds["identification"] == gallery.params.identification_threshold
    assert trace.thresholds["possible_identification"] == gallery.params.possible_threshold
    assert trace.thresholds["target_fpir"] == gallery.params.target_fpir
    assert trace.to_json()["rule"] == "biometrics.tenprint.fusion"


def test_re_enrolment_replaces_the_prints(
    gallery: Gallery, probe_impressions: list[TenPrint], strangers: list[TenPrint]
) -> None:
    gallery.enrol(3, strangers[0])
    assert len(gallery) == 80
    old = gallery.search(probe_impressions[3])
    assert old.band is Band.NO_IDENTIFICATION
    new = gallery.search(strangers[0])
    assert new.best is not None
    assert new.best.subject_id == 3


def test_removed_subject_is_never_returned(
    gallery: Gallery, probe_impressions: list[TenPrint], strangers: list[TenPrint]
) -> None:
    gallery.remove(11)
    assert 11 not in gallery
    assert len(gallery) == 79
    assert 11 not in gallery.subject_ids()
    result = gallery.search(probe_impressions[11])
    assert all(c.subject_id != 11 for c in result.candidates)
    assert result.band is Band.NO_IDENTIFICATION
    gallery.enrol(1000, strangers[1])  # reuses the freed row
    assert gallery.search(strangers[1]).best.subject_id == 1000  # type: ignore[union-attr]
    assert gallery.search(probe_impressions[12]).best.subject_id == 12  # type: ignore[union-attr]


def test_removing_an_unknown_subject_is_a_typed_error(gallery: Gallery) -> None:
    with pytest.raises(UnknownSubjectError) as excinfo:
        gallery.remove(4242)
    assert isinstance(excinfo.value, KeyError)
    assert "4242" in str(excinfo.value)


def test_unusable_fingers_are_skipped_and_reported(
    gallery: Gallery, probe_impressions: list[TenPrint]
) -> None:
    probe = dict(probe_impressions[20])
    probe[2] = few_minutiae(probe[2], keep=5)
    probe[3] = Template(probe[3].minutiae, probe[3].width, probe[3].height, 5, 3)
    result = gallery.search(probe)
    assert result.fingers_unusable == [2, 3]
    assert "minutiae" in result.unusable_reasons[2]
    assert "quality" in result.unusable_reasons[3]
    assert 2 not in result.fingers_searched
    assert result.best is not None
    assert result.best.subject_id == 20
    assert result.to_trace().inputs["fingers_unusable"] == {
        "2": result.unusable_reasons[2],
        "3": result.unusable_reasons[3],
    }


def few_minutiae(template: Template, keep: int) -> Template:
    return Template(
        np.ascontiguousarray(template.minutiae[:keep]),
        template.width,
        template.height,
        template.quality,
        template.finger_position,
    )


def test_probe_without_a_usable_finger_is_refused(
    gallery: Gallery, probe_impressions: list[TenPrint]
) -> None:
    probe = {1: few_minutiae(probe_impressions[0][1], keep=3)}
    with pytest.raises(NoUsableFingerError) as excinfo:
        gallery.search(probe)
    assert list(excinfo.value.reasons) == [1]
    with pytest.raises(NoUsableFingerError):
        gallery.search({})
    with pytest.raises(NoUsableFingerError):
        gallery.enrol(500, probe)
    assert 500 not in gallery


@pytest.mark.parametrize(
    ("mapping", "rule"),
    [
        ("position_11", "finger_position"),
        ("wrong_position", "finger_position"),
        ("not_a_template", "type"),
    ],
)
def test_malformed_print_mappings_are_refused(
    gallery: Gallery, probe_impressions: list[TenPrint], mapping: str, rule: str
) -> None:
    one = probe_impressions[0][1]
    prints: dict[int, object] = {
        "position_11": {11: one},
        "wrong_position": {2: one},
        "not_a_template": {1: b"bytes"},
    }[mapping]
    with pytest.raises(TemplateError) as excinfo:
        gallery.search(prints)  # type: ignore[arg-type]
    assert excinfo.value.rule == rule


def test_empty_gallery_finds_nobody(probe_impressions: list[TenPrint]) -> None:
    empty = Gallery()
    result = empty.search(probe_impressions[0])
    assert isinstance(result, SearchResult)
    assert result.band is Band.NO_IDENTIFICATION
    assert result.gallery_size == 0
    assert result.top_scores == []


def test_subject_ids_must_be_integers(probe_impressions: list[TenPrint]) -> None:
    with pytest.raises(TemplateError) as excinfo:
        Gallery().enrol("A123", probe_impressions[0])  # type: ignore[arg-type]
    assert excinfo.value.field == "subject_id"


def test_searches_of_two_halves_merged_rank_as_one_search_of_the_whole(
    enrolment_impressions: list[TenPrint], probe_impressions: list[TenPrint]
) -> None:
    whole, first, second = Gallery(), Gallery(), Gallery()
    for subject_id, prints in enumerate(enrolment_impressions):
        whole.enrol(subject_id, prints)
        (first if subject_id % 2 else second).enrol(subject_id, prints)
    for probe in probe_impressions[:12]:
        one = whole.search(probe)
        merged = first.search(probe).merged(second.search(probe))
        assert merged.band is one.band
        assert merged.gallery_size == one.gallery_size
        assert one.best is not None
        assert merged.best is not None
        assert (merged.best.subject_id, merged.best.score) == (one.best.subject_id, one.best.score)
        merged_scores = {c.subject_id: c.score for c in merged.candidates}
        assert all(merged_scores.get(c.subject_id) == c.score for c in one.candidates)
