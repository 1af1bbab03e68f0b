"""Structured logs: one JSON object a line, the TCN as correlation id, no personal data.

What is logged is operational (routes as their templates, states, timings, error
classes); names, dates of birth, FINs and FBI numbers never are. Code that works on one
booking sets :data:`correlation` to its TCN, and every line logged meanwhile carries it.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

correlation: ContextVar[str | None] = ContextVar("securecomm_tcn", default=None)

# LogRecord attributes that are the record's own, not extras a caller passed.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        tcn = correlation.get()
        if tcn is not None:
            entry["tcn"] = tcn
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
            entry["trace"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure(style: Literal["json", "text"] = "json", level: int = logging.INFO) -> None:
    """Send securecomm's logs to standard error, as JSON lines or as plain text."""
    handler = logging.StreamHandler(sys.stderr)
    if style == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger("securecomm")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
