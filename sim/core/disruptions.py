"""Random supply disruptions, drawn in one go when they are too many for one event each.

Disruptions arrive as a Poisson process (``rate_per_year``), last Exp(``mean_days``) and cut the
supply by ``cut`` while they last (pro rata for partial days, multiplying when they overlap).
Normally each one is a SimPy event (:mod:`sim.model.failures`), which costs time in proportion
to the number of disruptions times their length. When that would exceed
``EXACT_MAX_PER_DAY`` arrivals a day or ``EXACT_MAX_OVERLAP`` disruptions under way at once,
the whole horizon is drawn here instead, in bounded memory and time:

* each day's arrivals are a Poisson count ``k`` with starts uniform in the day (the same
  process, exactly, whatever the rate);
* at most ``MAX_PER_DAY`` of them are drawn; when ``k`` is larger, each drawn one stands for
  ``k / MAX_PER_DAY`` (its cut factor is raised to that power), so the expected log of the
  supply factor is exact and only its spread is approximated;
* the cuts are added up as logarithms (full days through a difference array), each one floored
  at ``LOG_FLOOR``, far below the smallest positive float: a day cut that hard has no supply.
"""

from __future__ import annotations

import numpy as np

from sim.core.calendar import DAYS_PER_YEAR
from sim.core.counts import poisson_counts

EXACT_MAX_PER_DAY = 1.0
"""Above this many arrivals a day on average, disruptions are drawn here, not as events."""

EXACT_MAX_OVERLAP = 8.0
"""Above this many disruptions under way on average, likewise."""

MAX_PER_DAY = 32
"""Most disruptions drawn for one day; more stand in for the rest."""

LOG_FLOOR = -1000.0
"""Floor of one disruption's log cut on one day (exp(-1000) is 0 in floating point)."""


def exact_is_bounded(rate_per_year: float, mean_days: float, n_days: int) -> bool:
    """Whether one SimPy event per disruption costs at most a few operations per day."""
    per_day = rate_per_year / DAYS_PER_YEAR
    return per_day <= EXACT_MAX_PER_DAY and per_day * min(mean_days, n_days) <= EXACT_MAX_OVERLAP


def supply_factor(
    rng: np.random.Generator, n_days: int, rate_per_year: float, mean_days: float, cut: float
) -> np.ndarray:
    """Share of supply left each day by the random disruptions (see the module)."""
    k = np.asarray(poisson_counts(rng, rate_per_year / DAYS_PER_YEAR, n_days), dtype=float)
    drawn = np.minimum(k, MAX_PER_DAY).astype(np.int64)
    day = np.repeat(np.arange(n_days), drawn)
    weight = np.repeat(k / np.maximum(drawn, 1), drawn)
    t0 = day + rng.random(day.size)
    t1 = np.minimum(t0 + rng.exponential(mean_days, day.size), float(n_days))
    last = np.floor(t1).astype(np.int64)  # day holding the end (n_days: after the horizon)
    same = last == day
    log_day = np.zeros(n_days + 1)
    with np.errstate(divide="ignore"):  # log1p(-1) = -inf: floored below
        first = np.where(same, t1 - t0, day + 1.0 - t0)
        np.add.at(log_day, day, _log_cut(weight, cut * first))
        tail = ~same
        np.add.at(log_day, last[tail], _log_cut(weight[tail], cut * (t1 - last)[tail]))
        full = tail & (last > day + 1)  # whole days between the first and the last
        diff = np.zeros(n_days + 1)
        np.add.at(diff, day[full] + 1, _log_cut(weight[full], cut))
        np.subtract.at(diff, last[full], _log_cut(weight[full], cut))
    log_factor = np.minimum(np.cumsum(diff) + log_day, 0.0)[:n_days]
    with np.errstate(under="ignore"):  # a day cut to nothing
        return np.exp(log_factor)


def _log_cut(weight: np.ndarray, cut_share: np.ndarray | float) -> np.ndarray:
    """``weight * log(1 - cut_share)``, floored at ``LOG_FLOOR``."""
    return np.maximum(weight * np.log1p(-np.asarray(cut_share, dtype=float)), LOG_FLOOR)
