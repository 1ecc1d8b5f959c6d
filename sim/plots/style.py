"""Look of every figure: Okabe-Ito colours, slide-sized text, USD and month axes.

Numbers read as on the console (:mod:`sim.core.format`); months come from :mod:`sim.core.calendar`.

Nothing here touches pyplot or ``rcParams``: sizes are passed to each artist, so styling a figure
never changes another one (notebooks, threads).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FixedFormatter, FixedLocator, Formatter, NullFormatter

from sim.core.calendar import add_months, months_between, parse_month
from sim.core.format import percent, scale_of, scaled

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


class UsdFormatter(Formatter):
    """Tick labels like ``$20,000`` or ``$1.2bn``: one scale per axis (that of its largest tick,
    :func:`sim.core.format.scale_of`) and just enough decimals to show the tick step."""

    unit = "$"

    def __init__(self) -> None:
        self._factor, self._suffix, self._decimals = 1.0, "", 0

    def set_locs(self, locs) -> None:
        super().set_locs(locs)
        locs = np.asarray([v for v in locs if np.isfinite(v)], dtype=float)
        if locs.size == 0:
            return
        self._factor, self._suffix, _ = scale_of(float(np.abs(locs).max()))
        steps = np.diff(np.unique(locs / self._factor))
        step = float(steps.min()) if steps.size else 1.0
        # fewest decimals that still show the tick step exactly (0.25 → 2, 0.5 → 1, 5 → 0)
        self._decimals = next(
            (d for d in range(4) if abs(round(step * 10**d) - step * 10**d) < 1e-6), 3
        )

    def __call__(self, x, pos=None) -> str:
        return scaled(x, self._factor, self._suffix, self._decimals, unit=self.unit)


def format_usd_axis(ax: Axes, axis: str = "y") -> None:
    """Show the ``axis`` ("x" or "y") of ``ax`` in compact dollars."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(UsdFormatter())


class CountFormatter(UsdFormatter):
    """Tick labels like ``120,000`` or ``1.5M`` for counts of cars (scaled as dollars)."""

    unit = ""


class PercentFormatter(Formatter):
    """Tick labels of shares (1.0 = 100 %) as :func:`sim.core.format.percent` writes them."""

    def __call__(self, x, pos=None) -> str:
        return percent(x)


def format_count_axis(ax: Axes, axis: str = "y") -> None:
    """Show the ``axis`` of ``ax`` as counts (``30,000``, ``1.5M``)."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(CountFormatter())


# ---------------------------------------------------------------------------- months


def month_dates(labels: Sequence[str]) -> np.ndarray:
    """``YYYY-MM`` labels → first day of each month as ``datetime64[D]``."""
    return np.array([parse_month(str(label)) for label in labels], dtype="datetime64[D]")


def month_date(label: str) -> np.datetime64:
    """One ``YYYY-MM`` label → its first day."""
    return np.datetime64(parse_month(str(label)), "D")


def index_dates(start: Sequence[str] | str, index: np.ndarray) -> np.ndarray:
    """Month ``index`` (months after ``start``, ``YYYY-MM``; one or one per index) → first
    days as ``datetime64[D]``."""
    index = np.asarray(index, dtype=int)
    starts = [start] * index.size if isinstance(start, str) else list(start)
    days = [add_months(parse_month(str(s)), int(i)) for s, i in zip(starts, index, strict=True)]
    return np.array(days, dtype="datetime64[D]")


def format_month_axis(ax: Axes, dates: np.ndarray) -> None:
    """Month axis for monthly ``dates`` (first days): years for long runs, quarters for short.

    Over two years, January ticks separate the years and each year's label sits in the middle
    of its visible part; up to two years, quarters are labelled (``Apr``) with the year under
    the first tick and under each January.
    """
    dates = np.asarray(dates, dtype="datetime64[D]")
    if dates.size == 0:
        return
    first, last = (d.astype(object).replace(day=1) for d in (dates.min(), dates.max()))
    months = [add_months(first, k) for k in range(months_between(first, last) + 1)]
    if len(months) > 24:
        _year_ticks(ax, months)
    else:
        _quarter_ticks(ax, months)
    ax.tick_params(axis="x", which="both", labelsize=TICK_SIZE)


def _year_ticks(ax: Axes, months: list[dt.date]) -> None:
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(NullFormatter())
    ax.tick_params(axis="x", which="major", length=8)
    centres, labels = [], []
    for year in range(months[0].year, months[-1].year + 1):
        shown = [m for m in months if m.year == year]
        if len(shown) < 3:  # too short a stub to carry a label
            continue
        centres.append(float(mdates.date2num([shown[0], shown[-1]]).mean()))
        labels.append(str(year))
    ax.xaxis.set_minor_locator(FixedLocator(centres))
    ax.xaxis.set_minor_formatter(FixedFormatter(labels))
    ax.tick_params(axis="x", which="minor", length=0, pad=6)


def _quarter_ticks(ax: Axes, months: list[dt.date]) -> None:
    quarters = [m for m in months if (m.month - 1) % 3 == 0] or months[:1]
    labels = []
    for k, day in enumerate(quarters):
        text = day.strftime("%b")
        labels.append(f"{text}\n{day.year}" if k == 0 or day.month == 1 else text)
    ax.xaxis.set_major_locator(FixedLocator(mdates.date2num(quarters)))
    ax.xaxis.set_major_formatter(FixedFormatter(labels))
    ax.xaxis.set_minor_locator(mdates.MonthLocator())
    ax.tick_params(axis="x", which="minor", length=3)
