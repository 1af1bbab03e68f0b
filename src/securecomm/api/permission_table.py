"""The permission table as people read it, printed from the code (docs/service.md holds
it between markers and a test keeps it current): which role holds which permission, and
what every route and page needs."""

from __future__ import annotations

from fastapi import FastAPI

from securecomm.api.security import endpoints
from securecomm.auth.roles import (
    ROLE_AGENCIES,
    ROLE_PERMISSIONS,
    ROLE_TITLES,
    WRITE_PERMISSIONS,
    Permission,
    Role,
)

START = "<!-- permissions:start (securecomm permissions --markdown) -->"
END = "<!-- permissions:end -->"


def roles_table() -> list[str]:
    roles = list(Role)
    lines = [
        "| permission | " + " | ".join(ROLE_TITLES[r] for r in roles) + " |",
        "| --- |" + " :-: |" * len(roles),
    ]
    for permission in Permission:
        kind = "write" if permission in WRITE_PERMISSIONS else "read"
        cells = ["✓" if permission in ROLE_PERMISSIONS[r] else "" for r in roles]
        lines.append(f"| `{permission.value}` ({kind}) | " + " | ".join(cells) + " |")
    lines += ["", "| role | may be held in |", "| --- | --- |"]
    for role in roles:
        kinds = ", ".join(sorted(k.value.replace("_", " ") for k in ROLE_AGENCIES[role]))
        lines.append(f"| {ROLE_TITLES[role]} | {kinds} |")
    return lines


def routes_table(app: FastAPI) -> list[str]:
    lines = ["| method | path | needs | personal data (audited) |", "| --- | --- | --- | :-: |"]
    for endpoint in sorted(endpoints(app.routes), key=lambda e: (e.path, e.method)):
        (access,) = endpoint.access
        personal = "✓" if access.personal else ""
        lines.append(f"| {endpoint.method} | `{endpoint.path}` | `{access.label}` | {personal} |")
    return lines


def markdown(app: FastAPI) -> str:
    body = [
        START,
        "",
        "### Roles and permissions",
        "",
        *roles_table(),
        "",
        "### What each route and page needs",
        "",
        *routes_table(app),
        "",
        END,
    ]
    return "\n".join(body)
