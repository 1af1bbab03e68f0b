"""Fixtures shared by the ANSI/NIST tests (helpers live in ``ansi_helpers``)."""

from __future__ import annotations

import pytest
from ansi_helpers import make_booking

from securecomm.ansi_nist import build_car, dump


@pytest.fixture(scope="session")
def car_bytes() -> bytes:
    """A 14-print WSQ CAR, built once per test session."""
    return dump(build_car(make_booking()))
