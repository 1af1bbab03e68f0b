"""Outbox messages as files: ANSI/NIST answers echo the TCN and swap ORI/DAI, Nlets texts
parse back, and FileTransport writes each message once, atomically."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from securecomm.ansi_nist import ReplyTo, parse, parse_iaq
from securecomm.database import Database
from securecomm.interop.answers import AnswerContext, render_answer
from securecomm.interop.file_transport import FanOutTransport, FileTransport
from securecomm.interop.models import OutboxMessage

AT = datetime(2012, 3, 4, 5, 6, 7, tzinfo=UTC)
REPLY = ReplyTo(
    submission_tcn="TX20120304000001",
    submitter_ori="TX1010000",
    responder_ori="TXSIB0000",
    name="DOE,JOHN",
    controlling_agency="TX1010000",
)


def message(kind: str, payload: dict[str, Any], *, recipient: str = "TX1010000") -> OutboxMessage:
    return OutboxMessage(
        key=f"TX20120304000001:{kind}:{recipient}",
        message_type=kind,
        sender="CJIS00000",
        recipient=recipient,
        created_at=AT,
        payload=payload,
    )


def test_sre_echoes_the_tcn_and_swaps_ori_and_dai() -> None:
    sre = message("SRE", {"tcr": "TX20120304000001", "srf": "I", "fbi": "123456AB1", "sid": None})
    answer = render_answer(sre, AnswerContext(REPLY))
    assert answer.name == "TX20120304000001.SRE.an2"
    assert answer.recipient == "TX1010000"
    transaction = parse(answer.content)
    assert transaction.tot == "SRE"
    assert transaction.type1.get(10) == "TX20120304000001"
    assert (transaction.type1.get(7), transaction.type1.get(8)) == ("TX1010000", "TXSIB0000")
    assert (transaction.get("2.059"), transaction.get("2.014")) == ("I", "123456AB1")
    assert render_answer(sre, AnswerContext(REPLY)).content == answer.content  # deterministic


def test_errt_lists_every_problem_and_says_how_many_were_cut() -> None:
    problems = [
        {"field": f"2.{n:03d} X", "rule": "an2011.length", "message": "too long"} for n in range(13)
    ]
    errt = render_answer(message("ERRT", {"problems": problems}), AnswerContext(REPLY))
    type2 = next(parse(errt.content).tagged(2))
    lines = [sub[0] for sub in type2.field(60).subfields]  # type: ignore[union-attr]
    assert len(lines) == 11
    assert lines[0] == "2.000 X: too long [an2011.length]"
    assert lines[-1] == "... and 3 more problems"


def test_idr_no_match_and_iaq_and_iar_texts() -> None:
    no_match = parse(render_answer(message("IDR-NM", {}), AnswerContext(REPLY)).content)
    assert (no_match.tot, no_match.get("2.059")) == ("IDR", "N")
    iaq_payload = {
        "pur": "C",
        "atn": "TX1010000",
        "nam": "DOE,JOHN",
        "dob": "19800517",
        "sex": "M",
        "pob": "MX",
        "cus": "Y",
        "off": "2399",
        "arn": "A012345678",
    }
    iaq = render_answer(message("IAQ", iaq_payload, recipient="VTICE0900"), AnswerContext(REPLY))
    assert iaq.name == "TX20120304000001.IAQ.txt"
    query = parse_iaq(iaq.content.decode())
    assert (query.destination_ori, query.originating_ori) == ("VTICE0900", "CJIS00000")
    assert (query.offence_code, query.a_number, query.phone) == ("2399", "A012345678", "NONE")


def test_an_iar_without_the_booking_is_kept_as_json_with_the_reason() -> None:
    payload = {"idr": {"fin": "F1"}, "iar": {"status": "overstay", "evidence": ["a. b/c"]}}
    answer = render_answer(message("IDR-IAR", payload), AnswerContext(REPLY))
    assert answer.name == "TX20120304000001.IDR-IAR.json"
    assert b"unrendered" in answer.content


def test_detainer_forms_are_written_as_json() -> None:
    answer = render_answer(message("I-247A", {"form": "I-247A"}), AnswerContext(REPLY))
    assert answer.name == "TX20120304000001.I-247A.json"
    assert b'"form": "I-247A"' in answer.content


def test_file_transport_writes_each_key_once(sqlite_database: Database, tmp_path: Path) -> None:
    transport = FileTransport(tmp_path, sqlite_database)
    sre = message("SRE", {"tcr": "TX20120304000001", "srf": "N"})
    first = transport.place(sre)
    transport.deliver(sre)
    transport.deliver(sre)
    assert first == tmp_path / "TX1010000" / "TX20120304000001.SRE.an2"
    assert [p.name for p in (tmp_path / "TX1010000").iterdir()] == [first.name]  # no temp files
    reread = parse(first.read_bytes())
    assert reread.type1.get(10) == "TX20120304000001"  # no submission: TCR from the payload
    other = message("SRE", {"tcr": "TX20120304000001", "srf": "I"})
    other.key = "sha256:another-submission:SRE:TX1010000"
    second = transport.place(other)
    assert second != first
    assert first.read_bytes() != second.read_bytes()
    assert transport.place(other) == second
    assert len(list((tmp_path / "TX1010000").iterdir())) == 2


def test_fan_out_delivers_through_every_transport(
    sqlite_database: Database, tmp_path: Path
) -> None:
    a, b = (
        FileTransport(tmp_path / "a", sqlite_database),
        FileTransport(tmp_path / "b", sqlite_database),
    )
    FanOutTransport(a, b).deliver(message("IDR-NM", {"tcr": "TX20120304000001"}))
    for folder in ("a", "b"):
        assert (tmp_path / folder / "TX1010000" / "TX20120304000001.IDR-NM.an2").exists()
