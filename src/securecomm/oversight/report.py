"""The HTML statistics report."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

import securecomm
from securecomm.oversight.statistics import Statistics


def render_html(statistics: Statistics, *, path: Path, context: dict[str, Any]) -> Path:
    environment = Environment(
        loader=PackageLoader("securecomm.oversight", "templates"),
        autoescape=select_autoescape(["html"]),
    )
    html = environment.get_template("report.html").render(
        statistics=statistics,
        n=statistics.nationwide,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        version=securecomm.__version__,
        **context,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html)
    return path
