"""A real server on loopback and Debian's chromium driven by Playwright.

The browser comes from the system (``make install`` puts Debian's chromium at
/usr/bin/chromium; a browser download at test time is not available). Without it the
browser tests fail, naming what to install; they are skipped only when
SECURECOMM_SKIP_BROWSER=1 is set on purpose.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "api"))

from live_server import CHROMIUM, LiveServer
from served_world import build_served

from securecomm.pipeline.background import BackgroundWorker


@pytest.fixture(scope="module")
def chromium_path() -> str:
    if os.environ.get("SECURECOMM_SKIP_BROWSER") == "1":
        pytest.skip("SECURECOMM_SKIP_BROWSER=1")
    if not Path(CHROMIUM).exists():
        pytest.fail(
            "the browser tests need Debian's chromium: `make install` installs it "
            "(apt-get install chromium), or set SECURECOMM_SKIP_BROWSER=1"
        )
    return CHROMIUM


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    served = build_served(f"sqlite:///{tempfile.mkdtemp()}/browser.sqlite", officers_decide=True)
    worker = BackgroundWorker(served.database, officers_decide=True, poll_seconds=0.5)
    with LiveServer(served, worker) as server:
        yield server
    served.database.dispose()
