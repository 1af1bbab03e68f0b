"""``securecomm capacity forecast``: beds, transport seats and officer workload ahead."""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Annotated, Any

import typer
from rich.table import Table

from securecomm.cases.cli import DatabaseOption, JsonOption, console, print_json, run_unit

app = typer.Typer(help="Capacity planning: beds, transport seats, officer workload.")


@app.command()
def forecast(
    database_url: DatabaseOption = None,
    holdout: Annotated[
        int, typer.Option(min=3, help="30-day periods held back to measure forecast error.")
    ] = 6,
    as_json: JsonOption = False,
) -> None:
    """Forecast beds, transport seats and officer workload 30, 60 and 90 days ahead, with
    MAE/MAPE on held-back periods."""
    from securecomm.cases import capacity as capacity_planning  # statsmodels loads slowly

    result = run_unit(
        database_url,
        lambda session: capacity_planning.forecast_capacity(session, holdout=holdout),
    )
    if as_json:
        print_json(_finite(asdict(result)))
        return
    console.print(
        f"{result.periods} periods of 30 days, {result.first_day} to {result.last_day}; "
        f"error measured on the last {result.holdout_periods} (held back)"
    )
    table = Table("metric", "model", "last 30 d", "ahead", "forecast", "MAE", "MAPE %")
    table.add_column("naive MAE")
    for metric in result.metrics:
        for error in metric.errors:
            first = error.days == metric.errors[0].days
            table.add_row(
                metric.metric if first else "",
                metric.model if first else "",
                f"{metric.last_period:.2f}" if first else "",
                f"+{error.days} d",
                f"{metric.ahead[error.days]:.2f}",
                f"{error.mae:.2f}",
                "-" if error.mape is None else f"{error.mape:.0f}",
                f"{error.naive_mae:.2f}",
            )
    console.print(table)


def _finite(value: Any) -> Any:
    """JSON has no NaN: unscored errors become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(key): _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value
