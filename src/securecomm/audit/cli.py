"""``securecomm audit ...``: seal the log, verify all of it, prove one event's inclusion
or one checkpoint's consistency with a later one, and manage the signing key."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import Annotated

import typer

from securecomm.audit import chain
from securecomm.audit.signing import new_private_key_b64, public_key_b64
from securecomm.clitools import DatabaseOption, JsonOption, console, fail
from securecomm.database import opened_database
from securecomm.exceptions import SecurecommError

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@app.command()
def seal(database_url: DatabaseOption = None) -> None:
    """Link every new event into the chain and sign a checkpoint over the tree."""
    try:
        signer = chain.signer_from_settings()
        with opened_database(database_url) as database:
            checkpoint = chain.seal_now(database, signer)
    except SecurecommError as error:
        raise fail(str(error)) from None
    if checkpoint is None:
        console.print("nothing new to seal")
        return
    console.print(f"sealed: {checkpoint.tree_size} events, root {checkpoint.root_hash}")


@app.command()
def verify(database_url: DatabaseOption = None, as_json: JsonOption = False) -> None:
    """Check every event, link and signed checkpoint; exit 1 naming the first bad one."""
    try:
        signer = chain.signer_from_settings()
        with opened_database(database_url) as database, database.session() as session:
            result = chain.verify(session, signer.public_key)
    except SecurecommError as error:
        raise fail(str(error)) from None
    if as_json:
        payload = {**asdict(result), "ok": result.ok, "unsealed": result.unsealed}
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    elif result.ok:
        console.print(
            f"[green]audit log verified[/]: {result.sealed} sealed events under "
            f"{result.checkpoints} signed checkpoints; {result.unsealed} not yet sealed"
        )
    else:
        console.print(f"[bold red]audit log broken:[/] {result.problems[0]}", markup=True)
    if not result.ok:
        raise typer.Exit(1)


@app.command("prove-inclusion")
def prove_inclusion(
    event_id: Annotated[int, typer.Argument(help="The audit event's id.")],
    size: Annotated[int | None, typer.Option(help="Checkpoint size; default latest.")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """An RFC 9162 inclusion proof of one event under a signed checkpoint (JSON)."""
    try:
        with opened_database(database_url) as database, database.session() as session:
            proof = chain.prove_inclusion(session, event_id, size)
    except SecurecommError as error:
        raise fail(str(error)) from None
    sys.stdout.write(json.dumps(asdict(proof), indent=2) + "\n")


@app.command("prove-consistency")
def prove_consistency(
    first: Annotated[int, typer.Argument(help="The older checkpoint's size.")],
    second: Annotated[int | None, typer.Argument(help="The newer one; default latest.")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """An RFC 9162 consistency proof between two signed checkpoints (JSON)."""
    try:
        with opened_database(database_url) as database, database.session() as session:
            proof = chain.prove_consistency(session, first, second)
    except SecurecommError as error:
        raise fail(str(error)) from None
    sys.stdout.write(json.dumps(asdict(proof), indent=2) + "\n")


@app.command("new-key")
def new_key() -> None:
    """Print a fresh Ed25519 signing key for SECURECOMM_AUDIT_SIGNING_KEY (keep it secret)."""
    sys.stdout.write(new_private_key_b64() + "\n")


@app.command("public-key")
def public_key() -> None:
    """The public key that verifies this deployment's checkpoints (give it to auditors)."""
    try:
        signer = chain.signer_from_settings()
    except SecurecommError as error:
        raise fail(str(error)) from None
    sys.stdout.write(f"{public_key_b64(signer.public_key)}  key id {signer.key_id}\n")
