"""``securecomm ansi-nist show|validate FILE``: read a transaction file and report on it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from securecomm.ansi_nist.codec import parse
from securecomm.ansi_nist.errors import AnsiNistParseError
from securecomm.ansi_nist.images import summarize_image
from securecomm.ansi_nist.records import (
    Field,
    OpaqueRecord,
    Record,
    TaggedRecord,
    Transaction,
    Type4Record,
)
from securecomm.ansi_nist.rules import load_rules
from securecomm.ansi_nist.validation import Violation, validate

app = typer.Typer(help="Read and check ANSI/NIST-ITL transaction files.", no_args_is_help=True)

FileArgument = Annotated[Path, typer.Argument(help="ANSI/NIST-ITL traditional-encoding file")]
JsonOption = Annotated[bool, typer.Option("--json", help="print JSON instead of tables")]
_TEXT_PREVIEW = 80


@app.command()
def show(file: FileArgument, as_json: JsonOption = False) -> None:
    """Print every record and field; images are summarised, not decoded."""
    transaction = _load(file, as_json)
    if as_json:
        typer.echo(json.dumps({"file": str(file), "records": _records_json(transaction)}, indent=2))
        return
    console = Console()
    mnemonics = _mnemonics()
    for index, record in enumerate(transaction.records):
        table = Table(title=f"record {index}: Type-{record.type}", title_justify="left")
        table.add_column("tag")
        table.add_column("name")
        table.add_column("value", overflow="fold")
        for tag, value in _record_rows(record):
            table.add_row(tag, mnemonics.get(tag, ""), value)
        console.print(table)


@app.command("validate")
def validate_command(file: FileArgument, as_json: JsonOption = False) -> None:
    """List every violation of ANSI/NIST-ITL 1-2011 and EBTS 9.1; exit 1 if there is any."""
    transaction = _load(file, as_json)
    violations = validate(transaction)
    if as_json:
        payload = {
            "file": str(file),
            "valid": not violations,
            "violations": [_violation_json(v) for v in violations],
        }
        typer.echo(json.dumps(payload, indent=2))
    else:
        _print_violations(file, violations)
    if violations:
        raise typer.Exit(code=1)


def _load(file: Path, as_json: bool) -> Transaction:
    try:
        return parse(file.read_bytes())
    except OSError as error:
        _fail(as_json, {"file": str(file), "error": f"cannot read file: {error.strerror}"}, code=2)
    except AnsiNistParseError as error:
        _fail(
            as_json,
            {
                "file": str(file),
                "error": error.reason,
                "offset": error.offset,
                "record_index": error.record_index,
                "tag": error.tag,
            },
            code=2,
        )
    raise AssertionError("unreachable")


def _fail(as_json: bool, details: dict[str, Any], *, code: int) -> None:
    if as_json:
        typer.echo(json.dumps(details, indent=2))
    else:
        where = ", ".join(
            f"{k} {v}" for k, v in details.items() if k not in ("file", "error") and v is not None
        )
        typer.echo(
            f"{details['file']}: {details['error']}" + (f" ({where})" if where else ""), err=True
        )
    raise typer.Exit(code=code)


def _print_violations(file: Path, violations: list[Violation]) -> None:
    console = Console()
    if not violations:
        console.print(f"{file}: valid")
        return
    table = Table(title=f"{file}: {len(violations)} violation(s)", title_justify="left")
    for column in ("record", "tag", "name", "rule", "message"):
        table.add_column(column, overflow="fold")
    for v in violations:
        table.add_row(str(v.record_index), v.tag, v.mnemonic, v.rule, v.message)
    console.print(table)


def _mnemonics() -> dict[str, str]:
    return {rule.tag: rule.mnemonic for rule in load_rules().standard.values()}


def _record_rows(record: Record) -> list[tuple[str, str]]:
    summary = summarize_image(record)
    if isinstance(record, Type4Record):
        header = record.header
        rows = [
            ("4.001", str(header.length)),
            ("4.002", str(header.idc)),
            ("4.003", str(header.impression)),
            ("4.004", " ".join(str(f) for f in header.finger_positions)),
            ("4.005", str(header.resolution)),
            ("4.006", str(header.width)),
            ("4.007", str(header.height)),
            ("4.008", str(header.compression)),
        ]
    elif isinstance(record, OpaqueRecord):
        rows = [(f"{record.type}.---", f"<{len(record.raw)} bytes, not interpreted>")]
    else:
        rows = [
            (f"{record.type}.{f.number:03d}", _preview(record, f.number)) for f in record.fields
        ]
    if summary is not None:
        fingers = ",".join(str(f) for f in summary.fingers) or "-"
        rows.append(
            (
                "image",
                f"{summary.compression} {summary.width}x{summary.height} finger {fingers}, "
                f"{summary.size_bytes} bytes",
            )
        )
    return rows


def _preview(record: TaggedRecord, number: int) -> str:
    field = record.field(number)
    if field is None:
        return ""
    if number == 999 and record.binary_data is not None:
        return f"<{len(field.value)} bytes of image data>"
    text = " | ".join(" ".join(items) for items in field.subfields)
    return text if len(text) <= _TEXT_PREVIEW else text[:_TEXT_PREVIEW] + "..."


def _records_json(transaction: Transaction) -> list[dict[str, Any]]:
    result = []
    for index, record in enumerate(transaction.records):
        entry: dict[str, Any] = {"index": index, "type": record.type, "idc": record.idc}
        if isinstance(record, TaggedRecord):
            entry["fields"] = [
                {"tag": f"{record.type}.{f.number:03d}", "value": _field_json(record, f)}
                for f in record.fields
            ]
        elif isinstance(record, Type4Record):
            header = record.header
            entry["header"] = {
                "length": header.length,
                "impression": header.impression,
                "finger_positions": list(header.finger_positions),
                "resolution": header.resolution,
                "width": header.width,
                "height": header.height,
                "compression": header.compression,
            }
        else:
            entry["size_bytes"] = len(record.raw)
        summary = summarize_image(record)
        if summary is not None:
            entry["image"] = {
                "compression": summary.compression,
                "width": summary.width,
                "height": summary.height,
                "fingers": list(summary.fingers),
                "size_bytes": summary.size_bytes,
            }
        result.append(entry)
    return result


def _field_json(record: TaggedRecord, field: Field) -> Any:
    if field.number == 999 and record.binary_data is not None:
        return {"binary_bytes": len(field.value)}
    subfields = field.subfields
    if len(subfields) == 1 and len(subfields[0]) == 1:
        return subfields[0][0]
    return subfields


def _violation_json(violation: Violation) -> dict[str, Any]:
    return {
        "record_index": violation.record_index,
        "tag": violation.tag,
        "mnemonic": violation.mnemonic,
        "rule": violation.rule,
        "message": violation.message,
    }
