"""``securecomm case ...``: explain, list, the analyst queue, officer actions, and loading
the immigration court's docket (``securecomm capacity`` lives in ``capacity_cli``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from securecomm.cases import analyst as case_analyst
from securecomm.cases import docket as case_docket
from securecomm.cases import explain as case_explain
from securecomm.cases import lodging
from securecomm.cases import officers as case_officers
from securecomm.cases import service as case_service
from securecomm.cases.explanation_text import discretion_text, explanation_lines
from securecomm.cases.models import CaseState
from securecomm.cases.schemas import CaseExplanation, CaseSummary, parse_finding
from securecomm.clitools import audit_read
from securecomm.database import opened_database
from securecomm.domain import StatusCategory
from securecomm.exceptions import SecurecommError
from securecomm.priority.rules import DiscretionFactors, InvalidDiscretionError

app = typer.Typer(help="ICE cases: explain, list, analyst queue, officer actions.")

console = Console(soft_wrap=True, highlight=False)
plain = Console(soft_wrap=True, highlight=False, markup=False)  # traces contain [brackets]
errors = Console(stderr=True)

T = TypeVar("T")

DatabaseOption = Annotated[
    str | None,
    typer.Option("--database-url", help="SQLAlchemy URL; default SECURECOMM_DATABASE_URL."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
CaseIdArgument = Annotated[int, typer.Argument(help="The case number.")]
AtOption = Annotated[
    str | None, typer.Option("--at", help="When it happened (ISO 8601; default now, UTC).")
]


def run_unit(url: str | None, work: Callable[[Session], T]) -> T:
    """Run ``work`` in one unit of work; any product error becomes a message and exit 2."""
    try:
        with opened_database(url) as database, database.session() as session:
            return work(session)
    except (SecurecommError, InvalidDiscretionError) as error:
        errors.print(f"[bold red]error:[/] {error}", highlight=False)
        raise typer.Exit(2) from None


def _moment(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        errors.print(f"[bold red]error:[/] --at: {text!r} is not an ISO 8601 date-time")
        raise typer.Exit(2) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def print_json(payload: Any) -> None:
    typer.echo(json.dumps(payload, indent=2, default=str))


# --------------------------------------------------------------------------- reading


@app.command("list")
def list_cases(
    database_url: DatabaseOption = None,
    state: Annotated[CaseState | None, typer.Option(help="Only cases in this state.")] = None,
    jurisdiction: Annotated[
        str | None, typer.Option(help="Only cases booked in this jurisdiction (code).")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many cases.")] = 100,
    as_json: JsonOption = False,
) -> None:
    """Cases, oldest first, with their priority and detainer."""

    def work(session: Session) -> list[CaseSummary]:
        rows = case_explain.list_summaries(
            session, state=state, jurisdiction=jurisdiction, limit=limit
        )
        audit_read(session, command="case list", records=(f"case:{row.id}" for row in rows))
        return rows

    rows = run_unit(database_url, work)
    if as_json:
        print_json([row.model_dump(mode="json") for row in rows])
        return
    console.print(_summary_table(rows))


def _summary_table(rows: list[CaseSummary]) -> Table:
    table = Table("case", "TCN", "jurisdiction", "state", "opened", "priority", "detainer")
    for row in rows:
        detainer = f"{row.detainer_form} {row.detainer_response or ''}" if row.detainer_form else ""
        rank = f", rank {row.priority_rank}" if row.priority_rank is not None else ""
        priority = f"{row.priority_category or 'none'} ({row.scheme_id}{rank})"
        table.add_row(
            str(row.id),
            row.tcn,
            row.jurisdiction,
            row.state,
            row.opened_at.date().isoformat(),
            priority,
            detainer.strip(),
        )
    return table


@app.command()
def explain(
    case_id: CaseIdArgument, database_url: DatabaseOption = None, as_json: JsonOption = False
) -> None:
    """Every decision on a case with its reasons (rule, inputs, thresholds, era), and the
    case timeline."""

    def work(session: Session) -> CaseExplanation:
        shown = case_explain.explain_case(session, case_id)
        audit_read(session, command="case explain", records=[f"case:{case_id}"])
        return shown

    explanation = run_unit(database_url, work)
    if as_json:
        print_json(explanation.model_dump(mode="json"))
        return
    for line in explanation_lines(explanation):
        plain.print(line)


@app.command()
def queue(database_url: DatabaseOption = None, as_json: JsonOption = False) -> None:
    """The analyst queue: cases whose status the rules could not determine."""

    def work(session: Session) -> list[CaseSummary]:
        cases = case_analyst.analyst_queue(session)
        audit_read(session, command="case queue", records=(f"case:{c.id}" for c in cases))
        return [case_explain.summary_of(session, case) for case in cases]

    rows = run_unit(database_url, work)
    if as_json:
        print_json([row.model_dump(mode="json") for row in rows])
        return
    console.print(_summary_table(rows))


@app.command("work-queue")
def work_queue(
    field_office: Annotated[str | None, typer.Option(help="Only this field office (ORI).")] = None,
    database_url: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """The field office's open detainers, highest enforcement rank first."""

    def work(session: Session) -> list[CaseSummary]:
        cases = case_service.work_queue(session, field_office=field_office)
        audit_read(session, command="case work-queue", records=(f"case:{c.id}" for c in cases))
        return [case_explain.summary_of(session, case) for case in cases]

    rows = run_unit(database_url, work)
    if as_json:
        print_json([row.model_dump(mode="json") for row in rows])
        return
    console.print(_summary_table(rows))


# --------------------------------------------------------------------------- acting


@app.command()
def resolve(
    case_id: CaseIdArgument,
    category: Annotated[StatusCategory, typer.Option(help="The status the analyst found.")],
    evidence: Annotated[str, typer.Option(help="What the finding rests on.")],
    analyst: Annotated[str, typer.Option(help="Who decided.")],
    removable: Annotated[bool, typer.Option("--removable/--not-removable")] = False,
    probable_cause: Annotated[
        str | None, typer.Option(help="Basis for a removable finding.")
    ] = None,
    at: AtOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Resolve an "unable to determine" case: a citizen ends with no action; any other
    status re-runs priority and the detainer decision."""
    moment = _moment(at)

    def work(session: Session) -> str:
        finding = parse_finding(
            {
                "category": category,
                "removable": removable,
                "probable_cause": probable_cause,
                "evidence": evidence,
            }
        )
        case = case_analyst.resolve_analyst_review(
            session, case_id=case_id, finding=finding, analyst=analyst, at=moment
        )
        return case.state.value

    console.print(f"case {case_id}: {run_unit(database_url, work)}")


@app.command("cancel-detainer")
def cancel_detainer(
    case_id: CaseIdArgument,
    reason: Annotated[str, typer.Option(help="Why ICE withdraws the detainer.")],
    officer: Annotated[str, typer.Option(help="Who cancels it.")],
    citizen: Annotated[
        bool, typer.Option("--citizen", help="The person was found to be a U.S. citizen.")
    ] = False,
    at: AtOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """ICE cancels a lodged detainer (and tells the local agency)."""
    moment = _moment(at)
    state = run_unit(
        database_url,
        lambda session: (
            lodging.cancel(
                session,
                case_id=case_id,
                reason=reason,
                officer=officer,
                at=moment,
                citizen_found=citizen,
            ).state.value
        ),
    )
    console.print(f"case {case_id}: {state}")


@app.command()
def discretion(
    case_id: CaseIdArgument,
    officer: Annotated[str, typer.Option(help="Who records the factors.")],
    years_present: Annotated[float | None, typer.Option()] = None,
    arrived_as_child: Annotated[bool, typer.Option("--arrived-as-child")] = False,
    education: Annotated[str | None, typer.Option()] = None,
    military_service: Annotated[bool, typer.Option("--military-service")] = False,
    family_ties: Annotated[bool, typer.Option("--family-ties")] = False,
    age: Annotated[int | None, typer.Option()] = None,
    serious_health_condition: Annotated[bool, typer.Option("--serious-health-condition")] = False,
    victim_or_witness: Annotated[bool, typer.Option("--victim-or-witness")] = False,
    note: Annotated[str, typer.Option()] = "",
    at: AtOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Record prosecutorial-discretion factors, shown beside the priority."""
    moment = _moment(at)

    def work(session: Session) -> dict[str, Any]:
        factors = DiscretionFactors(
            years_present=years_present,
            arrived_as_child=arrived_as_child,
            education=education,
            military_service=military_service,
            family_ties=family_ties,
            age=age,
            serious_health_condition=serious_health_condition,
            victim_or_witness=victim_or_witness,
            note=note,
        )
        case = case_officers.record_discretion(
            session, case_id=case_id, factors=factors, officer=officer, at=moment
        )
        return dict(case.discretion)

    console.print(f"case {case_id}: discretion {discretion_text(run_unit(database_url, work))}")


@app.command()
def counsel(
    case_id: CaseIdArgument,
    name: Annotated[
        str | None, typer.Option(help="Attorney who filed an EOIR-28; omit when withdrawn.")
    ] = None,
    at: AtOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Record representation (a notice of appearance), or its withdrawal."""
    moment = _moment(at)
    shown = run_unit(
        database_url,
        lambda session: (
            case_officers.record_counsel(
                session, case_id=case_id, counsel_name=name, at=moment
            ).counsel
        ),
    )
    console.print(f"case {case_id}: {shown}")


@app.command()
def release(
    case_id: CaseIdArgument,
    officer: Annotated[str, typer.Option(help="Who releases.")],
    bond: Annotated[bool, typer.Option("--bond/--recognizance")] = True,
    at: AtOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Release a detained person on bond or on recognisance."""
    moment = _moment(at)
    state = run_unit(
        database_url,
        lambda session: (
            case_officers.release_from_custody(
                session, case_id=case_id, on_bond=bond, officer=officer, at=moment
            ).state.value
        ),
    )
    console.print(f"case {case_id}: {state}")


@app.command("load-docket")
def load_docket(
    file: Annotated[Path, typer.Argument(help="JSON {FIN: outcome} sent by the court.")],
    database_url: DatabaseOption = None,
) -> None:
    """Store the immigration court's decisions, so workers can record hearing outcomes."""

    def load(session: Session) -> int:
        outcomes = case_docket.read_docket_file(file)
        return case_docket.record(session, outcomes, source=f"file {file.name}"[:64])

    changed = run_unit(database_url, load)
    console.print(f"court docket loaded from {file}: {changed} decisions new or changed")
