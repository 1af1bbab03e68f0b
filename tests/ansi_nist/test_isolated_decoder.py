"""The WSQ decoder runs in a child process: a payload that crashes or hangs it costs
only that child, and the next payload is decoded by a fresh one."""

from __future__ import annotations

import io
import signal

import pytest
from PIL import Image

from securecomm.ansi_nist import AnsiNistBuildError, Compression, decode_image, encode_image
from securecomm.ansi_nist._isolated import DecoderCrashError, IsolatedDecoder
from securecomm.ansi_nist.samples import ridge_image


def _wsq(size: int = 128) -> bytes:
    return encode_image(ridge_image(3, size), Compression.WSQ)


def test_a_wsq_payload_decodes_to_the_same_image_as_in_process() -> None:
    data = _wsq()
    isolated = decode_image(data, Compression.WSQ, width=128, height=128)
    with Image.open(io.BytesIO(data)) as direct:
        direct.load()
        assert isolated.tobytes() == direct.convert("L").tobytes()


def test_a_refused_payload_is_a_typed_error() -> None:
    data = bytearray(_wsq())
    for index in range(len(data) // 2, len(data) // 2 + 300):
        data[index] ^= 0x5A
    with pytest.raises(AnsiNistBuildError, match="WSQ"):
        decode_image(bytes(data), Compression.WSQ, width=128, height=128)


def test_a_decoder_that_dies_is_replaced_for_the_next_payload() -> None:
    decoder = IsolatedDecoder(timeout=10)
    try:
        assert decoder.decode(_wsq()).width == 128
        child = decoder._child
        assert child is not None
        child.send_signal(signal.SIGKILL)  # as a heap corruption's abort would
        child.wait()
        with pytest.raises(DecoderCrashError):
            decoder.decode(_wsq())
        assert decoder.decode(_wsq()).height == 128  # a fresh child
    finally:
        decoder.close()


def test_a_decoder_that_hangs_is_killed_after_its_timeout() -> None:
    decoder = IsolatedDecoder(timeout=0.5)
    try:
        decoder.decode(_wsq())
        child = decoder._child
        assert child is not None
        child.send_signal(signal.SIGSTOP)  # stands in for a decoder stuck in a loop
        with pytest.raises(DecoderCrashError, match="no answer"):
            decoder.decode(_wsq())
        assert child.poll() is not None  # it was killed, not left behind
    finally:
        decoder.close()
