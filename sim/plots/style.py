"""Look of every figure: Okabe-Ito colours, slide-sized text, USD and month axes.

Nothing here touches pyplot or ``rcParams``: sizes are passed to each artist, so styling a figure
never changes another one (notebooks, threads).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FixedFormatter, FixedLocator, Formatter, NullFormatter

# Okabe & Ito (2008), "Color Universal Design": safe for every common colour-vision deficiency.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
CYCLE = tuple(OKABE_ITO[k] for k in ("blue", "orange", "green", "vermillion", "purple", "sky_blue"))
"""Line colours in order of use; yellow (too light) and black (too heavy) stay out."""
GREY = "#7F7F7F"
"""Reference lines: zero line, capacity ceilings."""
SEQUENTIAL = colormaps["cividis"]
"""Ordered values (heatmaps): readable in grey and for every common colour-vision deficiency."""
GAIN = OKABE_ITO["green"]
LOSS = OKABE_ITO["vermillion"]

FIGSIZE = (10.0, 5.6)  # inches: 16:9 slide
DPI = 150  # dots per inch when saved

TITLE_SIZE = 15  # points
LABEL_SIZE = 12
TICK_SIZE = 11
LEGEND_SIZE = 11
NOTE_SIZE = 11
LINE_WIDTH = 2.0


def new_figure(
    nrows: int = 1,
    *,
    title: str | None = None,
    figsize: tuple[float, float] = FIGSIZE,
    height_ratios: Sequence[float] | None = None,
) -> tuple[Figure, list[Axes]]:
    """A Figure (no pyplot) with ``nrows`` stacked axes sharing the x axis, constrained layout."""
    fig = Figure(figsize=figsize, dpi=DPI, layout="constrained")
    grid = {"height_ratios": list(height_ratios)} if height_ratios else None
    axes = fig.subplots(nrows, 1, sharex=True, squeeze=False, gridspec_kw=grid)[:, 0]
    for ax in axes:
        style_axes(ax)
    if title:
        fig.suptitle(title, fontsize=TITLE_SIZE, fontweight="bold")
    return fig, list(axes)


def style_axes(ax: Axes) -> None:
    """Light grid behind the data, no top/right box, slide-sized ticks."""
    ax.grid(True, color="#DDDDDD", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=TICK_SIZE)


def legend(ax: Axes, **kwargs) -> None:
    """Legend in slide-sized text with a translucent frame."""
    kwargs.setdefault("fontsize", LEGEND_SIZE)
    kwargs.setdefault("framealpha", 0.9)
    ax.legend(**kwargs)


def row_major(handles: Sequence, ncols: int) -> list:
    """Legend entries reordered so that a legend of ``ncols`` columns reads row by row."""
    rows = -(-len(handles) // ncols)
    return [handles[r * ncols + c] for c in range(ncols) for r in range(rows)
            if r * ncols + c < len(handles)]  # fmt: skip


def colour(i: int) -> str:
    """The ``i``-th line colour, cycling."""
    return CYCLE[i % len(CYCLE)]


# ---------------------------------------------------------------------------- money

_SCALES = ((1e9, "bn"), (1e6, "m"), (1e3, "k"), (1.0, ""))


def _scale_of(magnitude: float) -> tuple[float, str]:
    for factor, suffix in _SCALES:
        if magnitude >= factor:
            return factor, suffix
    return 1.0, ""


def _number(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def usd(value: float, decimals: int = 2) -> str:
    """Compact dollars for labels: ``$950``, ``$12.5k``, ``−$1.16bn`` (at most ``decimals``)."""
    if value is None or not math.isfinite(value):
        return "n/a"
    factor, suffix = _scale_of(abs(value))
    sign = "\u2212" if value < 0 else ""
    return f"{sign}${_number(abs(value) / factor, decimals)}{suffix}"


class UsdFormatter(Formatter):
    """Tick labels like ``$12k`` or ``$1.2bn``, one unit and just enough decimals per axis."""

    def __init__(self) -> None:
        self._factor, self._suffix, self._decimals = 1.0, "", 0

    def set_locs(self, locs) -> None:
        super().set_locs(locs)
        locs = np.asarray([v for v in locs if np.isfinite(v)], dtype=float)
        if locs.size == 0:
            return
        self._factor, self._suffix = _scale_of(float(np.abs(locs).max()))
        steps = np.diff(np.unique(locs / self._factor))
        step = float(steps.min()) if steps.size else 1.0
        # fewest decimals that still show the tick step exactly (0.25 → 2, 0.5 → 1, 5 → 0)
        self._decimals = next(
            (d for d in range(4) if abs(round(step * 10**d) - step * 10**d) < 1e-6), 3
        )

    def __call__(self, x, pos=None) -> str:
        if abs(x) < 1e-9 * max(self._factor, 1.0):
            return "$0"
        sign = "\u2212" if x < 0 else ""
        return f"{sign}${abs(x) / self._factor:,.{self._decimals}f}{self._suffix}"


def format_usd_axis(ax: Axes, axis: str = "y") -> None:
    """Show the ``axis`` ("x" or "y") of ``ax`` in compact dollars."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(UsdFormatter())


class CountFormatter(UsdFormatter):
    """Tick labels like ``120k`` for counts of cars (same scaling as dollars, no sign)."""

    def __call__(self, x, pos=None) -> str:
        return super().__call__(x, pos).replace("$", "")


def format_count_axis(ax: Axes, axis: str = "y") -> None:
    """Show the ``axis`` of ``ax`` as compact counts (``30k``)."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(CountFormatter())


# ---------------------------------------------------------------------------- months


def month_dates(labels: Sequence[str]) -> np.ndarray:
    """``YYYY-MM`` labels → first day of each month as ``datetime64[D]``."""
    return np.asarray(list(labels), dtype="datetime64[M]").astype("datetime64[D]")


def month_date(label: str) -> np.datetime64:
    """One ``YYYY-MM`` label → its first day."""
    return np.datetime64(label, "M").astype("datetime64[D]")


def index_dates(start: Sequence[str] | str, index: np.ndarray) -> np.ndarray:
    """Month ``index`` (months after ``start``, ``YYYY-MM``; one or one per index) → first
    days as ``datetime64[D]``."""
    first = np.asarray(start, dtype="datetime64[M]")
    return (first + np.asarray(index, dtype=int)).astype("datetime64[D]")


def format_month_axis(ax: Axes, dates: np.ndarray) -> None:
    """Month axis for monthly ``dates`` (first days): years for long runs, quarters for short.

    Over two years, January ticks separate the years and each year's label sits in the middle
    of its visible part; up to two years, quarters are labelled (``Apr``) with the year under
    the first tick and under each January.
    """
    dates = np.asarray(dates, dtype="datetime64[D]")
    if dates.size == 0:
        return
    first, last = dates.min().astype("datetime64[M]"), dates.max().astype("datetime64[M]")
    span = int((last - first).astype(int)) + 1  # months
    if span > 24:
        _year_ticks(ax, first, last)
    else:
        _quarter_ticks(ax, first, last)
    ax.tick_params(axis="x", which="both", labelsize=TICK_SIZE)


def _year_ticks(ax: Axes, first: np.datetime64, last: np.datetime64) -> None:
    years = range(first.astype(object).year, last.astype(object).year + 1)
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(NullFormatter())
    ax.tick_params(axis="x", which="major", length=8)
    centres, labels = [], []
    for year in years:
        lo = max(np.datetime64(f"{year}-01", "M"), first)
        hi = min(np.datetime64(f"{year}-12", "M"), last)
        if int((hi - lo).astype(int)) + 1 < 3:  # too short a stub to carry a label
            continue
        ends = mdates.date2num(np.array([lo, hi], dtype="datetime64[D]"))
        centres.append(float(ends.mean()))
        labels.append(str(year))
    ax.xaxis.set_minor_locator(FixedLocator(centres))
    ax.xaxis.set_minor_formatter(FixedFormatter(labels))
    ax.tick_params(axis="x", which="minor", length=0, pad=6)


def _quarter_ticks(ax: Axes, first: np.datetime64, last: np.datetime64) -> None:
    months = np.arange(first, last + 1, dtype="datetime64[M]")
    quarters = [m for m in months if (m.astype(int) % 12) % 3 == 0] or [months[0]]
    labels = []
    for k, m in enumerate(quarters):
        day = m.astype(object)
        text = day.strftime("%b")
        labels.append(f"{text}\n{day.year}" if k == 0 or day.month == 1 else text)
    ax.xaxis.set_major_locator(FixedLocator(mdates.date2num(np.array(quarters, "datetime64[D]"))))
    ax.xaxis.set_major_formatter(FixedFormatter(labels))
    ax.xaxis.set_minor_locator(mdates.MonthLocator())
    ax.tick_params(axis="x", which="minor", length=3)
