"""A real server on loopback for the browser tests, and how chromium is started."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import uvicorn
from served_world import Served

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
