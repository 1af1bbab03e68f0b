"""Engine, sessions and migrations. SQLite by default, PostgreSQL by URL."""

from securecomm.database.base import Base, EnumText, JSONDict, utcnow
from securecomm.database.engine import (
    Database,
    maintenance_warnings,
    open_database,
    opened_database,
    refresh_statistics,
)

__all__ = [
    "Base",
    "Database",
    "EnumText",
    "JSONDict",
    "maintenance_warnings",
    "open_database",
    "opened_database",
    "refresh_statistics",
    "utcnow",
]
