"""Ramp curves: a line's output as a share of nameplate, by days since the line started.

Every curve is 0 before the start, ``initial_share`` at the start and ``peak_share`` once the
ramp is done. Shaped ramps count time in average months (365.25 / 12 days); a table ramp steps
by calendar month, as a user reads it: its first share holds from the line's start day to the
end of that calendar month, the next share for the whole next calendar month, and so on, the last
share afterwards. The logistic is normalised so that it hits both ends exactly:

    g(x) = (s(k (x - 1/2)) - s(-k/2)) / (s(k/2) - s(-k/2)),   s(z) = 1 / (1 + e^-z),
    share = initial + (peak - initial) g(t / T),   x = t / T clipped to [0, 1].
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from sim.config.schema import LinearRamp, LogisticRamp, Ramp, StepRamp, TableRamp
from sim.core.calendar import DAYS_PER_MONTH


def _sigmoid(z: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def logistic_fraction(x: np.ndarray, steepness: float) -> np.ndarray:
    """Normalised S-curve on [0, 1]: 0 at 0, 1/2 at 1/2, 1 at 1."""
    x = np.clip(x, 0.0, 1.0)
    lo, hi = _sigmoid(-steepness / 2), _sigmoid(steepness / 2)
    return (_sigmoid(steepness * (x - 0.5)) - lo) / (hi - lo)


def calendar_months_since(start: dt.date, days_since_start: np.ndarray) -> np.ndarray:
    """For each day (``start`` + whole days), the calendar months since ``start``'s month: 0 in
    the month of ``start``, 1 in the next calendar month, negative before."""
    days = np.floor(np.asarray(days_since_start, dtype=float)).astype(np.int64)
    month = (np.datetime64(start, "D") + days.astype("timedelta64[D]")).astype("datetime64[M]")
    return (month - np.datetime64(start, "M")).astype(np.int64)


def table_share(ramp: TableRamp, months_since_start: np.ndarray) -> np.ndarray:
    """The table's share for each calendar month since the line's start month (the last share
    holds afterwards; months before the start take the first, the caller zeroes them)."""
    idx = np.clip(np.asarray(months_since_start, dtype=np.int64), 0, len(ramp.shares) - 1)
    return np.asarray(ramp.shares, dtype=float)[idx]


def ramp_share(
    ramp: Ramp, days_since_start: np.ndarray, start: dt.date | None = None
) -> np.ndarray:
    """Share of nameplate for each day (0 before the line starts).

    ``start`` is the line's start day: a table ramp needs it to step by calendar month.
    """
    t = np.asarray(days_since_start, dtype=float)
    if isinstance(ramp, TableRamp):
        if start is None:
            raise ValueError("a table ramp steps by calendar month: the line's start is needed")
        share = table_share(ramp, calendar_months_since(start, t))
    else:
        span = ramp.months * DAYS_PER_MONTH
        if isinstance(ramp, LogisticRamp):
            frac = logistic_fraction(t / span, ramp.steepness)
        elif isinstance(ramp, LinearRamp):
            frac = np.clip(t / span, 0.0, 1.0)
        elif isinstance(ramp, StepRamp):
            frac = (t >= span).astype(float)
        else:  # pragma: no cover - the schema admits no other kind
            raise TypeError(f"unknown ramp {ramp!r}")
        share = ramp.initial_share + (ramp.peak_share - ramp.initial_share) * frac
    return np.where(t >= 0, share, 0.0)
