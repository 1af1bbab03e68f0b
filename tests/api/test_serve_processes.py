"""`securecomm serve --processes N`: several service processes on one PostgreSQL store,
each answering on the same port; refused, by name, on SQLite."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from backends import POSTGRES_URL, dedicated_url
from securecomm.auth.cli import init_deployment
from securecomm.database import open_database

pytestmark = pytest.mark.system  # several processes at once: `make system`


def _set_up(url: str) -> None:
    database = open_database(url)
    with database.session() as session:
        init_deployment(session)
    database.dispose()


def _serve(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "securecomm", "serve", "--processes", "2"]
    with log.open("wb") as output:
        return subprocess.Popen(
            [*command, "--port", str(port), "--database-url", url, "--no-worker"],
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "COLUMNS": "200"},
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def test_several_processes_serve_one_postgresql_store(tmp_path: Path) -> None:
    if POSTGRES_URL is None:
        pytest.skip("several service processes need PostgreSQL")
    url = dedicated_url("postgresql", tmp_path, "serve")
    _set_up(url)
    port = _free_port()
    server = _serve(url, port, tmp_path / "serve.log")
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()[-2000:]
            time.sleep(0.25)
        answers = [httpx.get(f"http://127.0.0.1:{port}/healthz").status_code for _ in range(20)]
        assert answers == [200] * 20
        assert len(_children(server.pid)) >= 2  # the two service processes (and a tracker)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


def test_several_processes_on_sqlite_are_refused_by_name(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    _set_up(url)
    refused = subprocess.run(
        [sys.executable, "-m", "securecomm", "serve", "--processes", "2", "--database-url", url],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=120,
    )
    assert refused.returncode != 0
    assert "--processes 2 needs PostgreSQL" in refused.stdout + refused.stderr
