"""Pure routing rules: is a jurisdiction's sharing with the immigration repository on?"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from securecomm.decisions import Decision, Trace


@dataclass(frozen=True)
class SuspensionPeriod:
    start: date
    end: date | None
    reason: str
    stops_sharing: bool

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


def sharing_active(
    *,
    jurisdiction: str,
    activation_date: date | None,
    suspensions: Sequence[SuspensionPeriod],
    on: date,
) -> Decision[bool]:
    """Fingerprints go on to the immigration repository when the jurisdiction was
    activated on or before the booking date and no suspension that stops sharing covers
    it. A program suspension that kept sharing (2014-2017) is noted but does not stop it."""
    inputs = {
        "jurisdiction": jurisdiction,
        "booking_date": on.isoformat(),
        "activation_date": activation_date.isoformat() if activation_date else None,
    }
    if activation_date is None or on < activation_date:
        trace = Trace("interop.activation.not_yet", "inactive", inputs, note="not activated")
        return Decision(False, (trace,))
    traces = [Trace("interop.activation.activated", "activated", inputs)]
    for period in suspensions:
        if not period.covers(on):
            continue
        period_inputs = {
            **inputs,
            "suspension_start": period.start.isoformat(),
            "suspension_end": period.end.isoformat() if period.end else None,
            "reason": period.reason,
        }
        if period.stops_sharing:
            traces.append(Trace("interop.activation.suspended", "inactive", period_inputs))
            return Decision(False, tuple(traces))
        traces.append(
            Trace(
                "interop.activation.program_suspended_sharing_continues",
                "active",
                period_inputs,
                note="program suspended; fingerprint sharing continued",
            )
        )
    return Decision(True, tuple(traces))


# What a jurisdiction may declare about receiving immigration information about its
# arrestees; the last of these, in date order, is in force.
INFORMATION_DECLARATIONS = ("declines_information", "accepts_information")


def declines_information(kinds_in_order: Sequence[str]) -> bool:
    """Whether the jurisdiction's last declaration about immigration information (of
    its declarations in date order) declines it."""
    said = [kind for kind in kinds_in_order if kind in INFORMATION_DECLARATIONS]
    return bool(said) and said[-1] == "declines_information"
