"""Delivery as files: each outbox message becomes ``<directory>/<recipient ORI>/<file>``.

The file is what the recipient would receive (see :mod:`securecomm.interop.answers`).
Delivery is idempotent on the message key: rendering is deterministic, so a second
delivery of the same message finds the identical file and writes nothing. Files are
written to a temporary name and renamed into place, so a reader (or a crash) never sees
half a file. Should a different message map to a name already taken by other content
(two rejected files claiming the same TCN), it gets the name with a digest of its key
appended rather than overwriting the first.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from securecomm.booking.models import Submission
from securecomm.database import Database
from securecomm.interop.addresses import answer_folder, inside
from securecomm.interop.answers import AnswerFile, answer_context, render_answer
from securecomm.interop.models import OutboxMessage, Transaction
from securecomm.interop.outbox import Transport, deliver_each


class FileTransport:
    """Writes every delivered message as a file in its recipient's folder."""

    def __init__(self, directory: Path, database: Database) -> None:
        self.directory = Path(directory)
        self._database = database

    def __repr__(self) -> str:
        return f"FileTransport(directory={str(self.directory)!r})"

    def deliver(self, message: OutboxMessage) -> None:
        self.place(message)

    def place(self, message: OutboxMessage) -> Path:
        """Write the message's file unless already there; returns where it is. The folder
        is the recipient's ORI only when it is one (``interop.addresses``)."""
        answer = self.render(message)
        folder = inside(self.directory, answer_folder(answer.recipient))
        return write_once(folder, answer, key=message.key)

    def render(self, message: OutboxMessage) -> AnswerFile:
        return render_answer(message, answer_context(self._submission_of(message), message))

    def _submission_of(self, message: OutboxMessage) -> Submission | None:
        with self._database.session() as session:
            submission_id = message.submission_id
            if submission_id is None and message.transaction_id is not None:
                transaction = session.get(Transaction, message.transaction_id)
                submission_id = transaction.submission_id if transaction else None
            if submission_id is None:
                return None
            submission = session.get(Submission, submission_id)
            if submission is not None:
                session.expunge(submission)  # read after the session closes
            return submission


def write_once(folder: Path, answer: AnswerFile, *, key: str) -> Path:
    """Place ``answer`` in ``folder`` atomically; a file with the same bytes is reused."""
    folder.mkdir(parents=True, exist_ok=True)
    inside(folder, answer.name)  # names are sanitised when rendered; checked all the same
    stem, _, suffix = answer.name.rpartition(".")
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]
    candidates = (folder / answer.name, folder / f"{stem}.{digest}.{suffix}")
    for path in candidates:
        if not path.exists():
            _atomic_write(path, answer.content)
            return path
        if path.read_bytes() == answer.content:
            return path
    _atomic_write(candidates[-1], answer.content)  # same key, new content: newest wins
    return candidates[-1]


def _atomic_write(path: Path, content: bytes) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class FanOutTransport:
    """Delivers each message through several transports in turn (e.g. mailbox and files);
    each is idempotent on the key, so a retry after a partial fan-out is harmless."""

    def __init__(self, *transports: Transport) -> None:
        self._transports = transports

    def deliver(self, message: OutboxMessage) -> None:
        self.deliver_batch([message])

    def deliver_batch(self, messages: Sequence[OutboxMessage]) -> None:
        for transport in self._transports:
            deliver_each(transport, messages)


__all__ = ["FanOutTransport", "FileTransport", "write_once"]
