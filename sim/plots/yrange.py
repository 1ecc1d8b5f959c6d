"""A y-range a reader can use when the first months' volumes are tiny.

A launch month of a few hundred cars carrying a month of fixed costs loses millions per car; an
axis scaled to it flattens every later month onto the zero line. Per-car axes therefore take
their range from the months that deliver at least :data:`MIN_VOLUME_SHARE` of the busiest
month's cars (and zero); points outside that range sit on the axis edge as triangles, and their
months and values are written under the month axis, clear of the data. When every point fits, the
axis is left as Matplotlib scales it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from sim.core.calendar import month_label

MIN_VOLUME_SHARE = 0.05
"""Months delivering less than this share of the busiest month's cars do not set the range."""
PAD = 0.08
"""Space above and below the kept values, as a share of their span."""
INSET = 0.025
"""Where the triangles of clipped points sit: this share of the range inside the edge."""
MAX_LABELS = 12
"""Clipped points whose values are written; the rest are counted."""


def readable_months(volume: np.ndarray, share: float = MIN_VOLUME_SHARE) -> np.ndarray:
    """True in the months whose ``volume`` (cars) is at least ``share`` of the largest."""
    v = np.nan_to_num(np.asarray(volume, dtype=float), nan=0.0)
    peak = float(v.max()) if v.size else 0.0
    return v >= share * peak if peak > 0 else np.ones(v.shape, dtype=bool)


def limits(
    series: Sequence[np.ndarray], keep: np.ndarray, include: Sequence[float] = (0.0,)
) -> tuple[float, float] | None:
    """(low, high) covering ``series`` in the ``keep`` months and ``include``, padded; None if
    every finite value of every series already lies inside it (nothing to clip)."""
    kept = [np.asarray(s, dtype=float)[keep] for s in series]
    every = np.concatenate([np.asarray(s, dtype=float) for s in series])
    values = np.concatenate([*kept, np.asarray(include, dtype=float)])
    values = values[np.isfinite(values)]
    if values.size == 0:
        return None
    lo, hi = float(values.min()), float(values.max())
    pad = PAD * (hi - lo or abs(hi) or 1.0)
    lo, hi = lo - pad, hi + pad
    every = every[np.isfinite(every)]
    if every.size == 0 or (every.min() >= lo and every.max() <= hi):
        return None
    return lo, hi


def clip_marks(
    ax: Axes,
    x: np.ndarray,
    y: np.ndarray,
    span: tuple[float, float],
    text: Callable[[float], str],
    colour: str,
    names: list[str] | None = None,
    unit: str = "month",
) -> int:
    """Set the y-range to ``span``; mark each point of ``y`` outside it with a triangle on the
    edge, and write the months and values under the month axis (never over the data).
    Returns how many points were left off the scale."""
    lo, hi = span
    ax.set_ylim(lo, hi)
    y = np.asarray(y, dtype=float)
    out = np.flatnonzero(np.isfinite(y) & ((y < lo) | (y > hi)))
    inset = INSET * (hi - lo)  # the triangles sit just inside the edge, clear of the title
    for marker, edge, side in (("v", lo + inset, y < lo), ("^", hi - inset, y > hi)):
        idx = np.intersect1d(out, np.flatnonzero(side))
        if idx.size:
            ax.plot(x[idx], np.full(idx.size, edge), marker, color=colour, ms=8, mec="white",
                    zorder=6)  # fmt: skip
    if out.size:
        names = names or [month_label(d.astype(object)) for d in x]
        note = clipped_note(names, y, out, text, unit).replace("$", r"\$")  # not maths
        ax.set_xlabel(f"{ax.get_xlabel()}\n{note}".strip())
    return int(out.size)


def clipped_note(
    names: list[str], y: np.ndarray, out: np.ndarray, text: Callable, unit: str = "month"
) -> str:
    """``Off the scale (\u25bc\u25b2), under 5 % of the busiest month's deliveries: 2024-04
    -$1.21M, ...``, at most :data:`MAX_LABELS` values, three to a line."""
    items = [f"{names[i]} {text(y[i])}" for i in out[:MAX_LABELS]]
    if out.size > MAX_LABELS:
        items.append(f"and {out.size - MAX_LABELS} more")
    lines = [", ".join(items[k : k + 4]) for k in range(0, len(items), 4)]
    head = (
        f"Off the scale (\u25bc\u25b2), {unit}s under {MIN_VOLUME_SHARE:.0%} of the busiest "
        f"{unit}'s deliveries:"
    )
    return "\n".join([head, *lines])


def clip_groups(
    ax: Axes,
    groups: Sequence[tuple[np.ndarray, np.ndarray, str]],
    span: tuple[float, float],
    text: Callable[[float], str],
    note_ax: Axes | None = None,
    what: str = "medians",
) -> int:
    """Set the y-range to ``span`` and mark the points of several lines (``(x, y, colour)``)
    outside it with triangles on the edge; one line under the month axis of ``note_ax`` (default
    ``ax``) says how many and the most extreme value. Returns how many points were left off."""
    lo, hi = span
    ax.set_ylim(lo, hi)
    inset = INSET * (hi - lo)
    n, worst = 0, None
    for x, y, colour in groups:
        y = np.asarray(y, dtype=float)
        for marker, edge, side in (("v", lo + inset, y < lo), ("^", hi - inset, y > hi)):
            idx = np.flatnonzero(np.isfinite(y) & side)
            if idx.size:
                ax.plot(x[idx], np.full(idx.size, edge), marker, color=colour, ms=8,
                        mec="white", zorder=6)  # fmt: skip
                n += idx.size
                i = idx[np.argmax(np.abs(y[idx]))]
                if worst is None or abs(y[i]) > abs(worst[1]):
                    worst = (month_label(x[i].astype(object)), float(y[i]))
    if worst is not None:
        target = note_ax or ax
        noun = what if n != 1 else what.removesuffix("s")
        note = (
            f"{n} {noun} off the scale (\u25bc\u25b2) in months under {MIN_VOLUME_SHARE:.0%} of "
            f"the busiest month's deliveries;\nfurthest {text(worst[1])} ({worst[0]})"
        ).replace("$", r"\$")
        target.set_xlabel(f"{target.get_xlabel()}\n{note}".strip())
    return n


# ---------------------------------------------------------------------------- sweep bands


def spread(rows: pd.DataFrame) -> bool:
    """Whether bands have any width (P10 < P90 somewhere): a deterministic sweep's do not."""
    width = (rows["p90"] - rows["p10"]).abs().to_numpy(float)
    return bool(np.nanmax(width, initial=0.0) > 0)


def _volumes(bands: pd.DataFrame, rows: pd.DataFrame) -> np.ndarray | None:
    """The median deliveries of the group of ``rows``, month by month (None if not kept)."""
    key = rows.iloc[0]
    same = (bands["metric"] == "deliveries") & (bands["variant"] == key["variant"])
    same &= bands["point_id"].isna() if pd.isna(key["point_id"]) else (
        bands["point_id"] == key["point_id"]
    )  # fmt: skip
    deliveries = bands[same].set_index("month")["p50"]
    if deliveries.empty:
        return None
    return deliveries.reindex(rows["month"]).to_numpy(float)


def band_range(bands: pd.DataFrame, groups: list, metric: str) -> tuple[float, float] | None:
    """The y-range of per-car bands (``[(key, rows)]`` of one metric of ``bands``) from the
    months whose median deliveries are real volume, and zero; None for other metrics, without
    deliveries bands, or when every value fits."""
    if metric not in ("operating_profit_per_car", "unit_cogs"):
        return None
    series, keep = [], []
    for _, g in groups:
        volume = _volumes(bands, g)
        if volume is None:
            return None
        mask = readable_months(volume)
        series += [g["p10"].to_numpy(float), g["p90"].to_numpy(float)]
        keep += [mask, mask]
    return limits([np.concatenate(series)], np.concatenate(keep))
