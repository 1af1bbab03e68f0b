"""Capacity forecasting: the demand series built from the stream, the forecast, and its
error measured on held-back periods."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime

import numpy as np
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from securecomm.cases import capacity
from securecomm.cases.models import Case
from securecomm.cli import app
from securecomm.database import Database
from securecomm.exceptions import InputError


def test_a_trend_is_forecast_better_than_repeating_the_last_period() -> None:
    rng = np.random.default_rng(1)
    steps = np.arange(60)
    series = 10 + 0.5 * steps + rng.normal(0, 1, 60)
    errors = capacity.backtest(series, holdout=6)
    assert [e.days for e in errors] == [30, 60, 90]
    assert [e.evaluated for e in errors] == [6, 5, 4]
    for error in errors:
        assert error.mae < error.naive_mae
        assert error.mape is not None
        assert error.mape < 10


def test_a_flat_series_is_forecast_exactly() -> None:
    errors = capacity.backtest(np.full(30, 4.0), holdout=3)
    assert [e.mae for e in errors] == [0.0, 0.0, 0.0]
    assert capacity.fit_and_forecast(np.full(30, 4.0)).model == "recent mean"


def test_forecasts_are_never_negative() -> None:
    falling = np.linspace(30, 0.5, 40)
    assert np.all(capacity.fit_and_forecast(falling).forecast >= 0)


def test_mape_skips_periods_with_nothing_to_compare() -> None:
    errors = capacity.backtest(np.zeros(20), holdout=3)
    assert all(error.mape is None for error in errors)
    assert all(error.mae == 0 for error in errors)


@pytest.mark.parametrize("holdout", [2, 30])
def test_holding_back_too_little_or_too_much_is_refused(holdout: int) -> None:
    with pytest.raises(InputError, match="holdout"):
        capacity.backtest(np.arange(30, dtype=float), holdout=holdout)


def test_the_census_counts_each_day_a_bed_is_taken_at_its_start() -> None:
    periods = capacity.Periods((date(2020, 1, 1), date(2020, 1, 31)))
    stay = (datetime(2020, 1, 1, 9, tzinfo=UTC), datetime(2020, 1, 11, tzinfo=UTC))
    census = capacity._census(periods, [stay])  # held at the start of 2 to 10 January
    assert census.tolist() == [9 / 30, 0.0]
    still_held = capacity._census(periods, [(datetime(2020, 2, 20, 12, tzinfo=UTC), None)])
    assert still_held.tolist() == [0.0, 9 / 30]  # 21 to 29 Feb 2020, the last period's end


def test_demand_series_follow_the_stored_stream(processed: Database) -> None:
    with processed.session() as session:
        demand = capacity.demand_series(session)
        custody = [c for c in session.scalars(select(Case.custody_at)) if c is not None]
    first = demand.periods.starts[0]
    assert set(demand.series) == set(capacity.METRICS)
    in_range = [c for c in custody if first <= c.date() < demand.periods.end]
    assert demand.series["transport_seats"].sum() == len(in_range) > 0
    assert demand.series["beds"].sum() > 0
    assert demand.series["officer_workload"].sum() >= demand.series["transport_seats"].sum()


def test_capacity_forecast_reports_error_on_held_back_months(processed: Database) -> None:
    result = CliRunner().invoke(
        app,
        ["capacity", "forecast", "--database-url", str(processed.engine.url), "--json",
         "--holdout", "3"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["holdout_periods"] == 3
    metrics = {m["metric"]: m for m in payload["metrics"]}
    assert set(metrics) == {"beds", "transport_seats", "officer_workload", "bookings"}
    for metric in metrics.values():
        assert set(metric["ahead"]) == {"30", "60", "90"}
        assert all(value >= 0 for value in metric["ahead"].values())
        assert [e["days"] for e in metric["errors"]] == [30, 60, 90]
        for error in metric["errors"]:
            assert error["evaluated"] > 0
            assert math.isfinite(error["mae"])
            assert error["mae"] >= 0


def test_capacity_forecast_on_an_empty_database_is_a_clear_error(sqlite_database: Database) -> None:
    result = CliRunner().invoke(
        app, ["capacity", "forecast", "--database-url", str(sqlite_database.engine.url)]
    )
    assert result.exit_code == 2
    assert "no bookings" in result.output
