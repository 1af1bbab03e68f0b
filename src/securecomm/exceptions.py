"""One exception hierarchy for the whole product.

::

    SecurecommError
     ├── ConfigurationError        settings or data files that cannot be used
     ├── InputError                bad input from outside; carries field-level problems
     │    └── BookingRejectedError a booking that failed validation (ERRT sent, raw kept)
     ├── NotFoundError             a record asked for by id/number does not exist
     ├── IllegalTransitionError    a state machine refused a move
     └── PermissionDeniedError     a role tried something only another role may do

Domain packages may subclass these; callers (CLI, API) catch ``SecurecommError``
and show its message, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


class SecurecommError(Exception):
    """Base of every error the product raises on purpose."""


class ConfigurationError(SecurecommError):
    pass


@dataclass(frozen=True)
class FieldProblem:
    """One violated rule on one input field."""

    field: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message} [{self.rule}]"


class InputError(SecurecommError):
    def __init__(self, problems: list[FieldProblem], summary: str = "invalid input") -> None:
        self.problems = problems
        lines = "; ".join(str(p) for p in problems)
        super().__init__(f"{summary}: {lines}" if problems else summary)


class BookingRejectedError(InputError):
    pass


class NotFoundError(SecurecommError):
    pass


class IllegalTransitionError(SecurecommError):
    def __init__(self, machine: str, current: str, requested: str) -> None:
        self.machine, self.current, self.requested = machine, current, requested
        super().__init__(f"{machine}: cannot move from {current!r} to {requested!r}")


class PermissionDeniedError(SecurecommError):
    """Refused by the permission layer; ``problems`` name the field that asked for more
    than the user may (the sender of a file, for example), where there is one."""

    def __init__(self, message: str, problems: list[FieldProblem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []
