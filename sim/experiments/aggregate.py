"""Aggregates of a sweep: per point (``points.csv``), paired comparison, monthly quantile bands.

Break-even months are month indices from the start month (0 = start). A run that does not break
even within the horizon counts as +infinity: it enters the quantiles (so a P90 may be "not within
horizon") and the probability, but the mean and its 95 % confidence interval are over the runs
that did break even (columns ``*_reached``). Failed runs are left out of every statistic.

Quantiles of break-even months use the inverted CDF (``P90 = m`` means at least 90 % of runs had
broken even by month ``m``: always a real month, no interpolation towards infinity); quantiles of
money and of the monthly bands interpolate linearly (NumPy's default).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy import stats

from sim.core.calendar import shift_label
from sim.core.outputs import PRIMARY, month_or_never

QUANTILES = (0.1, 0.5, 0.9)


def row_quantile(matrix: np.ndarray, q: float, method: str = "linear") -> np.ndarray:
    """Quantile ``q`` of each row, ignoring NaN (``inverted_cdf`` or ``linear``); NaN if empty."""
    s = np.sort(matrix, axis=1)  # NaN sort last, +inf just before them
    return sorted_quantile(s, np.sum(~np.isnan(matrix), axis=1), q, method)


def sorted_quantile(s: np.ndarray, n: np.ndarray, q: float, method: str) -> np.ndarray:
    """Quantile ``q`` of each row of ``s`` (sorted, its ``n`` values first, NaN after), as NumPy.

    ``linear`` interpolates as :func:`numpy.quantile` does (from the upper neighbour past the
    midpoint); the result is float64 whatever the dtype of ``s``.
    """
    out = np.full(s.shape[0], np.nan)
    rows = np.flatnonzero(n > 0)
    if method == "inverted_cdf":
        pos = np.maximum(np.ceil(q * n - 1e-12).astype(int) - 1, 0)
        out[rows] = s[rows, pos[rows]]
        return out
    h = (n - 1) * q
    lo = np.floor(h).astype(int)
    hi = np.minimum(lo + 1, np.maximum(n - 1, 0))
    a = s[rows, lo[rows]].astype(np.float64)
    b = s[rows, hi[rows]].astype(np.float64)
    t = (h - lo)[rows]
    with np.errstate(invalid="ignore"):
        diff = b - a
        out[rows] = np.where(t >= 0.5, b - diff * (1 - t), a + diff * t)
        out[rows] = np.where(t == 0, a, out[rows])
    return out


def _month_label(start: str | None, index: float) -> str | None:
    """``YYYY-MM``, or "never" for +inf; None without a successful run (no start, NaN)."""
    if start is None or np.isnan(index):
        return None
    return month_or_never(start, index)


def by_point(runs: pd.DataFrame, column: str, rows: int, per_row: int) -> np.ndarray:
    """``runs[column]`` as a (rows x per_row) matrix in run id order, NaN for failed runs.

    With ``per_row`` = replications a row is a point; with ``per_row`` = points of a variant x
    replications a row is a variant (its runs are consecutive).
    """
    out = np.full(rows * per_row, np.nan)
    ok = (runs["status"] == "ok").to_numpy()
    ids = runs["run_id"].to_numpy()[ok]
    out[ids] = runs[column].to_numpy(dtype=float, na_value=np.nan)[ok]
    return out.reshape(rows, per_row)


def breakeven_matrix(
    runs: pd.DataFrame, rows: int, per_row: int, column: str = f"breakeven_{PRIMARY}_index"
) -> np.ndarray:
    """A month index per run (default: the primary break-even): +inf if not reached, NaN if
    the run failed."""
    m = by_point(runs, column, rows, per_row)
    ok = by_point(runs.assign(_ok=1.0), "_ok", rows, per_row)
    m[np.isnan(m) & (ok == 1.0)] = np.inf
    return m


def summary_table(runs: pd.DataFrame, index: pd.DataFrame, per_row: int) -> pd.DataFrame:
    """One row per row of ``index`` (a point, or a variant), over its ``per_row`` runs.

    Columns: runs, failed, p_breakeven, breakeven P10/P50/P90 (labels and ``_index``), the
    mean month index of the runs that broke even with its 95 % CI and how many runs it averages,
    ``p_holds`` (share of runs whose first break-even holds to the horizon: no month below
    zero after it), capital needed P50/P90/mean (USD, the peak cash deficit), final cumulative
    cash P50 (USD), then P10/P50/P90 of each milestone's month (columns
    ``milestone_<name>_index`` of ``runs``).
    """
    rows = len(index)
    be = breakeven_matrix(runs, rows, per_row)
    cap = by_point(runs, "peak_cash_deficit", rows, per_row)
    cash = by_point(runs, "final_cumulative_cash", rows, per_row)
    n_ok = np.sum(~np.isnan(be), axis=1)
    n_runs = np.bincount(runs["run_id"].to_numpy() // per_row, minlength=rows)
    reached = np.isfinite(be)
    out = index.copy()
    out["runs"] = n_runs
    out["failed"] = n_runs - n_ok
    with np.errstate(invalid="ignore", divide="ignore"):
        out["p_breakeven"] = np.where(n_ok > 0, reached.sum(axis=1) / n_ok, np.nan)
    starts = _starts(runs, rows, per_row)
    _month_quantiles(out, "breakeven", be, starts)
    mean, low, high = _mean_ci(np.where(reached, be, np.nan))
    out["breakeven_mean_index_reached"] = mean
    out["breakeven_ci95_low_index_reached"] = low
    out["breakeven_ci95_high_index_reached"] = high
    out["breakeven_runs_reached"] = reached.sum(axis=1)
    if "breakeven_holds" in runs:
        holds = by_point(runs.assign(_h=runs["breakeven_holds"].eq(True)), "_h", rows, per_row)
        with np.errstate(invalid="ignore", divide="ignore"):
            out["p_holds"] = np.where(n_ok > 0, np.nansum(holds, axis=1) / n_ok, np.nan)
    out["capital_needed_p50"] = row_quantile(cap, 0.5)
    out["capital_needed_p90"] = row_quantile(cap, 0.9)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["capital_needed_mean"] = np.where(n_ok > 0, np.nansum(cap, axis=1) / n_ok, np.nan)
    out["final_cumulative_cash_p50"] = row_quantile(cash, 0.5)
    for column in [c for c in runs if c.startswith("milestone_") and c.endswith("_index")]:
        name = column.removesuffix("_index")
        _month_quantiles(out, name, breakeven_matrix(runs, rows, per_row, column), starts)
    return out


def _month_quantiles(
    out: pd.DataFrame, name: str, months: np.ndarray, starts: list[str | None]
) -> None:
    """``<name>_p10/p50/p90`` (``YYYY-MM`` or never) and their ``_index`` columns."""
    for q in QUANTILES:
        idx = row_quantile(months, q, "inverted_cdf")
        col = f"{name}_p{round(q * 100)}"
        out[col] = [_month_label(s, i) for s, i in zip(starts, idx, strict=True)]
        out[f"{col}_index"] = idx


def _starts(runs: pd.DataFrame, rows: int, per_row: int) -> list[str | None]:
    """Start month of each row's first successful run (to turn month indices into labels)."""
    ok = runs[runs["status"] == "ok"]
    row = ok["run_id"].to_numpy() // per_row
    first = pd.Series(ok["start_month"].to_numpy(), index=row)
    first = first[~first.index.duplicated()]
    return [first.get(r) for r in range(rows)]


def _mean_ci(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row means of the non-NaN values with a 95 % Student-t interval (NaN for < 2 values)."""
    n = np.sum(~np.isnan(values), axis=1)
    total = np.nansum(values, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, total / n, np.nan)
        dev = np.where(np.isnan(values), 0.0, values - mean[:, None])
        sd = np.sqrt(np.sum(dev**2, axis=1) / (n - 1))
        half = stats.t.ppf(0.975, np.maximum(n - 1, 1)) * sd / np.sqrt(n)
    half = np.where(n >= 2, half, np.nan)
    return mean, mean - half, mean + half


def comparison_table(
    summary: pd.DataFrame, runs: pd.DataFrame, per_row: int, baseline_of: np.ndarray | None
) -> pd.DataFrame:
    """The headline columns of ``summary`` and, for variants, P(break-even before baseline).

    Row ``i`` is paired run by run with row ``baseline_of[i]`` (the baseline variant's point
    with the same grid cell and draw, or the baseline variant): replication ``k`` with
    replication ``k``, same random numbers. A run that never breaks even counts as later than
    any that does; two that never do are not "before". Failed runs are left out of the pairs.
    """
    drop = ("capital_needed_mean", "final_cumulative_cash_p50", "breakeven_runs_reached")
    keep = [c for c in summary.columns if not c.endswith(("_index", "_reached")) and c not in drop]
    out = summary[keep].copy()
    if baseline_of is None:
        return out
    be = breakeven_matrix(runs, len(summary), per_row)
    base = be[baseline_of]
    valid = ~np.isnan(be) & ~np.isnan(base)
    before = (be < base) & valid
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(valid.sum(axis=1) > 0, before.sum(axis=1) / valid.sum(axis=1), np.nan)
    p[np.arange(len(summary)) == baseline_of] = np.nan
    out["p_before_baseline"] = p
    return out


BANDS_SCHEMA = pa.schema(
    [
        ("point_id", pa.int64()),
        ("variant", pa.string()),
        ("month", pa.string()),
        ("metric", pa.string()),
        ("p10", pa.float64()),
        ("p50", pa.float64()),
        ("p90", pa.float64()),
        ("mean", pa.float64()),
        ("runs", pa.int64()),
    ]
)
"""``bands.parquet``: one row per (metric, point, month); ``point_id`` is null when pooled."""


def bands_rows(
    point_id: int | None, variant: str, start: str, metric: str, matrix: np.ndarray
) -> pa.Table:
    """P10/P50/P90/mean per month of ``matrix`` (runs x months, NaN where a run has no value).

    Sorted once, in the matrix's own dtype (float32 keeps the memory of one point's
    replications small); quantiles and means are computed in float64. ``runs`` counts the
    non-NaN values of each month.
    """
    width = matrix.shape[1]
    n = np.sum(~np.isnan(matrix), axis=0)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(matrix, axis=0, dtype=np.float64)
    s = np.sort(matrix, axis=0).T  # months x runs, NaN last
    q = [sorted_quantile(s, n, level, "linear") for level in QUANTILES]
    columns = {
        "point_id": [point_id] * width,
        "variant": [variant] * width,
        "month": [shift_label(start, i) for i in range(width)],
        "metric": [metric] * width,
        "p10": q[0],
        "p50": q[1],
        "p90": q[2],
        "mean": mean,
        "runs": n,
    }
    return pa.table(columns, schema=BANDS_SCHEMA)
