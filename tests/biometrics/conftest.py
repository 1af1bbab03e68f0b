"""Shared synthetic world for the biometrics tests (built once per session: seconds)."""

from __future__ import annotations

import numpy as np
import pytest

from securecomm.biometrics import Gallery, Template, synthetic

GALLERY_SIZE = 80  # more than the index's first allocation, so growth is exercised

TenPrint = dict[int, Template]


@pytest.fixture(scope="session")
def people() -> list[TenPrint]:
    rng = np.random.default_rng(20240601)
    return [synthetic.synthesize_tenprint(rng) for _ in range(GALLERY_SIZE)]


@pytest.fixture(scope="session")
def enrolment_impressions(people: list[TenPrint]) -> list[TenPrint]:
    rng = np.random.default_rng(7)
    return [synthetic.impressions_of(person, rng) for person in people]


@pytest.fixture(scope="session")
def probe_impressions(people: list[TenPrint]) -> list[TenPrint]:
    rng = np.random.default_rng(8)
    return [synthetic.impressions_of(person, rng) for person in people]


@pytest.fixture(scope="session")
def strangers() -> list[TenPrint]:
    rng = np.random.default_rng(9)
    return [synthetic.impressions_of(synthetic.synthesize_tenprint(rng), rng) for _ in range(10)]


@pytest.fixture
def gallery(enrolment_impressions: list[TenPrint]) -> Gallery:
    built = Gallery()
    for subject_id, prints in enumerate(enrolment_impressions):
        built.enrol(subject_id, prints)
    return built
