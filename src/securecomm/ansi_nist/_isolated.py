"""Image decoding in a child process, for codecs that untrusted bytes can crash.

The WSQ decoder is C code that hostile data can drive into corrupting its heap (seen
in the intake fuzz run: ``free(): invalid next size``, then abort). A crash like that
would take the worker and every booking after it down with it. So WSQ payloads are
decoded by a child process (``python -m securecomm.ansi_nist._isolated``): the child
opens the payload with Pillow (its public API) and returns 8-bit gray pixels; if it
dies or hangs only it is lost, the parent names the bad payload in a typed error and
starts a fresh child for the next one.

Frames on the pipes: the parent sends ``<length:4><payload>``; the child answers
``O<width:4><height:4><pixels>`` or ``E<length:4><message>`` (big-endian lengths).
"""

from __future__ import annotations

import atexit
import contextlib
import io
import os
import select
import struct
import subprocess
import sys
import threading
from dataclasses import dataclass
from typing import IO

DECODE_SECONDS = 20.0  # far above any real ten-print image (WSQ decodes in milliseconds)
_LENGTH = struct.Struct(">I")
_SIZE = struct.Struct(">II")


class DecoderCrashError(RuntimeError):
    """The child decoding a payload died or did not answer in time."""


@dataclass(frozen=True)
class Decoded:
    width: int
    height: int
    pixels: bytes  # 8-bit gray, row-major


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    chunks = []
    while size:
        chunk = stream.read(size)
        if not chunk:
            raise EOFError("pipe closed")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


class IsolatedDecoder:
    """One child process decoding payloads one at a time; replaced when it dies."""

    def __init__(self, timeout: float = DECODE_SECONDS) -> None:
        self._timeout = timeout
        self._lock = threading.Lock()
        self._child: subprocess.Popen[bytes] | None = None

    def decode(self, data: bytes) -> Decoded:
        """The decoded image; ``ValueError`` for a payload the codec refuses,
        :class:`DecoderCrashError` when the decoder crashed or hung on it."""
        with self._lock:
            child = self._child or self._start()
            assert child.stdin is not None
            assert child.stdout is not None
            try:
                child.stdin.write(_LENGTH.pack(len(data)) + data)
                child.stdin.flush()
                ready, _, _ = select.select([child.stdout], [], [], self._timeout)
                if not ready:
                    self._stop()
                    raise DecoderCrashError(f"no answer within {self._timeout:.0f} s")
                status = _read_exactly(child.stdout, 1)
                if status == b"O":
                    width, height = _SIZE.unpack(_read_exactly(child.stdout, _SIZE.size))
                    return Decoded(width, height, _read_exactly(child.stdout, width * height))
                (length,) = _LENGTH.unpack(_read_exactly(child.stdout, _LENGTH.size))
                message = _read_exactly(child.stdout, length).decode("utf-8", "replace")
            except (EOFError, BrokenPipeError, ConnectionResetError, OSError) as error:
                code = self._stop()
                raise DecoderCrashError(f"the decoder died ({code})") from error
        raise ValueError(message)

    def _start(self) -> subprocess.Popen[bytes]:
        self._child = subprocess.Popen(
            [sys.executable, "-m", "securecomm.ansi_nist._isolated"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # the C decoder prints its complaints here
        )
        return self._child

    def _stop(self) -> str:
        child, self._child = self._child, None
        if child is None:
            return "not running"
        if child.poll() is None:
            child.kill()
            child.wait(5)
        for stream in (child.stdin, child.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):  # unflushed bytes to a dead child
                    stream.close()
        return f"exit code {child.returncode}"

    def close(self) -> None:
        """End the child: EOF on its input lets it exit by itself; a stuck one is killed."""
        with self._lock:
            child = self._child
            if child is None:
                return
            if child.stdin is not None:
                with contextlib.suppress(OSError):
                    child.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(2)
            self._stop()


_SHARED = IsolatedDecoder()
atexit.register(_SHARED.close)


def decode_isolated(data: bytes) -> Decoded:
    """Decode ``data`` in the shared child process."""
    return _SHARED.decode(data)


def _answer(data: bytes) -> bytes:
    import wsq  # noqa: F401  (registers the codec with Pillow)
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            gray = opened if opened.mode == "L" else opened.convert("L")
            return b"O" + _SIZE.pack(gray.width, gray.height) + gray.tobytes()
    except Exception as error:  # reported to the parent, which raises it typed
        message = f"{type(error).__name__}: {error}".encode("utf-8", "replace")[:2000]
        return b"E" + _LENGTH.pack(len(message)) + message


def _serve() -> None:  # pragma: no cover - runs in the child
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            (length,) = _LENGTH.unpack(_read_exactly(source, _LENGTH.size))
            data = _read_exactly(source, length)
        except EOFError:
            return
        sink.write(_answer(data))
        sink.flush()


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    _serve()


__all__ = ["Decoded", "DecoderCrashError", "IsolatedDecoder", "decode_isolated"]
