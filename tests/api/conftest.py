"""The served world, once per test module (see ``served_world``)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

import pytest
from served_world import Served, build_served


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    """A read-mostly world shared by one test module."""
    built = build_served(f"sqlite:///{tempfile.mkdtemp()}/served.sqlite")
    yield built
    built.client.close()
    built.database.dispose()
