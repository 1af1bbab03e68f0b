from __future__ import annotations

import math

import numpy as np
import pytest

from securecomm.biometrics import Comparison, MatchParameters, Template, compare

TenPrint = dict[int, Template]


def finger_pairs(
    people: list[TenPrint], enrolment: list[TenPrint], probes: list[TenPrint], count: int
) -> tuple[list[tuple[Template, Template]], list[tuple[Template, Template]]]:
    genuine, impostor = [], []
    for k in range(count):
        person, position = k % len(people), 1 + k % 10
        other = (person + 1 + k // 10) % len(people)
        genuine.append((probes[person][position], enrolment[person][position]))
        impostor.append((probes[person][position], enrolment[other][position]))
    return genuine, impostor


def test_genuine_scores_far_above_impostor_scores(
    people: list[TenPrint],
    enrolment_impressions: list[TenPrint],
    probe_impressions: list[TenPrint],
) -> None:
    genuine_pairs, impostor_pairs = finger_pairs(
        people, enrolment_impressions, probe_impressions, 60
    )
    genuine = np.array([compare(a, b) for a, b in genuine_pairs])
    impostor = np.array([compare(a, b) for a, b in impostor_pairs])
    assert np.median(genuine) > 3 * np.median(impostor)
    assert np.percentile(genuine, 10) > np.percentile(impostor, 90)
    assert genuine.max() <= 100.0
    assert impostor.min() >= 0.0


def test_self_comparison_is_perfect(probe_impressions: list[TenPrint]) -> None:
    template = probe_impressions[0][1]
    assert compare(template, template) == pytest.approx(100.0)


def test_comparison_is_roughly_symmetric(
    enrolment_impressions: list[TenPrint], probe_impressions: list[TenPrint]
) -> None:
    for person in range(5):
        a, b = probe_impressions[person][2], enrolment_impressions[person][2]
        forward, backward = compare(a, b), compare(b, a)
        assert abs(forward - backward) <= 0.25 * max(forward, backward)


def test_explain_gives_one_to_one_geometrically_consistent_pairs(
    enrolment_impressions: list[TenPrint], probe_impressions: list[TenPrint]
) -> None:
    params = MatchParameters()
    a, b = probe_impressions[3][4], enrolment_impressions[3][4]
    explained = compare(a, b, explain=True)
    assert isinstance(explained, Comparison)
    assert explained.score == compare(a, b)
    assert len(explained.pairs) >= 10
    rows_a = [i for i, _ in explained.pairs]
    rows_b = [p for _, p in explained.pairs]
    assert len(set(rows_a)) == len(rows_a)
    assert len(set(rows_b)) == len(rows_b)
    pa = a.minutiae[rows_a].astype(np.float64)
    pb = b.minutiae[rows_b].astype(np.float64)
    rotation, moved = rigid_fit(pa[:, :2], pb[:, :2])
    residuals = np.hypot(*(moved - pb[:, :2]).T)
    # one rigid fit for the whole finger: skin stretch leaves residuals that grow away
    # from the anchor, as the matcher's tolerance does (to twice its base)
    assert np.median(residuals) < params.pair_distance_tolerance * 0.75
    assert residuals.max() < 2 * params.pair_distance_tolerance
    turned = np.angle(np.exp(1j * (pa[:, 2] + rotation - pb[:, 2])))
    assert np.abs(turned).max() < 2 * params.pair_angle_tolerance


def rigid_fit(source: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """Least-squares rotation (radians) and the moved source points."""
    cs, ct = source.mean(axis=0), target.mean(axis=0)
    u, v = source - cs, target - ct
    rotation = math.atan2(
        float(np.sum(u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0])), float(np.sum(u * v))
    )
    c, s = math.cos(rotation), math.sin(rotation)
    moved = u @ np.array([[c, s], [-s, c]]) + ct
    return rotation, moved


def test_empty_template_scores_zero(probe_impressions: list[TenPrint]) -> None:
    empty = Template(np.empty((0, 5), dtype=np.float32), width=300, height=400, quality=0)
    assert compare(empty, probe_impressions[0][1]) == 0.0
    assert compare(empty, probe_impressions[0][1], explain=True).pairs == []


def test_parameters_change_the_result(
    enrolment_impressions: list[TenPrint], probe_impressions: list[TenPrint]
) -> None:
    a, b = probe_impressions[1][1], enrolment_impressions[1][1]
    strict = MatchParameters(pair_distance_tolerance=2.0, pair_angle_tolerance=0.05)
    assert compare(a, b, params=strict) < compare(a, b)


def test_compare_refuses_non_templates(probe_impressions: list[TenPrint]) -> None:
    with pytest.raises(TypeError, match="Template"):
        compare(probe_impressions[0][1], "not a template")  # type: ignore[arg-type]


def test_parameters_repr_and_validation() -> None:
    assert "defaults" in repr(MatchParameters())
    assert "seed_pairs=3" in repr(MatchParameters(seed_pairs=3))
    with pytest.raises(ValueError, match="possible_threshold"):
        MatchParameters(possible_threshold=500.0, identification_threshold=100.0)


def test_the_kernels_angle_wrap_is_the_modulo_bit_for_bit() -> None:
    """``_wrap`` avoids the modulo's division in the range the kernels use; its results
    must be the modulo's to the last bit, or scores would change with the speed-up."""
    from securecomm.biometrics._descriptors import wrap_angle as _wrap

    rng = np.random.default_rng(0)
    stored = rng.uniform(0.0, 2.0 * math.pi, (2, 20_000))
    edges = [0.0, -0.0, math.pi, -math.pi, 2 * math.pi, -2 * math.pi, 3 * math.pi, -3 * math.pi]
    edges += [math.nextafter(math.pi, 0.0), math.nextafter(-math.pi, 0.0), 1e300, -1e-320]
    angles = [*edges, *(stored[0] - stored[1]), *rng.uniform(-20.0, 20.0, 20_000)]
    for angle in angles:
        expected = (angle + math.pi) % (2.0 * math.pi) - math.pi
        assert _wrap(angle) == expected, angle


def with_second(template: Template, second: np.ndarray) -> Template:
    inside = (second[:, 0] < template.width) & (second[:, 1] < template.height)
    return Template(
        template.minutiae,
        template.width,
        template.height,
        template.quality,
        template.finger_position,
        np.ascontiguousarray(second[inside]),
    )


def test_a_second_set_that_agrees_keeps_the_score_and_one_that_does_not_halves_it(
    enrolment_impressions: list[TenPrint],
    probe_impressions: list[TenPrint],
    strangers: list[TenPrint],
) -> None:
    a, b = probe_impressions[2][3], enrolment_impressions[2][3]
    first_only = compare(a, b)
    agreeing = compare(with_second(a, a.minutiae), with_second(b, b.minutiae))
    stranger = strangers[0][3].minutiae
    disagreeing = compare(with_second(a, a.minutiae), with_second(b, stranger))
    assert first_only > 20.0
    assert agreeing == pytest.approx(first_only, rel=0.25)
    assert disagreeing < 0.65 * first_only
    # One side without a second set, or a weight of 0: the first sets' score alone.
    assert compare(with_second(a, a.minutiae), b) == first_only
    unweighted = MatchParameters(second_set_weight=0.0)
    assert compare(with_second(a, a.minutiae), with_second(b, stranger), params=unweighted) == (
        compare(a, b, params=unweighted)
    )


def test_a_first_score_below_the_floor_is_not_blended(
    probe_impressions: list[TenPrint], strangers: list[TenPrint]
) -> None:
    a, b = probe_impressions[0][1], strangers[1][1]
    first_only = compare(a, b)
    assert first_only < MatchParameters().second_set_from
    other = strangers[2][1].minutiae  # a second set that disagrees with any alignment
    assert compare(with_second(a, a.minutiae), with_second(b, other)) == first_only
    everyone = MatchParameters(second_set_from=0.0)
    blended = compare(with_second(a, a.minutiae), with_second(b, other), params=everyone)
    assert first_only > 0.0
    assert blended < first_only
