"""Agency identifiers that become folder names: checked against their field's pattern.

An ORI (ANSI/NIST-ITL field 1.008, EBTS: nine alphanumeric characters) read from a
message decides which folder its answer is written to; anything else (``../../x``, an
empty or over-long value) is answered into the ``UNKNOWN`` folder instead, and every
path is checked to resolve inside its root.
"""

from __future__ import annotations

import re
from pathlib import Path

ORI_PATTERN = re.compile(r"[A-Z0-9]{9}")
UNKNOWN_FOLDER = "UNKNOWN"


class UnsafePathError(ValueError):
    """A path built from message fields would leave its root folder."""


def is_ori(text: str | None) -> bool:
    return text is not None and ORI_PATTERN.fullmatch(text) is not None


def answer_folder(ori: str | None) -> str:
    """The folder answers for ``ori`` go to: the ORI itself when it is one."""
    return ori if ori is not None and is_ori(ori) else UNKNOWN_FOLDER


def inside(root: Path, *parts: str) -> Path:
    """``root/parts...``, refused unless it resolves inside ``root``."""
    base = root.resolve()
    path = base.joinpath(*parts).resolve()
    if path != base and base not in path.parents:
        raise UnsafePathError(f"{'/'.join(parts)!r} leaves {root}")
    return path


__all__ = ["ORI_PATTERN", "UNKNOWN_FOLDER", "UnsafePathError", "answer_folder", "inside", "is_ori"]
