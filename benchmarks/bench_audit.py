"""The audit log's cost per event: append (record with its content hash, committed in
batches as the flow does), seal (chain links, Merkle leaves, one signed checkpoint),
verify (every content hash, the chain, the root at every checkpoint, every signature),
and the size of an inclusion proof. Target: verify 1,000,000 events in under 60 s.

    .venv/bin/python benchmarks/bench_audit.py [--events 1000000] [--database-url URL] [--json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from securecomm.audit import chain
from securecomm.audit import service as audit_service
from securecomm.audit.signing import CheckpointSigner, new_private_key_b64
from securecomm.database import open_database

BATCH = 5000
T0 = datetime(2015, 1, 1, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seal-every", type=int, default=50_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite:///{Path(scratch) / 'audit.sqlite'}"
        print(json.dumps(run(url, args.events, args.seal_every), indent=None if args.json else 2))


def run(url: str, events: int, seal_every: int) -> dict[str, object]:
    database = open_database(url)
    signer = CheckpointSigner(new_private_key_b64())
    append_s = seal_s = 0.0
    written = 0
    while written < events:
        batch = min(BATCH, events - written)
        began = time.perf_counter()
        with database.session() as session:
            for n in range(written, written + batch):
                audit_service.record(
                    session,
                    kind="record.read",
                    actor=f"officer{n % 50}",
                    role="ice_officer",
                    agency="TXICE0000",
                    purpose="case review",
                    records=[f"case:{n}", f"immigration_subject:{n // 3}"],
                    occurred_at=T0 + timedelta(seconds=n),
                    summary=f"read case {n}",
                    details={"route": "/api/v1/cases/{id}", "status": 200},
                )
        append_s += time.perf_counter() - began
        written += batch
        if written % seal_every == 0 or written == events:
            began = time.perf_counter()
            chain.seal_now(database, signer)
            seal_s += time.perf_counter() - began
    began = time.perf_counter()
    with database.session() as session:
        result = chain.verify(session, signer.public_key)
    verify_s = time.perf_counter() - began
    began = time.perf_counter()
    with database.session() as session:
        proof = chain.prove_inclusion(session, events // 2)
    prove_s = time.perf_counter() - began
    database.dispose()
    return {
        "events": events,
        "backend": url.split(":", 1)[0],
        "verified": result.ok,
        "checkpoints": result.checkpoints,
        "append_us_per_event": round(append_s / events * 1e6, 1),
        "seal_us_per_event": round(seal_s / events * 1e6, 1),
        "verify_seconds": round(verify_s, 2),
        "verify_us_per_event": round(verify_s / events * 1e6, 1),
        "inclusion_proof_hashes": len(proof.path),
        "inclusion_proof_seconds": round(prove_s, 2),
        "target_verify_1m_seconds": 60,
    }


if __name__ == "__main__":
    main()
