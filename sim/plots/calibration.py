"""Figures of a calibration, each a pure function of its tables, returning a matplotlib Figure.

Inputs are the tables of :func:`sim.calibrate.calibrate`: ``residuals`` (``period, metric,
observed, fitted, error, unit``, and ``product`` when a figure is a product's), the forecast's
``fans`` (``period, metric, low, p50, high``: the totals) and ``by_quarter`` (``period,
p_breakeven``), the observed table's rows of totals (``period, metric, value``) and the
``rolling`` table (``origin, breakeven_low/p50/high``). Nothing is shown or saved.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.core.outputs import NEVER
from sim.plots import style
from sim.plots.style import GREY, LINE_WIDTH, OKABE_ITO

LABELS = {
    "deliveries": ("Deliveries (cars per quarter)", style.CountFormatter),
    "production": ("Production (cars)", style.CountFormatter),
    "revenue": ("Revenue (USD)", style.UsdFormatter),
    "asp": ("Average selling price (USD)", style.UsdFormatter),
    "gross_margin": ("Gross margin (% of revenue)", style.PercentFormatter),
    "gross_profit": ("Gross profit (USD)", style.UsdFormatter),
    "operating_profit": ("Operating result (USD per quarter)", style.UsdFormatter),
    "operating_profit_per_car": ("Operating result per car (USD)", style.UsdFormatter),
}
OBSERVED = OKABE_ITO["vermillion"]
MODEL = OKABE_ITO["blue"]
BAR_SPACING = 0.8
"""Inches of panel per reported figure in :func:`observed_vs_fitted` (at least 3.2 a panel)."""


def observed_vs_fitted(residuals: pd.DataFrame) -> Figure:
    """One panel per metric: the reported value and the fitted model's, per period (with a
    ``product`` column, each labelled with its product, or ``total``, under its period)."""
    metrics = list(dict.fromkeys(residuals["metric"]))
    bars = int(residuals["metric"].value_counts().max()) if len(residuals) else 0
    panel = max(3.2, BAR_SPACING * bars)  # inches: a label under each pair of bars
    fig = Figure(
        figsize=(panel * max(len(metrics), 1) + 1, 4.2), dpi=style.DPI, layout="constrained"
    )
    axes = fig.subplots(1, max(len(metrics), 1), squeeze=False)[0]
    named = (
        residuals["product"].fillna("").astype(str)
        if "product" in residuals
        else pd.Series("", index=residuals.index)
    )
    by_product = bool((named != "").any())
    for ax, metric in zip(axes, metrics, strict=False):
        style.style_axes(ax)
        rows = residuals[residuals["metric"] == metric]
        x = np.arange(len(rows))
        ax.bar(x - 0.18, rows["observed"], 0.36, color=OBSERVED, label="reported")
        ax.bar(x + 0.18, rows["fitted"], 0.36, color=MODEL, label="fitted model")
        ticks = [
            f"{p}\n{n or 'total'}" if by_product else p
            for p, n in zip(rows["period"], named[rows.index], strict=True)
        ]
        ax.set_xticks(x, ticks)
        label, fmt = LABELS.get(metric, (metric, style.CountFormatter))
        ax.set_title(label, fontsize=style.LABEL_SIZE)
        ax.yaxis.set_major_formatter(fmt())
        ax.axhline(0, color=GREY, linewidth=0.8)
    axes[0].legend(fontsize=style.LEGEND_SIZE, frameon=False)
    fig.suptitle(
        "Reported figures against the calibrated model",
        fontsize=style.TITLE_SIZE,
        fontweight="bold",
    )
    return fig


def fan_chart(
    fans: pd.DataFrame, observed: pd.DataFrame, by_quarter: pd.DataFrame | None = None
) -> Figure:
    """Quarterly deliveries, gross margin and operating result: the forecast's median and
    interval, with the reported points (``observed``: totals, as the fans are) drawn on them;
    below, P(break-even by each quarter)."""
    metrics = [
        m for m in ("deliveries", "gross_margin", "operating_profit") if m in set(fans["metric"])
    ]
    rows = len(metrics) + (1 if by_quarter is not None else 0)
    fig, axes = style.new_figure(
        rows,
        title="Forecast over the fitted parameters' uncertainty",
        figsize=(10.0, 2.6 * rows + 0.6),
    )
    periods = sorted(fans["period"].unique())
    x = {p: i for i, p in enumerate(periods)}
    for ax, metric in zip(axes, metrics, strict=False):
        f = fans[fans["metric"] == metric].sort_values("period")
        xs = [x[p] for p in f["period"]]
        ax.fill_between(
            xs, f["low"], f["high"], color=MODEL, alpha=0.25, linewidth=0, label="interval"
        )
        ax.plot(xs, f["p50"], color=MODEL, linewidth=LINE_WIDTH, label="median")
        obs = observed[(observed["metric"] == metric) & observed["period"].isin(x)]
        ax.plot(
            [x[p] for p in obs["period"]],
            obs["value"],
            "o",
            color=OBSERVED,
            markersize=7,
            label="reported",
        )
        label, fmt = LABELS[metric]
        ax.set_ylabel(label, fontsize=style.NOTE_SIZE)
        ax.yaxis.set_major_formatter(fmt())
    if by_quarter is not None:
        ax = axes[-1]
        b = by_quarter.sort_values("period")
        ax.step(
            [x[p] for p in b["period"] if p in x],
            [v for p, v in zip(b["period"], b["p_breakeven"], strict=True) if p in x],
            where="post",
            color=MODEL,
            linewidth=LINE_WIDTH,
        )
        ax.set_ylim(0, 1.02)
        ax.set_ylabel("P(break-even by quarter)", fontsize=style.NOTE_SIZE)
        ax.yaxis.set_major_formatter(style.PercentFormatter())
    step = max(1, len(periods) // 10)
    axes[-1].set_xticks(range(0, len(periods), step), periods[::step], rotation=0)
    axes[0].legend(fontsize=style.LEGEND_SIZE, frameon=False, ncols=3)
    return fig


def rolling_chart(rolling: pd.DataFrame) -> Figure:
    """How the break-even quarter's forecast (median and interval) moved as periods arrived."""
    fig, (ax,) = style.new_figure(1, title="Break-even quarter forecast by forecast origin")
    labels = sorted(
        {
            v
            for c in ("breakeven_low", "breakeven_p50", "breakeven_high")
            for v in rolling[c]
            if v != NEVER
        }
    )
    labels.append(NEVER)
    y = {q: i for i, q in enumerate(labels)}
    xs = np.arange(len(rolling))
    lo = [y[v] for v in rolling["breakeven_low"]]
    hi = [y[v] for v in rolling["breakeven_high"]]
    mid = [y[v] for v in rolling["breakeven_p50"]]
    ax.vlines(xs, lo, hi, color=MODEL, linewidth=6, alpha=0.35, label="interval")
    ax.plot(xs, mid, "o-", color=MODEL, linewidth=LINE_WIDTH, label="median")
    ax.set_xticks(xs, list(rolling["origin"]))
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("last reported period fitted", fontsize=style.LABEL_SIZE)
    ax.legend(fontsize=style.LEGEND_SIZE, frameon=False)
    return fig
