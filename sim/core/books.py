"""Closing the books per month: a pure function of the day-by-day operations.

Revenue and cost of goods sold are recognised at delivery. Cars leave the plant first in,
first out, so the cars delivered by the end of a month are exactly the first ``D`` cars built
and their product cost is a difference of cumulative-cost curves. Fixed manufacturing cost and
depreciation are period costs (charged in the month, not carried in inventory).

Cash flow = operating (operating profit + depreciation) + working capital (minus the rise in
inventory and receivables less payables and the deposit liability) + investing (-capex); see
:mod:`sim.core.workingcap`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property, partial

import numpy as np

from sim.config.lineup import launch_date, lineup, products_of_line
from sim.config.schema import Scenario
from sim.core.calendar import (
    Calendar,
    add_months,
    month_ends,
    month_sums,
    schedule_by_month,
)
from sim.core.company import company_columns
from sim.core.costing import ProductCosts, cost_rates, plant_experience, product_costs
from sim.core.mix import shares as trim_shares
from sim.core.mix import trim_factor, trim_names, trim_prices
from sim.core.workingcap import cash_flows, payables, receivables
from sim.errors import ConfigError

MIN_CARS = 1.0
"""Per-car figures are only defined for months (or quarters) delivering at least one car."""

UNDEFINED_WHERE_NAN = frozenset(
    {"gross_margin", "operating_profit_per_car", "unit_cogs", "avg_wait_days", "p90_wait_days"}
)
"""Columns where NaN means "not defined this month" (no revenue, no car delivered)."""

BALANCE_STOCKS = (
    "in_transit_value",
    "payables",
    "receivables",
    "deposit_liability",
    "working_capital",
    "cumulative_cash_without_working_capital",
)
"""Balance-sheet columns added with working capital: stocks at the month's end (a quarter takes
its last month's), like ``inventory_value`` and ``cumulative_cash``."""


@dataclass(frozen=True)
class Operations:
    """Day-by-day physical flows (arrays of length ``n_days``) and month-end stocks."""

    orders: np.ndarray
    cancellations: np.ndarray
    capacity: np.ndarray
    production: np.ndarray
    allocated: np.ndarray
    waiting_end: np.ndarray
    inventory_end: np.ndarray
    alloc_day: np.ndarray
    alloc_order_day: np.ndarray
    alloc_count: np.ndarray
    logistics_lag_days: int
    opening_stock: float = 0.0
    """Pilot cars held as finished stock at the start (the first cars allocated)."""

    @cached_property
    def deliveries(self) -> np.ndarray:
        """Allocations shifted by the logistics lag (computed once)."""
        lag = self.logistics_lag_days
        out = np.zeros_like(self.allocated)
        if lag < out.size:
            out[lag:] = self.allocated[: out.size - lag]
        return out


def wait_stats(ops: Operations, cal: Calendar) -> tuple[np.ndarray, np.ndarray]:
    """Mean and P90 wait (days from order to delivery) of the cars delivered each month."""
    mean = np.full(cal.months, np.nan)
    p90 = np.full(cal.months, np.nan)
    deliver = ops.alloc_day + ops.logistics_lag_days
    keep = (deliver < cal.n_days) & (ops.alloc_count > 0)
    if not keep.any():
        return mean, p90
    month = cal.day_month[deliver[keep]]
    days = deliver[keep] - ops.alloc_order_day[keep]  # whole days (reservations: before day 0)
    wait = days.astype(float)
    weight = ops.alloc_count[keep]
    total = np.bincount(month, weight, cal.months)
    has = total > 0
    mean[has] = np.bincount(month, weight * wait, cal.months)[has] / total[has]
    low = int(days.min())  # a reservation older than the run waits longer than it lasts
    span = int(days.max()) - low + 1
    order = np.argsort(month * span + (days - low), kind="stable")  # by month, then wait
    wait, cum = wait[order], np.cumsum(weight[order])
    # records are sorted by month, then wait: the month's P90 is the first record whose running
    # weight reaches the weight before the month plus 90 % of the month's own
    before = np.concatenate(([0.0], np.cumsum(total)[:-1]))
    idx = np.searchsorted(cum, before[has] + 0.9 * total[has] - 1e-9)
    p90[has] = wait[np.minimum(idx, wait.size - 1)]
    return mean, p90


def month_shares(cal: Calendar, first_day: int) -> np.ndarray:
    """Share of each month's days from ``first_day`` on (0 before, 1 after, pro rata in it)."""
    days = cal.month_start_day
    return np.clip(days[1:] - np.maximum(days[:-1], first_day), 0, None) / cal.days_in_month


def line_period_costs(sc: Scenario, cal: Calendar) -> dict[str, tuple]:
    """Fixed manufacturing cost, depreciation and capex cash per month.

    One proration rule for both period costs: a monthly amount times the share of the month's
    days in service. Fixed cost runs from the line's start; depreciation of ``amount / L`` a
    month (``L = 12 x depreciation_years``) from the later of the capex date and the line's
    start, until ``L`` months' worth of shares have been charged (so the last month takes the
    rest of a first partial month). Capex paid before the start is sunk (not in cash) unless
    ``cash.pre_start_capex`` is ``in_cash``: then it is paid in the first month.
    """
    out = {}
    for name, line in sc.factory.lines.items():
        start_day = cal.day_of(line.start)
        fixed = line.fixed_cost_per_month_usd * month_shares(cal, start_day)
        dep = np.zeros(cal.months)
        capex = np.zeros(cal.months)
        out[name] = (fixed, dep, capex)
        if line.capex is None:
            continue
        cx = line.capex
        paid = cal.month_of(cx.date)
        if 0 <= paid < cal.months:
            capex[paid] += cx.amount_usd
        elif paid < 0 and sc.cash.pre_start_capex == "in_cash":
            capex[0] += cx.amount_usd
        life = cx.depreciation_years * 12
        in_service = max(cx.date, line.start)
        before = min(cal.month_of(in_service), 0)  # in service before the run: count from then
        ext = cal if before == 0 else Calendar(add_months(cal.start, before), cal.months - before)
        share = month_shares(ext, ext.day_of(in_service))
        done = np.cumsum(share)[-cal.months :]
        share = share[-cal.months :]
        dep += cx.amount_usd / life * (np.minimum(done, life) - np.minimum(done - share, life))
    return out


@dataclass(frozen=True)
class Books:
    """A run's books: the totals table, and per product and per trim (built on first use)."""

    columns: dict[str, np.ndarray]
    """The monthly totals table (the car business, and the company when it has a block)."""
    operations: Operations
    """The day-by-day flows of all products together."""
    names: tuple[str, ...]
    """The products, first product first."""
    trim_count: int
    """Trims of all products (a product without trims counts one)."""
    make_products: Callable[[], dict[str, dict[str, np.ndarray]]] = field(repr=False)
    make_trims: Callable[[], dict[tuple[str, str], dict[str, np.ndarray]]] = field(repr=False)
    make_rates: Callable[[], dict[str, dict[str, dict[str, float | None]]]] = field(repr=False)

    @cached_property
    def products(self) -> dict[str, dict[str, np.ndarray]]:
        """Per product: its monthly columns (shared costs allocated, see :func:`close_books`)."""
        return self.make_products()

    @cached_property
    def cost_rates(self) -> dict[str, dict[str, dict[str, float | None]]]:
        """Per product and cost component: its first and last car's cost in the run and the
        effective change per doubling and per year (:func:`sim.core.costing.cost_rates`)."""
        return self.make_rates()

    @cached_property
    def trims(self) -> dict[tuple[str, str], dict[str, np.ndarray]]:
        """Per (product, trim): deliveries, price, revenue and variable cost per month."""
        return self.make_trims()


def combine(ops: dict[str, Operations], capacity: np.ndarray) -> Operations:
    """All products' flows as one: sums, and every product's allocations."""
    parts = list(ops.values())
    if len(parts) == 1:
        return parts[0]
    return Operations(
        orders=sum(o.orders for o in parts),
        cancellations=sum(o.cancellations for o in parts),
        capacity=capacity,
        production=sum(o.production for o in parts),
        allocated=sum(o.allocated for o in parts),
        waiting_end=sum(o.waiting_end for o in parts),
        inventory_end=sum(o.inventory_end for o in parts),
        alloc_day=np.concatenate([o.alloc_day for o in parts]),
        alloc_order_day=np.concatenate([o.alloc_order_day for o in parts]),
        alloc_count=np.concatenate([o.alloc_count for o in parts]),
        logistics_lag_days=parts[0].logistics_lag_days,
        opening_stock=sum(o.opening_stock for o in parts),
    )


def _delivered_mix(ops: Operations, shares: np.ndarray, cal: Calendar) -> np.ndarray:
    """Trim shares of the cars delivered each month when the mix is of orders: each delivery
    carries the mix of its order's month; a month without any takes its own shares."""
    day = ops.alloc_day + ops.logistics_lag_days
    keep = (day < cal.n_days) & (ops.alloc_count > 0)
    rows, weight = cal.day_month[day[keep]], ops.alloc_count[keep]
    return _carry_mix(shares.copy(), rows, ops.alloc_order_day[keep], weight, shares, cal)


def _build_mix(ops: Operations, shares: np.ndarray, cal: Calendar, orders: bool) -> np.ndarray:
    """Trim shares of the cars allocated each day (rows: days), each car the trim it will be
    delivered as: the mix of its order's month (``orders``), else of its delivery's month; a
    day without allocations takes the mix of the month its cars would be delivered in."""
    lag = ops.logistics_lag_days
    ahead = np.minimum(np.arange(cal.n_days) + (0 if orders else lag), cal.n_days - 1)
    out = shares[cal.day_month[ahead]]
    keep = (ops.alloc_day < cal.n_days) & (ops.alloc_count > 0)
    day, weight = ops.alloc_day[keep], ops.alloc_count[keep]
    source = ops.alloc_order_day[keep] if orders else day + lag
    return _carry_mix(out, day, source, weight, shares, cal)


def _carry_mix(out, rows, source_day, w, shares, cal) -> np.ndarray:
    """``out``'s ``rows`` that hold allocations (``w`` cars each) become the mix their cars
    carry: each car weighs in with the shares of the month of its ``source_day``."""
    month = cal.day_month[np.clip(source_day, 0, cal.n_days - 1)]
    total = np.bincount(rows, w, len(out))
    has = total > 0
    for t in range(shares.shape[1]):
        got = np.bincount(rows, w * shares[month, t], len(out))
        out[has, t] = got[has] / total[has]
    return out


def _product_books(sc, prod, cal, ops, build, deliv, plant) -> tuple[dict, ProductCosts]:
    """One product's flows, revenue and product costs per month (no shared costs yet)."""
    deliv_daily = ops.deliveries
    orders = month_sums(ops.orders, cal)
    cancellations = month_sums(ops.cancellations, cal)
    deliveries = month_sums(deliv_daily, cal)
    cum_deliv_end = month_ends(np.cumsum(deliv_daily), cal)
    in_transit = month_ends(np.cumsum(ops.allocated), cal) - cum_deliv_end
    avg_wait, p90_wait = wait_stats(ops, cal)
    asp = (deliv * trim_prices(prod, cal)).sum(axis=1)
    la = prod.launch
    deposit = la.deposit_usd
    kept = np.zeros(cal.months) if la.deposit_refundable else deposit * cancellations
    as_revenue = la.breakage == "revenue"
    revenue = deliveries * asp + (kept if as_revenue else 0.0)
    pc = product_costs(
        prod, cal, ops.production, deliv_daily, ops.allocated, ops.opening_stock, build, plant
    )
    ends = cal.month_start_day[1:]
    cum_orders = month_ends(np.cumsum(ops.orders), cal)
    cum_cancel = month_ends(np.cumsum(ops.cancellations), cal)
    deposits = deposit * (orders - deliveries)
    if la.deposit_refundable:
        deposits = deposits - deposit * cancellations
    cols = {
        "orders": orders,
        "cancellations": cancellations,
        "backlog": ops.waiting_end + in_transit,
        "waiting": ops.waiting_end,
        "in_transit": in_transit,
        "avg_wait_days": avg_wait,
        "p90_wait_days": p90_wait,
        "production": month_sums(ops.production, cal),
        "deliveries": deliveries,
        "inventory": ops.inventory_end,
        "asp": asp,
        "revenue": revenue,
        "deposit_breakage": kept,
        "deposit_refunds": deposit * cancellations if la.deposit_refundable else 0.0 * kept,
        "other_income": np.zeros(cal.months) if as_revenue else kept,
        "receivables": receivables(sc, deliv_daily, asp[cal.day_month], ends, deposit),
        "deposit_liability": deposit * (cum_orders - cum_deliv_end - cum_cancel),
        "deposits": deposits,
        "cumulative_production": month_ends(np.cumsum(ops.production), cal),
        "cumulative_deliveries": cum_deliv_end,
    }
    return cols, pc


def _weights(line_output, line_name, products_of, cal, names, launched):
    """Per product, the share of a line's period costs each month: by the output the line gave
    it; in a month it gives none, evenly among its products launched by then (all to its first
    product before any is)."""
    members = products_of[line_name]
    if line_output is None or len(names) == 1:
        return {n: np.ones(cal.months) for n in members}
    given = {n: line_output[line_name].get(n, np.zeros(cal.months)) for n in members}
    total = sum(given.values())
    month = np.arange(cal.months)
    live = {n: month >= launched[n] for n in members}
    count = sum(v.astype(float) for v in live.values())
    out = {}
    for i, n in enumerate(members):
        idle = np.where(count > 0, live[n] / np.maximum(count, 1.0), float(i == 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            out[n] = np.where(total > 0, given[n] / total, idle)
    return out


def close_books(
    sc: Scenario,
    cal: Calendar,
    product_ops: dict[str, Operations],
    capacity: np.ndarray,
    line_output: dict[str, dict[str, np.ndarray]] | None = None,
) -> Books:
    """The monthly books: totals, per product and per trim.

    Shared costs are allocated to products for their own tables (the totals never depend on
    it): a line's fixed cost and depreciation by the line's output given to each product that
    month (evenly among its products launched by then in a month it gives none); R&D, SG&A and
    the car business's part of the company's shared opex by each product's share of the
    month's revenue (to the first product in a month without revenue); selling cost with each
    product's revenue.
    """
    products = lineup(sc)
    names = list(product_ops)
    single = len(names) == 1
    mix, build, deliv = {}, {}, {}
    for name in names:
        prod, ops = products[name], product_ops[name]
        mix[name] = trim_shares(prod, cal)
        if prod.mix is None:  # no trims, or one
            build[name] = deliv[name] = mix[name]
        elif prod.mix.basis == "orders":  # per day: each car its order's trim
            build[name] = _build_mix(ops, mix[name], cal, orders=True)
            deliv[name] = _delivered_mix(ops, mix[name], cal)
        else:  # per day: each car the trim of the month it is delivered in
            build[name] = _build_mix(ops, mix[name], cal, orders=False)
            deliv[name] = mix[name]
    plant = None
    # a product launched after the horizon builds nothing: plant experience is then the one
    # product's own, in its closed form
    launch_day = {n: cal.day_of(launch_date(sc, products[n])) for n in names}
    within = [n for n in names if launch_day[n] < cal.n_days]
    per_kwh = any(
        getattr(c, "experience", "") == "battery_kwh"
        for n in names
        for c in products[n].costs.components.values()
    )
    if len(within) > 1 or per_kwh:
        builders = {n: products[n] for n in within or names[:1]}
        production = {n: product_ops[n].production for n in builders}
        days = {n: 0 if n == names[0] else launch_day[n] for n in builders}
        plant = plant_experience(
            builders, production, build, cal, shared=len(within) > 1, launch_days=days
        )
    per, costs = {}, {}
    for name in names:
        per[name], costs[name] = _product_books(
            sc,
            products[name],
            cal,
            product_ops[name],
            build[name],
            deliv[name],
            plant,
        )
    ops = combine(product_ops, capacity)
    first = per[names[0]]
    total = first if single else {k: sum(per[n][k] for n in names) for k in first}
    deliveries, revenue = total["deliveries"], total["revenue"]
    if single:
        asp = first["asp"]
        avg_wait, p90_wait = first["avg_wait_days"], first["p90_wait_days"]
    else:
        asp = _mean_price(names, per, deliveries)
        avg_wait, p90_wait = wait_stats(ops, cal)
    # a product launched after the horizon adds no cost columns (its costs are all zero)
    delivered = _sum_by_key(costs[n].delivered for n in within or names[:1])
    lines = line_period_costs(sc, cal)
    fixed = sum((f for f, _, _ in lines.values()), np.zeros(cal.months))
    dep = sum((d for _, d, _ in lines.values()), np.zeros(cal.months))
    capex = sum((c for _, _, c in lines.values()), np.zeros(cal.months))
    cogs = fixed + dep + sum(delivered.values())
    gross = revenue - cogs
    rnd = schedule_by_month(sc.opex.rnd_per_month_usd, cal)
    sga = schedule_by_month(sc.opex.sga_per_month_usd, cal)
    selling = sc.opex.selling_share_of_revenue * revenue
    opex = rnd + sga + selling
    co = sc.company
    shared = None
    if co is not None:
        shared = schedule_by_month(co.shared_opex_per_month_usd, cal) * co.ev_share_of_shared_opex
        opex = opex + shared
    other_income = total["other_income"]
    operating = gross - opex + other_income
    ends = cal.month_start_day[1:]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        margin = np.where(deliveries >= MIN_CARS, gross / revenue, np.nan)  # as per-car figures
        per_car = np.where(deliveries >= MIN_CARS, operating / deliveries, np.nan)
        unit_cogs = np.where(deliveries >= MIN_CARS, cogs / deliveries, np.nan)
    production = total["production"]
    cols: dict[str, np.ndarray] = {
        "orders": total["orders"],
        "cancellations": total["cancellations"],
        "backlog": total["backlog"],
        "waiting": total["waiting"],
        "in_transit": total["in_transit"],
        "avg_wait_days": avg_wait,
        "p90_wait_days": p90_wait,
        "capacity": month_sums(capacity, cal),
        "production": production,
        "weekly_run_rate": production / (cal.days_in_month / 7.0),  # cars/week
        "deliveries": deliveries,
        "inventory": total["inventory"],
        "asp": asp,
        "revenue": revenue,
    }
    for name, values in delivered.items():
        cols[f"cogs_{name}"] = values
    cols |= {
        "cogs_fixed": fixed,
        "cogs_depreciation": dep,
        "cogs": cogs,
        "unit_cogs": unit_cogs,
        "gross_profit": gross,
        "gross_margin": margin,
        "opex_rnd": rnd,
        "opex_sga": sga,
        "opex_selling": selling,
    }
    if shared is not None:
        cols["opex_shared"] = shared
    cols |= {
        "opex": opex,
        "deposit_breakage": total["deposit_breakage"],
    }
    # refunds of the products that take orders within the run (a launch or reservations)
    refundable = any(
        products[n].launch.deposit_refundable and product_ops[n].orders.any() for n in names
    )
    if refundable:
        cols["deposit_refunds"] = total["deposit_refunds"]
    purchases = _sum_by_key(costs[n].purchases for n in names)
    cols |= {
        "other_income": other_income,
        "operating_profit": operating,
        "operating_profit_per_car": per_car,
        "capex": capex,
        "inventory_value": sum(costs[n].inventory_value for n in names),
        "in_transit_value": sum(costs[n].in_transit_value for n in names),
        "payables": payables(sc, purchases, ends),
        "receivables": total["receivables"],
        "deposit_liability": total["deposit_liability"],
        "deposits": total["deposits"],
    }
    opening_inv = sum(costs[n].opening_inventory for n in names)
    opening = 0.0 if sc.cash.pre_start_capex == "in_cash" else opening_inv
    cash = cash_flows(cols, opening)
    cumulative_cash = cash.pop("cumulative_cash")
    without = cash.pop("cumulative_cash_without_working_capital")
    cols |= cash
    cols |= {
        "cumulative_production": total["cumulative_production"],
        "cumulative_deliveries": total["cumulative_deliveries"],
        "cumulative_cash": cumulative_cash,
        "cumulative_cash_without_working_capital": without,
    }
    if co is not None:
        cols |= company_columns(co, cal, operating, shared)
    return Books(
        columns=cols,
        operations=ops,
        names=tuple(names),
        trim_count=sum(len(trim_names(products[n])) for n in names),
        make_products=partial(
            _allocate, sc, cal, names, per, costs, lines, line_output, rnd + sga, shared
        ),
        make_trims=partial(trim_books, products, names, per, costs, deliv, build, cal),
        make_rates=partial(_cost_rates, products, product_ops, build, plant, launch_day, cal),
    )


def _cost_rates(products, product_ops, build, plant, launch_day, cal) -> dict[str, dict]:
    """Each product's :func:`sim.core.costing.cost_rates` (asked for by the summary only)."""
    return {
        n: cost_rates(products[n], cal, ops.production, build[n], plant, launch_day[n])
        for n, ops in product_ops.items()
    }


def _sum_by_key(parts: Iterable[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Arrays of the same name summed across dicts (in the order their names first appear)."""
    out: dict[str, np.ndarray] = {}
    for part in parts:
        for key, values in part.items():
            out[key] = out[key] + values if key in out else values
    return out


def _mean_price(names, per, deliveries) -> np.ndarray:
    """The month's average price over the products' deliveries: the one product's own price
    in a month only it delivers, the first product's in a month none does (as when the model
    held one product), else the delivery-weighted mean."""
    cars = [per[n]["deliveries"] for n in names]
    delivering = sum((c > 0).astype(int) for c in cars)
    out = per[names[0]]["asp"].copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = sum(c * per[n]["asp"] for c, n in zip(cars, names, strict=True)) / deliveries
    for c, n in zip(cars, names, strict=True):
        alone = (delivering == 1) & (c > 0)
        out[alone] = per[n]["asp"][alone]
    many = delivering > 1
    out[many] = np.where(deliveries[many] >= MIN_CARS, mean[many], np.nan)
    return out


def _allocate(sc, cal, names, per, costs, lines, line_output, fixed_opex, shared):
    """Each product's table: its own flows and costs, and its share of the shared costs."""
    products_of = {n: products_of_line(sc, ln.products) for n, ln in sc.factory.lines.items()}
    products = lineup(sc)
    launched = {  # month index each product launches in (the horizon's length: never)
        n: min(max(cal.month_of(launch_date(sc, products[n])), 0), cal.months) for n in names
    }
    revenue = sum(per[n]["revenue"] for n in names)
    shared_opex = fixed_opex + (shared if shared is not None else 0.0)
    weights = {ln: _weights(line_output, ln, products_of, cal, names, launched) for ln in lines}
    out = {}
    for name in names:
        own = per[name]
        fixed = np.zeros(cal.months)
        dep = np.zeros(cal.months)
        for line_name, (f, d, _) in lines.items():
            w = weights[line_name].get(name)
            if w is not None:
                fixed = fixed + f * w
                dep = dep + d * w
        with np.errstate(divide="ignore", invalid="ignore"):
            rev_share = np.where(
                revenue > 0, own["revenue"] / revenue, 1.0 if name == names[0] else 0.0
            )
        variable = sum(costs[name].delivered.values())
        cogs = variable + fixed + dep
        gross = own["revenue"] - cogs
        opex = shared_opex * rev_share + sc.opex.selling_share_of_revenue * own["revenue"]
        operating = gross - opex + own["other_income"]
        deliveries = own["deliveries"]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            ok = deliveries >= MIN_CARS
            cols = {
                **{k: own[k] for k in PRODUCT_FLOWS},
                "asp": np.where(ok, own["asp"], np.nan),  # a price only where cars are sold
                "revenue": own["revenue"],
                "cogs_variable": variable,
                "cogs_fixed": fixed,
                "cogs_depreciation": dep,
                "cogs": cogs,
                "unit_cogs": np.where(ok, cogs / deliveries, np.nan),
                "gross_profit": gross,
                "gross_margin": np.where(ok, gross / own["revenue"], np.nan),
                "opex": opex,
                "other_income": own["other_income"],
                "operating_profit": operating,
                "operating_profit_per_car": np.where(ok, operating / deliveries, np.nan),
                "cumulative_production": own["cumulative_production"],
                "cumulative_deliveries": own["cumulative_deliveries"],
            }
        out[name] = cols
    return out


PRODUCT_FLOWS = (
    "orders",
    "cancellations",
    "backlog",
    "waiting",
    "in_transit",
    "avg_wait_days",
    "p90_wait_days",
    "production",
    "deliveries",
    "inventory",
    "asp",
)
"""A product's own monthly columns, before its revenue and costs."""


def trim_books(products, names, per, costs, deliv, build, cal):
    """Per (product, trim): deliveries, price, revenue and variable cost of the month."""
    out = {}
    for name in names:
        prod = products[name]
        trims = trim_names(prod)
        prices = trim_prices(prod, cal)
        deliveries = per[name]["deliveries"]
        weights = {}
        for comp in prod.costs.components:
            f = np.array([trim_factor(prod, t, comp) for t in trims])
            weights[comp] = (deliv[name] * f, (deliv[name] * f).sum(axis=1))
        for t, trim in enumerate(trims):
            cars = deliveries * deliv[name][:, t]
            variable = np.zeros(cal.months)
            for comp, values in costs[name].delivered.items():
                w, tot = weights[comp]
                with np.errstate(divide="ignore", invalid="ignore"):
                    variable = variable + np.where(tot > 0, values * w[:, t] / tot, 0.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                unit = np.where(cars >= MIN_CARS, variable / cars, np.nan)
            out[(name, trim)] = {
                "share": deliv[name][:, t],
                "deliveries": cars,
                "price": prices[:, t],
                "revenue": cars * prices[:, t],
                "variable_cost": variable,
                "unit_variable_cost": unit,
            }
    return out


def check_finite(source: str, cal: Calendar, cols: dict[str, np.ndarray]) -> None:
    """Refuse books holding NaN or inf, or whose sums overflow (quarters, totals).

    Only the columns of :data:`UNDEFINED_WHERE_NAN` may hold NaN (and never inf). A flow or
    stock passes when the sum of its absolute values is finite, which also bounds every partial
    sum the quarterly table and the summary take. The error names the first column, in the
    table's order, and the first month at fault.
    """
    names = list(cols)
    table = np.array([cols[name] for name in names], dtype=float)
    ratio = np.array([name in UNDEFINED_WHERE_NAN or name == "asp" for name in names])
    bad = ~np.isfinite(table) & ~(ratio[:, None] & np.isnan(table))
    if not bad.any():
        with np.errstate(over="ignore"):
            bad = ~np.isfinite(np.cumsum(np.abs(table[~ratio]), axis=1))
        if not bad.any():
            return
        names = [name for name, r in zip(names, ratio, strict=True) if not r]
    row = int(np.flatnonzero(bad.any(axis=1))[0])
    month = int(np.flatnonzero(bad[row])[0])
    raise ConfigError(
        source,
        names[row],
        f"the books are not finite (NaN/inf) from {cal.labels[month]}: an input is out of range",
    )
