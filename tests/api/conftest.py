"""The served world, once per test module and backend (see ``served_world``): SQLite
always, PostgreSQL too where SECURECOMM_TEST_DATABASE_URL is set (CI)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from served_world import Served, build_served

from backends import BACKENDS, dedicated_url


@pytest.fixture(scope="session", params=BACKENDS)
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """The served world, shared by the API tests (each makes the users it changes)."""
    built = build_served(dedicated_url(request.param, tmp_path_factory.mktemp("served"), "served"))
    yield built
    built.client.close()
    built.database.dispose()
