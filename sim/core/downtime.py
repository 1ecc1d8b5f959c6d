"""Random line breakdowns as an alternating renewal process, sampled for the whole horizon.

Up times are Exp(MTBF) and repair times Exp(MTTR) (calendar time). A line stops many times a
month, so rather than one simulation event per stoppage the whole sequence is drawn at once
and turned into the share of each day the line was down (a pure, vectorised function of the
random generator).

Memory and time stay bounded whatever the MTBF and MTTR: when a line would stop more than
``DENSE_STOPS_PER_DAY`` times a day on average, the stoppages are not drawn one by one. With
that many cycles a day, a day's downtime is a sum of many short repairs, and its share is drawn
from a gamma distribution with the renewal process's exact mean ``a = MTTR / (MTBF + MTTR)``
and its long-run variance per day ``2 MTBF^2 MTTR^2 / (MTBF + MTTR)^3`` (in days), independently
for each day (the share of the less likely state is drawn, so that the skew is on the right
side). Beyond ``MAX_GAMMA_SHAPE`` (a relative spread below 1e-6) the share is its mean.
"""

from __future__ import annotations

import numpy as np

DENSE_STOPS_PER_DAY = 20.0
"""Above this many stoppages a day on average, daily shares are drawn, not stoppages."""

MAX_GAMMA_SHAPE = 1e12
"""A daily share this concentrated is its mean."""


def downtime_share(
    rng: np.random.Generator, n_days: int, mtbf_days: float, mttr_days: float
) -> np.ndarray:
    """Share of each day (0..1) that the line spends under repair."""
    if mttr_days <= 0 or n_days <= 0:
        return np.zeros(n_days)
    if not (mtbf_days + mttr_days) * DENSE_STOPS_PER_DAY > 1.0:  # (or the sum underflows)
        return dense_downtime_share(rng, n_days, mtbf_days, mttr_days)
    return renewal_downtime_share(rng, n_days, mtbf_days, mttr_days)


def renewal_downtime_share(
    rng: np.random.Generator, n_days: int, mtbf_days: float, mttr_days: float
) -> np.ndarray:
    """The exact sampler: every stoppage drawn (arrays of about 1.3 n_days / cycle entries)."""
    cycle = mtbf_days + mttr_days
    starts, durations = [], []
    t = 0.0
    while t < n_days:  # draw in blocks; one block almost always covers the horizon
        k = int(1.3 * (n_days - t) / cycle) + 32
        up = rng.exponential(mtbf_days, k)
        down = rng.exponential(mttr_days, k)
        with np.errstate(over="ignore"):  # cycles near the float limit: no stoppage in range
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


def dense_downtime_share(
    rng: np.random.Generator, n_days: int, mtbf_days: float, mttr_days: float
) -> np.ndarray:
    """Share of each day under repair when a line stops many times a day (see the module)."""
    down = 1.0 / (1.0 + mtbf_days / mttr_days)  # MTTR / (MTBF + MTTR), safe from overflow
    minor = min(down, 1.0 - down)  # the share of the less likely state
    u, r = mtbf_days, mttr_days
    var = 2.0 * (u / (u + r)) ** 2 * (r / (u + r)) ** 2 * (u + r)  # per day
    shape = minor * minor / var if var > 0 else np.inf
    if not shape < MAX_GAMMA_SHAPE or minor <= 0:
        return np.full(n_days, down)
    share = np.minimum(rng.gamma(shape, minor / shape, n_days), 1.0)
    return share if down <= 0.5 else 1.0 - share
