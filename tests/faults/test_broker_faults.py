"""The message broker (RabbitMQ, then NATS JetStream) stopped and restarted while two
workers publish through it and a receiver takes messages into the mailboxes: every
message waits in the outbox until the broker has it, and arrives in its mailbox exactly
once."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nats
import pika
import pytest
from harness import Workers, in_flight, load, outcome, report, settled, spawn, wait_until
from sqlalchemy import func, select

from securecomm.database import Database, open_database
from securecomm.interop.broker import Names
from securecomm.interop.broker_nats import NatsNames
from securecomm.interop.models import MailboxMessage, OutboxMessage

RABBITMQ = "amqp://guest:guest@127.0.0.1:5672/%2F"
NATS = "nats://127.0.0.1:4222"


def _mailbox(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(MailboxMessage)) or 0


def _outbox(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(OutboxMessage)) or 0


@dataclass(frozen=True)
class Broker:
    name: str
    url: str
    missing: Callable[[], str | None]  # why this broker cannot be stopped here, or None
    empty: Callable[[], None]  # what an earlier run left in the default names goes
    stop: Callable[[], Callable[[], None]]  # stops it; returns what starts it again


def _rabbitmqctl(*arguments: str) -> None:
    subprocess.run(["rabbitmqctl", *arguments], check=True, capture_output=True, timeout=120)


def _rabbit_missing() -> str | None:
    return None if shutil.which("rabbitmqctl") else "no rabbitmqctl here to stop RabbitMQ with"


def _rabbit_empty() -> None:
    connection = pika.BlockingConnection(pika.URLParameters(RABBITMQ))
    channel = connection.channel()
    channel.queue_delete(Names().queue)
    connection.close()


def _rabbit_stop() -> Callable[[], None]:
    _rabbitmqctl("stop_app")
    return lambda: _rabbitmqctl("start_app")


def _nats_server() -> tuple[int, list[str]] | None:
    """The running nats-server's pid and command line (to start it again the same way)."""
    found = subprocess.run(["pgrep", "-x", "nats-server"], capture_output=True, text=True)
    if found.returncode != 0 or not found.stdout.split():
        return None
    pid = int(found.stdout.split()[0])
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:  # it ended between pgrep and this read
        return None
    return pid, command.decode().rstrip("\0").split("\0")


def _nats_missing() -> str | None:
    return None if _nats_server() else "no nats-server process here to stop and start"


def _nats_empty() -> None:
    async def delete() -> None:
        client = await nats.connect(NATS)
        try:
            await client.jetstream().delete_stream(NatsNames().stream)
        except nats.js.errors.NotFoundError:
            pass
        finally:
            await client.close()

    asyncio.run(delete())


def _nats_stop() -> Callable[[], None]:
    server = _nats_server()
    assert server is not None
    pid, command = server
    os.kill(pid, signal.SIGTERM)  # JetStream keeps its streams on disk
    wait_until(lambda: _nats_server() is None, timeout=30)

    def start() -> None:
        subprocess.run(  # the machine's server again, detached: it outlives this test
            ["setsid", "--fork", *command],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
        )
        wait_until(_nats_answers, timeout=30)

    return start


def _nats_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 4222), timeout=1).close()
    except OSError:
        return False
    return True


BROKERS = [
    Broker("RabbitMQ", RABBITMQ, _rabbit_missing, _rabbit_empty, _rabbit_stop),
    Broker("NATS JetStream", NATS, _nats_missing, _nats_empty, _nats_stop),
]


@pytest.mark.parametrize("broker", BROKERS, ids=lambda broker: broker.name)
def test_the_broker_stopped_and_restarted_loses_and_doubles_nothing(
    broker: Broker, fault_store: str, tmp_path: Path
) -> None:
    why_not = broker.missing()
    if why_not:
        pytest.skip(why_not)
    broker.empty()
    broker_env = {"SECURECOMM_BROKER_URL": broker.url}  # the processes' only: cached settings
    stored, docket = load(fault_store, tmp_path)
    database = open_database(fault_store)
    receiver = spawn(
        ["broker", "receive", "--follow", "--database-url", fault_store],
        tmp_path / "receiver.log",
        broker_env,
    )
    workers = Workers(fault_store, docket, tmp_path)
    workers.start(2, env=broker_env)
    wait_until(lambda: settled(database) > stored // 4 and _mailbox(database) > 0)
    flying = len(in_flight(database))
    stopped_at = time.monotonic()
    start_again = broker.stop()
    time.sleep(3)
    start_again()
    before = _mailbox(database)
    wait_until(lambda: _mailbox(database) > before, timeout=120)
    recovered = time.monotonic() - stopped_at
    assert workers.wait() == [0, 0], workers.output(0) + workers.output(1)
    # What a worker could not hand over while the broker was down waits in the outbox
    # for the next dispatch (any worker's, or this command's).
    subprocess.run(
        [sys.executable, "-m", "securecomm", "broker", "dispatch", "--database-url", fault_store],
        check=True,
        capture_output=True,
        env={**os.environ, **broker_env},
    )
    wait_until(lambda: _mailbox(database) == _outbox(database), timeout=120)
    receiver.send_signal(signal.SIGTERM)
    assert receiver.wait(timeout=60) == 0, (tmp_path / "receiver.log").read_text()[-2000:]

    result = outcome(database)
    report(
        f"message broker ({broker.name}) stopped and restarted",
        in_flight=flying,
        result=result,
        recovered_in=recovered,
    )
    with database.session() as session:
        sent = set(session.scalars(select(OutboxMessage.key)))
        received = list(session.scalars(select(MailboxMessage.message_key)))
    database.dispose()
    assert sorted(received) == sorted(sent)  # every message, each once
    assert (result.lost, result.duplicated) == (0, 0), result.details
    assert result.details["failed"] == 0
    assert result.audit_verified
