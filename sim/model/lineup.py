"""The plant's day with a line-up: several products, each with its own orders and backlog,
sharing lines, yield learning and supply.

The day is the single-product day of :mod:`sim.model.plant` done per product: each launched
product takes its orders and lets its exposed orders cancel; then each group of lines that
builds the same products (a *pool*) splits its output among the launched products by the
factory's allocation policy; each product builds to its orders plus its finished-goods target
and gives its cars to its oldest orders. Pools that build fewer products go first, so a
shared line fills what a dedicated one left.

A product with a reservation pool takes its launch orders spread evenly over the days before its
launch: they wait (and, past their grace period, may cancel) until its first cars; days of the
pool before the run's start arrive on day 0 as aged cohorts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from math import floor

import numpy as np

from sim.core.counts import BIG_COUNT, binomial_count
from sim.model.backlog import Backlog
from sim.model.plant import PlantLog, month_orders


@dataclass
class ProductInputs:
    name: str
    launch_day: int
    """First day (run index) of its orders and builds; at or past ``n_days``: never."""
    launch_month: int
    """Month index of ``launch_day`` (its demand's month 0)."""
    intake: Callable[[int, float], float]
    """Expected orders in its month m (0 = its launch month) given its cumulative orders."""
    launch_orders: float
    reservation_days: int
    """Days before the launch over which the launch orders were taken (0: all on the day)."""
    grace_days: int
    daily_hazard: float
    fg_target: float
    stochastic: bool
    rng_orders: np.random.Generator | None
    rng_cancel: np.random.Generator | None
    opening_stock: float = 0.0
    pilot_builds: float = 0.0
    """Cars built before its launch that join the plant's experience (yield) on its launch day
    (the first product's are in the plant's experience from the start)."""


@dataclass
class LineupInputs:
    n_days: int
    month_start_day: list[int]
    products: list[ProductInputs]
    pools: list[tuple[list[float], list[int]]]
    """(cars per day after availability, product indices the pool builds), fewest first."""
    supply: list[float]
    yield_mature: float
    yield_gap: float
    yield_halving_units: float
    experience: float
    """Plant experience at the start (the first product's pilot builds): drives yield."""
    policy: str
    priority: list[int]
    """Product indices in priority order (``priority``)."""
    shares: list[float]
    """Per product index (``shares``)."""
    stochastic: bool


@dataclass
class LineupLog:
    products: list[PlantLog] = field(default_factory=list)
    pool_capacity: list[list[list[float]]] = field(default_factory=list)
    """Per pool, per product index: the pool's output (cars, after yield) given to the product
    each month; it weighs how a line's period costs are shared among its products."""
    origins: list[int] = field(default_factory=list)
    """Per product: the run day of its backlog's first cohort (before its launch with a
    reservation pool)."""


def split(policy: str, cap: float, wants: list[float], eligible: list[int], inp: LineupInputs):
    """Share ``cap`` among ``eligible`` products (indices) that want cars: a list of
    (index, capacity). A pool building one launched product gives it all of ``cap``."""
    if len(eligible) == 1:
        return [(eligible[0], cap)]
    want = {i: wants[i] for i in eligible if wants[i] > 0}
    if not want or cap <= 0:
        return []
    if policy == "priority":
        got, left = [0.0] * len(wants), list(wants)
        serve_in_order(cap, [i for i in inp.priority if i in want], left, got, [0.0] * len(wants))
        return [(i, got[i]) for i in inp.priority if got[i] > 0]
    if policy == "backlog":
        total = sum(want.values())
        if total <= cap:
            return list(want.items())
        return [(i, cap * w / total) for i, w in want.items()]
    # fixed shares (renormalised among those wanting); what one does not take goes to the rest
    got = dict.fromkeys(want, 0.0)
    left, open_ = cap, dict(want)
    while left > 1e-12 and open_:
        weight = sum(inp.shares[i] for i in open_)
        if weight <= 0:
            weight, per = len(open_), dict.fromkeys(open_, 1.0)
        else:
            per = {i: inp.shares[i] for i in open_}
        given = 0.0
        for i in list(open_):
            offer = left * per[i] / weight
            take = offer if offer < open_[i] else open_[i]
            got[i] += take
            given += take
            open_[i] -= take
            if open_[i] <= 1e-12:
                del open_[i]
        left -= given
        if given <= 1e-12:
            break
    return [(i, c) for i, c in got.items() if c > 0]


def serve_in_order(
    cap: float, members: list[int], left: list[float], got: list[float], given: list[float]
) -> None:
    """The priority policy: ``members`` in priority order each take what they still want
    (``left``, lowered in place) from ``cap`` until it is gone; what each takes is added to
    ``got`` and ``given``."""
    for i in members:
        w = left[i]
        if w <= 0:
            continue
        take = w if w < cap else cap
        got[i] += take
        given[i] += take
        left[i] = w - take
        cap -= take
        if cap <= 0:
            return


def reservations(orders: float, days: int, whole: bool) -> list[float]:
    """``orders`` spread evenly over ``days`` days; with ``whole``, in whole orders (each day
    the rounded-down running share, so they add up to ``orders`` exactly)."""
    if days <= 0:
        return []
    if not whole:
        return [orders / days] * days
    total = round(orders)
    return [float((j + 1) * total // days - j * total // days) for j in range(days)]


def lineup_process(env, inp: LineupInputs, log: LineupLog):
    """SimPy process: the plant's day for every product (see the module's doc)."""
    n_days, stochastic = inp.n_days, inp.stochastic
    prods = inp.products
    k = len(prods)
    months = len(inp.month_start_day) - 1
    logs = [PlantLog() for _ in prods]
    log.products = logs
    log.pool_capacity = [[[0.0] * months for _ in prods] for _ in inp.pools]
    for lg in logs:
        lg.orders, lg.cancellations = [0.0] * n_days, [0.0] * n_days
        lg.production, lg.allocated = [0.0] * n_days, [0.0] * n_days
    backlogs = [Backlog(p.grace_days) for p in prods]
    inventory = [p.opening_stock for p in prods]
    fg = [floor(p.fg_target) if stochastic else p.fg_target for p in prods]
    carry = [0.0] * k
    cum_orders = [p.launch_orders for p in prods]
    # a reservation pool takes its launch orders evenly over the days before the launch, from
    # its opening day (whole orders in a stochastic run); days before the run's start arrive
    # on day 0 as aged cohorts
    opens = [p.launch_day - p.reservation_days for p in prods]
    pool = [reservations(p.launch_orders, p.reservation_days, stochastic) for p in prods]
    seeded = [0.0] * k
    log.origins.extend(opens)
    for i, p in enumerate(prods):
        if p.reservation_days and opens[i] < 0 and p.launch_day < n_days:
            early = pool[i][: -opens[i]]
            for count in early:
                backlogs[i].arrive(count)
            seeded[i] = sum(early)
    y_mat, y_gap, y_half = inp.yield_mature, inp.yield_gap, inp.yield_halving_units
    supply, built = inp.supply, inp.experience
    month_starts, timeout = inp.month_start_day, env.timeout
    pools, policy = inp.pools, inp.policy
    records = [lg.allocations.extend for lg in logs]
    wants = [0.0] * k
    n_pools = len(pools)
    order_days = [lg.orders for lg in logs]
    cancel_days = [lg.cancellations for lg in logs]
    hazard = [p.daily_hazard for p in prods]
    prod_days = [lg.production for lg in logs]
    alloc_days = [lg.allocated for lg in logs]
    arrives = [bl.arrive for bl in backlogs]
    allocates = [bl.allocate for bl in backlogs]
    waits = [0.0] * k
    pool_caps = [c for c, _ in pools]
    changes = sorted({*opens, *(p.launch_day for p in prods)})
    next_change = min(changes)
    active: list[int] = []
    launched: list[int] = []
    eligible: list[list[int]] = [[] for _ in pools]
    priority_first = policy == "priority"
    rank = {i: r for r, i in enumerate(inp.priority)}  # with priority: members in its order

    for month in range(months):
        first, end = month_starts[month], month_starts[month + 1]
        for i, p in enumerate(prods):
            orders = logs[i].orders
            if p.launch_day < end:
                since = max(first, p.launch_day)
                share = (end - since) / (end - first)
                block = month_orders(p, month - p.launch_month, cum_orders[i], end - since, share)
                orders[since:end] = block
                cum_orders[i] += sum(block)
                if since == p.launch_day and not p.reservation_days:
                    orders[since] += p.launch_orders
            if p.reservation_days and opens[i] < end and p.launch_day > first:
                for d in range(max(first, opens[i], 0), min(end, p.launch_day)):
                    orders[d] += pool[i][d - opens[i]]
            if month == 0:
                orders[0] += seeded[i]
        month_pool = [[0.0] * k for _ in pools]  # output each pool gives each product
        plan = [(pool_caps[j], eligible[j], month_pool[j]) for j in range(n_pools) if eligible[j]]
        for d in range(first, end):
            yield timeout(1)
            if d >= next_change:  # a product opens its books or launches: who does what
                active = [i for i in range(k) if opens[i] <= d]
                launched = [i for i in range(k) if prods[i].launch_day <= d]
                eligible = [[i for i in m if prods[i].launch_day <= d] for _, m in pools]
                if priority_first:
                    eligible = [sorted(m, key=rank.__getitem__) for m in eligible]
                plan = [(pool_caps[j], eligible[j], month_pool[j]) for j in range(n_pools)
                        if eligible[j]]  # fmt: skip
                next_change = min([c for c in changes if c > d], default=n_days)
                built += sum(p.pilot_builds for p in prods if p.launch_day == d)
            for i in active:
                bl = backlogs[i]
                arriving = order_days[i][d]
                if d == 0 and seeded[i]:
                    arriving -= seeded[i]  # already in the backlog's aged cohorts
                exposed = arrives[i](arriving)
                h = hazard[i]
                if exposed > 0 and h > 0:
                    if not stochastic:
                        c = exposed * h
                    elif exposed < BIG_COUNT:
                        c = float(prods[i].rng_cancel.binomial(round(exposed), h))
                    else:
                        c = binomial_count(prods[i].rng_cancel, exposed, h)
                    if c:
                        cancel_days[i][d] = c
                        bl.cancel(c)
                waits[i] = w = bl.exposed + bl.fresh
                wants[i] = w + fg[i] - inventory[i]
            if not launched:
                continue
            # -- capacity by pool, split by the policy
            s = supply[d]
            yf = y_mat - y_gap * 0.5 ** (built / y_half)
            cap = [0.0] * k
            left = wants[:]
            for caps_j, members, given in plan:
                c = caps_j[d] * s
                if c <= 0:
                    continue
                c *= yf
                if len(members) == 1:
                    i = members[0]
                    cap[i] += c
                    left[i] -= c
                    given[i] += c
                elif priority_first:  # members in priority order
                    serve_in_order(c, members, left, cap, given)
                else:
                    for i, share in split(policy, c, left, members, inp):
                        cap[i] += share
                        left[i] -= share
                        given[i] += share
            # -- each product builds and allocates
            for i in launched:
                ci = cap[i]
                if stochastic and ci > 0:
                    carry[i] += ci
                    ci = carry[i] // 1.0
                    carry[i] -= ci
                want = wants[i]
                made = ci if ci < want else (want if want > 0 else 0.0)
                if made:
                    prod_days[i][d] = made
                    built += made
                waiting = waits[i]
                stock = inventory[i] + made
                give = stock if stock < waiting else waiting
                if give > 0:
                    inventory[i] = stock - give
                    alloc_days[i][d] = give
                    allocates[i](d, give, records[i])
                else:
                    inventory[i] = stock
        for j in range(n_pools):
            for i in range(k):
                log.pool_capacity[j][i][month] = month_pool[j][i]
        for i in range(k):
            bl = backlogs[i]
            logs[i].waiting_end.append(bl.exposed + bl.fresh)
            logs[i].inventory_end.append(inventory[i])
