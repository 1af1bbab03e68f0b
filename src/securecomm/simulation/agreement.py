"""The flow's federal decisions against the rule oracle's, person by person.

For every booking the flow matched to the right immigration record, the stored status,
priority categories and rank, detainer form and hold, and at release the agency's
answer and ICE custody are compared with what ``simulation/oracle.py`` says should
follow from the person's true facts. Each disagreement names the booking and carries
both explanations: the flow's stored traces and the oracle's reasons.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from securecomm.cases.models import Case, Detainer
from securecomm.interop.models import DecisionRecord, Transaction
from securecomm.simulation import oracle
from securecomm.simulation.runner import SubjectLinks, utc
from securecomm.simulation.scoring import Expectation, ExpectedRelease
from securecomm.simulation.world import World


@dataclass(frozen=True)
class Disagreement:
    tcn: str
    field: str
    flow: object
    oracle: object
    flow_trace: str
    oracle_reasons: str

    def __str__(self) -> str:
        return (
            f"{self.tcn}: {self.field}: flow {self.flow!r}, oracle {self.oracle!r}\n"
            f"    flow:   {self.flow_trace}\n    oracle: {self.oracle_reasons}"
        )


def _notes(records: list[DecisionRecord]) -> str:
    notes = [
        f"{trace.get('rule')}: {trace.get('note') or trace.get('outcome')}"
        for record in records
        for trace in record.traces
    ]
    return " | ".join(notes)[:600]


def _priority_inputs(record: DecisionRecord | None) -> dict[str, Any]:
    if record is None:
        return {}
    for trace in record.traces:
        if str(trace.get("rule", "")).endswith(".priority"):
            inputs = trace.get("inputs", {})
            return inputs if isinstance(inputs, dict) else {}
    return {}


def _flow_view(
    transaction: Transaction, case: Case | None, records: dict[str, DecisionRecord]
) -> dict[str, object]:
    inputs = _priority_inputs(records.get("priority"))
    detainer: Detainer | None = case.detainer if case is not None else None
    return {
        "status": transaction.status_category,
        "categories": frozenset(inputs.get("categories", [])),
        "rank": inputs.get("rank"),
        "form": str(detainer.form) if detainer is not None else None,
        "requests_hold": bool(detainer and detainer.requests_hold),
        "warrant": detainer.warrant if detainer is not None else None,
    }


def _oracle_view(expected: oracle.Expected) -> dict[str, object]:
    return {
        "status": expected.status.value,
        "categories": expected.categories,
        "rank": expected.rank,
        "form": expected.form,
        "requests_hold": expected.requests_hold,
        "warrant": expected.warrant,
    }


def _release_view(case: Case | None) -> dict[str, object]:
    detainer = case.detainer if case is not None else None
    custody = case.custody_at if case is not None else None
    return {
        "answer": str(detainer.response) if detainer and detainer.response else None,
        "custody_at": utc(custody) if custody is not None else None,
        "custody_level": case.custody_level if case is not None else None,
    }


def _expected_release(release: ExpectedRelease) -> dict[str, object]:
    return {
        "answer": release.answer,
        "custody_at": release.custody_at,
        "custody_level": release.level,
    }


@dataclass
class Agreement:
    """How many bookings were compared (by policy era), and where they differ."""

    compared: int = 0
    by_scheme: Counter[str] = field(default_factory=Counter)
    releases_compared: int = 0
    items: list[Disagreement] = field(default_factory=list)


def compare(
    session: Session, world: World, links: SubjectLinks, expectation: Expectation
) -> Agreement:
    """Every field where the flow and the oracle differ, in booking order."""
    report = Agreement()
    found = report.items
    for transaction in session.scalars(select(Transaction).order_by(Transaction.id)):
        expected = expectation.decisions.get(transaction.tcn)
        person = world.truth.booking_person.get(transaction.tcn)
        subject = transaction.immigration_subject_id
        if expected is None or subject is None or links.immigration.get(subject) != person:
            continue  # not searched, or an identification error (scored elsewhere)
        case = session.scalar(select(Case).where(Case.transaction_id == transaction.id))
        records = {
            record.kind: record
            for record in session.scalars(
                select(DecisionRecord).where(DecisionRecord.transaction_id == transaction.id)
            )
        }
        if case is not None and "detainer_after_review" in _case_kinds(session, case):
            continue  # an analyst decided by hand after the rules could not
        report.compared += 1
        report.by_scheme[expected.scheme] += 1
        reasons = "; ".join(expected.reasons)
        trace = _notes(list(records.values()))
        flow, want = _flow_view(transaction, case, records), _oracle_view(expected)
        found.extend(
            Disagreement(transaction.tcn, name, flow[name], want[name], trace, reasons)
            for name in want
            if flow[name] != want[name]
        )
        release = expectation.releases.get(transaction.tcn)
        if release is None:
            continue
        report.releases_compared += 1
        got, should = _release_view(case), _expected_release(release)
        found.extend(
            Disagreement(transaction.tcn, name, got[name], should[name], trace, reasons)
            for name in should
            if got[name] != should[name]
        )
    return report


def _case_kinds(session: Session, case: Case) -> set[str]:
    return set(
        session.scalars(select(DecisionRecord.kind).where(DecisionRecord.case_id == case.id))
    )


__all__ = ["Agreement", "Disagreement", "compare"]
