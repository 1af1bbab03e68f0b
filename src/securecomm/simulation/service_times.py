"""The synthetic world's service times: how long each leg of a booking's answer takes.

Each leg is drawn from a log-normal (service times are positive and right-skewed) whose
median and spread follow the program's published service levels (DOMAIN.md section 3),
and is capped so that no answer outlives the shortest stay in the world (a day: the
world's releases, before trial or at the disposition, come at least a day after the
booking):

- criminal repository, electronic criminal ten-print to SRE: median 20 min, mean about
  27 min (the measured IAFIS average), goal 2 hours;
- IDENT 1:N search: median 50 s, most within the 2-minute service level for ICE queries;
- status centre (LESC) answering the IAQ: median 2 h ("within a few hours");
- ICE field office reading the IDR+IAR and deciding on a detainer: median 3 h;
- state bureau relaying an answer to the local agency: median 2 min.

A leg's time depends only on the world's seed, the leg and the booking's TCN, never on
the order in which workers reach it, so a resumed or multi-worker run dates every
message exactly as a single uninterrupted run does.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from securecomm.interop.clock import Leg


@dataclass(frozen=True)
class LegTime:
    median: timedelta
    sigma: float  # spread of the log-normal (log scale)
    cap: timedelta

    @property
    def mean(self) -> timedelta:
        return self.median * math.exp(self.sigma**2 / 2)


LEG_TIMES: dict[Leg, LegTime] = {
    Leg.CRIMINAL_SEARCH: LegTime(timedelta(minutes=20), 0.8, timedelta(hours=2)),
    Leg.IMMIGRATION_SEARCH: LegTime(timedelta(seconds=50), 0.6, timedelta(minutes=20)),
    Leg.STATUS_DETERMINATION: LegTime(timedelta(hours=2), 0.7, timedelta(hours=10)),
    Leg.FIELD_OFFICE_REVIEW: LegTime(timedelta(hours=3), 0.8, timedelta(hours=10)),
    Leg.BUREAU_RELAY: LegTime(timedelta(minutes=2), 0.7, timedelta(minutes=30)),
}


class DrawnServiceTimes:
    """A :class:`securecomm.interop.clock.ServiceClock` over drawn, reproducible times."""

    def __init__(self, seed: int, legs: dict[Leg, LegTime] | None = None) -> None:
        self._seed = seed
        self._legs = legs or LEG_TIMES

    def took(self, leg: Leg, tcn: str) -> timedelta:
        spec = self._legs[leg]
        digest = hashlib.blake2b(f"{self._seed}:{leg}:{tcn}".encode(), digest_size=8).digest()
        rng = np.random.default_rng(int.from_bytes(digest, "big"))
        seconds = spec.median.total_seconds() * math.exp(spec.sigma * rng.standard_normal())
        return min(timedelta(seconds=round(seconds)), spec.cap)
