from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from securecomm.biometrics import Template, TemplateError
from securecomm.exceptions import InputError


def minutiae(*rows: tuple[float, float, float, float, float]) -> np.ndarray:
    return np.array(rows, dtype=np.float32).reshape(-1, 5)


VALID = minutiae((10.0, 20.0, 1.0, 0.0, 0.9), (100.5, 200.25, 6.0, 1.0, 0.5))


def rule_of(excinfo: pytest.ExceptionInfo[TemplateError]) -> tuple[str, str]:
    return excinfo.value.field, excinfo.value.rule


def test_valid_template_is_frozen_and_copied() -> None:
    source = VALID.copy()
    template = Template(source, width=300, height=400, quality=60, finger_position=2)
    source[0, 0] = 99.0
    assert template.minutiae[0, 0] == pytest.approx(10.0)
    assert not template.minutiae.flags.writeable
    assert len(template) == 2
    assert "n=2" in repr(template)


@pytest.mark.parametrize(
    ("array", "expected"),
    [
        (VALID.astype(np.float64), ("minutiae", "dtype")),
        (VALID[:, :4].copy(), ("minutiae", "shape")),
        (minutiae((math.nan, 1.0, 1.0, 0.0, 1.0)), ("minutiae", "finite")),
        (minutiae((300.0, 1.0, 1.0, 0.0, 1.0)), ("minutiae[0].x", "range")),
        (minutiae((1.0, -0.5, 1.0, 0.0, 1.0)), ("minutiae[0].y", "range")),
        (minutiae((1.0, 1.0, 2 * math.pi, 0.0, 1.0)), ("minutiae[0].direction", "range")),
        (minutiae((1.0, 1.0, 1.0, 2.0, 1.0)), ("minutiae[0].kind", "code")),
        (minutiae((1.0, 1.0, 1.0, 0.0, 1.5)), ("minutiae[0].reliability", "range")),
    ],
)
def test_bad_minutiae_name_the_field_and_rule(array: np.ndarray, expected: tuple[str, str]) -> None:
    with pytest.raises(TemplateError) as excinfo:
        Template(array, width=300, height=400, quality=50)
    assert rule_of(excinfo) == expected
    assert isinstance(excinfo.value, InputError)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"width": 0}, ("width", "range")),
        ({"height": 5000}, ("height", "range")),
        ({"quality": 101}, ("quality", "range")),
        ({"finger_position": 11}, ("finger_position", "range")),
        ({"width": 300.0}, ("width", "type")),
    ],
)
def test_bad_header_values(kwargs: dict[str, object], expected: tuple[str, str]) -> None:
    arguments: dict[str, object] = {"width": 300, "height": 400, "quality": 50} | kwargs
    with pytest.raises(TemplateError) as excinfo:
        Template(VALID, **arguments)  # type: ignore[arg-type]
    assert rule_of(excinfo) == expected


def test_not_an_array() -> None:
    with pytest.raises(TemplateError, match=r"numpy\.ndarray"):
        Template([[1, 2, 3, 0, 1]], width=300, height=400, quality=50)  # type: ignore[arg-type]


def test_bytes_round_trip_is_stable_within_quantisation() -> None:
    template = Template(VALID, width=300, height=400, quality=60, finger_position=7)
    data = template.to_bytes()
    back = Template.from_bytes(data)
    assert back.to_bytes() == data
    assert (back.width, back.height, back.quality, back.finger_position) == (300, 400, 60, 7)
    np.testing.assert_allclose(back.minutiae[:, :2], template.minutiae[:, :2], atol=0.125)
    np.testing.assert_allclose(back.minutiae[:, 2], template.minutiae[:, 2], atol=1e-4)
    np.testing.assert_array_equal(back.minutiae[:, 3], template.minutiae[:, 3])
    np.testing.assert_allclose(back.minutiae[:, 4], template.minutiae[:, 4], atol=1 / 255)
    assert len(data) == 13 + 8 * 2 + 4


def test_empty_template_round_trips() -> None:
    empty = Template(np.empty((0, 5), dtype=np.float32), width=10, height=10, quality=0)
    assert Template.from_bytes(empty.to_bytes()) == empty


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 299.75, width=32),
            st.floats(0, 399.75, width=32),
            st.floats(0, 6.25, width=32),
            st.sampled_from([0.0, 1.0]),
            st.floats(0, 1, width=32),
        ),
        max_size=80,
    )
)
def test_round_trip_property(rows: list[tuple[float, float, float, float, float]]) -> None:
    template = Template(minutiae(*rows), width=300, height=400, quality=50, finger_position=1)
    data = template.to_bytes()
    assert Template.from_bytes(data).to_bytes() == data


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda b: b[:10], ("data", "length")),
        (lambda b: b"XXXX" + b[4:], ("magic", "format")),
        (lambda b: b[:4] + b"\x09" + b[5:], ("version", "supported")),
        (lambda b: b[:-1], ("data", "length")),
        (lambda b: b[:14] + bytes([b[14] ^ 0xFF]) + b[15:], ("crc", "checksum")),
    ],
)
def test_corrupt_bytes_are_rejected_with_a_reason(
    mutate: object, expected: tuple[str, str]
) -> None:
    data = Template(VALID, width=300, height=400, quality=60).to_bytes()
    with pytest.raises(TemplateError) as excinfo:
        Template.from_bytes(mutate(data))  # type: ignore[operator]
    assert rule_of(excinfo) == expected


def test_from_bytes_refuses_non_bytes() -> None:
    with pytest.raises(TemplateError) as excinfo:
        Template.from_bytes("SCMT")  # type: ignore[arg-type]
    assert rule_of(excinfo) == ("data", "type")


SECOND = minutiae(
    (12.0, 22.0, 1.1, 1.0, 0.8), (50.0, 60.0, 3.0, 0.0, 0.7), (90.0, 95.0, 5.0, 0.0, 1)
)


def test_a_second_set_round_trips_in_version_2_and_version_1_bytes_do_not_change() -> None:
    single = Template(VALID, width=300, height=400, quality=60, finger_position=7)
    double = Template(VALID, width=300, height=400, quality=60, finger_position=7, second=SECOND)
    data = double.to_bytes()
    assert (single.to_bytes()[4], data[4]) == (1, 2)
    assert len(data) == 13 + 8 * 2 + 2 + 8 * 3 + 4
    back = Template.from_bytes(data)
    assert back.to_bytes() == data
    assert back.second is not None
    assert back.second.shape == (3, 5)
    np.testing.assert_allclose(back.second[:, :2], SECOND[:, :2], atol=0.125)
    assert back != Template.from_bytes(single.to_bytes())  # the second set counts in equality
    assert Template.from_bytes(single.to_bytes()).second is None


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda b: b[:31], ("data", "length")),  # cut inside the second set's count
        (lambda b: b[:-5] + b[-4:], ("data", "length")),
        (lambda b: b[:40] + bytes([b[40] ^ 0xFF]) + b[41:], ("crc", "checksum")),
    ],
)
def test_corrupt_version_2_bytes_are_rejected_with_a_reason(
    mutate: object, expected: tuple[str, str]
) -> None:
    data = Template(VALID, width=300, height=400, quality=60, second=SECOND).to_bytes()
    with pytest.raises(TemplateError) as excinfo:
        Template.from_bytes(mutate(data))  # type: ignore[operator]
    assert rule_of(excinfo) == expected


def test_a_bad_second_set_names_its_own_field() -> None:
    bad = SECOND.copy()
    bad[1, 0] = 300.0
    with pytest.raises(TemplateError) as excinfo:
        Template(VALID, width=300, height=400, quality=60, second=bad)
    assert rule_of(excinfo) == ("second[1].x", "range")
