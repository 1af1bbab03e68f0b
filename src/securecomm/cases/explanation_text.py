"""A case's explanation as plain text, one line per item: what ``securecomm case
explain`` prints (decisions with their rule, inputs, thresholds and era; the timeline)."""

from __future__ import annotations

import json
from typing import Any

from securecomm.cases.schemas import CaseExplanation


def explanation_lines(explanation: CaseExplanation) -> list[str]:
    """The explanation as plain text, one line per item."""
    case = explanation.case
    lines = [
        f"Case {case.id} — booking {case.tcn}, jurisdiction {case.jurisdiction}, "
        f"field office {explanation.field_office}, FIN {explanation.fin}",
        f"State: {case.state}; opened {case.opened_at.isoformat()}",
        f"Status: {explanation.status_category}; match level: {case.match_level}",
        f"Priority: {case.priority_category or 'not a priority'} under {case.scheme_id}; "
        f"discretion: {discretion_text(explanation.discretion)}",
    ]
    lines.extend(_detainer_lines(explanation))
    lines.extend(_custody_lines(explanation))
    if explanation.outcome:
        lines.append(
            f"Outcome: {explanation.outcome} (conviction level {explanation.outcome_level}) "
            f"on {explanation.closed_at.isoformat() if explanation.closed_at else '?'}"
        )
    lines.append("Decisions:")
    for decision in explanation.decisions:
        lines.append(f"  {decision.decided_at.isoformat()}  {decision.kind}: {decision.outcome}")
        for trace in decision.traces:
            lines.append(f"      - {_trace_text(trace)}")
    lines.append("Timeline:")
    for event in explanation.timeline:
        move = f"{event.previous} -> {event.current}" if event.previous else event.current
        lines.append(f"  {event.occurred_at.isoformat()}  {move}: {event.note}")
    return lines


def discretion_text(factors: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in factors.items()) or "none recorded"


def _detainer_lines(explanation: CaseExplanation) -> list[str]:
    detainer = explanation.detainer
    if detainer is None:
        return ["Detainer: none"]
    lines = [
        f"Detainer: {detainer.form} ({'hold' if detainer.requests_hold else 'notify only'}); "
        f"probable cause: {detainer.probable_cause}; warrant: {detainer.warrant or 'none'}; "
        f"lodged {detainer.lodged_at.isoformat()}"
    ]
    if detainer.release_at is not None:
        deadline = detainer.hold_deadline.isoformat() if detainer.hold_deadline else "?"
        lines.append(
            f"  released {detainer.release_at.isoformat()}; hold deadline {deadline}; "
            f"local agency: {detainer.response}"
            + (f" ({detainer.response_note})" if detainer.response_note else "")
        )
    if detainer.cancelled_at is not None:
        lines.append(
            f"  cancelled {detainer.cancelled_at.isoformat()}: {detainer.cancel_reason or ''}"
        )
    return lines


def _custody_lines(explanation: CaseExplanation) -> list[str]:
    custody, hearing = explanation.custody, explanation.hearing
    if custody.custody_at is None:
        return ["Custody: never in ICE custody"]
    ended = custody.custody_ended_at.isoformat() if custody.custody_ended_at else "still held"
    return [
        f"Custody: from {custody.custody_at.isoformat()} (transport run "
        f"{custody.transport_departs_at.isoformat() if custody.transport_departs_at else '?'}), "
        f"bed {custody.bed_number} at {custody.facility_name} ({custody.facility_code}); "
        f"conviction level {custody.conviction_level}; ended {ended}",
        f"Hearing: {hearing.hearing_on} ({hearing.mode}); counsel: {hearing.counsel}"
        + (f" — {hearing.counsel_name}" if hearing.counsel_name else ""),
    ]


def _trace_text(trace: dict[str, Any]) -> str:
    parts = [f"[{trace.get('rule')}] -> {trace.get('outcome')}"]
    if trace.get("era"):
        parts.append(f"era {trace['era']}")
    if trace.get("inputs"):
        parts.append(f"inputs {json.dumps(trace['inputs'], default=str)}")
    if trace.get("thresholds"):
        parts.append(f"thresholds {json.dumps(trace['thresholds'], default=str)}")
    if trace.get("note"):
        parts.append(str(trace["note"]))
    return "; ".join(parts)
