"""Errors raised by the ANSI/NIST-ITL codec and message builders.

::

    SecurecommError (and ValueError, for callers that catch that)
     ├── AnsiNistParseError   bytes that are not a valid traditional-encoding transaction
     ├── AnsiNistBuildError   a value that cannot be written (separator inside text, bad tag ...)
     └── NletsParseError      an IAQ/IAR text that does not follow the Nlets layout
"""

from __future__ import annotations

from securecomm.exceptions import SecurecommError


class AnsiNistParseError(SecurecommError, ValueError):
    """The only exception the parser raises: where it stopped and why.

    ``offset`` is the byte offset in the input where the problem was found,
    ``record_index`` the 0-based record being read (``None`` before the first),
    ``tag`` the field tag being read (``None`` when not inside a field).
    """

    def __init__(
        self,
        reason: str,
        *,
        offset: int,
        record_index: int | None = None,
        tag: str | None = None,
    ) -> None:
        self.reason = reason
        self.offset = offset
        self.record_index = record_index
        self.tag = tag
        where = f"byte {offset}"
        if record_index is not None:
            where += f", record {record_index}"
        if tag is not None:
            where += f", field {tag}"
        super().__init__(f"{reason} ({where})")


class AnsiNistBuildError(SecurecommError, ValueError):
    """A value given to a builder or setter that cannot be encoded; names the field and rule."""

    def __init__(self, tag: str, reason: str) -> None:
        self.tag = tag
        self.reason = reason
        super().__init__(f"{tag}: {reason}")


class NletsParseError(SecurecommError, ValueError):
    """An Nlets IAQ/IAR text that cannot be read; names the segment and the reason."""

    def __init__(self, segment: str, reason: str) -> None:
        self.segment = segment
        self.reason = reason
        super().__init__(f"{segment}: {reason}")
