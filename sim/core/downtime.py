"""Random line breakdowns as an alternating renewal process, sampled for the whole horizon.

Up times are Exp(MTBF) and repair times Exp(MTTR) (calendar time). A line stops many times a
month, so rather than one simulation event per stoppage the whole sequence is drawn at once
and turned into the share of each day the line was down (a pure, vectorised function of the
random generator).
"""

from __future__ import annotations

import numpy as np


def downtime_share(
    rng: np.random.Generator, n_days: int, mtbf_days: float, mttr_days: float
) -> np.ndarray:
    """Share of each day (0..1) that the line spends under repair."""
    if mttr_days <= 0 or n_days <= 0:
        return np.zeros(n_days)
    cycle = mtbf_days + mttr_days
    starts, durations = [], []
    t = 0.0
    while t < n_days:  # draw in blocks; one block almost always covers the horizon
        k = int(1.3 * (n_days - t) / cycle) + 32
        up = rng.exponential(mtbf_days, k)
        down = rng.exponential(mttr_days, k)
        s = t + np.cumsum(up) + np.concatenate(([0.0], np.cumsum(down)[:-1]))
        starts.append(s)
        durations.append(down)
        t = s[-1] + down[-1]
    s = np.concatenate(starts)
    dur = np.concatenate(durations)
    keep = s < n_days
    s, dur = s[keep], dur[keep]
    if s.size == 0:
        return np.zeros(n_days)
    before = np.concatenate(([0.0], np.cumsum(dur)[:-1]))  # downtime finished before each start
    bounds = np.arange(n_days + 1, dtype=float)
    j = np.searchsorted(s, bounds, side="right") - 1  # last stoppage started by each bound
    started = j >= 0
    jj = np.maximum(j, 0)
    cum = np.where(started, before[jj] + np.minimum(bounds - s[jj], dur[jj]), 0.0)
    return np.clip(np.diff(cum), 0.0, 1.0)
