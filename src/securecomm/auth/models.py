from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from securecomm.database import Base, EnumText
from securecomm.domain import AgencyRole


class Agency(Base):
    """A participant identified by its ORI: a sheriff, a state bureau, a federal role."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    ori: Mapped[str] = mapped_column(String(9), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[AgencyRole] = mapped_column(EnumText(AgencyRole, 32))
    state: Mapped[str | None] = mapped_column(String(2))
    jurisdiction_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdictions.id"))
