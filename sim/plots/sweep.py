"""Figures of a sweep, each a pure function of its tables, returning a matplotlib Figure.

Inputs are the tables of :func:`sim.experiments.read_sweep`: ``bands`` (tidy: ``point_id,
variant, month, metric, p10, p50, p90, mean, runs``; ``point_id`` null when pooled per variant),
``comparison`` or ``points`` (one row per point or variant: ``breakeven_p10/p50/p90`` as
``YYYY-MM`` or :data:`~sim.core.outputs.NEVER`), and ``runs`` (one row per run). Nothing is
shown or saved.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.core.calendar import shift_label
from sim.core.format import factor_value, money, percent
from sim.core.outputs import BREAKEVEN_MEANINGS, NEVER, PRIMARY
from sim.plots import marks, style, yrange
from sim.plots.style import GREY, LINE_WIDTH, NOTE_SIZE, OKABE_ITO

BREAKEVEN_INDEX = f"breakeven_{PRIMARY}_index"
"""Column of ``runs``: primary break-even as months from the run's start month, null = never."""
MAX_GROUPS = 6  # bands or ECDFs in one panel: one colour each; more are unreadable
NEVER_FILL = "#D9D9D9"  # light grey behind hatching: cells and bars that never break even
TITLE = {"fontsize": style.TITLE_SIZE, "fontweight": "bold"}
LEGEND = {"fontsize": style.LEGEND_SIZE, "frameon": False}  # legends outside the axes

METRICS = {  # metric of bands.parquet -> (axis label with unit, tick format)
    "operating_profit_per_car": ("Operating profit per car (USD)", "usd"),
    "cumulative_cash": ("Cumulative cash (USD)", "usd"),
    "deliveries": ("Deliveries (cars per month)", "count"),
    "production": ("Production (cars per month)", "count"),
    "backlog": ("Order backlog (cars)", "count"),
    "gross_margin": ("Gross margin (% of revenue)", "percent"),
    "unit_cogs": ("Unit cost of goods sold (USD per car)", "usd"),
}


# ---------------------------------------------------------------------------- helpers


def _format_y(ax: Axes, fmt: str) -> None:
    formats = {"usd": style.UsdFormatter, "count": style.CountFormatter,
               "percent": style.PercentFormatter}  # fmt: skip
    if fmt in formats:
        ax.yaxis.set_major_formatter(formats[fmt]())


def band_groups(bands: pd.DataFrame, metric: str, by: str = "variant") -> list[tuple]:
    """``[(key, rows)]`` of one metric: per variant (one point each, or pooled) or per point."""
    if by not in ("variant", "point"):
        raise ValueError(f"by must be 'variant' or 'point' (got {by!r})")
    rows = bands[bands["metric"] == metric]
    if rows.empty:
        raise ValueError(f"no {metric!r} rows in bands; have {sorted(bands['metric'].unique())}")
    if by == "point":
        if rows["point_id"].isna().all():
            raise ValueError("bands are pooled per variant (bands_by: variant); use by='variant'")
        return [(int(k), g.sort_values("month")) for k, g in rows.groupby("point_id", sort=False)]
    out = []
    for name, g in rows.groupby("variant", sort=False):
        if g["point_id"].nunique() > 1:
            raise ValueError(f"variant {name!r} has {g['point_id'].nunique()} points; by='point'")
        out.append((name, g.sort_values("month")))
    return out


def _row(table: pd.DataFrame | None, key, by: str) -> pd.Series | None:
    """The comparison/points row of a group (None without a table or a matching row)."""
    if table is None:
        return None
    if by == "point":
        rows = table[table["point_id"] == key] if "point_id" in table else table.iloc[:0]
    else:
        rows = table[table["variant"] == key]
    if len(rows) > 1:
        raise ValueError(f"{len(rows)} rows for {by} {key!r}: pass the per-{by} comparison table")
    return rows.iloc[0] if len(rows) else None


def _group_name(key, by: str, row: pd.Series | None, rows: pd.DataFrame, alone: bool) -> str:
    """A variant's name; a point's factor values, after its variant unless ``alone``."""
    variant = rows["variant"].iloc[0]
    factors = [] if by == "variant" or row is None else [c for c in row.index if "." in c]
    if not factors:
        return str(key) if by == "variant" else f"{variant} (point {key})"
    values = ", ".join(factor_value(row[c]) for c in factors)
    return values if alone else f"{variant}: {values}"


def _legend_title(by: str, table: pd.DataFrame | None) -> str | None:
    """Names of the factor values in point names: ``months, progress_ratio``."""
    factors = [] if by == "variant" or table is None else [c for c in table if "." in c]
    return ", ".join(c.split(".")[-1] for c in factors) or None


def _one(values: pd.Series) -> str | None:
    return str(values.iloc[0]) if values.nunique() == 1 else None


def _label(row: pd.Series | None, column: str) -> str | None:
    value = None if row is None else row.get(column)
    return value if isinstance(value, str) else None


# ---------------------------------------------------------------------------- profit bands


def profit_bands(
    bands: pd.DataFrame,
    comparison: pd.DataFrame | None = None,
    metric: str = "operating_profit_per_car",
    by: str = "variant",
    title: str | None = None,
) -> Figure:
    """Median line and P10-P90 band per variant (or point) by month, with the zero line.

    With ``comparison`` (or ``points``), each group's median primary break-even month (column
    ``breakeven_p50``: operating profit per car >= 0, sustained) is marked on its median line,
    and a strip under the chart shows the P10-P50-P90 break-even months, labelled.
    """
    groups = band_groups(bands, metric, by)
    if len(groups) > MAX_GROUPS:
        raise ValueError(f"{len(groups)} bands in one figure; at most {MAX_GROUPS}")
    ylabel, fmt = METRICS.get(metric, (metric, ""))
    wide = any(yrange.spread(g) for _, g in groups)
    what = "median and P10\u2013P90 of runs" if wide else "every run the same"
    default = f"{ylabel.split(' (')[0]}: {what}"
    strip = comparison is not None
    fig, axes = style.new_figure(
        2 if strip else 1,
        figsize=(11.0, 6.6 if strip else 5.6),
        height_ratios=(4.2, 0.35 * len(groups) + 0.5) if strip else None,
    )
    ax = axes[0]  # title over the axes, not the figure: the legend sits right, at the top
    ax.set_title(title or default, **TITLE)
    every = np.unique(np.concatenate([style.month_dates(g["month"]) for _, g in groups]))
    rows = [_row(comparison, key, by) for key, _ in groups]
    alone = bands["variant"].nunique() == 1
    names = [_group_name(k, by, r, g, alone) for (k, g), r in zip(groups, rows, strict=True)]
    span = yrange.band_range(bands, groups, metric)
    for i, ((_, g), row, name) in enumerate(zip(groups, rows, names, strict=True)):
        colour, x = style.colour(i), style.month_dates(g["month"])
        if wide:
            ax.fill_between(x, g["p10"], g["p90"], color=colour, alpha=0.22, lw=0)
        ax.plot(x, g["p50"], color=colour, lw=LINE_WIDTH, label=name)
        be = _label(row, "breakeven_p50")
        if be and be != NEVER:
            at = style.month_date(be)
            y = g.loc[g["month"] == be, "p50"]
            if len(y):
                ax.plot([at], [float(y.iloc[0])], "o", color=colour, ms=9, mec="white", zorder=5)
            for a in axes:
                a.axvline(at, color=colour, ls=":", lw=1.4, zorder=2)
        if strip:
            _strip_row(axes[1], len(groups) - 1 - i, row, colour, every)
    if fmt != "percent":
        marks.zero_line(ax)
    _format_y(ax, fmt)
    ax.set_ylabel(ylabel, fontsize=style.LABEL_SIZE)
    handles = [*ax.get_legend_handles_labels()[0]]
    if wide:
        handles.append(Patch(color=GREY, alpha=0.35, label="P10\u2013P90 of runs"))
    if strip:
        what = "median break-even" if wide else "break-even"
        handles.append(Line2D([], [], marker="o", ls="", color=GREY, ms=9, label=what))
        _finish_strip(axes[1], names[::-1], every, wide)
    else:
        style.format_month_axis(ax, every)
        ax.set_xlabel(marks.MONTH_LABEL, fontsize=style.LABEL_SIZE)
    if span is not None:
        lines = [(style.month_dates(g["month"]), g["p50"].to_numpy(float), style.colour(i))
                 for i, (_, g) in enumerate(groups)]  # fmt: skip
        yrange.clip_groups(ax, lines, span, money, axes[-1], "medians" if wide else "values")
    title = _legend_title(by, comparison)
    fig.legend(handles=handles, loc="outside right upper", title=title, **LEGEND)
    return fig


def _strip_row(ax: Axes, y: int, row: pd.Series | None, colour: str, every: np.ndarray) -> None:
    """One group's break-even months: P10-P90 line, median dot, median month written.

    A quantile not within the horizon sits at the right edge, with an arrow head."""
    labels = [_label(row, f"breakeven_p{q}") for q in (10, 50, 90)]
    if labels[1] is None:
        return
    edge = every.max() + np.timedelta64(15, "D")
    lo, mid, hi = (edge if s == NEVER else style.month_date(s) for s in labels)
    ax.plot([lo, hi], [y, y], color=colour, lw=5, alpha=0.45, solid_capstyle="butt")
    if labels[2] == NEVER:
        ax.plot([edge], [y], ">", color=colour, ms=9, alpha=0.6)
    ax.plot([mid], [y], ">" if mid == edge else "o", color=colour, ms=9, mec="white", zorder=5)
    text = f"{labels[1]} (P90 {NEVER})" if NEVER == labels[2] != labels[1] else labels[1]
    span = max(every.max() - every.min(), np.timedelta64(1, "D"))
    left = (hi - every.min()) / span > 0.75  # no room right of the line
    ax.annotate(
        text,
        xy=(lo if left else hi, y),
        xytext=(-9 if left else 9, 0),
        textcoords="offset points",
        ha="right" if left else "left",
        va="center",
        fontsize=NOTE_SIZE,
        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"},
    )


def _finish_strip(ax: Axes, names: list[str], every: np.ndarray, wide: bool = True) -> None:
    ax.set_yticks(range(len(names)), names, fontsize=style.TICK_SIZE)
    ax.set_ylim(-0.7, len(names) - 0.3)
    ax.grid(False, axis="y")
    ax.set_ylabel("Break-even\nP10\u2013P90" if wide else "Break-even", fontsize=style.LABEL_SIZE)
    style.format_month_axis(ax, every)
    ax.set_xlabel(marks.MONTH_LABEL, fontsize=style.LABEL_SIZE)


# ---------------------------------------------------------------------------- fan chart


def fan_chart(
    bands: pd.DataFrame,
    point: int | None = None,
    variant: str | None = None,
    metrics: Sequence[str] = ("operating_profit_per_car", "cumulative_cash"),
    title: str | None = None,
) -> Figure:
    """P10-P90 fan and median of one point (or one variant's pooled bands), a panel per metric.

    Without ``point`` or ``variant`` the bands must hold a single group (e.g. a Monte Carlo
    sweep pooled per variant).
    """
    rows = bands
    if point is not None:
        rows = rows[rows["point_id"] == point]
    if variant is not None:
        rows = rows[rows["variant"] == variant]
    keys = rows[["point_id", "variant"]].drop_duplicates()
    if len(keys) != 1:
        have = f"{len(keys)} points or variants; pass point= or variant=" if len(keys) else "none"
        raise ValueError(f"fan_chart draws one point or variant; selected {have}")
    name = str(keys["variant"].iloc[0]) + ("" if point is None else f", point {point}")
    n = int(rows["runs"].max()) if "runs" in rows else None
    wide = yrange.spread(rows)
    of = f" of {n:,} runs" if n else ""
    default = f"{name}: " + (f"median and P10\u2013P90{of}" if wide else "every run the same")
    fig, axes = style.new_figure(
        len(metrics), title=title or default, figsize=(10.0, 1.0 + 2.8 * len(metrics))
    )
    blue = OKABE_ITO["blue"]
    clipped: list[tuple] = []  # (axes, y-range, lines): marked once the month axis is labelled
    for ax, metric in zip(axes, metrics, strict=True):
        g = rows[rows["metric"] == metric].sort_values("month")
        if g.empty:
            raise ValueError(f"no {metric!r} bands for {name}")
        x = style.month_dates(g["month"])
        if wide:
            ax.fill_between(
                x, g["p10"], g["p90"], color=blue, alpha=0.25, lw=0, label="P10\u2013P90 of runs"
            )
        ax.plot(x, g["p50"], color=blue, lw=LINE_WIDTH, label="median" if wide else "the run")
        ylabel, fmt = METRICS.get(metric, (metric, ""))
        if fmt == "usd" and (g["p10"].min() < 0 < g["p90"].max()):
            marks.zero_line(ax)
        _format_y(ax, fmt)
        ax.set_ylabel(ylabel.replace(" (", "\n("), fontsize=style.LABEL_SIZE)
        style.format_month_axis(ax, x)
        span = yrange.band_range(bands, [(None, g)], metric)
        if span is not None:
            clipped.append((ax, span, [(x, g["p50"].to_numpy(float), blue)]))
    if wide:
        style.legend(axes[0], loc="best")
    axes[-1].set_xlabel(marks.MONTH_LABEL, fontsize=style.LABEL_SIZE)
    for ax, span, lines in clipped:
        yrange.clip_groups(ax, lines, span, money, axes[-1], "medians" if wide else "values")
    fig.align_ylabels(axes)
    return fig


# ---------------------------------------------------------------------------- distribution


def breakeven_distribution(
    runs: pd.DataFrame,
    column: str = BREAKEVEN_INDEX,
    by: str = "variant",
    horizon_months: int | None = None,
    start: str | None = None,
    kind: str = "ecdf",
    title: str | None = None,
) -> Figure:
    """Break-even month over the runs, per variant (or point): ECDF steps or monthly shares.

    ``column`` holds months from each run's ``start_month`` (``start`` overrides it), null =
    not within the horizon. Those runs are kept: the ECDF ends below 100 % and a side panel
    shows each group's share never breaking even (after month ``horizon_months``). Failed
    runs (status != ok) are left out and counted in a note.
    """
    if kind not in ("ecdf", "hist"):
        raise ValueError(f"kind must be 'ecdf' or 'hist' (got {kind!r})")
    key = {"variant": "variant", "point": "point_id"}.get(by)
    if key is None or key not in runs or column not in runs:
        raise KeyError(f"runs need columns {by!r} and {column!r}")
    ok = runs["status"] == "ok" if "status" in runs else pd.Series(True, index=runs.index)
    failed, good = int((~ok).sum()), runs[ok]
    groups = list(good.groupby(key, sort=False))
    if not 0 < len(groups) <= MAX_GROUPS:
        raise ValueError(f"{len(groups)} groups with successful runs; draw 1 to {MAX_GROUPS}")
    if start is None and "start_month" not in good:
        raise KeyError("runs have no start_month: pass start='YYYY-MM'")
    what = BREAKEVEN_MEANINGS.get(column.removeprefix("breakeven_").removesuffix("_index"), column)
    fig = Figure(figsize=(11.0, 5.8), dpi=style.DPI, layout="constrained")
    ax, side = fig.subplots(
        1, 2, sharey=True, gridspec_kw={"width_ratios": (7, max(1.4, 0.45 * len(groups)))}
    )
    for a in (ax, side):
        style.style_axes(a)
    fig.suptitle(title or f"Break-even month over the runs ({what})", **TITLE)
    reached, shares, handles = [], [], []
    for i, (name, g) in enumerate(groups):
        idx = g[column].to_numpy(dtype=float, na_value=np.nan)
        hit = np.isfinite(idx)
        starts = start if start is not None else g["start_month"].to_numpy()[hit].astype(str)
        dates = np.sort(style.index_dates(starts, idx[hit]))
        reached.append(dates)
        shares.append(never := 1.0 - hit.mean())
        pts = g["point_id"].nunique() if by == "variant" and "point_id" in g else 1
        alone = good["variant"].nunique() == 1
        label = f"{_group_name(name, by, g.iloc[0], g, alone)} ({len(g):,} runs"
        label += f" over {pts:,} points" if pts > 1 else ""
        label += f"; {percent(never)} {NEVER})" if never > 0 else ")"
        handles.append(_draw_group(ax, dates, len(g), style.colour(i), label, kind))
    every = np.concatenate(reached) if any(len(d) for d in reached) else np.array([], "M8[D]")
    end = _never_panel(side, shares, horizon_months, start or _one(good["start_month"]), kind)
    if every.size:
        lo, hi, pad = every.min(), every.max(), np.timedelta64(45, "D")
        if end is not None and end - hi < np.timedelta64(366, "D"):  # horizon end in view
            hi = max(hi, end)
            ax.axvline(end, color=GREY, ls="--", lw=1.2)
            note = dict(rotation=90, ha="right", va="center", color=GREY, fontsize=NOTE_SIZE)
            ax.text(end, 0.5, "end of horizon ", transform=ax.get_xaxis_transform(), **note)
        ax.set_xlim(lo - pad, hi + pad)
        style.format_month_axis(ax, np.array([lo, hi]))  # ticks on visible months
    ax.set_xlabel(marks.MONTH_LABEL, fontsize=style.LABEL_SIZE)
    ylabel = "broken even by" if kind == "ecdf" else "breaking even in"
    ax.set_ylabel(f"Runs {ylabel} the month (%)", fontsize=style.LABEL_SIZE)
    _format_y(ax, "percent")
    ax.set_ylim(0, 1.09 if kind == "ecdf" else None)
    if failed:  # a legend line without a mark: clear of the data
        handles.append(Patch(color="none", label=f"{failed:,} failed run(s) left out"))
    ncols = min(len(handles), 2 if max(len(h.get_label()) for h in handles) > 30 else 3)
    handles = style.row_major(handles, ncols)
    title = _legend_title(by, runs)
    fig.legend(handles=handles, loc="outside lower center", ncols=ncols, title=title, **LEGEND)
    return fig


def _draw_group(ax: Axes, dates, n: int, colour: str, label: str, kind: str):
    if not len(dates):
        return ax.plot([], [], color=colour, lw=LINE_WIDTH, label=label)[0]
    if kind == "ecdf":  # from 0 before the first to the share reached, flat past the last
        y = np.arange(len(dates) + 2).clip(max=len(dates)) / n
        far = np.timedelta64(4000, "D")  # beyond any axis limit
        x = np.concatenate([[dates[0] - far], dates, [dates[-1] + far]])
        return ax.step(x, y, where="post", color=colour, lw=LINE_WIDTH, label=label)[0]
    first, last = dates.min().astype("M8[M]"), dates.max().astype("M8[M]")
    edges = np.arange(first, last + 2).astype("M8[D]")  # one bin per month
    counts = np.histogram(dates.astype(float), edges.astype(float))[0]
    ax.stairs(counts / n, edges, color=colour, alpha=0.2, fill=True)
    return ax.stairs(counts / n, edges, color=colour, lw=LINE_WIDTH, label=label)


def _never_panel(ax: Axes, shares: list[float], horizon: int | None, start, kind: str):
    """One hatched bar per group: the share of runs not breaking even within the horizon.

    Returns the first day after the horizon, when known."""
    for i, share in enumerate(shares):
        bottom = 1.0 - share if kind == "ecdf" else 0.0
        colour = style.colour(i)
        ax.bar(i, share, bottom=bottom, width=0.7, color=colour, hatch="//", ec="white", lw=0)
        size = NOTE_SIZE if len(shares) <= 4 else NOTE_SIZE - 2
        text = {"ha": "center", "va": "bottom", "fontsize": size, "fontweight": "bold"}
        ax.text(i, bottom + share + 0.01, percent(share), color=colour, **text)
    ax.set_xticks([])
    ax.set_xlim(-0.6, len(shares) - 0.4)
    when, end = "", None
    if horizon is not None and start is not None:
        end = style.month_date(shift_label(start, horizon))
        when = f"\n(after {shift_label(start, horizon - 1)})"
    ax.set_xlabel(f"{NEVER.replace(' h', chr(10) + 'h')}{when}", fontsize=style.LABEL_SIZE)
    ax.tick_params(axis="y", left=False)
    return end
