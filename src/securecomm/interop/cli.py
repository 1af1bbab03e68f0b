"""``securecomm broker ...``: messages between agencies through RabbitMQ or NATS
JetStream (when SECURECOMM_BROKER_URL is set, ``amqp://`` or ``nats://``): deliver what
waits in the outbox, and receive into the recipients' mailboxes."""

from __future__ import annotations

import signal
from typing import Annotated

import typer

from securecomm.clitools import DatabaseOption, console, fail
from securecomm.config import get_settings
from securecomm.database import opened_database
from securecomm.exceptions import SecurecommError

app = typer.Typer(help="Messages between agencies through a broker.", no_args_is_help=True)


def _broker_url() -> str:
    url = get_settings().broker_url
    if not url:
        raise fail(
            "no broker is configured: set SECURECOMM_BROKER_URL "
            "(for example amqp://guest:guest@127.0.0.1:5672/%2F or nats://127.0.0.1:4222)"
        )
    return url


@app.command()
def dispatch(database_url: DatabaseOption = None) -> None:
    """Deliver every message waiting in the outbox (workers do this as they go)."""
    from securecomm.interop import broker, outbox

    transport = broker.broker_transport(_broker_url())
    try:
        with opened_database(database_url) as database:
            delivered = outbox.dispatch(database, transport)
    except SecurecommError as error:
        raise fail(str(error)) from None
    finally:
        transport.close()
    console.print(f"delivered {delivered} messages")


@app.command()
def receive(
    database_url: DatabaseOption = None,
    follow: Annotated[
        bool,
        typer.Option(help="Keep receiving until stopped (SIGTERM or Ctrl-C)."),
    ] = False,
    idle_seconds: Annotated[
        float, typer.Option(min=0.1, help="Without --follow: stop once idle this long.")
    ] = 2.0,
) -> None:
    """Take messages off the broker into the recipients' mailboxes (each key once)."""
    from securecomm.interop import broker

    try:
        with opened_database(database_url) as database:
            receiver = broker.broker_receiver(database, _broker_url())
            for stop_signal in (signal.SIGTERM, signal.SIGINT):
                signal.signal(stop_signal, lambda *_: receiver.stop())
            report = receiver.run(follow=follow, idle_seconds=idle_seconds)
    except SecurecommError as error:
        raise fail(str(error)) from None
    console.print(
        f"received {report.received} messages: {report.stored} new, "
        f"{report.received - report.stored - report.refused} redelivered, "
        f"{report.refused} refused; {report.reconnections} reconnections"
    )
