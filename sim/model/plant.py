"""The plant's day: orders arrive, waiting orders may cancel, the plant builds, cars are allocated.

One SimPy process closes each day at the day's end (time d + 1), so breakdowns and disruptions
that began during the day (other processes) are already known. The flows are cohorts: one
count per order-day, never one object per car (see :mod:`sim.model.backlog`).

In stochastic mode orders arrive as Poisson counts and the count that cancels each day is
Binomial(exposed, h); production is an integer (a fractional carry keeps the mean exact). In
deterministic mode every count is its expectation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from math import floor

import numpy as np

from sim.core.counts import BIG_COUNT, binomial_count, poisson_counts
from sim.model.backlog import Backlog


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
    rng_orders: np.random.Generator | None
    """Draws orders (stochastic mode only)."""
    rng_cancel: np.random.Generator | None
    """Draws cancellations (stochastic mode only)."""
    opening_stock: float = 0.0
    """Finished cars in stock at the start (pilot builds held as stock): allocated first."""


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
    """SimPy process. Each day: take the day's orders (a month's are drawn on its first day),
    let exposed orders cancel, build to the orders plus the finished-goods target within the
    day's capacity, and give the cars in stock to the oldest orders."""
    n_days, stochastic = inp.n_days, inp.stochastic
    orders, cancels = [0.0] * n_days, [0.0] * n_days
    production, allocated = [0.0] * n_days, [0.0] * n_days
    log.orders, log.cancellations = orders, cancels
    log.production, log.allocated = production, allocated
    record = log.allocations.extend
    waiting_end, inventory_end = log.waiting_end.append, log.inventory_end.append
    backlog = Backlog(inp.grace_days)
    arrive, cancel, allocate = backlog.arrive, backlog.cancel, backlog.allocate
    h, rng_cancel = inp.daily_hazard, inp.rng_cancel
    binomial = rng_cancel.binomial if rng_cancel is not None else None
    capacity, supply = inp.capacity, inp.supply
    y_mat, y_gap, y_half = inp.yield_mature, inp.yield_gap, inp.yield_halving_units
    fg_target = floor(inp.fg_target) if stochastic else inp.fg_target  # whole cars
    month_starts, timeout = inp.month_start_day, env.timeout
    cum_orders = inp.launch_orders  # Bass counts the launch orders as adopters
    built = inp.experience  # cumulative cars, pilot builds included
    carry = 0.0
    inventory = inp.opening_stock

    for month in range(len(month_starts) - 1):
        # -- orders: a month's intake is drawn at its start (from the orders taken so far)
        first, end = month_starts[month], month_starts[month + 1]
        block = month_orders(inp, month, cum_orders, end - first)
        orders[first:end] = block
        cum_orders += sum(block)
        if first == 0:
            orders[0] += inp.launch_orders
        for d in range(first, end):
            yield timeout(1)  # the day closes at its end
            exposed = arrive(orders[d])
            # -- cancellations: a common hazard on the orders past their grace period
            if exposed > 0 and h > 0:
                if not stochastic:
                    c = exposed * h
                elif exposed < BIG_COUNT:
                    c = float(binomial(round(exposed), h))
                else:
                    c = binomial_count(rng_cancel, exposed, h)
                if c:
                    cancels[d] = c
                    cancel(c)
            # -- production: to order plus the finished-goods target, within capacity and yield
            waiting = backlog.exposed + backlog.fresh
            cap = capacity[d] * supply[d]
            if cap > 0:
                cap *= y_mat - y_gap * 0.5 ** (built / y_half)
                if stochastic:  # whole cars; the carry keeps the mean exact
                    carry += cap
                    cap = carry // 1.0
                    carry -= cap
            want = waiting + fg_target - inventory
            made = cap if cap < want else (want if want > 0 else 0.0)
            if made:
                production[d] = made
                built += made
            # -- allocation: the cars in stock go to the oldest waiting orders
            stock = inventory + made
            give = stock if stock < waiting else waiting
            if give > 0:
                inventory = stock - give
                allocated[d] = give
                allocate(d, give, record)
            else:
                inventory = stock
        waiting_end(backlog.exposed + backlog.fresh)
        inventory_end(inventory)


def month_orders(inp, month: int, cum_orders: float, days: int, share: float = 1.0) -> list[float]:
    """Orders of each of ``days`` days: Poisson counts around the month's intake (times
    ``share``, the part of the month a product launched in is on sale), or its mean."""
    mean = inp.intake(month, cum_orders) / days
    if share != 1.0:
        mean *= share
    if inp.stochastic:
        return poisson_counts(inp.rng_orders, mean, days).astype(float).tolist()
    return [mean] * days
