"""The public transparency report: how the program works here, whether participation is
mandatory, each jurisdiction's status, the statistics and the monitor's findings; no
personal data. Small cells are suppressed, and the per-jurisdiction counts are also
released with differential privacy (OpenDP's discrete Laplace mechanism) at a stated
epsilon, with the error that adds measured against the true counts.

A release is computed once and stored: noise drawn again for every visitor would let
anyone average it away. The privacy unit is one booking: it adds at most one to each of
a jurisdiction's four released counts (submissions, matches, detainers, removals), so
the L1 sensitivity of a jurisdiction's vector is 4 and the noise scale 4 / epsilon."""

from __future__ import annotations

import math
import statistics as stats
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from securecomm.audit import service as audit_service
from securecomm.exceptions import FieldProblem, InputError
from securecomm.oversight import monitor, participation
from securecomm.oversight import report as program_report
from securecomm.oversight.models import TransparencyRelease
from securecomm.oversight.monitor_store import booking_facts

SMALL_CELL = 10  # counts under this are shown as "<10" in the exact tables
DP_FIGURES = ("submissions", "matches", "detainers", "removed")
SENSITIVITY = len(DP_FIGURES)  # one booking changes each released count by at most one
DEFAULT_EPSILON = 1.0


def suppress(value: int) -> int | str:
    return value if value >= SMALL_CELL or value == 0 else f"<{SMALL_CELL}"


def noisy_counts(true: list[list[int]], *, epsilon: float) -> list[list[int]]:
    """Each row (one jurisdiction's counts) through OpenDP's discrete Laplace mechanism,
    calibrated so the privacy loss of one booking is ``epsilon``; then clamped at zero
    (post-processing, which spends no privacy)."""
    import opendp.prelude as dp

    if not epsilon > 0:
        raise ValueError(f"epsilon must be positive, got {epsilon}")
    dp.enable_features("contrib")  # OpenDP's mechanisms sit behind this flag
    scale = SENSITIVITY / epsilon
    mechanism = dp.m.make_laplace(
        dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int), scale=scale
    )
    spent = float(mechanism.map(SENSITIVITY))  # type: ignore[no-untyped-call]  # untyped binding
    if spent > epsilon + 1e-9:  # the library's own accounting
        raise ValueError(f"the mechanism spends more than epsilon={epsilon}")
    return [[max(0, int(value)) for value in mechanism(row)] for row in true]


def build_release(session: Session, *, epsilon: float, at: datetime) -> dict[str, Any]:
    built = program_report.build(session)
    n = built.cumulative.nationwide
    jurisdictions = built.cumulative.jurisdictions
    true = [[getattr(row.counts, figure) for figure in DP_FIGURES] for row in jurisdictions]
    noisy = noisy_counts(true, epsilon=epsilon)
    errors = [
        abs(a - b) for t, z in zip(true, noisy, strict=True) for a, b in zip(t, z, strict=True)
    ]
    findings = monitor.run(booking_facts(session))
    statements = {p.code: p for p in participation.participation(session, on=at.date())}
    return {
        "published_at": at.isoformat(),
        "epsilon": epsilon,
        "privacy_unit": "one booking",
        "sensitivity": SENSITIVITY,
        "noise_scale": SENSITIVITY / epsilon,
        "nationwide": {
            **{key: suppress(value) for key, value in asdict(n).items()},
            "booked": suppress(n.booked),
        },
        "jurisdictions": [
            {
                "code": row.code,
                "name": row.name,
                "state": row.state,
                "activation_date": row.activation_date.isoformat() if row.activation_date else None,
                "participation": statements[row.code].status if row.code in statements else "",
                "sharing_now": statements[row.code].sharing_now
                if row.code in statements
                else False,
                "exact": {figure: suppress(getattr(row.counts, figure)) for figure in DP_FIGURES},
                "private": dict(zip(DP_FIGURES, counts, strict=True)),
            }
            for row, counts in zip(jurisdictions, noisy, strict=True)
        ],
        "dp_error": {
            "cells": len(errors),
            "mean_absolute_error": round(stats.fmean(errors), 3) if errors else 0.0,
            "max_absolute_error": max(errors, default=0),
            "expected_mean_absolute_error": round(_expected_mae(SENSITIVITY / epsilon), 3),
        },
        "monitor": {
            "bookings": findings.bookings,
            "units_tested": sum(1 for f in findings.findings if f.tests),
            "jurisdictions_flagged": sorted(
                f.unit for f in findings.flagged if f.unit_kind == "jurisdiction"
            ),
            "officers_flagged": sum(1 for f in findings.flagged if f.unit_kind == "officer"),
        },
        "due_process": built.due_process.nationwide.shares(),
        "citizen_safeguards": built.safeguards,
        "revisions": built.revisions,
        "fiscal_years": {
            row.label: {
                key: suppress(getattr(row.counts, key))
                for key in (
                    "removed_level_1",
                    "removed_level_2",
                    "removed_level_3",
                    "removed_non_criminal",
                    "detainers_honoured",
                    "detainers_declined",
                    "detainers_lapsed",
                    "detainers_cancelled",
                )
            }
            for row in built.fiscal_years
        },
    }


def _expected_mae(scale: float) -> float:
    """Mean absolute value of discrete Laplace noise with this scale (before clamping)."""
    q = math.exp(-1.0 / scale)
    return 2 * q / (1 - q * q)


def publish(
    session: Session, *, epsilon: float, publisher: str, at: datetime
) -> TransparencyRelease:
    if not 0.01 <= epsilon <= 10:
        raise InputError([FieldProblem("epsilon", "transparency.epsilon", "between 0.01 and 10")])
    release = TransparencyRelease(
        published_at=at,
        epsilon=epsilon,
        published_by=publisher,
        content=build_release(session, epsilon=epsilon, at=at),
    )
    session.add(release)
    session.flush()
    audit_service.record(
        session,
        kind="transparency.published",
        actor=publisher,
        occurred_at=at,
        summary=f"transparency release {release.id} at epsilon {epsilon}",
    )
    return release


def latest(session: Session) -> TransparencyRelease | None:
    return session.scalars(
        select(TransparencyRelease).order_by(TransparencyRelease.id.desc())
    ).first()
