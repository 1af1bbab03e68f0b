"""One page of a query's rows, and how many rows the whole query has."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


def count(session: Session, query: Select[*tuple[Any, ...]]) -> int:
    """How many rows ``query`` returns (its ordering dropped)."""
    counted = select(func.count()).select_from(query.order_by(None).subquery())
    return int(session.scalar(counted) or 0)


def page_of(
    session: Session,
    query: Select[*tuple[Any, ...]],
    *,
    limit: int,
    offset: int,
    entities: bool = True,
) -> tuple[list[Any], int]:
    """``limit`` rows of ``query`` after ``offset`` (entities when it selects one, rows
    otherwise) and the total."""
    window = query.limit(limit).offset(offset)
    rows = list(session.scalars(window)) if entities else list(session.execute(window).all())
    return rows, count(session, query)
