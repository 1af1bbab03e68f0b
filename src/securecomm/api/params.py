"""Path parameters every route shares: a record id the store can hold (a 64-bit integer;
anything larger is refused as invalid input, never passed to the database)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

MAX_ID = 2**63 - 1

RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="A record's id.")]
