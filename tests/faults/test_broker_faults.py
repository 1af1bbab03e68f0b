"""The message broker (RabbitMQ) stopped and restarted while two workers publish through
it and a receiver takes messages into the mailboxes: every message waits in the outbox
until the broker has it, and arrives in its mailbox exactly once."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pika
import pytest
from harness import Workers, in_flight, load, outcome, report, settled, wait_until
from sqlalchemy import func, select

from securecomm.database import Database, open_database
from securecomm.interop.broker import Names
from securecomm.interop.models import MailboxMessage, OutboxMessage

BROKER = "amqp://guest:guest@127.0.0.1:5672/%2F"
BROKER_ENV = {"SECURECOMM_BROKER_URL": BROKER}  # the processes' only: settings are cached


def _mailbox(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(MailboxMessage)) or 0


def _outbox(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(OutboxMessage)) or 0


def _rabbitmqctl(*arguments: str) -> None:
    subprocess.run(["rabbitmqctl", *arguments], check=True, capture_output=True, timeout=120)


def _empty_default_queue() -> None:
    """The fault run uses the default names; what an earlier run left there goes."""
    connection = pika.BlockingConnection(pika.URLParameters(BROKER))
    channel = connection.channel()
    channel.queue_delete(Names().queue)
    connection.close()


def test_the_broker_stopped_and_restarted_loses_and_doubles_nothing(
    fault_store: str, tmp_path: Path
) -> None:
    if shutil.which("rabbitmqctl") is None:
        pytest.skip("no rabbitmqctl here to stop the broker with")
    _empty_default_queue()
    stored, docket = load(fault_store, tmp_path)
    database = open_database(fault_store)
    command = [sys.executable, "-m", "securecomm", "broker", "receive", "--follow"]
    with (tmp_path / "receiver.log").open("wb") as receiver_log:
        receiver = subprocess.Popen(
            [*command, "--database-url", fault_store],
            stdout=receiver_log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "COLUMNS": "100", **BROKER_ENV},
        )
    workers = Workers(fault_store, docket, tmp_path)
    workers.start(2, env=BROKER_ENV)
    wait_until(lambda: settled(database) > stored // 4 and _mailbox(database) > 0)
    flying = len(in_flight(database))
    stopped_at = time.monotonic()
    _rabbitmqctl("stop_app")
    time.sleep(3)
    _rabbitmqctl("start_app")
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
        env={**os.environ, **BROKER_ENV},
    )
    wait_until(lambda: _mailbox(database) == _outbox(database), timeout=120)
    receiver.send_signal(signal.SIGTERM)
    assert receiver.wait(timeout=60) == 0, (tmp_path / "receiver.log").read_text()[-2000:]

    result = outcome(database)
    report(
        "message broker stopped and restarted",
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
