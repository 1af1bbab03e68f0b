"""Pages of results: ``?limit=&offset=`` in, ``{items, total, limit, offset}`` out."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import Select
from sqlalchemy.orm import Session

from securecomm.database.paging import page_of

T = TypeVar("T")
MAX_LIMIT = 500


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class Window(BaseModel):
    limit: int
    offset: int


def window(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")] = 0,
) -> Window:
    return Window(limit=limit, offset=offset)


def fetch(session: Session, query: Select[Any], at: Window) -> tuple[list[Any], int]:
    """One page of ``query``'s entities and the total."""
    return page_of(session, query, limit=at.limit, offset=at.offset)
