"""Look of every figure: Okabe-Ito colours, slide-sized text, USD and month axes.

Nothing here touches pyplot or ``rcParams``: sizes are passed to each artist, so styling a figure
never changes another one (notebooks, threads).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter

# Okabe & Ito (2008), "Color Universal Design": distinguishable with any common colour-vision deficiency.
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
"""Line colours in order of use; yellow and black are kept out of the cycle (too light, too heavy)."""
GREY = "#7F7F7F"
"""Reference lines: zero line, capacity ceilings."""
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


def format_month_axis(ax: Axes) -> None:
    """Year labels on January, quarter ticks between them."""
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.xaxis.set_minor_locator(mdates.MonthLocator(bymonth=(4, 7, 10)))
    ax.tick_params(axis="x", which="minor", length=3)
    ax.tick_params(axis="x", which="major", length=6)
