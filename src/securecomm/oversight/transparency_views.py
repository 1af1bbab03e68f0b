"""``/api/v1/transparency``: the latest published transparency report, for anyone (no
personal data: small cells suppressed, officers counted but never named); publishing a
new release is a supervisor's act."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from securecomm.api.errors import ERROR_RESPONSES
from securecomm.api.security import PUBLIC, Actor, requires
from securecomm.auth.roles import P
from securecomm.database import utcnow
from securecomm.exceptions import NotFoundError
from securecomm.oversight import charts, transparency

router = APIRouter(prefix="/api/v1", tags=["transparency"], responses=ERROR_RESPONSES)


class PublishIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    epsilon: float = Field(default=transparency.DEFAULT_EPSILON, ge=0.01, le=10)


class ReleaseOut(BaseModel):
    id: int
    content: dict[str, Any]


@router.get("/transparency", response_model=ReleaseOut)
def latest_release(actor: Annotated[Actor, requires(PUBLIC)]) -> ReleaseOut:
    """The transparency report as last published."""
    release = transparency.latest(actor.session)
    if release is None:
        raise NotFoundError("no transparency report has been published yet")
    return ReleaseOut(id=release.id, content=release.content)


@router.post("/oversight/transparency", response_model=ReleaseOut, status_code=201)
def publish(
    body: PublishIn, actor: Annotated[Actor, requires(P.DECIDE_REVIEW, personal=True)]
) -> ReleaseOut:
    """Compute and publish a new release (its private counts are drawn once, now)."""
    release = transparency.publish(
        actor.session, epsilon=body.epsilon, publisher=actor.user.username, at=utcnow()
    )
    return ReleaseOut(id=release.id, content=release.content)


def release_charts(content: dict[str, Any]) -> dict[str, str]:
    """The public page's charts, drawn from the release as published (suppressed cells
    are drawn as zero and said to be)."""
    years = list(content.get("fiscal_years", {}))
    rows = content.get("fiscal_years", {})

    def series(keys: list[tuple[str, str]]) -> list[tuple[str, list[int]]]:
        return [
            (name, [value if isinstance(value := rows[y][key], int) else 0 for y in years])
            for name, key in keys
        ]

    removals = series(
        [
            ("Level 1", "removed_level_1"),
            ("Level 2", "removed_level_2"),
            ("Level 3", "removed_level_3"),
            ("Non-criminal", "removed_non_criminal"),
        ]
    )
    outcomes = series(
        [
            ("Honoured", "detainers_honoured"),
            ("Declined", "detainers_declined"),
            ("Lapsed", "detainers_lapsed"),
            ("Cancelled", "detainers_cancelled"),
        ]
    )
    return {
        "Removals and returns by conviction level, per fiscal year": charts.stacked_bars(
            "Removed and returned, by conviction level",
            years,
            removals,
            colours=charts.LEVEL_COLOURS,
            ylabel="people",
        ),
        "Detainer outcomes per fiscal year": charts.stacked_bars(
            "Detainer outcomes", years, outcomes, colours=charts.OUTCOME_COLOURS, ylabel="detainers"
        ),
    }
