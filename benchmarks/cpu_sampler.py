"""CPU time by kind of process while a load test runs, read from Linux's /proc.

Every ``interval`` seconds the sampler sums each process's user and system time by
kind (Ray's shard actors, the service, the workers, PostgreSQL, Ray's own processes,
locust, the rest). A process that ends keeps its last figure, so the sums only grow. A
stage's cores are its growth over the stage divided by the time: CPU actually used, not
sampled stacks (a profiler counts a thread that waits for a core as busy).
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

KINDS = ("shard actors", "service", "workers", "postgres", "ray", "locust", "other")
TICKS = os.sysconf("SC_CLK_TCK")


def kind_of(command: str) -> str:
    if "GalleryShard" in command:
        return "shard actors"
    if "ray::" in command or "raylet" in command or "gcs_server" in command or "/ray/" in command:
        return "ray"
    if "postgres" in command:
        return "postgres"
    if "locust" in command:
        return "locust"
    if "securecomm" in command and " worker" in command:
        return "workers"
    if "securecomm" in command and " serve" in command:
        return "service"
    return "other"


class CpuSampler:
    def __init__(self, interval: float = 2.0) -> None:
        self.interval = interval
        self.samples: list[tuple[float, dict[str, float]]] = []
        self._last: dict[int, tuple[str, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> CpuSampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def cores(self, start: float, seconds: float) -> dict[str, float]:
        """Cores used by each kind between ``start`` and ``start + seconds`` (wall
        clock), from the samples nearest those times."""
        if len(self.samples) < 2:
            return {}
        first = min(self.samples, key=lambda sample: abs(sample[0] - start))
        last = min(self.samples, key=lambda sample: abs(sample[0] - start - seconds))
        elapsed = last[0] - first[0]
        if elapsed <= 0:
            return {}
        used = {kind: (last[1][kind] - first[1][kind]) / elapsed for kind in KINDS}
        return {kind: round(value, 2) for kind, value in used.items()} | {
            "all": round(sum(used.values()), 2)
        }

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.time(), self._totals()))
            self._stop.wait(self.interval)
        self.samples.append((time.time(), self._totals()))

    def _totals(self) -> dict[str, float]:
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                self._read(int(entry.name), entry)
        totals = dict.fromkeys(KINDS, 0.0)
        for kind, seconds in self._last.values():
            totals[kind] += seconds
        return totals

    def _read(self, pid: int, entry: Path) -> None:
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended between the listing and the reading
            return
        seconds = (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
        self._last[pid] = (kind_of(command), seconds)


def add_cores(
    stages: list[dict[str, Any]], records: list[dict[str, Any]], sampler: CpuSampler, seconds: float
) -> None:
    """Each stage's cores by kind, over the stage's time from its first booking sent."""
    for number, stage in enumerate(stages):
        sent = [record["sent"] for record in records if record["stage"] == number]
        if sent:
            stage["cpu_cores"] = sampler.cores(min(sent), seconds)
