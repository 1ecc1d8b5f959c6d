"""Processes that take output away: line breakdowns and random supply disruptions.

Each writes its loss into the day arrays the plant reads at the end of the day, at the moment
the failure starts (when its duration is drawn), so the plant always sees it in time.
"""

from __future__ import annotations

import numpy as np

from sim.core.calendar import DAYS_PER_YEAR
from sim.core.capacity import cut_spans

HOURS_PER_DAY = 24.0


def breakdowns(env, line_capacity: np.ndarray, capacity: list[float], rng, mtbf_h, mttr_h):
    """Alternate up (Exp(MTBF)) and down (Exp(MTTR)); lost output leaves ``capacity``."""
    horizon = line_capacity.size
    mtbf, mttr = mtbf_h / HOURS_PER_DAY, mttr_h / HOURS_PER_DAY
    while True:
        yield env.timeout(rng.exponential(mtbf))
        t0 = env.now
        if t0 >= horizon:
            return
        down = rng.exponential(mttr)
        t1 = min(t0 + down, float(horizon))
        d = int(t0)
        while d < t1:
            overlap = min(d + 1.0, t1) - max(float(d), t0)
            capacity[d] -= line_capacity[d] * overlap
            d += 1
        yield env.timeout(down)


def random_disruptions(env, supply: list[float], rng, rate_per_year, mean_days, cut):
    """Supply disruptions arriving as a Poisson process; each cuts output for its duration."""
    horizon = len(supply)
    gap = DAYS_PER_YEAR / rate_per_year
    while True:
        yield env.timeout(rng.exponential(gap))
        t0 = env.now
        if t0 >= horizon:
            return
        cut_spans(supply, t0, t0 + rng.exponential(mean_days), cut)
