"""``/api/v1/statistics``: the interoperability statistics (nationwide, per state, per
jurisdiction with its activation date), as JSON and as CSV. Aggregate counts only."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from securecomm.api.errors import ERROR_RESPONSES
from securecomm.api.security import Actor, requires
from securecomm.auth.roles import P
from securecomm.oversight import periods, report, statistics

router = APIRouter(prefix="/api/v1", tags=["statistics"], responses=ERROR_RESPONSES)


class CountsOut(BaseModel):
    bookings: int
    submissions: int
    matches: int
    matches_level_1: int
    matches_level_2_3: int
    detainers: int
    detainers_honoured: int
    detainers_declined: int
    detainers_lapsed: int
    detainers_cancelled: int
    booked_level_1: int
    booked_level_2: int
    booked_level_3: int
    booked_non_criminal: int
    removed: int
    removed_level_1: int
    removed_level_2: int
    removed_level_3: int
    removed_non_criminal: int


class JurisdictionOut(BaseModel):
    code: str
    name: str
    state: str
    activation_date: date | None
    counts: CountsOut


class StatisticsOut(BaseModel):
    through: date | None
    nationwide: CountsOut
    states: dict[str, CountsOut]
    jurisdictions: list[JurisdictionOut]


Through = Annotated[
    date | None,
    Query(description="As-of date (inclusive); default: everything on record."),
]


def _window(through: date | None) -> periods.Window:
    return periods.everything() if through is None else periods.through(through)


@router.get("/statistics", response_model=StatisticsOut)
def get_statistics(
    actor: Annotated[Actor, requires(P.READ_STATISTICS)], through: Through = None
) -> StatisticsOut:
    """Cumulative since activation: submissions, matches by level, detainers and their
    outcomes, booked into ICE custody and removed by conviction level."""
    stats = statistics.compute(actor.session, _window(through))
    return StatisticsOut(
        through=through,
        nationwide=CountsOut(**asdict(stats.nationwide)),
        states={state: CountsOut(**asdict(counts)) for state, counts in stats.states.items()},
        jurisdictions=[
            JurisdictionOut(
                code=row.code,
                name=row.name,
                state=row.state,
                activation_date=row.activation_date,
                counts=CountsOut(**asdict(row.counts)),
            )
            for row in stats.jurisdictions
        ],
    )


@router.get(
    "/statistics.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}}
)
def statistics_csv(
    actor: Annotated[Actor, requires(P.READ_STATISTICS)], through: Through = None
) -> Response:
    """The same figures, one row per jurisdiction, then per state, then the nation."""
    stats = statistics.compute(actor.session, _window(through))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["level", "code", "name", "state", "activation_date", *statistics.COLUMNS])
    for row in stats.jurisdictions:
        figures = asdict(row.counts)
        writer.writerow(
            [
                "jurisdiction",
                row.code,
                row.name,
                row.state,
                row.activation_date or "",
                *(figures[c] for c in statistics.COLUMNS),
            ]
        )
    for state, counts in stats.states.items():
        figures = asdict(counts)
        writer.writerow(["state", state, "", state, "", *(figures[c] for c in statistics.COLUMNS)])
    figures = asdict(stats.nationwide)
    writer.writerow(["nation", "", "", "", "", *(figures[c] for c in statistics.COLUMNS)])
    return Response(buffer.getvalue(), media_type="text/csv")


@router.get(
    "/statistics/report.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def statistics_pdf(
    actor: Annotated[Actor, requires(P.READ_STATISTICS)], through: Through = None
) -> Response:
    """The whole report as published, with charts, due-process figures and every period."""
    built = report.build(actor.session, through=through)
    return Response(
        report.pdf_bytes(built),
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="statistics-report.pdf"'},
    )
