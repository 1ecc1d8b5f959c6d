"""Reconciliation: one month of the default scenario's books, rebuilt from the README.

The rebuild takes only the day-by-day physical flows of the run (orders, cancellations,
production, allocations) and the scenario's inputs, and applies the equations of the README's
"The model" section in plain Python (loops and ``math``, nothing from ``sim.core``). If the
README's equations and the code drift apart, this fails.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest

REL = 1e-9
DAYS_PER_YEAR = 365.25


def day_index(start: dt.date, day: dt.date) -> int:
    return (day - start).days


def month_bounds(start: dt.date, label: str) -> tuple[int, int, int]:
    """(first day, first day of the next month, days in month) of a YYYY-MM month."""
    y, m = int(label[:4]), int(label[5:])
    first = dt.date(y, m, 1)
    nxt = dt.date(y + m // 12, m % 12 + 1, 1)
    return day_index(start, first), day_index(start, nxt), (nxt - first).days


def wright_total(n: float, c1: float, floor: float, pr: float) -> float:
    """README: the first N cars cost c1 S(min(N, n*)) + floor (N - min(N, n*)), S by the
    midpoint rule beyond 100 cars (the default's N is always beyond)."""
    b = math.log2(pr)
    star = (floor / c1) ** (1 / b) if floor > 0 else math.inf
    learning = min(n, star)
    assert learning >= 100
    s100 = sum(k**b for k in range(1, 101))
    s = s100 + ((learning + 0.5) ** (1 + b) - 100.5 ** (1 + b)) / (1 + b)
    return c1 * s + floor * (n - learning)


def cost_of_fifo_range(comp, experience: float, production: list[float], lo: float, hi: float):
    """Product cost of the cars leaving between FIFO positions lo and hi (no pilot stock)."""
    if comp.kind == "wright":
        args = (comp.first_unit_usd, comp.floor_usd, comp.progress_ratio)
        return wright_total(experience + hi, *args) - wright_total(experience + lo, *args)
    total, made = 0.0, 0.0
    for d, cars in enumerate(production):  # each car at the cost of its build day
        if cars <= 0:
            continue
        years = (d + 0.5) / DAYS_PER_YEAR
        unit = max(comp.floor_usd, comp.start_usd * (1 - comp.decline_per_year) ** years)
        overlap = max(0.0, min(hi, made + cars) - max(lo, made))
        total += overlap * unit
        made += cars
    return total


def purchases_between(comp, experience, production, t0: float, t1: float) -> float:
    """Cost of the cars built in the time span [t0, t1) (days; evenly within a day)."""
    total, made = 0.0, 0.0
    for d, cars in enumerate(production):
        share = max(0.0, min(t1, d + 1) - max(t0, d))
        if share > 0 and cars > 0:
            total += cost_of_fifo_range(comp, experience, production, made, made + share * cars)
        made += cars
    return total


def balances(sc, ops, start, end_day: int) -> dict[str, float]:
    """The balance-sheet lines at the end of the day before ``end_day``."""
    prod = list(ops.production[:end_day])
    made = sum(prod)
    delivered = sum(ops.deliveries[:end_day])
    e = sc.factory.initial_experience_units
    inventory = sum(
        cost_of_fifo_range(c, e, prod, delivered, made) for c in sc.costs.components.values()
    )
    wc = sc.working_capital
    payables = 0.0
    for name, comp in sc.costs.components.items():
        days = wc.payables_days_by_component.get(name, wc.payables_days)
        if days > 0:
            payables += purchases_between(comp, e, prod, max(end_day - days, 0), end_day)
    deposit = sc.launch.deposit_usd
    backlog = sum(ops.orders[:end_day]) - delivered - sum(ops.cancellations[:end_day])
    assert wc.receivables_days == 0  # the default is prepaid
    return {"inventory": inventory, "payables": payables, "deposits": deposit * backlog}


@pytest.mark.parametrize("label", ["2024-06", "2025-08"])
def test_one_month_of_books_rebuilt_from_the_readme(default_run, label):
    sc, ops = default_run.scenario, default_run.operations
    start = sc.start
    first, nxt, days = month_bounds(start, label)
    e = sc.factory.initial_experience_units
    prod = list(ops.production)

    deliveries = sum(ops.deliveries[first:nxt])
    before = sum(ops.deliveries[:first])
    cancellations = sum(ops.cancellations[first:nxt])
    assert not sc.price.asp_usd.changes
    asp = sc.price.asp_usd.base
    breakage = sc.launch.deposit_usd * cancellations
    assert sc.launch.breakage == "other_income"
    revenue = deliveries * asp
    components = {
        name: cost_of_fifo_range(comp, e, prod, before, before + deliveries)
        for name, comp in sc.costs.components.items()
    }
    fixed = dep = capex = 0.0
    for line in sc.factory.lines.values():
        line_start = day_index(start, line.start)
        share = max(0, nxt - max(first, line_start)) / days  # share of the month in service
        fixed += line.fixed_cost_per_month_usd * share
        cx = line.capex
        if cx is None:
            continue
        if (cx.date.year, cx.date.month) == (int(label[:4]), int(label[5:])):
            capex += cx.amount_usd
        life = 12 * cx.depreciation_years
        in_service = max(day_index(start, cx.date), line_start)
        charged = 0.0  # months' worth charged before this month (whole months here)
        y, m = start.year, start.month
        while True:
            f, n, dd = month_bounds(start, f"{y:04d}-{m:02d}")
            if f >= first:
                break
            charged += max(0, n - max(f, in_service)) / dd
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        this = max(0, nxt - max(first, in_service)) / days
        dep += cx.amount_usd / life * (min(charged + this, life) - min(charged, life))
    cogs = sum(components.values()) + fixed + dep
    gross = revenue - cogs
    month = dt.date(int(label[:4]), int(label[5:]), 1)
    rnd = sc.opex.rnd_per_month_usd.base
    for when, value in sorted(sc.opex.rnd_per_month_usd.changes.items()):
        if when <= month:
            rnd = value
    sga = sc.opex.sga_per_month_usd.base
    assert not sc.opex.sga_per_month_usd.changes
    opex = rnd + sga + sc.opex.selling_share_of_revenue * revenue
    operating = gross - opex + breakage

    open_, close = balances(sc, ops, start, first), balances(sc, ops, start, nxt)
    wc_open = open_["inventory"] - open_["payables"] - open_["deposits"]
    wc_close = close["inventory"] - close["payables"] - close["deposits"]
    cash = (operating + dep) - (wc_close - wc_open) - capex

    row = default_run.monthly.set_index("month").loc[label]
    expected = {
        "deliveries": deliveries,
        "revenue": revenue,
        "cogs_fixed": fixed,
        "cogs_depreciation": dep,
        "cogs": cogs,
        "gross_profit": gross,
        "opex": opex,
        "other_income": breakage,
        "operating_profit": operating,
        "inventory_value": close["inventory"],
        "payables": close["payables"],
        "deposit_liability": close["deposits"],
        "working_capital": wc_close,
        "cash_flow_working_capital": -(wc_close - wc_open),
        "cash_flow": cash,
    } | {f"cogs_{name}": value for name, value in components.items()}
    for column, value in expected.items():
        assert row[column] == pytest.approx(value, rel=REL, abs=1e-3), column
    assert row["payables"] > 0 and row["cogs_depreciation"] > 0
