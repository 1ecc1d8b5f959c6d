"""The forecast: a Monte Carlo over the fitted parameters' uncertainty, through the sweep engine.

Each draw is one variant of a sweep on the calibrated scenario (``set`` of the fitted paths):
identified parameters from the fit's normal approximation (their covariance kept), clipped to
their bounds; parameters the data cannot identify uniformly between their bounds. The runs are
deterministic unless the model's own randomness is asked for. From every run's monthly table
come its quarterly deliveries, gross margin and operating result, the quarter of its
(sustained, per-car) break-even and its first quarter with an operating profit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calibrate.fit import FitResult
from sim.core.calendar import parse_month, quarter_label, shift_label
from sim.core.outputs import NEVER, PRIMARY

FAN_METRICS = ("deliveries", "gross_margin", "operating_profit")
"""Quarterly figures drawn as fan charts."""
BREAKEVEN_INDEX = f"breakeven_{PRIMARY}_index"
QUARTER_COLUMNS = [
    "run_id",
    "month",
    "deliveries",
    "production",
    "revenue",
    "gross_profit",
    "operating_profit",
]


@dataclass(frozen=True)
class Forecast:
    """The forecast's tables."""

    runs: pd.DataFrame
    """One row per run: ``run_id``, the drawn values, ``breakeven_month``, ``breakeven_quarter``
    and ``first_profitable_quarter`` (:data:`~sim.core.outputs.NEVER` when not reached)."""
    quarterly: pd.DataFrame
    """Per run and quarter: ``run_id, period, deliveries, production, revenue, gross_profit,
    gross_margin, operating_profit``."""
    fans: pd.DataFrame
    """Per quarter and metric: ``period, metric, low, p50, high`` (the interval's ends)."""
    by_quarter: pd.DataFrame
    """``period, p_breakeven, p_profitable``: the share of runs broken even by the end of each
    quarter (sustained per-car, and first profitable quarter)."""
    summary: dict[str, Any]
    """Break-even month and quarter at the interval's ends and the median, and the runs."""


def draw_values(fit: FitResult, draws: int, seed: int) -> pd.DataFrame:
    """``draws`` parameter sets (one column per fitted path)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x63616C69]))  # "cali"
    p = fit.parameters
    out = pd.DataFrame(index=range(draws))
    ident = p[p["identified"]]
    if len(ident):
        mean = ident["value"].to_numpy()
        cov = fit.covariance
        if not np.all(np.isfinite(cov)):
            cov = np.zeros_like(cov)
        x = rng.multivariate_normal(mean, cov, size=draws, method="eigh")
        x = np.clip(x, ident["low"].to_numpy(), ident["high"].to_numpy())
        for j, path in enumerate(ident["path"]):
            out[path] = x[:, j]
    for row in p[~p["identified"]].itertuples():
        out[row.path] = rng.uniform(row.low, row.high, size=draws)
    return out[list(p["path"])]


def sweep_mapping(
    name: str, scenario: Path, values: pd.DataFrame, stochastic: bool, seed: int
) -> dict[str, Any]:
    """The sweep that runs one variant per drawn parameter set."""
    variants = {
        f"draw{i:05d}": {"set": {k: float(v) for k, v in row.items()}}
        for i, row in enumerate(values.to_dict(orient="records"))
    }
    return {
        "name": name,
        "base": str(scenario),
        "mode": "stochastic" if stochastic else "deterministic",
        "master_seed": seed,
        "replications": 1,
        "variants": variants,
        "outputs": {"full_monthly": True, "bands_by": "variant"},
    }


def run_forecast(
    scenario: Path,
    fit: FitResult,
    folder: Path,
    *,
    draws: int,
    seed: int,
    stochastic: bool,
    interval: float,
    executor: str = "processes",
    workers: int | None = None,
) -> Forecast:
    """Run the Monte Carlo into ``folder`` (a sweep folder) and summarise it."""
    from sim.experiments.api import run_sweep

    values = draw_values(fit, draws, seed)
    mapping = sweep_mapping(folder.name, scenario, values, stochastic, seed)
    result = run_sweep(mapping, executor=executor, workers=workers, out=folder, progress=False)
    runs = result.runs[["run_id", "status", "start_month", BREAKEVEN_INDEX]]
    monthly = pd.read_parquet(folder / "monthly.parquet", columns=QUARTER_COLUMNS)
    return summarise(runs, monthly, values, interval)


def summarise(
    runs: pd.DataFrame, monthly: pd.DataFrame, values: pd.DataFrame, interval: float
) -> Forecast:
    """The forecast's tables from the sweep's ``runs`` and ``monthly`` tables."""
    monthly = monthly.assign(period=[quarter_label(parse_month(m)) for m in monthly["month"]])
    flows = ["deliveries", "production", "revenue", "gross_profit", "operating_profit"]
    q = monthly.groupby(["run_id", "period"], sort=True)[flows].sum().reset_index()
    with np.errstate(divide="ignore", invalid="ignore"):
        q["gross_margin"] = np.where(q["revenue"] > 0, q["gross_profit"] / q["revenue"], np.nan)
    lo, hi = 0.5 - interval / 2, 0.5 + interval / 2
    fans = (
        q.melt(id_vars=["run_id", "period"], value_vars=list(FAN_METRICS), var_name="metric")
        .groupby(["period", "metric"])["value"]
        .quantile([lo, 0.5, hi])
        .unstack()
        .set_axis(["low", "p50", "high"], axis=1)
        .reset_index()
    )
    ok = runs[runs["status"] == "ok"].sort_values("run_id").reset_index(drop=True)
    index = ok[BREAKEVEN_INDEX].to_numpy(dtype=float)
    be_month = [
        shift_label(s, int(i)) if np.isfinite(i) else NEVER
        for s, i in zip(ok["start_month"], index, strict=True)
    ]
    be_quarter = [quarter_label(parse_month(m)) if m != NEVER else NEVER for m in be_month]
    profitable = q[q["operating_profit"] >= 0].groupby("run_id")["period"].min()
    first_profit = [profitable.get(r, NEVER) for r in ok["run_id"]]
    table = pd.DataFrame(
        {
            "run_id": ok["run_id"],
            "breakeven_month": be_month,
            "breakeven_quarter": be_quarter,
            "first_profitable_quarter": first_profit,
        }
    )
    drawn = values.reset_index(drop=True).assign(run_id=range(len(values)))
    table = table.merge(drawn, on="run_id", how="left")
    periods = sorted(q["period"].unique())
    n = max(len(table), 1)
    by_quarter = pd.DataFrame(
        {
            "period": periods,
            "p_breakeven": [sum(b != NEVER and b <= p for b in be_quarter) / n for p in periods],
            "p_profitable": [sum(b != NEVER and b <= p for b in first_profit) / n for p in periods],
        }
    )
    summary = {
        "runs": len(runs),
        "failed": int((runs["status"] != "ok").sum()),
        "interval": interval,
        "breakeven_month": _quantiles(index, ok["start_month"], lo, hi, quarter=False),
        "breakeven_quarter": _quantiles(index, ok["start_month"], lo, hi, quarter=True),
        "first_profitable_quarter": _label_quantiles(first_profit, lo, hi),
    }
    return Forecast(table, q, fans, by_quarter, summary)


def _quantiles(
    index: np.ndarray, starts: pd.Series, lo: float, hi: float, quarter: bool
) -> dict[str, str]:
    """Break-even at the interval's ends and the median; a run that never breaks even counts as
    later than any month (so a quantile past the breaking-even share reads "never")."""
    if len(index) == 0:
        return {"low": NEVER, "p50": NEVER, "high": NEVER}
    start = str(starts.iloc[0])
    x = np.where(np.isfinite(index), index, np.inf)
    out = {}
    for key, p in (("low", lo), ("p50", 0.5), ("high", hi)):
        v = np.quantile(x, p, method="inverted_cdf")
        label = NEVER if not np.isfinite(v) else shift_label(start, int(v))
        out[key] = quarter_label(parse_month(label)) if quarter and label != NEVER else label
    return out


def _label_quantiles(labels: list[str], lo: float, hi: float) -> dict[str, str]:
    if not labels:
        return {"low": NEVER, "p50": NEVER, "high": NEVER}
    ordered = sorted(labels, key=lambda s: (s == NEVER, s))
    pick = {
        k: ordered[min(len(ordered) - 1, int(np.ceil(p * len(ordered))) - 1 if p > 0 else 0)]
        for k, p in (("low", lo), ("p50", 0.5), ("high", hi))
    }
    return pick
