"""Marks on run figures: labelled month lines, notes, reference lines, input checks."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from sim.core.calendar import month_label
from sim.core.format import money
from sim.plots import style
from sim.plots.style import GREY, NOTE_SIZE, OKABE_ITO

MONTH_LABEL = "Month"


def require(monthly: pd.DataFrame, columns: Iterable[str], figure: str) -> None:
    """Fail early, naming the figure and the missing columns."""
    missing = [c for c in columns if c not in monthly.columns]
    if missing:
        raise KeyError(f"{figure}: monthly table lacks column(s) {missing}")
    if len(monthly) == 0:
        raise ValueError(f"{figure}: monthly table is empty")


def check_month(monthly: pd.DataFrame, label: str, what: str) -> int:
    """Row of ``label`` in ``monthly``; a month outside the table is a caller's mix-up."""
    hits = np.flatnonzero(monthly["month"].astype(str).to_numpy() == str(label))
    if not hits.size:
        raise ValueError(f"{what} = {label!r} is not a month of the table")
    return int(hits[0])


def side(x: np.ndarray, i: int, default: str = "left") -> str:
    """Text alignment that keeps a label near month ``i`` inside the axes."""
    share = i / max(len(x) - 1, 1)
    return "right" if share > 0.8 else ("left" if share < 0.1 else default)


def mark_month(
    ax: Axes, x: np.ndarray, y: np.ndarray, label: str, text: str, *, linestyle: str, row: int = 0
) -> None:
    """Vertical line at month ``label``; ``text`` beside it at the top or bottom of the axes,
    whichever is further from the data the text spans. ``row`` stacks a second label."""
    date = style.month_date(label)
    ax.axvline(date, color=OKABE_ITO["black"], linestyle=linestyle, lw=1.3)
    i = int(np.searchsorted(x, date))
    width_in = len(text) * NOTE_SIZE * 0.6 / 72  # rough text width, inches
    axes_in = ax.get_position().width * ax.get_figure().get_figwidth()
    k = int(np.ceil(width_in / axes_in * len(x))) + 1  # months under the text
    ha = "right" if i + k >= len(x) and i - k >= 0 else "left"
    window = y[i : i + k] if ha == "left" else y[max(i - k, 0) : i + 1]
    lo, hi = ax.get_ylim()
    frac = (window[np.isfinite(window)] - lo) / (hi - lo)
    at_top = frac.size == 0 or 1.0 - frac.max() >= frac.min()
    pos = 0.97 - 0.09 * row if at_top else 0.03 + 0.09 * row
    ax.annotate(
        text, xy=(date, pos), xycoords=("data", "axes fraction"),
        xytext=(-6 if ha == "right" else 6, 0), textcoords="offset points",
        ha=ha, va="top" if at_top else "bottom", fontsize=NOTE_SIZE,
        bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": "none", "alpha": 0.85},
    )  # fmt: skip


def note(ax: Axes, text: str) -> None:
    """A boxed remark in the top-left corner (e.g. "no break-even within horizon")."""
    ax.text(
        0.02, 0.95, text, transform=ax.transAxes, ha="left", va="top", fontsize=NOTE_SIZE,
        style="italic", bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": GREY},
    )  # fmt: skip


def zero_line(ax: Axes) -> None:
    """The horizontal zero line of a profit or cash chart."""
    ax.axhline(0.0, color=GREY, lw=1.0, zorder=1)


def finish_axes(
    ax: Axes,
    x: np.ndarray,
    *,
    ylabel: str,
    usd: bool = False,
    count: bool = False,
    xlabel: str | None = MONTH_LABEL,
) -> None:
    """Axis labels, y tick format (dollars or car counts) and the month axis."""
    ax.set_ylabel(ylabel, fontsize=style.LABEL_SIZE)
    if xlabel:
        ax.set_xlabel(xlabel, fontsize=style.LABEL_SIZE)
    if usd:
        style.format_usd_axis(ax)
    elif count:
        style.format_count_axis(ax)
    style.format_month_axis(ax, x)


def margin_arrow(
    ax: Axes, x: np.ndarray, cost: np.ndarray, price: np.ndarray, names: list[str] | None = None
) -> Line2D | None:
    """Gross margin per car at the cheapest month: a double arrow from unit cost up to the
    price. Returns the legend entry that says it (``gross margin $10,531 per car (2029-03,
    arrow)``, ``names[i]`` for the month when given): words in the legend cannot print over a
    line. None if there is no margin."""
    gap = price - cost
    if not np.isfinite(gap).any():
        return None
    i = int(np.nanargmin(np.where(np.isfinite(gap), cost, np.nan)))
    if gap[i] <= 0:
        return None
    ax.annotate(
        "", xy=(x[i], price[i]), xytext=(x[i], cost[i]),
        arrowprops={"arrowstyle": "<->", "color": OKABE_ITO["black"], "lw": 1.2},
    )  # fmt: skip
    name = names[i] if names else month_label(x[i].astype(object))
    text = f"gross margin {money(gap[i])} per car\n({name}, arrow)"
    return Line2D([], [], color=OKABE_ITO["black"], lw=0, marker="$\\updownarrow$", ms=12,
                  label=text)  # fmt: skip


def label_capex(ax: Axes, x: np.ndarray, y: np.ndarray, capex: np.ndarray) -> None:
    """Name the big capital outlays (at least 10 % of the chart's range, four at most)."""
    scale = float(np.nanmax(np.abs(y))) if np.isfinite(y).any() else 0.0
    big = [i for i in np.argsort(-capex, kind="stable")[:4] if scale and capex[i] >= 0.1 * scale]
    for i in big:
        before = y[i - 1] if i > 0 else 0.0
        ha = "left" if i == 0 else "right"
        ax.annotate(
            f"capex {money(capex[i])}", xy=(x[max(i - 1, 0)], (before + y[i]) / 2),
            xytext=(8 if ha == "left" else -8, 0), textcoords="offset points",
            ha=ha, va="center", fontsize=NOTE_SIZE, color=OKABE_ITO["black"],
        )  # fmt: skip
