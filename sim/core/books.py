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

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from sim.config.schema import DeclineCost, Scenario, Schedule
from sim.core.calendar import DAYS_PER_YEAR, Calendar, add_months
from sim.core.learning import decline_cost, run_cost_rates, total_cost
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


def schedule_by_month(schedule: Schedule, cal: Calendar) -> np.ndarray:
    values = np.full(cal.months, schedule.base, dtype=float)
    for date in sorted(schedule.changes):
        values[max(cal.month_of(date), 0) :] = schedule.changes[date]
    return values


def _month_sum(daily: np.ndarray, cal: Calendar) -> np.ndarray:
    return np.add.reduceat(daily, cal.month_start_day[:-1])


def _month_end(cumulative: np.ndarray, cal: Calendar) -> np.ndarray:
    return cumulative[cal.month_start_day[1:] - 1]


def wait_stats(ops: Operations, cal: Calendar) -> tuple[np.ndarray, np.ndarray]:
    """Mean and P90 wait (days from order to delivery) of the cars delivered each month."""
    mean = np.full(cal.months, np.nan)
    p90 = np.full(cal.months, np.nan)
    deliver = ops.alloc_day + ops.logistics_lag_days
    keep = (deliver < cal.n_days) & (ops.alloc_count > 0)
    if not keep.any():
        return mean, p90
    month = cal.day_month[deliver[keep]]
    days = deliver[keep] - ops.alloc_order_day[keep]  # whole days, 0..n_days
    wait = days.astype(float)
    weight = ops.alloc_count[keep]
    total = np.bincount(month, weight, cal.months)
    has = total > 0
    mean[has] = np.bincount(month, weight * wait, cal.months)[has] / total[has]
    order = np.argsort(month * (cal.n_days + 1) + days, kind="stable")  # by month, then wait
    wait, cum = wait[order], np.cumsum(weight[order])
    # records are sorted by month, then wait: the month's P90 is the first record whose running
    # weight reaches the weight before the month plus 90 % of the month's own
    before = np.concatenate(([0.0], np.cumsum(total)[:-1]))
    idx = np.searchsorted(cum, before[has] + 0.9 * total[has] - 1e-9)
    p90[has] = wait[np.minimum(idx, wait.size - 1)]
    return mean, p90


@dataclass(frozen=True)
class ProductCosts:
    """Per component: cost of each month's deliveries and daily purchases; stock values."""

    delivered: dict[str, np.ndarray]
    """Product cost of the cars delivered in each month (FIFO), per component."""
    purchases: dict[str, np.ndarray]
    """Cumulative cost of the cars built in the run by each day boundary (length n_days + 1)."""
    inventory_value: np.ndarray
    """Cars built (or pilot stock) and not delivered at each month end."""
    in_transit_value: np.ndarray
    """The part of it allocated to orders and on its way."""
    opening_inventory: float
    """The pilot stock's product cost at the start."""


def product_costs(sc: Scenario, cal: Calendar, ops: Operations) -> ProductCosts:
    """Product costs by first in, first out: the pilot stock, then the cars in build order.

    ``F(x)`` is the cost of the first ``x`` cars to leave (pilot stock first): Wright curves
    are at experience ``E - S + x`` (the pilot stock ``S`` are the last of the ``E`` pilot
    builds), a decline cost prices each car on its build day (pilot stock at the start's cost).
    """
    experience = sc.factory.initial_experience_units
    stock = ops.opening_stock
    cum_prod = np.concatenate(([0.0], np.cumsum(ops.production)))
    out_by = {  # FIFO positions of the month-end stocks
        "deliv": _month_end(np.cumsum(ops.deliveries), cal),
        "alloc": _month_end(np.cumsum(ops.allocated), cal),
        "made": stock + _month_end(cum_prod[1:], cal),
    }
    years = (np.arange(cal.n_days) + 0.5) / DAYS_PER_YEAR
    delivered, purchases = {}, {}
    inventory, in_transit, opening = np.zeros(cal.months), np.zeros(cal.months), 0.0
    for name, comp in sc.costs.components.items():
        if isinstance(comp, DeclineCost):
            built = np.concatenate(([0.0], np.cumsum(ops.production * decline_cost(years, comp))))
            pilot = stock * float(decline_cost(0.0, comp))
            positions = np.concatenate(([0.0], stock + cum_prod))
            values = np.concatenate(([0.0], pilot + built))
            at = {k: np.interp(v, positions, values) for k, v in out_by.items()}
        else:
            base = total_cost(experience - stock, comp)
            pilot = float(total_cost(experience, comp) - base)
            built = total_cost(experience + cum_prod, comp) - base - pilot
            at = {k: total_cost(experience - stock + v, comp) - base for k, v in out_by.items()}
        delivered[name] = np.diff(at["deliv"], prepend=0.0)
        purchases[name] = built
        inventory += at["made"] - at["deliv"]
        in_transit += at["alloc"] - at["deliv"]
        opening += pilot
    return ProductCosts(delivered, purchases, inventory, in_transit, opening)


def month_shares(cal: Calendar, first_day: int) -> np.ndarray:
    """Share of each month's days from ``first_day`` on (0 before, 1 after, pro rata in it)."""
    days = cal.month_start_day
    return np.clip(days[1:] - np.maximum(days[:-1], first_day), 0, None) / cal.days_in_month


def period_costs(sc: Scenario, cal: Calendar) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fixed manufacturing cost, depreciation and capex cash per month.

    One proration rule for both period costs: a monthly amount times the share of the month's
    days in service. Fixed cost runs from the line's start; depreciation of ``amount / L`` a
    month (``L = 12 x depreciation_years``) from the later of the capex date and the line's
    start, until ``L`` months' worth of shares have been charged (so the last month takes the
    rest of a first partial month). Capex paid before the start is sunk (not in cash) unless
    ``cash.pre_start_capex`` is ``in_cash``: then it is paid in the first month.
    """
    fixed = np.zeros(cal.months)
    dep = np.zeros(cal.months)
    capex = np.zeros(cal.months)
    for line in sc.factory.lines.values():
        start_day = cal.day_of(line.start)
        fixed += line.fixed_cost_per_month_usd * month_shares(cal, start_day)
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
    return fixed, dep, capex


def close_books(sc: Scenario, cal: Calendar, ops: Operations) -> dict[str, np.ndarray]:
    """The monthly table as named columns (arrays of length ``cal.months``)."""
    deliv_daily = ops.deliveries
    orders = _month_sum(ops.orders, cal)
    cancellations = _month_sum(ops.cancellations, cal)
    deliveries = _month_sum(deliv_daily, cal)
    cum_alloc_end = _month_end(np.cumsum(ops.allocated), cal)
    cum_deliv_end = _month_end(np.cumsum(deliv_daily), cal)
    in_transit = cum_alloc_end - cum_deliv_end
    avg_wait, p90_wait = wait_stats(ops, cal)

    asp = schedule_by_month(sc.price.asp_usd, cal)
    deposit = sc.launch.deposit_usd
    breakage = deposit * cancellations
    as_revenue = sc.launch.breakage == "revenue"
    revenue = deliveries * asp + (breakage if as_revenue else 0.0)
    other_income = np.zeros(cal.months) if as_revenue else breakage
    pc = product_costs(sc, cal, ops)
    fixed, dep, capex = period_costs(sc, cal)
    cogs = fixed + dep + sum(pc.delivered.values())
    gross = revenue - cogs
    rnd = schedule_by_month(sc.opex.rnd_per_month_usd, cal)
    sga = schedule_by_month(sc.opex.sga_per_month_usd, cal)
    selling = sc.opex.selling_share_of_revenue * revenue
    opex = rnd + sga + selling
    operating = gross - opex + other_income
    ends = cal.month_start_day[1:]
    cum_orders = _month_end(np.cumsum(ops.orders), cal)
    cum_cancel = _month_end(np.cumsum(ops.cancellations), cal)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        margin = np.where(deliveries >= MIN_CARS, gross / revenue, np.nan)  # as per-car figures
        per_car = np.where(deliveries >= MIN_CARS, operating / deliveries, np.nan)
        unit_cogs = np.where(deliveries >= MIN_CARS, cogs / deliveries, np.nan)

    cols: dict[str, np.ndarray] = {
        "orders": orders,
        "cancellations": cancellations,
        "backlog": ops.waiting_end + in_transit,
        "waiting": ops.waiting_end,
        "in_transit": in_transit,
        "avg_wait_days": avg_wait,
        "p90_wait_days": p90_wait,
        "capacity": _month_sum(ops.capacity, cal),
        "production": _month_sum(ops.production, cal),
        "weekly_run_rate": _month_sum(ops.production, cal) / (cal.days_in_month / 7.0),  # cars/week
        "deliveries": deliveries,
        "inventory": ops.inventory_end,
        "asp": asp,
        "revenue": revenue,
    }
    for name, values in pc.delivered.items():
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
        "opex": opex,
        "deposit_breakage": breakage,
        "other_income": other_income,
        "operating_profit": operating,
        "operating_profit_per_car": per_car,
        "capex": capex,
        "inventory_value": pc.inventory_value,
        "in_transit_value": pc.in_transit_value,
        "payables": payables(sc, pc.purchases, ends),
        "receivables": receivables(sc, deliv_daily, asp[cal.day_month], ends),
        "deposit_liability": deposit * (cum_orders - cum_deliv_end - cum_cancel),
        "deposits": deposit * (orders - deliveries),
    }
    opening = 0.0 if sc.cash.pre_start_capex == "in_cash" else pc.opening_inventory
    cash = cash_flows(cols, opening)
    cumulative_cash = cash.pop("cumulative_cash")
    without = cash.pop("cumulative_cash_without_working_capital")
    cols |= cash
    cols |= {
        "cumulative_production": _month_end(np.cumsum(ops.production), cal),
        "cumulative_deliveries": cum_deliv_end,
        "cumulative_cash": cumulative_cash,
        "cumulative_cash_without_working_capital": without,
    }
    return cols


def cost_rates(
    sc: Scenario, cal: Calendar, cols: dict[str, np.ndarray]
) -> dict[str, dict[str, float | None]]:
    """Each cost component's effective change per doubling and per year over the run (from the
    run's first car to its last built; see :func:`sim.core.learning.effective_rates`)."""
    built = float(cols["cumulative_production"][-1])
    years = cal.n_days / DAYS_PER_YEAR
    experience = sc.factory.initial_experience_units
    return run_cost_rates(sc.costs.components, experience, built, years)


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
