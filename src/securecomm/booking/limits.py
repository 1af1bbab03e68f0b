"""Intake limits checked before a submission is parsed (size, JSON nesting depth).

A file over its limit is still recorded, as its first bytes, its size and its digest,
so the refusal can be reviewed; it is never parsed, so no oversized or deeply nested
input reaches a decoder. Each limit is a setting and is named in the error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from securecomm.exceptions import FieldProblem

KEPT_PREFIX_BYTES = 64 * 1024  # what is kept of a file refused for its size


@dataclass(frozen=True)
class IntakeLimits:
    max_submission_bytes: int
    max_json_bytes: int
    max_json_depth: int

    @classmethod
    def from_settings(cls) -> IntakeLimits:
        from securecomm.config import get_settings

        settings = get_settings()
        return cls(settings.max_submission_bytes, settings.max_json_bytes, settings.max_json_depth)

    def size_limit(self, *, is_json: bool) -> tuple[int, str]:
        if is_json:
            return self.max_json_bytes, "SECURECOMM_MAX_JSON_BYTES"
        return self.max_submission_bytes, "SECURECOMM_MAX_SUBMISSION_BYTES"


def size_problem(size: int, limits: IntakeLimits, *, is_json: bool) -> FieldProblem | None:
    limit, setting = limits.size_limit(is_json=is_json)
    if size <= limit:
        return None
    return FieldProblem(
        "(submission)",
        "securecomm.max_bytes",
        f"{size} bytes is more than the {limit} bytes a submission may hold ({setting})",
    )


_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)  # unrolled: linear time
_BRACKET = re.compile(rb"[\[\]{}]")


def json_depth(raw: bytes, stop_at: int) -> int:
    """Nesting depth of a JSON text, counted without parsing it (stops past ``stop_at``):
    strings are blanked out, then only brackets are looked at."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub(b'""', raw)):
        if match.group() in (b"[", b"{"):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop_at:
                    return deepest
        else:
            depth -= 1
    return deepest


def depth_problem(raw: bytes, limits: IntakeLimits) -> FieldProblem | None:
    if json_depth(raw, limits.max_json_depth) <= limits.max_json_depth:
        return None
    return FieldProblem(
        "(document)",
        "securecomm.max_json_depth",
        f"JSON nested deeper than {limits.max_json_depth} levels (SECURECOMM_MAX_JSON_DEPTH)",
    )


__all__ = [
    "KEPT_PREFIX_BYTES",
    "IntakeLimits",
    "depth_problem",
    "json_depth",
    "size_problem",
]
