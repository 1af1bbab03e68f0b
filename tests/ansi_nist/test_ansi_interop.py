"""Interoperability with ``nistitl``, an independent ANSI/NIST-ITL implementation."""

from __future__ import annotations

import nistitl
from ansi_helpers import ridge_image

from securecomm.ansi_nist import (
    Compression,
    TaggedRecord,
    Transaction,
    Type4Header,
    Type4Record,
    decode_image,
    dump,
    encode,
    encode_image,
    parse,
)


def test_nistitl_reads_the_car_we_write(car_bytes: bytes) -> None:
    ours = parse(car_bytes)
    message = nistitl.Message()
    message.parse(car_bytes)
    assert len(message) == len(ours.records) == 16
    assert message.TOT == "CAR"
    assert message[0].TCN == "TX20240101000001"
    assert message[(2, 0)][18].value == "DOE,JOHN Q"
    assert [[sub.value for sub in message[(2, 0)][47]]] == [
        [["20231231", "SIMPLE ASSAULT"], ["", "RESISTING ARREST"]]
    ]
    for record in ours.tagged(14):
        theirs = message[(14, int(record.get(2) or ""))]
        assert theirs[13].value == record.get(13)
        assert theirs[999].value == record.binary_data


def test_nistitl_reads_our_type4_records() -> None:
    type1 = TaggedRecord(1)
    for number, value in ((2, "0500"), (3, "1"), (4, "CAR"), (5, "20240102"), (7, "TXSIB0000")):
        type1.set(number, value)
    for number, value in ((8, "TX1010000"), (9, "TX2024000001"), (11, "19.69"), (12, "19.69")):
        type1.set(number, value)
    wsq_bytes = encode_image(ridge_image(5, 200), Compression.WSQ)
    header = Type4Header(0, 1, 1, bytes([3, 255, 255, 255, 255, 255]), 0, 200, 200, 1)
    data = encode(Transaction([type1, Type4Record(header, wsq_bytes)]))
    message = nistitl.Message()
    message.parse(data)
    record = message[1]
    assert (record.type, record.IDC) == (4, 1)
    imp, fgp, isr, hll, vll, cga, image = record.unpack(">B6sBHHB")
    assert (imp, fgp[0], isr, hll, vll, cga) == (1, 3, 0, 200, 200, 1)
    assert image == wsq_bytes


def _nistitl_message() -> tuple[bytes, bytes, bytes]:
    png = encode_image(ridge_image(6, 120), Compression.PNG)
    wsq_bytes = encode_image(ridge_image(7, 200), Compression.WSQ)
    message = nistitl.Message()
    message.TOT = "CAR"
    message[0].DAT = "20240102"
    message[0].TCN = "NISTITL000001"
    type2 = nistitl.AsciiRecord(2)
    type2.IDC = 0
    type2 += nistitl.Field(2, 18, "ROE,JANE")
    type2 += nistitl.Field(2, 47, [["20240101", "THEFT"], ["", "TRESPASS"]])
    message += type2
    type4 = nistitl.BinaryRecord(4)
    type4.IDC = 1
    type4.pack(">BBBBBBBBHHB", 1, 2, 255, 255, 255, 255, 255, 0, 200, 200, 1, wsq_bytes)
    message += type4
    type14 = nistitl.AsciiRecord(14)
    type14.IDC = 2
    type14 += nistitl.Field(14, 11, "PNG")
    type14 += nistitl.Field(14, 13, "7")
    type14._999 = png
    message += type14
    return message.NIST, wsq_bytes, png


def test_we_read_what_nistitl_writes() -> None:
    data, wsq_bytes, png = _nistitl_message()
    transaction = parse(data)
    assert dump(transaction) == data
    assert [r.type for r in transaction.records] == [1, 2, 4, 14]
    assert transaction.get("1.009") == "NISTITL000001"
    assert transaction.get("2.018") == "ROE,JANE"
    type2 = next(transaction.tagged(2))
    assert type2.field(47).subfields == [["20240101", "THEFT"], ["", "TRESPASS"]]
    type4 = transaction.records[2]
    assert isinstance(type4, Type4Record)
    assert (type4.header.fingers, type4.header.width, type4.header.compression) == ([2], 200, 1)
    assert type4.data == wsq_bytes
    type14 = transaction.records[3]
    assert isinstance(type14, TaggedRecord)
    assert type14.binary_data == png
    image = decode_image(png, Compression.PNG, width=120, height=120)
    assert image.tobytes() == ridge_image(6, 120).tobytes()
