"""Locust users of the load test (benchmarks/bench_load.py starts them; see there).

Each user is a booking station's clerk: every ``LOAD_PACING`` seconds it sends the next
prepared CAR file of the run (a template-level booking) to ``POST /api/v1/bookings`` and
watches ``GET /api/v1/bookings/{id}/state`` until the flow has finished with it (every
0.1 s, every 0.25 s after the first second), then reads its answers with ``GET
/api/v1/bookings/{id}``. The time from
sending to the final answer is reported to locust as "booking answered" and written,
with the stage it was sent in, to ``LOAD_RECORDS`` (one JSON line a booking). The
shape steps the number of users so bookings arrive at each rate of ``LOAD_RATES`` for
``LOAD_STAGE_SECONDS``. Nothing here imports securecomm: locust patches the standard
library with gevent.
"""

from __future__ import annotations

import json
import math
import os
import time
from itertools import count
from pathlib import Path
from typing import Any

from locust import HttpUser, LoadTestShape, constant_pacing, events, task

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text())
RATES = [float(rate) for rate in os.environ.get("LOAD_RATES", "1,2,4").split(",")]
STAGE_SECONDS = float(os.environ.get("LOAD_STAGE_SECONDS", "60"))
PACING = float(os.environ.get("LOAD_PACING", "5"))
# A station looks again every 0.1 s for the first second, then every 0.25 s: as a
# client backs off, and so that a slow answer does not bring ten requests a second
# onto the service it is waiting for (which slows every answer: the run spirals).
POLL_SECONDS = float(os.environ.get("LOAD_POLL_SECONDS", "0.1"))
POLL_BACKOFF_AFTER = float(os.environ.get("LOAD_POLL_BACKOFF_AFTER", "1.0"))
POLL_BACKOFF_SECONDS = float(os.environ.get("LOAD_POLL_BACKOFF_SECONDS", "0.25"))
ANSWER_TIMEOUT = float(os.environ.get("LOAD_ANSWER_TIMEOUT", "120"))
RECORDS = Path(os.environ["LOAD_RECORDS"])

_next_car = count()
_tokens: dict[str, str] = {}
_started = time.time()


def _stage(at: float) -> int:
    return min(int((at - _started) // STAGE_SECONDS), len(RATES) - 1)


class BookingStation(HttpUser):
    wait_time = constant_pacing(PACING)

    def _headers(self, ori: str) -> dict[str, str]:
        if ori not in _tokens:
            clerk = PLAN["clerks"][ori]
            answer = self.client.post(
                "/api/v1/auth/token",
                json={**clerk, "purpose": "load test"},
                name="sign in",
            )
            answer.raise_for_status()
            _tokens[ori] = answer.json()["access_token"]
        return {"Authorization": f"Bearer {_tokens[ori]}"}

    @task
    def book(self) -> None:
        number = next(_next_car)
        if number >= len(PLAN["cars"]):
            return  # the prepared files are spent (the plan is sized with a margin)
        car = PLAN["cars"][number]
        headers = self._headers(car["ori"])
        raw = Path(car["path"]).read_bytes()
        sent = time.time()
        answer = self.client.post(
            "/api/v1/bookings",
            data=raw,
            headers={**headers, "Content-Type": "application/octet-stream"},
            name="submit booking",
        )
        record: dict[str, Any] = {
            "stage": _stage(sent),
            "sent": sent,
            "status": answer.status_code,
            "rebooks": car["rebooks"],
        }
        if answer.status_code == 202:
            record["accepted"] = time.time()
            record["submission"] = answer.json()["id"]
            record.update(self._final_answer(answer.json()["id"], headers, sent))
        _write(record)

    def _final_answer(
        self, submission: int, headers: dict[str, str], sent: float
    ) -> dict[str, Any]:
        while time.time() - sent < ANSWER_TIMEOUT:
            waited = time.time() - sent
            time.sleep(POLL_SECONDS if waited < POLL_BACKOFF_AFTER else POLL_BACKOFF_SECONDS)
            state = self.client.get(
                f"/api/v1/bookings/{submission}/state", headers=headers, name="watch booking"
            )
            if state.status_code != 200 or not state.json()["final"]:
                continue
            answer = self.client.get(
                f"/api/v1/bookings/{submission}", headers=headers, name="read answers"
            )
            answered = time.time()
            events.request.fire(
                request_type="FLOW",
                name="booking answered",
                response_time=(answered - sent) * 1000,
                response_length=0,
                exception=None,
                context={},
            )
            return {"answered": answered, "state": answer.json()["state"]}
        return {"answered": None, "state": "no answer in time"}


def _write(record: dict[str, Any]) -> None:
    with RECORDS.open("a") as out:
        out.write(json.dumps(record) + "\n")


class SteppedArrivals(LoadTestShape):
    """Users enough for each stage's arrival rate (one booking per user per PACING s),
    started at that rate so their bookings arrive spread over the pacing interval, not
    all at once."""

    def tick(self) -> tuple[int, float] | None:
        elapsed = self.get_run_time()
        stage = int(elapsed // STAGE_SECONDS)
        if stage >= len(RATES):
            return None
        users = max(1, math.ceil(RATES[stage] * PACING))
        return users, RATES[stage]
