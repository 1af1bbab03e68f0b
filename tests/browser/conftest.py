"""A real server on loopback and Debian's chromium driven by Playwright.

The browser comes from the system (``make install`` puts Debian's chromium at
/usr/bin/chromium; a browser download at test time is not available). Without it the
browser tests fail, naming what to install; they are skipped only when
SECURECOMM_SKIP_BROWSER=1 is set on purpose.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

sys.path.insert(0, str(Path(__file__).parent.parent / "api"))

from served_world import Served, build_served

from securecomm.api.app import create_app
from securecomm.api.ratelimit import SlidingWindowLimiter
from securecomm.pipeline.background import BackgroundWorker

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(os.environ.get("SECURECOMM_SCREENSHOTS", "out/browser"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LiveServer:
    def __init__(self, served: Served, worker: BackgroundWorker) -> None:
        self.served = served
        self.worker = worker
        self.port = _free_port()
        app = create_app(
            served.database,
            worker=worker,
            officers_decide=True,
            cookie_secure=True,  # as deployed: chromium treats 127.0.0.1 as secure
            signin_limiter=SlidingWindowLimiter(attempts=1000, seconds=60),
        )
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_config=None)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)


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
