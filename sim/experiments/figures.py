"""The sweep's headline figure: per-car operating profit by month, one band per variant.

Pure: takes the ``bands`` and ``comparison`` tables, returns a matplotlib ``Figure`` (no pyplot
state). :func:`save` writes it atomically. (A stop-gap until ``sim.plots`` draws sweeps.)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.io.atomic import atomic_path
from sim.plots import style

METRIC = "operating_profit_per_car"
_NO_DATE = {"pdf": {"CreationDate": None}, "svg": {"Date": None}, "png": {"Software": None}}
MAX_BANDS = 8  # more bands than this are unreadable in one panel


def band_groups(bands: pd.DataFrame, metric: str = METRIC) -> list[tuple[object, pd.DataFrame]]:
    """The bands of ``metric`` split per point (or per variant when pooled), in table order."""
    rows = bands[bands["metric"] == metric]
    key = "variant" if rows["point_id"].isna().all() else "point_id"
    return [(k, g) for k, g in rows.groupby(key, sort=False)]


def ramp_bands(
    bands: pd.DataFrame,
    comparison: pd.DataFrame,
    title: str | None = None,
    metric: str = METRIC,
) -> Figure:
    """P10-P90 band and median line per group, zero line, median break-even month marked.

    The marker sits at each group's ``breakeven_p50`` month (from ``comparison``) on its median
    line; a group with no median break-even in the horizon gets no marker.
    """
    groups = band_groups(bands, metric)
    if not groups:
        raise ValueError(f"no {metric!r} bands to draw")
    if len(groups) > MAX_BANDS:
        raise ValueError(f"{len(groups)} bands in one figure; at most {MAX_BANDS}")
    fig = Figure(figsize=style.FIGSIZE, dpi=style.DPI, layout="constrained")
    ax = fig.subplots()
    style.style_axes(ax)
    all_dates = []
    for i, (_, g) in enumerate(groups):
        colour = style.colour(i)
        dates = style.month_dates(g["month"])
        all_dates.append(dates)
        label, be_month = _label_and_breakeven(g, comparison)
        ax.fill_between(dates, g["p10"], g["p90"], color=colour, alpha=0.2, linewidth=0)
        ax.plot(dates, g["p50"], color=colour, linewidth=style.LINE_WIDTH, label=label)
        if be_month is not None and be_month in set(g["month"]):
            y = float(g.loc[g["month"] == be_month, "p50"].iloc[0])
            ax.plot([style.month_date(be_month)], [y], "o", color=colour, markersize=8, zorder=5)
            ax.axvline(style.month_date(be_month), color=colour, linestyle=":", linewidth=1.2)
    ax.axhline(0.0, color=style.GREY, linewidth=1.0, zorder=1)
    style.format_usd_axis(ax)
    style.format_month_axis(ax, np.concatenate(all_dates))
    ax.set_ylabel("Operating profit per car (USD)", fontsize=style.LABEL_SIZE)
    ax.set_title(
        title or "Operating profit per car: median and P10-P90 over replications",
        fontsize=style.TITLE_SIZE,
        loc="left",
    )
    lo = float(np.nanmin([g["p10"].quantile(0.02) for _, g in groups]))
    hi = float(np.nanmax([g["p90"].max() for _, g in groups]))
    if np.isfinite(lo) and np.isfinite(hi) and hi > lo:
        pad = 0.05 * (hi - lo)
        ax.set_ylim(lo - pad, hi + pad)
    ax.plot([], [], "o", color=style.GREY, markersize=8, label="median sustained break-even")
    style.legend(ax, loc="lower right")
    return fig


def _label_and_breakeven(g: pd.DataFrame, comparison: pd.DataFrame) -> tuple[str, str | None]:
    """Legend label and median break-even month of one band (from its comparison row)."""
    variant = str(g["variant"].iloc[0])
    pooled = pd.isna(g["point_id"].iloc[0])
    if pooled or "point_id" not in comparison:
        row = comparison[comparison["variant"] == variant]
        label = variant
    else:
        row = comparison[comparison["point_id"] == g["point_id"].iloc[0]]
        factors = [c for c in comparison.columns if "." in c]
        label = " ".join([variant, *(f"{c.split('.')[-1]}={row[c].iloc[0]}" for c in factors)])
    be = row["breakeven_p50"].iloc[0] if len(row) == 1 else None
    return label, be if isinstance(be, str) and be[:1].isdigit() else None


def save(fig: Figure, path: str | Path, formats: Sequence[str] = ("png",)) -> list[Path]:
    """Write ``fig`` as ``path`` with each format's extension, each file atomically."""
    base = Path(path).with_suffix("")
    written = []
    for fmt in formats:
        target = base.with_name(f"{base.name}.{fmt}")
        with atomic_path(target) as tmp:
            fig.savefig(tmp, format=fmt, dpi=style.DPI, metadata=_NO_DATE.get(fmt))
        target.chmod(0o644)
        written.append(target)
    return written
