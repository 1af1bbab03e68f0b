"""The worker inside the service process (the embedded default): a thread that drives
every stored submission as it arrives, delivers the outbox and seals the audit log.

Submitting through the service wakes it; otherwise it looks every few seconds. Other
``securecomm worker`` processes may share the store with it (their claims are safe).
"""

from __future__ import annotations

import logging
import threading
import time

from securecomm.cases.docket import StoredDocketCourt
from securecomm.database import Database
from securecomm.pipeline.worker import Worker

log = logging.getLogger("securecomm.worker")


class BackgroundWorker:
    def __init__(
        self, database: Database, *, officers_decide: bool = True, poll_seconds: float = 2.0
    ) -> None:
        self._database = database
        self._officers_decide = officers_decide
        self._poll = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None
        self.runs = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="securecomm-worker", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def drain(self, timeout: float = 60.0) -> bool:
        """Wake the worker and wait for a whole run that began after this call (the one
        in progress, if any, may have missed what was just stored)."""
        wanted = self.runs + 2
        deadline = time.monotonic() + timeout
        while self.runs < wanted and time.monotonic() < deadline:
            self.wake()
            time.sleep(0.02)
        return self.runs >= wanted

    def _loop(self) -> None:
        worker: Worker | None = None
        while not self._stop.is_set():
            try:
                if worker is None:
                    worker = Worker(
                        self._database,
                        court=StoredDocketCourt(self._database),
                        officers_decide=self._officers_decide,
                    )
                worker.run()
                self.last_error = None
            except Exception as error:  # the service stays up; readiness reports it
                self.last_error = f"{type(error).__name__}: {error}"[:300]
                log.error("worker run failed", extra={"error": type(error).__name__})
                if worker is not None:
                    worker.close()
                worker = None  # rebuilt (galleries reloaded) on the next round
            self.runs += 1
            self._wake.wait(self._poll)
            self._wake.clear()
        if worker is not None:
            worker.close()
