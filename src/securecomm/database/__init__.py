"""Engine, sessions and migrations. SQLite by default, PostgreSQL by URL."""

from securecomm.database.base import Base, JSONDict, utcnow
from securecomm.database.engine import (
    Database,
    open_database,
)

__all__ = ["Base", "Database", "JSONDict", "open_database", "utcnow"]
