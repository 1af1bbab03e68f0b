"""When each message leaves. The flow may replay bookings long after they happened, so
no step reads the wall clock: every message is dated from the booking plus the service
time of each leg it went through, as a :class:`ServiceClock` gives it. A deployment that
times its legs live, or the simulation (which draws them), supplies the clock; without
one every leg takes no time and every message carries the booking time."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Protocol


class Leg(enum.StrEnum):
    CRIMINAL_SEARCH = "criminal_search"  # the criminal repository's 1:N search to its SRE
    IMMIGRATION_SEARCH = "immigration_search"  # IDENT's 1:N search (prints forwarded at once)
    STATUS_DETERMINATION = "status_determination"  # the status centre answers the IAQ
    FIELD_OFFICE_REVIEW = "field_office_review"  # an ICE officer reads the IDR+IAR, decides
    BUREAU_RELAY = "bureau_relay"  # the state bureau passes an answer to the local agency


class ServiceClock(Protocol):
    def took(self, leg: Leg, tcn: str) -> timedelta:
        """How long this leg took for this booking (the same answer every time asked)."""
        ...


class BookingTimeClock:
    """Every leg takes no time: each message carries the booking time."""

    def took(self, leg: Leg, tcn: str) -> timedelta:
        return timedelta(0)


def after(clock: ServiceClock, booked_at: datetime, tcn: str, *legs: Leg) -> datetime:
    """The moment a message leaves after the given legs, in order, from the booking."""
    return booked_at + sum((clock.took(leg, tcn) for leg in legs), timedelta(0))
