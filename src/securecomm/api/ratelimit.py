"""Sign-in attempts limited per client address and per user name (sliding window).

This slows guessing from one place and at one account; the account lockout
(``auth.accounts``) stops it, across every process, after repeated failures.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque

from fastapi import Request

from securecomm.api.errors import TooManyRequestsError


class SlidingWindowLimiter:
    """At most ``attempts`` per key in any ``seconds``; keys are "ip:..." or "user:..."
    and ``per_user`` (when given) is the smaller allowance of a user-name key."""

    def __init__(
        self,
        *,
        attempts: int,
        seconds: float,
        per_user: int | None = None,
        what: str = "sign-in attempts",
    ) -> None:
        self._what = what
        self._attempts = attempts
        self._per_user = per_user if per_user is not None else attempts
        self._seconds = seconds
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def hit(self, *keys: str, now: float | None = None) -> None:
        """Count one attempt for each key; refuse when any key is over its limit."""
        moment = time.monotonic() if now is None else now
        with self._lock:
            for key in keys:
                seen = self._seen[key]
                while seen and seen[0] <= moment - self._seconds:
                    seen.popleft()
                allowed = self._per_user if key.startswith("user:") else self._attempts
                if len(seen) >= allowed:
                    wait = math.ceil(seen[0] + self._seconds - moment)
                    raise TooManyRequestsError(
                        f"too many {self._what}; try again in {wait} s", max(wait, 1)
                    )
            for key in keys:
                self._seen[key].append(moment)


def client_key(request: Request) -> str:
    """The limiter's key for the address a request came from."""
    return f"ip:{request.client.host if request.client else 'unknown'}"
