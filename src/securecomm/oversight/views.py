"""``/api/v1/statistics``: the interoperability statistics (nationwide, per state, per
jurisdiction with its activation date), as JSON and as CSV. Aggregate counts only."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from datetime import date
from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel

from securecomm.api.errors import ERROR_RESPONSES
from securecomm.api.security import Actor, requires
from securecomm.auth.roles import P
from securecomm.oversight import statistics

router = APIRouter(prefix="/api/v1", tags=["statistics"], responses=ERROR_RESPONSES)


class CountsOut(BaseModel):
    bookings: int
    submissions: int
    matches: int
    matches_level_1: int
    matches_level_2_3: int
    detainers: int
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
    nationwide: CountsOut
    states: dict[str, CountsOut]
    jurisdictions: list[JurisdictionOut]


@router.get("/statistics", response_model=StatisticsOut)
def get_statistics(actor: Annotated[Actor, requires(P.READ_STATISTICS)]) -> StatisticsOut:
    """Cumulative since activation: submissions, matches by level, detainers, booked into
    ICE custody and removed by conviction level."""
    stats = statistics.compute(actor.session)
    return StatisticsOut(
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
def statistics_csv(actor: Annotated[Actor, requires(P.READ_STATISTICS)]) -> Response:
    """The same figures, one row per jurisdiction, then per state, then the nation."""
    stats = statistics.compute(actor.session)
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
