"""Errors of the biometric engine, rooted in the product's one hierarchy."""

from __future__ import annotations

from securecomm.exceptions import FieldProblem, InputError, NotFoundError


class TemplateError(InputError):
    """A template (or its bytes) breaks a rule; ``problems`` names the field and the rule."""

    def __init__(self, field: str, rule: str, message: str) -> None:
        self.field = field
        self.rule = rule
        super().__init__([FieldProblem(field, rule, message)], summary="invalid template")


class NoUsableFingerError(InputError):
    """Every finger offered for enrolment or search was unusable (reasons per finger)."""

    def __init__(self, reasons: dict[int, str]) -> None:
        self.reasons = dict(reasons)
        problems = [
            FieldProblem(f"prints[{position}]", "usable_finger", reason)
            for position, reason in sorted(reasons.items())
        ]
        if not problems:
            problems = [FieldProblem("prints", "usable_finger", "no finger was given")]
        super().__init__(problems, summary="no usable finger")


class UnknownSubjectError(NotFoundError, KeyError):
    """A subject id that the gallery does not hold."""

    def __init__(self, subject_id: int) -> None:
        self.subject_id = subject_id
        super().__init__(f"subject {subject_id} is not enrolled in this gallery")

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0])
