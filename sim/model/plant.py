"""The plant's day: orders arrive, waiting orders may cancel, the plant builds, cars are allocated.

One SimPy process closes each day at the day's end (time d + 1), so breakdowns and disruptions
that began during the day (other processes) are already known. The flows are cohorts: one
count per order-day, never one object per car.

Backlog bookkeeping (first in, first out):

* ``co[i]`` holds what is left of the orders taken on day ``i``. Orders younger than the grace
  period (``fresh``) never cancel. Older ones (``exposed``) all face the same daily hazard, so
  they shrink by one common factor: their counts are stored divided by a running scale ``S``
  and cancelling a share ``c / exposed`` of them is the O(1) update ``S *= 1 - c / exposed``.
* In stochastic mode the count that cancels each day is Binomial(exposed, h) and orders arrive
  as Poisson counts; production is an integer (a fractional carry keeps the mean exact). In
  deterministic mode every count is its expectation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from math import floor

import numpy as np

EPS = 1e-9
"""Cars: amounts below this are float dust, not orders."""


@dataclass
class PlantInputs:
    n_days: int
    month_start_day: list[int]
    intake: Callable[[int, float], float]
    """Expected orders in month m given cumulative orders so far."""
    launch_orders: float
    """Firm launch orders (already drawn in stochastic mode), arriving on day 0."""
    grace_days: int
    daily_hazard: float
    capacity: list[float]
    """Cars per day after expected (or, as breakdowns happen, realised) availability."""
    supply: list[float]
    """Share of output supply allows each day."""
    yield_mature: float
    yield_gap: float
    yield_halving_units: float
    experience: float
    fg_target: float
    stochastic: bool
    rng_orders: np.random.Generator
    rng_cancel: np.random.Generator


@dataclass
class PlantLog:
    """What the plant process records; the books are closed from it afterwards."""

    orders: list[float] = field(default_factory=list)
    cancellations: list[float] = field(default_factory=list)
    production: list[float] = field(default_factory=list)
    allocated: list[float] = field(default_factory=list)
    waiting_end: list[float] = field(default_factory=list)
    """Unallocated orders at each month end."""
    inventory_end: list[float] = field(default_factory=list)
    """Finished, unallocated cars at each month end."""
    allocations: list[float] = field(default_factory=list)
    """Flat triples (allocation day, order day, cars): who got the cars built each day."""


def plant_process(env, inp: PlantInputs, log: PlantLog):
    """SimPy process; everything it touches per day is a local for speed."""
    n_days = inp.n_days
    stochastic = inp.stochastic
    orders = [0.0] * n_days
    cancels = [0.0] * n_days
    production = [0.0] * n_days
    allocated = [0.0] * n_days
    log.orders, log.cancellations, log.production, log.allocated = (
        orders,
        cancels,
        production,
        allocated,
    )
    record = log.allocations.extend
    waiting_end, inventory_end = log.waiting_end, log.inventory_end
    capacity, supply = inp.capacity, inp.supply
    grace, h = inp.grace_days, inp.daily_hazard
    y_mat, y_gap, y_half = inp.yield_mature, inp.yield_gap, inp.yield_halving_units
    fg_target = floor(inp.fg_target) if stochastic else inp.fg_target  # whole cars
    binomial = inp.rng_cancel.binomial
    poisson = inp.rng_orders.poisson
    month_starts = inp.month_start_day
    timeout = env.timeout

    co: list[float] = []  # remaining orders per order-day (exposed ones divided by scale)
    head = 0  # oldest order-day with anything left
    edge = 0  # first order-day still in its grace period
    scale = 1.0
    exposed = 0.0
    fresh = 0.0
    inventory = 0.0
    built = inp.experience  # cumulative cars, pilot builds included
    carry = 0.0
    cum_orders = inp.launch_orders  # Bass counts the launch orders as adopters
    month = -1
    next_month_day = 0

    for d in range(n_days):
        yield timeout(1)
        # -- orders: a month's intake is set on its first day
        if d == next_month_day:
            month += 1
            next_month_day = month_starts[month + 1]
            days = next_month_day - d
            mean = inp.intake(month, cum_orders) / days
            block = poisson(mean, days).tolist() if stochastic else [mean] * days
            orders[d:next_month_day] = block
            cum_orders += sum(block)
            if d == 0:
                orders[0] += inp.launch_orders
        new = orders[d]
        co.append(new)
        fresh += new
        # -- cohorts leaving their grace period join the exposed pool
        while edge <= d - grace:  # grace >= 1: no order cancels on the day it arrives
            x = co[edge]
            if x:
                co[edge] = x / scale
                exposed += x
                fresh -= x
            edge += 1
        # -- cancellations
        if exposed > 0 and h > 0:
            c = float(binomial(round(exposed), h)) if stochastic else exposed * h
            if c:
                cancels[d] = c
                if c >= exposed:
                    for i in range(head, edge):
                        co[i] = 0.0
                    head, scale, exposed = max(head, edge), 1.0, 0.0
                else:
                    scale *= 1.0 - c / exposed
                    exposed -= c
                    if scale < 1e-200:  # renormalise before it underflows
                        for i in range(head, edge):
                            co[i] *= scale
                        scale = 1.0
        # -- production: build to order plus a finished-goods buffer
        waiting = exposed + fresh
        cap = capacity[d] * supply[d]
        if cap > 0:
            cap *= y_mat - y_gap * 0.5 ** (built / y_half)
            if stochastic:
                carry += cap
                cap = floor(carry)
                carry -= cap
        want = waiting + fg_target - inventory
        made = cap if cap < want else (want if want > 0 else 0.0)
        if made:
            production[d] = made
            built += made
        # -- allocation to the oldest waiting orders
        stock = inventory + made
        give = stock if stock < waiting else waiting
        if give > 0:
            inventory = stock - give
            allocated[d] = give
            rest = give
            take = rest if rest < exposed else exposed
            if take > 0:
                exposed -= take
                rest -= take
                while take > EPS and head < edge:
                    a = co[head] * scale
                    if a <= take + EPS:  # (a cohort is never left with float dust)
                        take -= a
                        co[head] = 0.0
                        record((d, head, a))
                        head += 1
                    else:
                        co[head] = (a - take) / scale
                        record((d, head, take))
                        take = 0.0
                if exposed <= EPS:
                    for i in range(head, edge):
                        co[i] = 0.0
                    exposed, scale = 0.0, 1.0
                    head = edge if head < edge else head
            if rest > 0:
                fresh -= rest
                while rest > EPS and head <= d:
                    a = co[head]
                    if a <= rest + EPS:
                        rest -= a
                        if a:
                            co[head] = 0.0
                            record((d, head, a))
                        head += 1
                    else:
                        co[head] = a - rest
                        record((d, head, rest))
                        rest = 0.0
                if fresh < EPS:
                    fresh = 0.0
        else:
            inventory = stock
        if d + 1 == next_month_day:
            waiting_end.append(exposed + fresh)
            inventory_end.append(inventory)
