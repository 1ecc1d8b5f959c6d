"""How the break-even responds to inputs: a two-factor grid, one at a time, and Sobol indices.

Pure functions of result tables returning matplotlib Figures:

- :func:`breakeven_heatmap`: ``points.csv`` of a sweep over a two-factor grid;
- :func:`tornado`: ``oat.csv``, one row per input with columns ``input`` (dotted path),
  ``label``, ``low``, ``base``, ``high`` (input values) and for each metric M (``breakeven``:
  months from the start month, NaN = not within the horizon; ``capital``: peak cash deficit, USD)
  ``M_low``, ``M_base``, ``M_high``;
- :func:`sobol_indices`: ``sobol.csv`` with ``input, label, S1, S1_conf, ST, ST_conf``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.core.calendar import add_months, parse_month, shift_label
from sim.core.format import factor_value, input_value, money
from sim.core.outputs import BREAKEVEN_MEANINGS, NEVER, PRIMARY, month_or_never
from sim.plots import style
from sim.plots.style import GREY, NOTE_SIZE, OKABE_ITO
from sim.plots.sweep import LEGEND, NEVER_FILL

LOW, HIGH = OKABE_ITO["blue"], OKABE_ITO["orange"]  # input at its low / high value
TORNADO_METRICS = {  # metric -> (axis label, default title)
    "breakeven": (
        f"Break-even month ({BREAKEVEN_MEANINGS[PRIMARY]})",
        "What moves the break-even month: one input at a time",
    ),
    "capital": (
        "Capital needed: peak cash deficit (USD)",
        "What moves the capital needed: one input at a time",
    ),
}


# ---------------------------------------------------------------------------- heatmap


def factor_label(path: str) -> str:
    """``factory.lines.phase1.ramp.months`` → ``phase1 ramp months`` (for axis labels)."""
    generic = {"factory", "lines", "costs", "components", "base", "params"}
    parts = [p for p in path.split(".") if p not in generic] or path.split(".")
    return " ".join(parts[-3:]).replace("_", " ")


def breakeven_heatmap(
    points: pd.DataFrame,
    x: str,
    y: str,
    value: str = "breakeven_p50_index",
    title: str | None = None,
    *,
    variant: str | None = None,
    start: str | None = None,
) -> Figure:
    """Median break-even month over two grid factors (dotted paths ``x`` and ``y``).

    Cells read ``YYYY-MM`` (from ``start`` or the table's label column, ``value`` without
    ``_index``) or "never" (hatched grey: not within the horizon; +inf in ``value``).
    With several variants in ``points``, pass ``variant``.
    """
    table = points if variant is None else points[points["variant"] == variant]
    if "variant" in table and table["variant"].nunique() > 1:
        raise ValueError(f"{table['variant'].nunique()} variants in points: pass variant=")
    missing = [c for c in (x, y, value) if c not in table]
    if missing:
        raise KeyError(f"breakeven_heatmap: points lack column(s) {missing}")
    if table.duplicated([x, y]).any():
        raise ValueError("breakeven_heatmap: several points per grid cell; one row per cell")
    xs, ys = np.sort(table[x].unique()), np.sort(table[y].unique())
    grid = np.full((len(ys), len(xs)), np.nan)
    labels = np.full(grid.shape, None, dtype=object)
    label_col = value.removesuffix("_index")
    for _, r in table.iterrows():
        i, j = int(np.searchsorted(ys, r[y])), int(np.searchsorted(xs, r[x]))
        grid[i, j] = float(r[value])
        labels[i, j] = r.get(label_col) if isinstance(r.get(label_col), str) else None
    start = start or _start_from(grid, labels)
    finite = np.isfinite(grid)
    fig, (ax,) = style.new_figure(
        title=title or "Median break-even month over the grid", figsize=(10.0, 6.0)
    )
    ax.grid(False)
    lo, hi = (grid[finite].min(), grid[finite].max()) if finite.any() else (0.0, 1.0)
    norm = Normalize(lo - 0.5, max(hi, lo + 1) + 0.5)
    cmap = style.SEQUENTIAL
    image = ax.imshow(
        np.where(finite, grid, np.nan), cmap=cmap, norm=norm, origin="lower", aspect="auto"
    )
    for (i, j), v in np.ndenumerate(grid):
        if np.isposinf(v):
            ax.add_patch(
                Rectangle((j - 0.5, i - 0.5), 1, 1, fc=NEVER_FILL, ec=GREY, hatch="//", lw=0)
            )
        text = "never" if np.isposinf(v) else "n/a" if np.isnan(v) else labels[i, j]
        text = text or (month_or_never(start, v) if start else f"month {v:g}")
        dark = finite[i, j] and np.mean(cmap(norm(v))[:3]) < 0.5
        ax.text(
            j,
            i,
            text,
            ha="center",
            va="center",
            fontsize=NOTE_SIZE,
            color="white" if dark else "black",
            fontweight="bold" if not finite[i, j] else None,
            bbox=None if finite[i, j] else {"fc": "white", "ec": "none", "pad": 1.5},
        )
    ax.set_xticks(range(len(xs)), [factor_value(v) for v in xs])
    ax.set_yticks(range(len(ys)), [factor_value(v) for v in ys])
    ax.set_xlabel(factor_label(x), fontsize=style.LABEL_SIZE)
    ax.set_ylabel(factor_label(y), fontsize=style.LABEL_SIZE)
    ax.spines[["left", "bottom"]].set_visible(False)
    ax.tick_params(length=0)
    bar = fig.colorbar(image, ax=ax, shrink=0.9)
    bar.set_label(
        "Median break-even month" + ("" if start else " (months from start)"),
        fontsize=style.LABEL_SIZE,
    )
    bar.ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    if start:
        bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: month_or_never(start, v)))
    bar.ax.tick_params(labelsize=style.TICK_SIZE)
    keys = []
    if np.isposinf(grid).any():
        keys.append(Patch(fc=NEVER_FILL, ec=GREY, hatch="//", label=f"never: {NEVER}"))
    if np.isnan(grid).any():
        keys.append(Patch(fc="white", ec=GREY, label="n/a: no successful run"))
    if keys:
        fig.legend(handles=keys, loc="outside lower left", ncols=2, **LEGEND)
    return fig


def _start_from(grid: np.ndarray, labels: np.ndarray) -> str | None:
    """The start month implied by any cell with both a month index and its ``YYYY-MM`` label."""
    for (i, j), v in np.ndenumerate(grid):
        text = labels[i, j]
        if np.isfinite(v) and text and text[:1].isdigit():
            return shift_label(text, -int(v))
    return None


# ---------------------------------------------------------------------------- tornado


def tornado(
    oat: pd.DataFrame,
    metric: str = "breakeven",
    horizon_months: int | None = None,
    start: str | None = None,
    title: str | None = None,
) -> Figure:
    """One-at-a-time sensitivity: per input, bars from the base result to the results with the
    input at its low and at its high value, the largest swing on top.

    ``breakeven`` is in months from the start month (``start``, ``YYYY-MM``, labels the axis
    with months); NaN means not within the horizon and is drawn, hatched, to month
    ``horizon_months`` (or a little past the latest result). ``capital`` is in USD.
    """
    cols = [f"{metric}_{s}" for s in ("low", "base", "high")]
    missing = [c for c in ("input", "label", "low", "base", "high", *cols) if c not in oat]
    if missing:
        raise KeyError(f"tornado: oat table lacks column(s) {missing}")
    if oat.empty:
        raise ValueError("tornado: oat table is empty")
    low, base, high = (oat[c].to_numpy(dtype=float) for c in cols)
    months = metric == "breakeven"
    seen = np.concatenate([low, base, high])
    seen = seen[np.isfinite(seen)]
    span = float(np.ptp(seen)) if seen.size else 0.0
    edge = float(horizon_months or seen.max(initial=0.0) + max(3.0, 0.2 * span))
    ref = float(np.nanmedian(base)) if np.isfinite(base).any() else edge
    lo, hi = (np.where(np.isnan(v), edge, v) if months else v for v in (low, high))
    order = np.argsort(-np.abs(np.nan_to_num(hi - lo)), kind="stable")
    axis_label, default = TORNADO_METRICS.get(metric, (metric, f"One at a time: {metric}"))
    n = len(oat)
    fig, (ax,) = style.new_figure(title=title or default, figsize=(11.0, 1.6 + 0.62 * n))
    ax.grid(False, axis="y")
    for pos, k in enumerate(order):
        y, row = n - 1 - pos, oat.iloc[k]
        for side, result, raw, dy, colour in (
            ("low", lo[k], low[k], 0.19, LOW),
            ("high", hi[k], high[k], -0.19, HIGH),
        ):
            text = input_value(row[side], row["input"])
            _tornado_bar(ax, y + dy, ref, result, months and np.isnan(raw), colour, text)
    labels = [f"{r['label']}\nbase {input_value(r['base'], r['input'])}" for _, r in oat.iterrows()]
    ax.set_yticks(n - 1 - np.arange(n), [labels[k] for k in order])
    ax.set_ylim(-0.7, n - 0.3)
    ax.axvline(ref, color=OKABE_ITO["black"], lw=1.5, zorder=3)
    base_text = _result_text(ref, metric, start) if np.isfinite(base).any() else NEVER
    ax.annotate(
        f"base: {base_text}",
        xy=(ref, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(0, 4),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=NOTE_SIZE,
    )
    handles = [
        Patch(color=LOW, label="input at its low value"),
        Patch(color=HIGH, label="input at its high value"),
    ]
    shown = np.concatenate([[ref], lo, hi])
    shown = shown[np.isfinite(shown)]
    pad = 0.2 * (np.ptp(shown) or (1.0 if months else abs(ref) or 1.0))
    left, right = shown.min() - pad, shown.max() + pad
    if months and (np.isnan(low) | np.isnan(high)).any():
        ax.axvline(edge, color=GREY, ls="--", lw=1.2)
        right = edge + 0.03 * (edge - left)
        handles.append(
            Patch(
                fc=NEVER_FILL,
                ec=GREY,
                hatch="//",
                label=f"{NEVER} (bar to {'its end' if horizon_months else 'the edge'})",
            )
        )
    ax.set_xlim(left, right)
    _result_axis(ax, metric, start)
    xlabel = axis_label if start or not months else "Break-even (months from start)"
    ax.set_xlabel(xlabel, fontsize=style.LABEL_SIZE)
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), **LEGEND)
    return fig


def _tornado_bar(ax: Axes, y, ref, result, never: bool, colour: str, text: str) -> None:
    """Half a row: a bar from ``ref`` to ``result``, the input value written at its far end
    (inside the bar when the result is not within the horizon)."""
    note = {"va": "center", "fontsize": NOTE_SIZE, "textcoords": "offset points"}
    if not np.isfinite(result):
        ax.annotate(f"{text}: n/a", xy=(ref, y), xytext=(4, 0), ha="left", **note)
        return
    hatch = {"hatch": "//", "edgecolor": "white"} if never else {}
    ax.barh(y, result - ref, left=ref, height=0.36, color=colour, lw=0, **hatch)
    if never:  # written on the bar, in a box of its colour: the bar still reaches the edge
        box = {"boxstyle": "round,pad=0.2", "fc": colour, "ec": "none"}
        ink = "white" if colour == LOW else "black"
        label = f"{text}: {NEVER}"
        ax.annotate(label, xy=(result, y), xytext=(-8, 0), ha="right", bbox=box, color=ink, **note)
        return
    right = result > ref or (result == ref and colour == HIGH)
    label = f"{text} (no change)" if result == ref else text
    ax.annotate(
        label,
        xy=(result, y),
        xytext=(4 if right else -4, 0),
        ha="left" if right else "right",
        **note,
    )


def _result_text(value: float, metric: str, start: str | None) -> str:
    if metric != "breakeven":
        return money(value)
    return month_or_never(start, value) if start else f"month {value:g}"


def _result_axis(ax: Axes, metric: str, start: str | None) -> None:
    """Dollars, or months: January of each year (quarters when short) labelled ``YYYY-MM``."""
    if metric != "breakeven":
        style.format_usd_axis(ax, "x")
        return
    if not start:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))
        return
    lo, hi = ax.get_xlim()
    index = np.arange(np.ceil(lo), np.floor(hi) + 1).astype(int)
    every = 12 if hi - lo > 30 else 3
    first = parse_month(start)
    ticks = [i for i in index if (add_months(first, int(i)).month - 1) % every == 0]
    ax.set_xticks(ticks, [shift_label(start, int(i)) for i in ticks])


# ---------------------------------------------------------------------------- Sobol


def sobol_indices(table: pd.DataFrame, title: str | None = None) -> Figure:
    """First-order (S1) and total (ST) Sobol indices per input with 95 % confidence intervals,
    the largest total effect on top."""
    need = ("input", "label", "S1", "S1_conf", "ST", "ST_conf")
    missing = [c for c in need if c not in table]
    if missing:
        raise KeyError(f"sobol_indices: table lacks column(s) {missing}")
    if table.empty:
        raise ValueError("sobol_indices: table is empty")
    t = table.sort_values("ST", ascending=False, kind="stable").reset_index(drop=True)
    n = len(t)
    fig, (ax,) = style.new_figure(
        title=title or "Sobol sensitivity indices: share of the output's variance",
        figsize=(10.0, 1.6 + 0.6 * n),
    )
    ax.grid(False, axis="y")
    y = np.arange(n)[::-1].astype(float)
    for name, dy, colour, text in (
        ("ST", 0.19, OKABE_ITO["vermillion"], "total ST (alone and in interactions)"),
        ("S1", -0.19, OKABE_ITO["sky_blue"], "first-order S1 (alone)"),
    ):
        value, conf = t[name].to_numpy(float), t[f"{name}_conf"].to_numpy(float)
        ax.barh(y + dy, value, height=0.36, color=colour, label=text)
        ax.errorbar(
            value,
            y + dy,
            xerr=conf,
            fmt="none",
            ecolor=OKABE_ITO["black"],
            elinewidth=1.2,
            capsize=4,
        )
        for yy, v, c in zip(y + dy, value, conf, strict=True):
            ax.annotate(
                f"{v:.2f}",
                xy=(max(v, 0) + (c if np.isfinite(c) else 0), yy),
                xytext=(5, 0),
                textcoords="offset points",
                va="center",
                fontsize=NOTE_SIZE,
            )
    ax.axvline(0.0, color=GREY, lw=1.0)
    ax.set_yticks(y, t["label"].astype(str))
    ax.set_ylim(-0.7, n - 0.3)
    top = np.nanmax(np.concatenate([t["ST"] + t["ST_conf"], t["S1"] + t["S1_conf"], [0.1]]))
    bottom = np.nanmin(np.concatenate([t["S1"] - t["S1_conf"], [0.0]]))
    ax.set_xlim(min(bottom * 1.1, 0.0), top * 1.15)
    ax.set_xlabel("Sensitivity index (share of the output's variance)", fontsize=style.LABEL_SIZE)
    handles = [
        *ax.get_legend_handles_labels()[0],
        Line2D(
            [],
            [],
            color=OKABE_ITO["black"],
            marker="|",
            ms=10,
            lw=1.2,
            label="95 % confidence interval",
        ),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), **LEGEND)
    return fig
