from __future__ import annotations

from datetime import date

import pytest

from securecomm.simulation import World, build_world


@pytest.fixture(scope="session")
def world() -> World:
    """A small world shared by the read-only tests (building one takes about a second).

    It starts in 2010 so that some counties are activated after the start and the
    2014-2017 program suspension falls inside the range.
    """
    return build_world(
        people=150, start=date(2010, 1, 1), end=date(2015, 12, 31), seed=11, population="dense"
    )
