"""Capacity planning ("Transform"): forecast detention beds, transport seats and officer
workload 30, 60 and 90 days ahead from the booking and custody stream.

The stream is cut into 30-day periods ending on the last booking day. Each series is
forecast with exponential smoothing (statsmodels' ETS: simple, or additive damped trend,
whichever has the lower AIC). Forecast error is measured honestly on held-back periods:
for each origin inside the held-back span the model is fitted on the periods before it
only, and its 1-, 2- and 3-period forecasts (30, 60, 90 days) are compared with what
happened. A naive "same as the last period" forecast is scored beside it.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from securecomm.cases.models import Case, CaseEvent
from securecomm.exceptions import FieldProblem, InputError
from securecomm.interop.models import Transaction

PERIOD_DAYS = 30
HORIZONS = (1, 2, 3)  # periods ahead: 30, 60 and 90 days
MIN_FIT_PERIODS = 8  # fewer periods than this: forecast the recent mean instead

Series = NDArray[np.float64]


@dataclass(frozen=True)
class Periods:
    """Consecutive 30-day periods; ``starts[i]`` is the first day of period i."""

    starts: tuple[date, ...]

    @property
    def end(self) -> date:
        return self.starts[-1] + timedelta(days=PERIOD_DAYS)


@dataclass(frozen=True)
class DemandSeries:
    periods: Periods
    series: dict[str, Series]  # name -> one value per period


METRICS = {
    "beds": "detention beds occupied (average daily census)",
    "transport_seats": "transport seats used (pickups)",
    "officer_workload": "case actions (timeline entries) for officers",
    "bookings": "bookings received",
}


# --------------------------------------------------------------------------- the stream


def _periods(first: date, last: date) -> Periods:
    count = (last - first).days // PERIOD_DAYS
    if count < 2:
        problem = FieldProblem(
            "database", "too_little_history", f"{count} whole 30-day periods of bookings"
        )
        raise InputError([problem], summary="not enough history to forecast")
    start = last + timedelta(days=1) - timedelta(days=PERIOD_DAYS * count)
    return Periods(tuple(start + timedelta(days=PERIOD_DAYS * i) for i in range(count)))


def _counts(periods: Periods, moments: Sequence[datetime]) -> Series:
    out = np.zeros(len(periods.starts))
    origin = periods.starts[0]
    for moment in moments:
        index = (moment.date() - origin).days // PERIOD_DAYS
        if 0 <= index < len(out):
            out[index] += 1
    return out


def _day_index_from(moment: datetime, origin: date) -> int:
    """The first day (index from ``origin``) whose start is at or after ``moment``."""
    index = (moment.date() - origin).days
    return index if moment.time() == time(0) else index + 1


def _census(periods: Periods, stays: Sequence[tuple[datetime, datetime | None]]) -> Series:
    """Average daily count of people in custody (counted at each day's start)."""
    origin, days = periods.starts[0], len(periods.starts) * PERIOD_DAYS
    change = np.zeros(days + 1)
    for begins, ends in stays:
        first = max(_day_index_from(begins, origin), 0)
        last = days if ends is None else min(_day_index_from(ends, origin), days)
        if first < last:
            change[first] += 1
            change[last] -= 1
    daily = np.cumsum(change)[:days]
    return np.asarray(daily.reshape(len(periods.starts), PERIOD_DAYS).mean(axis=1), np.float64)


def demand_series(session: Session) -> DemandSeries:
    """The four series from the stored bookings, custody stays and case timelines."""
    first, last = session.execute(
        select(func.min(Transaction.booked_at), func.max(Transaction.booked_at))
    ).one()
    if first is None or last is None:
        problem = FieldProblem("database", "no_bookings", "the database holds no bookings")
        raise InputError([problem], summary="nothing to forecast")
    periods = _periods(first.date(), last.date())
    bookings = list(session.scalars(select(Transaction.booked_at)))
    stays = [
        (begins, ends)
        for begins, ends in session.execute(
            select(Case.custody_at, Case.custody_ended_at).where(Case.custody_at.is_not(None))
        )
        if begins is not None
    ]
    pickups = [begins for begins, _ends in stays]
    actions = list(session.scalars(select(CaseEvent.occurred_at)))
    return DemandSeries(
        periods,
        {
            "beds": _census(periods, stays),
            "transport_seats": _counts(periods, pickups),
            "officer_workload": _counts(periods, actions),
            "bookings": _counts(periods, bookings),
        },
    )


# --------------------------------------------------------------------------- forecasting


@dataclass(frozen=True)
class Fitted:
    model: str  # "ETS(A,N,N)", "ETS(A,Ad,N)" or "recent mean"
    forecast: Series  # one value per horizon step, never negative


def _ets(history: Series, *, trend: bool) -> tuple[float, Series]:
    model = ETSModel(
        history,
        error="add",
        trend="add" if trend else None,
        damped_trend=trend,
        initialization_method="estimated",
    )
    result = model.fit(disp=False, maxiter=200)
    return float(result.aic), np.asarray(result.forecast(len(HORIZONS)), np.float64)


def fit_and_forecast(history: Series) -> Fitted:
    """Forecast ``len(HORIZONS)`` periods ahead with the better (by AIC) of two ETS models."""
    steps = len(HORIZONS)
    if len(history) < MIN_FIT_PERIODS or float(np.ptp(history)) == 0.0:
        recent = float(np.mean(history[-6:])) if len(history) else 0.0
        return Fitted("recent mean", np.full(steps, max(recent, 0.0)))
    candidates: list[tuple[float, str, Series]] = []
    with warnings.catch_warnings():
        # An optimiser that stops early still gives a usable fit; AIC chooses among them.
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        for trend, name in ((False, "ETS(A,N,N)"), (True, "ETS(A,Ad,N)")):
            try:
                aic, forecast = _ets(history, trend=trend)
            except (ValueError, np.linalg.LinAlgError):
                continue
            if math.isfinite(aic) and np.all(np.isfinite(forecast)):
                candidates.append((aic, name, forecast))
    if not candidates:
        recent = float(np.mean(history[-6:]))
        return Fitted("recent mean", np.full(steps, max(recent, 0.0)))
    _aic, name, forecast = min(candidates, key=lambda c: c[0])
    return Fitted(name, np.clip(forecast, 0.0, None))


@dataclass(frozen=True)
class HorizonError:
    days: int
    mae: float
    mape: float | None  # percent, over held-back periods with a non-zero actual; None if none
    naive_mae: float  # the "same as last period" forecast, for comparison
    evaluated: int  # how many forecasts were scored


def backtest(series: Series, *, holdout: int) -> list[HorizonError]:
    """Score 30/60/90-day forecasts whose targets fall in the last ``holdout`` periods,
    each fitted only on the periods before its origin."""
    steps = len(HORIZONS)
    if holdout < steps or holdout >= len(series):
        problem = FieldProblem(
            "holdout", "out_of_range", f"must be {steps}..{len(series) - 1} periods"
        )
        raise InputError([problem], summary="cannot hold back that many periods")
    errors: dict[int, list[tuple[float, float, float]]] = {h: [] for h in HORIZONS}
    for origin in range(len(series) - holdout, len(series)):
        history = series[:origin]
        fitted = fit_and_forecast(history)
        for step in HORIZONS:
            target = origin + step - 1
            if target < len(series):
                actual = float(series[target])
                naive = float(history[-1])
                errors[step].append((float(fitted.forecast[step - 1]), actual, naive))
    return [_score(step, errors[step]) for step in HORIZONS]


def _score(step: int, rows: list[tuple[float, float, float]]) -> HorizonError:
    if not rows:
        return HorizonError(step * PERIOD_DAYS, math.nan, None, math.nan, 0)
    forecast, actual, naive = (np.array(column) for column in zip(*rows, strict=True))
    nonzero = actual != 0
    mape = (
        float(np.mean(np.abs(forecast[nonzero] - actual[nonzero]) / actual[nonzero]) * 100)
        if nonzero.any()
        else None
    )
    return HorizonError(
        days=step * PERIOD_DAYS,
        mae=float(np.mean(np.abs(forecast - actual))),
        mape=mape,
        naive_mae=float(np.mean(np.abs(naive - actual))),
        evaluated=len(rows),
    )


@dataclass(frozen=True)
class MetricForecast:
    metric: str
    description: str
    model: str
    last_period: float
    ahead: dict[int, float]  # days ahead (30, 60, 90) -> forecast for that 30-day period
    errors: list[HorizonError]


@dataclass(frozen=True)
class CapacityForecast:
    periods: int
    first_day: date
    last_day: date
    holdout_periods: int
    metrics: list[MetricForecast]


def forecast_capacity(session: Session, *, holdout: int = 6) -> CapacityForecast:
    """Forecast every metric from the stored stream, with its error on held-back periods."""
    demand = demand_series(session)
    return forecast_series(demand, holdout=holdout)


def forecast_series(demand: DemandSeries, *, holdout: int) -> CapacityForecast:
    metrics = []
    for name, series in demand.series.items():
        errors = backtest(series, holdout=holdout)
        fitted = fit_and_forecast(series)
        ahead = {
            step * PERIOD_DAYS: round(float(value), 3)
            for step, value in zip(HORIZONS, fitted.forecast, strict=True)
        }
        metrics.append(
            MetricForecast(name, METRICS[name], fitted.model, float(series[-1]), ahead, errors)
        )
    return CapacityForecast(
        periods=len(demand.periods.starts),
        first_day=demand.periods.starts[0],
        last_day=demand.periods.end - timedelta(days=1),
        holdout_periods=holdout,
        metrics=metrics,
    )
