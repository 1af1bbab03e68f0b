"""``securecomm oversight monitor``, ``reviews`` and ``decide``: the profiling monitor
and the supervisor's reviews from the command line."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from securecomm.clitools import DatabaseOption, JsonOption, audit_read, console, operator, run_unit
from securecomm.database import utcnow
from securecomm.oversight import monitor, participation, reviews, safeguards, transparency
from securecomm.oversight.models import ActivationDecision, ReviewState
from securecomm.oversight.monitor_store import booking_facts


def monitor_command(
    scan: Annotated[
        bool,
        typer.Option("--scan", help="Open a review for every flagged unit without one."),
    ] = False,
    show_all: Annotated[
        bool, typer.Option("--all", help="Show every unit tested, not only the flagged.")
    ] = False,
    database_url: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """The disparity and profiling monitor over every booking in the store: per
    jurisdiction and per arresting officer, with the evidence behind every flag."""

    def shown_of(report: monitor.MonitorReport) -> list[monitor.Finding]:
        return report.findings if show_all else report.flagged

    def work(session: Session) -> tuple[monitor.MonitorReport, int]:
        if scan:
            report, opened = reviews.scan(session, actor=operator(), at=utcnow())
            count = len(opened)
        else:
            report, count = monitor.run(booking_facts(session)), 0
        audit_read(
            session,
            command="oversight monitor",
            records=[f"booking:{tcn}" for f in shown_of(report) for tcn in f.examples],
        )
        return report, count

    report, opened = run_unit(database_url, work)
    shown = shown_of(report)
    if as_json:
        payload = {
            "bookings": report.bookings,
            "tests_run": report.tests_run,
            "flagged": [f"{f.unit_kind}:{f.unit}" for f in report.flagged],
            "reviews_opened": opened,
            "findings": [f.evidence() for f in shown if f.tests],
        }
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    console.print(_findings_table(report, shown))
    if scan:
        console.print(f"{opened} reviews opened")


def _findings_table(report: monitor.MonitorReport, shown: list[monitor.Finding]) -> Table:
    table = Table(
        title=f"Profiling monitor: {report.bookings} bookings, {report.tests_run} tests, "
        f"{len(report.flagged)} flagged"
    )
    for heading in ("unit", "jurisdiction", "bookings", "flagged", "evidence (q-value)"):
        table.add_column(heading, justify="right" if heading == "bookings" else "left")
    for finding in shown:
        if not finding.tests:
            continue
        evidence = "; ".join(
            f"{t.test}{f' ({t.group})' if t.group else ''}: {t.observed.rate:.0%} vs "
            f"{t.benchmark.rate:.0%}, q={t.q_value:.3g}"
            for t in finding.significant
        )
        table.add_row(
            f"{finding.unit_kind} {finding.unit}",
            finding.jurisdiction,
            str(finding.bookings),
            "yes" if finding.flagged else "no",
            evidence or "-",
        )
    return table


def reviews_command(
    state: Annotated[ReviewState | None, typer.Option(help="Only reviews in this state.")] = None,
    database_url: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """The profiling reviews the monitor opened and what supervisors decided."""

    def work(session: Session) -> list[dict[str, object]]:
        found = reviews.reviews(session, state=state)
        audit_read(
            session,
            command="oversight reviews",
            records=[f"profiling_review:{r.id}" for r in found],
        )
        return [
            {
                "id": r.id,
                "unit": f"{r.unit_kind.value} {r.unit}",
                "state": r.state.value,
                "opened_at": r.opened_at.isoformat(),
                "decided_by": r.decided_by,
                "note": r.decision_note,
            }
            for r in found
        ]

    rows = run_unit(database_url, work)
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    table = Table(title="Profiling reviews")
    for heading in ("id", "unit", "state", "opened_at", "decided_by", "note"):
        table.add_column(heading)
    for row in rows:
        table.add_row(*(str(row[key] or "") for key in row))
    console.print(table)


def decide_command(
    review_id: Annotated[int, typer.Argument(help="The review's number.")],
    decision: Annotated[ReviewState, typer.Option(help="cleared, training or sharing_suspended.")],
    note: Annotated[str, typer.Option(help="Why, in the supervisor's words.")],
    database_url: DatabaseOption = None,
) -> None:
    """A supervisor's decision on an open review; sharing_suspended stops the flow from
    forwarding the jurisdiction's bookings to the immigration repository from today."""

    def work(session: Session) -> str:
        review = reviews.decide(
            session,
            review_id=review_id,
            decision=decision,
            note=note,
            supervisor=operator(),
            at=utcnow(),
        )
        return f"review {review.id} ({review.unit_kind.value} {review.unit}): {review.state.value}"

    console.print(run_unit(database_url, work))


def citizens_command(database_url: DatabaseOption = None, as_json: JsonOption = False) -> None:
    """The citizen safeguard report: every match to a person with any evidence of U.S.
    citizenship and what happened next; detainers on citizens and on undetermined
    statuses must be zero."""

    def work(session: Session) -> safeguards.SafeguardReport:
        found = safeguards.compute(session)
        audit_read(
            session, command="oversight citizens", records=[f"booking:{r.tcn}" for r in found.rows]
        )
        return found

    found = run_unit(database_url, work)
    if as_json:
        rows = [{**asdict(row), "breach": row.breach} for row in found.rows]
        payload = {"summary": found.summary, "rows": rows}
        sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")
        return
    table = Table(title="Matches to people with evidence of U.S. citizenship, and what followed")
    for heading in ("TCN", "booked", "evidence", "status found", "case", "detainer"):
        table.add_column(heading)
    for row in found.rows:
        table.add_row(
            row.tcn,
            row.booked_at.date().isoformat(),
            ", ".join(reason.replace("_", " ") for reason in row.evidence),
            row.status or "-",
            row.case_state or "-",
            f"[red]{row.detainer}[/]" if row.breach else (row.detainer or "-"),
        )
    console.print(table)
    summary = found.summary
    style = "green" if not any(row.breach for row in found.rows) else "red"
    console.print(
        f"[{style}]detainers on citizens: {summary['detainers_on_citizens']}; on an "
        f"undetermined status: {summary['detainers_on_unable_to_determine']}[/]"
    )


def participation_command(database_url: DatabaseOption = None, as_json: JsonOption = False) -> None:
    """Every jurisdiction's participation, stated plainly, with its history."""
    found = run_unit(
        database_url, lambda session: participation.participation(session, on=utcnow().date())
    )
    if as_json:
        payload = [
            {**asdict(p), "history": [{"on": h.on.isoformat(), "what": h.what} for h in p.history]}
            for p in found
        ]
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    table = Table(title="Participation in fingerprint sharing, by jurisdiction")
    for heading in ("jurisdiction", "sharing now", "status"):
        table.add_column(heading)
    for p in found:
        table.add_row(f"{p.name} ({p.code})", "yes" if p.sharing_now else "no", p.status)
    console.print(table)


def prepare_activation_command(
    code: Annotated[str, typer.Argument(help="The jurisdiction's code (county FIPS).")],
    civil_rights: Annotated[str, typer.Option(help="Civil-rights investigations and findings.")],
    lawsuits: Annotated[str, typer.Option(help="Lawsuits against its police, and outcomes.")],
    training: Annotated[str, typer.Option(help="Training its officers have had.")],
    database_url: DatabaseOption = None,
) -> None:
    """Prepare the pre-activation review (with the monitor's projection) for a
    supervisor to sign."""
    review = run_unit(
        database_url,
        lambda session: participation.prepare_review(
            session,
            code=code,
            civil_rights=civil_rights,
            lawsuits=lawsuits,
            training=training,
            prepared_by=operator(),
            at=utcnow(),
        ),
    )
    console.print(f"activation review {review.id} prepared: {json.dumps(review.projection)}")


def sign_activation_command(
    review_id: Annotated[int, typer.Argument(help="The review's number.")],
    decision: Annotated[ActivationDecision, typer.Option(help="approve or decline.")],
    note: Annotated[str, typer.Option(help="Why, in the supervisor's words.")],
    database_url: DatabaseOption = None,
) -> None:
    """Sign a pre-activation review as the shell account (not the account that prepared
    it: in the service, a supervisor signs); approval activates the jurisdiction today."""
    review = run_unit(
        database_url,
        lambda session: participation.sign_review(
            session,
            review_id=review_id,
            decision=decision,
            note=note,
            supervisor=operator(),
            at=utcnow(),
        ),
    )
    console.print(f"activation review {review.id}: {review.decision}")


def publish_transparency_command(
    epsilon: Annotated[
        float, typer.Option(min=0.01, max=10, help="Privacy loss of one booking per release.")
    ] = transparency.DEFAULT_EPSILON,
    database_url: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Publish the public transparency report (shown at /transparency): statistics with
    small cells suppressed, per-jurisdiction counts with differential privacy, the
    monitor's findings, each jurisdiction's participation."""
    release = run_unit(
        database_url,
        lambda session: transparency.publish(
            session, epsilon=epsilon, publisher=operator(), at=utcnow()
        ),
    )
    if as_json:
        sys.stdout.write(json.dumps(release.content, indent=2) + "\n")
        return
    error = release.content["dp_error"]
    console.print(
        f"transparency release {release.id} published at epsilon {epsilon}: private counts "
        f"off the true ones by {error['mean_absolute_error']} on average "
        f"(expected {error['expected_mean_absolute_error']}, at most {error['max_absolute_error']})"
    )
