from __future__ import annotations

import numpy as np
import pytest

from securecomm.biometrics import Gallery, MatchParameters, Template
from securecomm.biometrics._index import (
    CODE_WORDS,
    INDEX_CODE_BITS,
    NO_COMMON_FINGER,
    POSITIONS,
    VECTOR_DIMS,
    CodeBasis,
    default_basis,
    finger_vector,
    rows_reaching,
    scan,
    tenprint_codes,
)
from securecomm.biometrics._params import INDEX_PARALLEL_ROWS

TenPrint = dict[int, Template]


def test_mated_probe_is_in_a_short_shortlist(
    gallery: Gallery, probe_impressions: list[TenPrint]
) -> None:
    for subject_id, probe in enumerate(probe_impressions):
        assert subject_id in gallery.shortlist_ids(probe)[:2]


def test_shortlist_has_the_configured_size(probe_impressions: list[TenPrint]) -> None:
    small = Gallery(MatchParameters(index_shortlist=4))
    for subject_id in range(10):
        small.enrol(subject_id, probe_impressions[subject_id])
    assert len(small.shortlist_ids(probe_impressions[0])) == 4
    assert small.search(probe_impressions[0]).shortlist_size == 4


def test_mates_stand_far_above_strangers_in_the_fused_hamming_score(
    enrolment_impressions: list[TenPrint], probe_impressions: list[TenPrint]
) -> None:
    basis = default_basis()
    gallery = [tenprint_codes(prints, basis) for prints in enrolment_impressions]
    codes = np.stack([c for c, _ in gallery])
    masks = np.array([m for _, m in gallery], dtype=np.uint16)
    for subject_id in (0, 33, 71):
        probe, mask = tenprint_codes(probe_impressions[subject_id], basis)
        scores = scan(codes, masks, probe, mask).astype(np.float64)
        others = np.delete(scores, subject_id)
        assert (scores[subject_id] - others.mean()) / others.std() > 4.0


def test_a_code_is_most_similar_to_itself(enrolment_impressions: list[TenPrint]) -> None:
    codes, mask = tenprint_codes(enrolment_impressions[0], default_basis())
    assert mask == (1 << POSITIONS) - 1
    score = scan(codes[None], np.array([mask], dtype=np.uint16), codes, mask)
    assert score[0] == POSITIONS * INDEX_CODE_BITS // 2


def test_only_positions_present_on_both_sides_count(enrolment_impressions: list[TenPrint]) -> None:
    prints = enrolment_impressions[1]
    codes, _ = tenprint_codes({1: prints[1], 2: prints[2]}, default_basis())
    probe, probe_mask = tenprint_codes({2: prints[2], 3: prints[3]}, default_basis())
    assert probe_mask == 0b110
    score = scan(codes[None], np.array([0b011], dtype=np.uint16), probe, probe_mask)
    assert score[0] == INDEX_CODE_BITS // 2  # finger 2 alone, identical
    nothing = scan(codes[None], np.array([0b1], dtype=np.uint16), probe, probe_mask)
    assert nothing[0] == NO_COMMON_FINGER
    assert rows_reaching(nothing, 5).size == 0


def test_threaded_scan_equals_the_plain_scan() -> None:
    rng = np.random.default_rng(3)
    rows = INDEX_PARALLEL_ROWS + 17
    codes = rng.integers(0, 2**63, size=(rows, POSITIONS, CODE_WORDS), dtype=np.uint64)
    masks = rng.integers(0, 1 << POSITIONS, size=rows, dtype=np.uint16)
    probe = rng.integers(0, 2**63, size=(POSITIONS, CODE_WORDS), dtype=np.uint64)
    threaded = scan(codes, masks, probe, 0b1011001101)
    step = INDEX_PARALLEL_ROWS // 2  # each slice is below the threading cut-off
    plain = np.concatenate(
        [
            scan(codes[i : i + step], masks[i : i + step], probe, 0b1011001101)
            for i in range(0, rows, step)
        ]
    )
    assert np.array_equal(threaded, plain)
    top = rows_reaching(threaded, 5)
    assert sorted(threaded[top], reverse=True)[:5] == sorted(threaded, reverse=True)[:5]


def test_a_shared_last_place_keeps_every_row_that_holds_it() -> None:
    scores = np.array([7, 3, 9, 3, NO_COMMON_FINGER, 3], dtype=np.int32)
    assert rows_reaching(scores, 3).tolist() == [0, 1, 2, 3, 5]
    assert rows_reaching(scores, 2).tolist() == [0, 2]
    assert rows_reaching(scores, 10).tolist() == [0, 1, 2, 3, 5]


def test_codes_do_not_depend_on_rotation_or_shift(enrolment_impressions: list[TenPrint]) -> None:
    template = enrolment_impressions[2][4]
    m = template.minutiae.astype(np.float64)
    turn = 0.3
    c, s = np.cos(turn), np.sin(turn)
    centre = np.array([template.width / 2, template.height / 2])
    xy = (m[:, :2] - centre) @ np.array([[c, s], [-s, c]]) + centre
    moved = m.copy()
    moved[:, :2] = xy
    moved[:, 2] = np.mod(m[:, 2] + turn, 2 * np.pi)
    inside = (xy[:, 0] >= 0) & (xy[:, 0] < template.width) & (xy[:, 1] >= 0)
    inside &= xy[:, 1] < template.height
    turned = Template(
        np.ascontiguousarray(moved[inside], dtype=np.float32),
        template.width,
        template.height,
        template.quality,
        4,
    )
    if inside.all():
        assert np.allclose(finger_vector(turned), finger_vector(template), atol=1e-4)
    else:  # a corner left the frame: still far closer than another finger
        other = enrolment_impressions[3][4]
        assert finger_vector(turned) @ finger_vector(template) > finger_vector(other) @ (
            finger_vector(template)
        )


def test_basis_is_validated_and_fit_from_vectors(enrolment_impressions: list[TenPrint]) -> None:
    vectors = np.stack([finger_vector(t) for t in enrolment_impressions[0].values()])
    basis = CodeBasis.fit(vectors)
    assert np.allclose(basis.mean, vectors.mean(axis=0))
    assert basis.codes(vectors).shape == (len(vectors), CODE_WORDS)
    with pytest.raises(ValueError, match="at least two"):
        CodeBasis.fit(vectors[:1])
    with pytest.raises(ValueError, match="mean"):
        CodeBasis(np.zeros(3, dtype=np.float32), basis.projection)
    with pytest.raises(ValueError, match="projection"):
        CodeBasis(basis.mean, np.zeros((VECTOR_DIMS, 8), dtype=np.float32))


def test_removed_rows_score_as_sharing_no_finger() -> None:
    rng = np.random.default_rng(8)
    codes = rng.integers(0, 2**63, size=(6, POSITIONS, CODE_WORDS), dtype=np.uint64)
    masks = np.full(6, (1 << POSITIONS) - 1, dtype=np.uint16)
    live = np.array([True, False, True, True, False, True])
    every = scan(codes, masks, codes[1], int(masks[1]))
    alive = scan(codes, masks, codes[1], int(masks[1]), live)
    assert every[1] == POSITIONS * INDEX_CODE_BITS // 2  # itself, when it is live
    assert alive[~live].tolist() == [NO_COMMON_FINGER] * 2
    assert np.array_equal(alive[live], every[live])
    assert 1 not in rows_reaching(alive, 6).tolist()


def test_the_counted_selection_equals_a_full_sort() -> None:
    rng = np.random.default_rng(9)
    for _ in range(200):
        scores = rng.integers(-40, 40, size=int(rng.integers(1, 80))).astype(np.int32)
        scores[rng.random(scores.size) < 0.3] = NO_COMMON_FINGER
        size = int(rng.integers(1, 25))
        valid = np.sort(scores[scores != NO_COMMON_FINGER])[::-1]
        expected = (
            []
            if valid.size == 0
            else np.flatnonzero(scores >= valid[min(size, valid.size) - 1]).tolist()
        )
        assert rows_reaching(scores, size).tolist() == expected
