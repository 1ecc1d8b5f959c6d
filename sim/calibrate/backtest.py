"""Honest backtests: fit on what was known up to a period, score what came after.

``score`` compares the held-out periods with the fitted model and the forecast's intervals:
the error per metric and period, whether each observed value fell inside its interval, and
whether the actual first profitable quarter (where observed) fell inside the forecast's. The
forecast draws the totals: a product's figure is scored against the fitted model only (no
interval), and the first profitable quarter is the totals'.
``rolling_table`` lays out how the break-even forecast moved as the periods arrived.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sim.calibrate.fit import errors
from sim.calibrate.forecast import Forecast
from sim.calibrate.observed import TOTAL, Observed, labels, products
from sim.core.outputs import NEVER


def score(
    held_out: Observed, fitted: np.ndarray, forecast: Forecast | None
) -> tuple[pd.DataFrame, dict[str, object]]:
    """One row per held-out value (``period, metric, observed, fitted, error, unit, low, high,
    inside``; ``product`` after ``period`` when any is a product's) and the
    first-profitable-quarter check."""
    table = held_out.table.reset_index(drop=True)
    metrics = table["metric"].to_numpy()
    obs = table["value"].to_numpy(dtype=float)
    out = pd.DataFrame(
        {
            **labels(table),
            "metric": metrics,
            "observed": obs,
            "fitted": fitted,
            "error": errors(obs, fitted, metrics),
            "unit": np.where(metrics == "gross_margin", "points", "percent"),
        }
    )
    low, high = [], []
    fans = forecast.fans.set_index(["period", "metric"]) if forecast is not None else None
    rows = zip(table["period"], table["kind"], table["metric"], products(table), strict=True)
    for period, kind, metric, product in rows:
        key = (period, metric)
        if fans is not None and kind == "quarter" and product == TOTAL and key in fans.index:
            low.append(float(fans.at[key, "low"]))
            high.append(float(fans.at[key, "high"]))
        else:
            low.append(np.nan)
            high.append(np.nan)
    out["low"], out["high"] = low, high
    has = np.isfinite(out["low"])
    out["inside"] = np.where(
        has, (out["observed"] >= out["low"]) & (out["observed"] <= out["high"]), None
    )
    return out, {"first_profitable_quarter": _profitable_check(held_out, forecast)}


def _profitable_check(held_out: Observed, forecast: Forecast | None) -> dict[str, object]:
    t = held_out.table
    totals = products(t) == TOTAL
    rows = t[(t["metric"] == "operating_profit") & (t["kind"] == "quarter") & totals]
    actual = next((p for p, v in zip(rows["period"], rows["value"], strict=True) if v >= 0), None)
    if forecast is None:
        return {"actual": actual}
    interval = forecast.summary["first_profitable_quarter"]
    if actual is None:
        return {"actual": None, "forecast": interval, "inside": None}
    low, high = interval["low"], interval["high"]
    inside = low != NEVER and low <= actual and (high == NEVER or actual <= high)
    return {"actual": actual, "forecast": interval, "inside": bool(inside)}


def rolling_table(
    origins: Sequence[str], summaries: Sequence[Mapping[str, object]]
) -> pd.DataFrame:
    """One row per forecast origin (the last period fitted): the break-even quarter's interval
    and median, and the first profitable quarter's."""
    rows = []
    for origin, summary in zip(origins, summaries, strict=True):
        be = summary["breakeven_quarter"]
        fp = summary["first_profitable_quarter"]
        rows.append(
            {
                "origin": origin,
                "breakeven_low": be["low"],  # type: ignore[index]
                "breakeven_p50": be["p50"],  # type: ignore[index]
                "breakeven_high": be["high"],  # type: ignore[index]
                "profitable_low": fp["low"],  # type: ignore[index]
                "profitable_p50": fp["p50"],  # type: ignore[index]
                "profitable_high": fp["high"],  # type: ignore[index]
            }
        )
    return pd.DataFrame(rows)
