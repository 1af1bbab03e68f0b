"""A hostile or careless booking station: seeded, mutated CAR files.

Used by the intake fuzz test and by ``benchmarks/bench_intake.py``. Each file starts as
a well-formed CAR (minutiae from the synthetic world, or WSQ and PNG images) and is
then damaged the way files are damaged in the field or on purpose: flipped and cut
bytes, corrupt image data, image headers declaring enormous sizes, impossible minutiae
numbers, path characters in the ORI, field values of the wrong type.
"""

from __future__ import annotations

import random
import struct
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

from securecomm.ansi_nist import (
    AnsiNistParseError,
    Charge,
    Compression,
    TaggedRecord,
    Transaction,
    build_car,
    encode,
    parse,
)
from securecomm.ansi_nist.samples import sample_booking


@dataclass(frozen=True)
class HostileFile:
    label: str  # which mutation made it
    raw: bytes


def image_cars(ori: str, dai: str, *, size: int = 256) -> list[bytes]:
    """Well-formed CARs with one rolled finger as WSQ and as PNG, sent by ``ori``."""
    cars = []
    for number, compression in enumerate((Compression.WSQ, Compression.PNG)):
        booking = sample_booking(fingers=1, compression=compression, size=size)
        booking = replace(
            booking,
            tcn=f"HOSTILE{number:03d}IMG",
            charges=(Charge("1313 Assault - simple (MAX 365 DAYS)", booking.arrest_date),),
            originating_agency=ori,
            controlling_agency=ori,
            destination_agency=dai,
        )
        cars.append(encode(build_car(booking)))
    return cars


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose header declares ``width`` x ``height`` and whose data is a few bytes."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    data = zlib.compress(b"\x00" * 64)
    body = b"IDAT" + data
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
        + struct.pack(">I", len(data))
        + body
        + struct.pack(">I", zlib.crc32(body))
        + b"\x00\x00\x00\x00IEND\xaeB`\x82"
    )


def _records(transaction: Transaction, record_type: int) -> list[TaggedRecord]:
    return [r for r in transaction.records if isinstance(r, TaggedRecord) and r.type == record_type]


Mutation = Callable[[bytes, random.Random], bytes | None]


def _flip(raw: bytes, rng: random.Random) -> bytes:
    data = bytearray(raw)
    for _ in range(rng.randint(1, 24)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def _cut(raw: bytes, rng: random.Random) -> bytes:
    return raw[: rng.randrange(1, len(raw))]


def _edit(change: Callable[[Transaction, random.Random], bool]) -> Mutation:
    def mutate(raw: bytes, rng: random.Random) -> bytes | None:
        try:
            transaction = parse(raw)
        except AnsiNistParseError:
            return None
        return encode(transaction) if change(transaction, rng) else None

    return mutate


def _corrupt_image(transaction: Transaction, rng: random.Random) -> bool:
    for record in _records(transaction, 14):
        data = record.binary_data
        if data:
            damaged = bytearray(data)
            start = rng.randrange(len(damaged) // 4, len(damaged))
            for index in range(start, min(len(damaged), start + rng.randint(8, 400))):
                damaged[index] = rng.randrange(256)
            record.set(999, bytes(damaged))
            return True
    return False


def _enormous_png(transaction: Transaction, rng: random.Random) -> bool:
    side = rng.choice((20_000, 13_000, 5_000, 4_097, 65_535))
    for record in _records(transaction, 14):
        record.set(11, "PNG")
        record.set(6, str(side))
        record.set(7, str(side))
        record.set(999, _png_header(side, side))
        return True
    return False


def _bad_minutiae_number(transaction: Transaction, rng: random.Random) -> bool:
    for record in _records(transaction, 9):
        field = rng.choice((128, 129, 131, 135))
        record.set(field, rng.choice(("0", "-1", "abc", "99999999", "", "1e9")))
        return True
    return False


def _path_ori(transaction: Transaction, rng: random.Random) -> bool:
    transaction.type1.set(8, rng.choice(("../../x", "..", "/etc/pw", "A/B/C/D/E", "ÄÖÜ")))
    return True


def _wrong_type(transaction: Transaction, rng: random.Random) -> bool:
    records = [r for r in transaction.records if isinstance(r, TaggedRecord)]
    record = rng.choice(records)
    number = rng.choice([3, 4, 5, 6, 7, 9, 11, 13, 14, 18, 22, 24, 25, 27, 29, 45])
    record.set(number, rng.choice(("", "X" * 300, "-5", "2147483648", "\x7f\x01", "00000000")))
    return True


KINDS: tuple[tuple[str, Mutation], ...] = (
    ("flipped bytes", _flip),
    ("truncated", _cut),
    ("corrupt image data", _edit(_corrupt_image)),
    ("enormous PNG header", _edit(_enormous_png)),
    ("bad minutiae number", _edit(_bad_minutiae_number)),
    ("path in ORI", _edit(_path_ori)),
    ("wrong field value", _edit(_wrong_type)),
)


def _with_tcn(raw: bytes, tcn: str) -> bytes:
    transaction = parse(raw)
    transaction.type1.set(9, tcn)
    return encode(transaction)


def hostile_files(bases: Sequence[bytes], *, count: int, seed: int) -> Iterator[HostileFile]:
    """``count`` damaged files made from ``bases``, the same ones for the same seed. Each
    gets its own TCN before it is damaged, so it reaches the decoders instead of being
    refused as a reused TCN."""
    rng = random.Random(seed)
    made = 0
    while made < count:
        base = _with_tcn(rng.choice(bases), f"FUZZ{seed % 10000:04d}{made:08d}")
        label, mutate = rng.choice(KINDS)
        raw = mutate(base, rng)
        if raw is None or raw == base:
            continue  # that mutation does not apply to this base
        made += 1
        yield HostileFile(label, raw)


def png_bytes(width: int, height: int) -> bytes:
    """A tiny PNG declaring ``width`` x ``height`` (a decompression bomb's header)."""
    return _png_header(width, height)


__all__ = ["HostileFile", "hostile_files", "image_cars", "png_bytes"]
