"""Random supply disruptions: rare events, each a SimPy timeout.

A disruption writes its cut into the day array the plant reads at the end of each day, at the
moment it starts (when its duration is drawn), so the plant always sees it in time. (Line
breakdowns, many a month, are sampled in one go: see ``sim.core.downtime``; so are
disruptions too frequent or too long for one event each: see ``sim.core.disruptions``.)
"""

from __future__ import annotations

from sim.core.calendar import DAYS_PER_YEAR
from sim.core.capacity import cut_spans


def random_disruptions(
    env, supply: list[float], rng, rate_per_year, mean_days, cut, spans: list | None = None
):
    """Supply disruptions arriving as a Poisson process; each cuts output for its duration.

    Each disruption within the horizon is also noted in ``spans`` as (start, end) in days.
    """
    horizon = len(supply)
    gap = DAYS_PER_YEAR / rate_per_year
    while True:
        yield env.timeout(rng.exponential(gap))
        t0 = env.now
        if t0 >= horizon:
            return
        t1 = t0 + rng.exponential(mean_days)
        if spans is not None:
            spans.append((t0, t1))
        cut_spans(supply, t0, t1, cut)
