"""What the demo keeps in the store about its own run, so a killed run can resume."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Mapped, mapped_column

from securecomm.database import Base, EnumText, JSONDict, utcnow


class DemoStage(enum.StrEnum):
    LOADING = "loading"  # the run began; the repositories are not complete yet
    REFERENCE_LOADED = "reference_loaded"  # agencies, repositories and the docket stored
    RECEIVED = "received"  # every event stored as a submission
    FINISHED = "finished"  # the flow ran to its end


class DemoRun(Base):
    """One demo world loaded into this store: its options (the world is rebuilt from them,
    same seed, same world) and how far the run got."""

    __tablename__ = "demo_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    options: Mapped[dict[str, Any]] = mapped_column(JSONDict)
    stage: Mapped[DemoStage] = mapped_column(EnumText(DemoStage, 24))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    runs: Mapped[int] = mapped_column(default=1)  # 1 + the number of resumptions
