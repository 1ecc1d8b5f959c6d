"""Closing the books per month: a pure function of the day-by-day operations.

Revenue and cost of goods sold are recognised at delivery. Cars leave the plant first in,
first out, so the cars delivered by the end of a month are exactly the first ``D`` cars built
and their product cost is a difference of cumulative-cost curves. Fixed manufacturing cost and
depreciation are period costs (charged in the month, not carried in inventory).

Cash flow = operating profit + depreciation - capex - increase in inventory value
            + deposits taken on new orders - deposits applied at delivery.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from sim.config.schema import DeclineCost, Scenario, Schedule
from sim.core.calendar import DAYS_PER_YEAR, Calendar
from sim.core.learning import decline_cost, total_cost
from sim.errors import ConfigError

MIN_CARS = 1.0
"""Per-car figures are only defined for months (or quarters) delivering at least one car."""

UNDEFINED_WHERE_NAN = frozenset(
    {"gross_margin", "operating_profit_per_car", "unit_cogs", "avg_wait_days", "p90_wait_days"}
)
"""Columns where NaN means "not defined this month" (no revenue, no car delivered)."""


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


def product_costs(sc: Scenario, cal: Calendar, ops: Operations) -> dict[str, np.ndarray]:
    """Per component: product cost of the cars delivered in each month (FIFO)."""
    experience = sc.factory.initial_experience_units
    cum_prod = np.concatenate(([0.0], np.cumsum(ops.production)))
    cum_deliv_end = _month_end(np.cumsum(ops.deliveries), cal)
    cum_prod_end = _month_end(cum_prod[1:], cal)
    years = (np.arange(cal.n_days) + 0.5) / DAYS_PER_YEAR
    delivered, inventory = {}, np.zeros(cal.months)
    for name, comp in sc.costs.components.items():
        if isinstance(comp, DeclineCost):
            built_cost = np.concatenate(
                ([0.0], np.cumsum(ops.production * decline_cost(years, comp)))
            )
            at_deliv = np.interp(cum_deliv_end, cum_prod, built_cost)
            at_prod = np.interp(cum_prod_end, cum_prod, built_cost)
        else:
            base = total_cost(experience, comp)
            at_deliv = total_cost(experience + cum_deliv_end, comp) - base
            at_prod = total_cost(experience + cum_prod_end, comp) - base
        delivered[name] = np.diff(at_deliv, prepend=0.0)
        inventory += at_prod - at_deliv
    delivered["_inventory_value"] = inventory
    return delivered


def period_costs(sc: Scenario, cal: Calendar) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fixed manufacturing cost, depreciation and capex cash per month."""
    fixed = np.zeros(cal.months)
    dep = np.zeros(cal.months)
    capex = np.zeros(cal.months)
    days = cal.month_start_day
    for line in sc.factory.lines.values():
        start_day = cal.day_of(line.start)
        active = np.clip(days[1:] - np.maximum(days[:-1], start_day), 0, None) / cal.days_in_month
        fixed += line.fixed_cost_per_month_usd * active
        if line.capex is None:
            continue
        cx = line.capex
        paid = cal.month_of(cx.date)
        if 0 <= paid < cal.months:
            capex[paid] += cx.amount_usd
        life = max(round(cx.depreciation_years * 12), 1)
        first = max(paid, cal.month_of(line.start))
        months = np.arange(cal.months)
        dep += np.where((months >= first) & (months < first + life), cx.amount_usd / life, 0.0)
    return fixed, dep, capex


def close_books(sc: Scenario, cal: Calendar, ops: Operations) -> dict[str, np.ndarray]:
    """The monthly table as named columns (arrays of length ``cal.months``)."""
    deliv_daily = ops.deliveries
    orders = _month_sum(ops.orders, cal)
    deliveries = _month_sum(deliv_daily, cal)
    cum_alloc_end = _month_end(np.cumsum(ops.allocated), cal)
    cum_deliv_end = _month_end(np.cumsum(deliv_daily), cal)
    in_transit = cum_alloc_end - cum_deliv_end
    avg_wait, p90_wait = wait_stats(ops, cal)

    asp = schedule_by_month(sc.price.asp_usd, cal)
    revenue = deliveries * asp
    comp = product_costs(sc, cal, ops)
    inventory_value = comp.pop("_inventory_value")
    fixed, dep, capex = period_costs(sc, cal)
    cogs = fixed + dep + sum(comp.values())
    gross = revenue - cogs
    rnd = schedule_by_month(sc.opex.rnd_per_month_usd, cal)
    sga = schedule_by_month(sc.opex.sga_per_month_usd, cal)
    selling = sc.opex.selling_share_of_revenue * revenue
    opex = rnd + sga + selling
    operating = gross - opex
    deposits = sc.launch.deposit_usd * (orders - deliveries)
    cash = operating + dep - capex - np.diff(inventory_value, prepend=0.0) + deposits
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        margin = np.where(revenue > 0, gross / revenue, np.nan)
        per_car = np.where(deliveries >= MIN_CARS, operating / deliveries, np.nan)
        unit_cogs = np.where(deliveries >= MIN_CARS, cogs / deliveries, np.nan)

    cols: dict[str, np.ndarray] = {
        "orders": orders,
        "cancellations": _month_sum(ops.cancellations, cal),
        "backlog": ops.waiting_end + in_transit,
        "waiting": ops.waiting_end,
        "in_transit": in_transit,
        "avg_wait_days": avg_wait,
        "p90_wait_days": p90_wait,
        "capacity": _month_sum(ops.capacity, cal),
        "production": _month_sum(ops.production, cal),
        "deliveries": deliveries,
        "inventory": ops.inventory_end,
        "asp": asp,
        "revenue": revenue,
    }
    for name, values in comp.items():
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
        "operating_profit": operating,
        "operating_profit_per_car": per_car,
        "capex": capex,
        "inventory_value": inventory_value,
        "deposits": deposits,
        "cash_flow": cash,
        "cumulative_production": _month_end(np.cumsum(ops.production), cal),
        "cumulative_deliveries": cum_deliv_end,
        "cumulative_cash": np.cumsum(cash),
    }
    return cols


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
