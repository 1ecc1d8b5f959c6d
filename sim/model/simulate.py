"""``simulate(scenario, seed)``: the one entry point. Pure: no I/O, no global random state."""

from __future__ import annotations

from dataclasses import dataclass
from math import floor

import numpy as np
import simpy

from sim.config.lineup import launch_date, lineup, needs_lineup_plant, products_of_line
from sim.config.schema import Product, Scenario
from sim.core.books import Operations, check_finite, close_books
from sim.core.calendar import DAYS_PER_MONTH, Calendar
from sim.core.capacity import expected_availability, line_capacity, scheduled_supply
from sim.core.demand import expected_intake
from sim.core.disruptions import exact_is_bounded, supply_factor
from sim.core.downtime import downtime_share
from sim.core.mix import elasticity_factor
from sim.errors import ConfigError
from sim.model.failures import random_disruptions
from sim.model.lineup import LineupInputs, LineupLog, ProductInputs, lineup_process
from sim.model.plant import PlantInputs, PlantLog, plant_process
from sim.model.result import Result
from sim.model.streams import SeedLike, stream


def _daily_hazard(monthly_rate: float) -> float:
    return 1.0 - (1.0 - monthly_rate) ** (1.0 / DAYS_PER_MONTH)


def simulate(
    scenario: Scenario, seed: SeedLike | None = None, *, mode: str | None = None
) -> Result:
    """Run one scenario and close its books.

    ``mode`` (``"deterministic"`` or ``"stochastic"``) defaults to the scenario's; ``seed``
    defaults to the scenario's and is ignored in deterministic mode, where every random
    quantity sits at its expectation. The same (scenario, seed) always gives the same tables.
    """
    mode = mode or scenario.mode
    if mode not in ("deterministic", "stochastic"):
        raise ValueError(f"mode must be 'deterministic' or 'stochastic', got {mode!r}")
    stochastic = mode == "stochastic"
    seed = scenario.seed if seed is None else seed
    cal = Calendar(scenario.start, scenario.horizon_months)
    fac = scenario.factory

    env = simpy.Environment()
    line_caps = {name: line_capacity(line, cal, fac.calendar) for name, line in fac.lines.items()}
    nominal = np.sum(list(line_caps.values()), axis=0)
    if not np.isfinite(nominal).all():  # the schema's bounds should make this impossible
        raise ConfigError(
            scenario.name, "factory.lines", "the capacity is not finite: an input is out of range"
        )
    supply = scheduled_supply(fac, cal)
    rd = fac.random_disruptions
    spans: list[tuple[float, float]] | None = None  # disruptions run as events
    lost: dict[str, np.ndarray] = {}  # per line: cars per day lost to breakdowns
    expected_cut = 0.0
    if stochastic:
        capacity = nominal.copy()
        for name, line in fac.lines.items():
            a = line.availability
            down = downtime_share(
                stream(seed, f"breakdowns.{name}"), cal.n_days, a.mtbf_hours / 24, a.mttr_hours / 24
            )
            lost[name] = line_caps[name] * down
            capacity -= lost[name]
        capacity = capacity.tolist()
        if rd.rate_per_year > 0 and rd.output_cut > 0:
            rng = stream(seed, "disruptions")
            if exact_is_bounded(rd.rate_per_year, rd.mean_days, cal.n_days):  # one event each
                spans = []
                env.process(
                    random_disruptions(
                        env, supply, rng, rd.rate_per_year, rd.mean_days, rd.output_cut, spans
                    )
                )
            else:  # too many for one event each: drawn in one go, in bounded time
                factor = supply_factor(
                    rng, cal.n_days, rd.rate_per_year, rd.mean_days, rd.output_cut
                )
                supply = (np.asarray(supply) * factor).tolist()
        launch = float(
            stream(seed, "launch").binomial(
                round(scenario.launch.preorders), scenario.launch.firm_share
            )
        )
    else:
        expected = sum(line_caps[n] * expected_availability(ln) for n, ln in fac.lines.items())
        if rd.rate_per_year > 0 and rd.output_cut > 0:
            expected_cut = min(1.0, rd.rate_per_year * rd.mean_days / 365.25 * rd.output_cut)
        capacity = (expected * (1.0 - expected_cut)).tolist()
        launch = scenario.launch.preorders * scenario.launch.firm_share

    if needs_lineup_plant(scenario):
        plant = Plant(line_caps, lost, expected_cut, supply, spans)
        return _simulate_lineup(scenario, seed, mode, cal, env, plant)
    y = fac.yield_
    opening_stock = floor(fac.pilot_stock_units) if stochastic else fac.pilot_stock_units
    inputs = PlantInputs(
        n_days=cal.n_days,
        month_start_day=cal.month_start_day.tolist(),
        intake=_intake(lineup(scenario)[scenario.product], cal, 0),
        launch_orders=launch,
        grace_days=max(1, round(scenario.patience.grace_weeks * 7)),
        daily_hazard=_daily_hazard(scenario.patience.monthly_cancel_rate),
        capacity=capacity,
        supply=supply,
        yield_mature=y.mature,
        yield_gap=y.mature - y.initial,
        yield_halving_units=y.halving_units,
        experience=fac.initial_experience_units,
        fg_target=fac.finished_goods_target,
        stochastic=stochastic,
        rng_orders=stream(seed, "orders") if stochastic else None,
        rng_cancel=stream(seed, "cancellations") if stochastic else None,
        opening_stock=opening_stock,
    )
    log = PlantLog()
    plant = env.process(plant_process(env, inputs, log))
    env.run(until=plant)  # raises what the plant raised, if it failed
    events = _events(cal, spans)
    ops = operations(log, nominal, fac.logistics_lag_days, opening_stock)
    return _finish(scenario, mode, stochastic, seed, cal, {scenario.product: ops}, nominal, events)


def _events(cal: Calendar, spans: list | None) -> int:
    """SimPy events processed through the plant's last day: the plant's start and its days, and
    the disruption process's start and each disruption that began within the horizon."""
    return 1 + cal.n_days + (1 + len(spans) if spans is not None else 0)


def operations(log: PlantLog, capacity, lag: int, opening_stock: float, origin: int = 0):
    """A product's day-by-day flows from what the plant logged (``origin``: the run day of its
    backlog's first cohort)."""
    triples = np.asarray(log.allocations, dtype=float).reshape(-1, 3)
    order_day = triples[:, 1].astype(np.int64)
    return Operations(
        orders=np.asarray(log.orders, dtype=float),
        cancellations=np.asarray(log.cancellations, dtype=float),
        capacity=capacity,
        production=np.asarray(log.production, dtype=float),
        allocated=np.asarray(log.allocated, dtype=float),
        waiting_end=np.asarray(log.waiting_end, dtype=float),
        inventory_end=np.asarray(log.inventory_end, dtype=float),
        alloc_day=triples[:, 0].astype(np.int64),
        alloc_order_day=order_day + origin if origin else order_day,
        alloc_count=triples[:, 2],
        logistics_lag_days=lag,
        opening_stock=opening_stock,
    )


def _finish(scenario, mode, stochastic, seed, cal, product_ops, nominal, events, line_output=None):
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused just below
        books = close_books(scenario, cal, product_ops, nominal, line_output)
        check_finite(scenario.name, cal, books.columns)
        if len(product_ops) > 1:  # one product's table is the totals' own numbers
            for name, cols in books.products.items():
                check_finite(f"{scenario.name} ({name})", cal, cols)
    total = product_ops[scenario.product] if len(product_ops) == 1 else books.operations
    return Result(
        scenario=scenario,
        mode=mode,
        seed=None if not stochastic else seed,
        calendar=cal,
        operations=total,
        columns=books.columns,
        events=events,
        books=books,
    )


@dataclass(frozen=True)
class Plant:
    """What the plant offers a line-up: each line's capacity and breakdown losses per day, the
    expected disruption cut (deterministic runs) and the supply share per day."""

    line_caps: dict[str, np.ndarray]
    lost: dict[str, np.ndarray]
    expected_cut: float
    supply: list[float]
    spans: list | None


def _intake(product: Product, cal: Calendar, launch_month: int):
    """Expected intake in the product's month m (0 = its launch month), price elasticity in."""
    demand = product.demand
    if product.price.elasticity == 0:
        return lambda month, cum: expected_intake(demand, month, cum)
    factor = elasticity_factor(product, cal, launch_month).tolist()
    last = len(factor) - 1

    def intake(month: int, cum: float) -> float:
        at = month + launch_month
        return expected_intake(demand, month, cum) * factor[at if at < last else last]

    return intake


def _simulate_lineup(scenario, seed, mode, cal, env, plant: Plant) -> Result:
    stochastic = mode == "stochastic"
    fac = scenario.factory
    products = lineup(scenario)
    names = list(products)
    index = {n: i for i, n in enumerate(names)}
    # pools: lines grouped by the products they build, those building fewest first
    groups: dict[tuple[int, ...], list[str]] = {}
    for line_name, line in fac.lines.items():
        members = tuple(index[n] for n in products_of_line(scenario, line.products))
        groups.setdefault(members, []).append(line_name)
    pools, pool_lines = [], []
    for members, lines in sorted(groups.items(), key=lambda kv: len(kv[0])):
        caps = np.sum([plant.line_caps[n] for n in lines], axis=0)
        if stochastic:
            for n in lines:
                caps -= plant.lost[n]
        else:
            caps = sum(plant.line_caps[n] * expected_availability(fac.lines[n]) for n in lines)
            caps = caps * (1.0 - plant.expected_cut)
        pools.append((caps.tolist(), list(members)))
        pool_lines.append(lines)
    inputs = []
    for i, (name, prod) in enumerate(products.items()):
        suffix = "" if i == 0 else f".{name}"
        day = cal.day_of(launch_date(scenario, prod))
        la = prod.launch
        if stochastic:
            firm = float(
                stream(seed, "launch" + suffix).binomial(round(la.preorders), la.firm_share)
            )
        else:
            firm = la.preorders * la.firm_share
        pool_days = 0
        if la.reservations_from is not None:
            pool_days = max(0, (launch_date(scenario, prod) - la.reservations_from).days)
        month = int(cal.day_month[day]) if day < cal.n_days else cal.months
        stock = fac.pilot_stock_units if i == 0 else 0.0
        inputs.append(
            ProductInputs(
                name=name,
                launch_day=day,
                launch_month=month,
                intake=_intake(prod, cal, month),
                launch_orders=firm,
                reservation_days=pool_days,
                grace_days=max(1, round(prod.patience.grace_weeks * 7)),
                daily_hazard=_daily_hazard(prod.patience.monthly_cancel_rate),
                fg_target=fac.finished_goods_target if i == 0 else 0.0,
                stochastic=stochastic,
                rng_orders=stream(seed, "orders" + suffix) if stochastic else None,
                rng_cancel=stream(seed, "cancellations" + suffix) if stochastic else None,
                opening_stock=floor(stock) if stochastic else stock,
                pilot_builds=0.0 if i == 0 else prod.initial_experience_units,
            )
        )
    al = fac.allocation
    y = fac.yield_
    experience = fac.initial_experience_units  # the others' pilots join at their launch
    inp = LineupInputs(
        n_days=cal.n_days,
        month_start_day=cal.month_start_day.tolist(),
        products=inputs,
        pools=pools,
        supply=plant.supply,
        yield_mature=y.mature,
        yield_gap=y.mature - y.initial,
        yield_halving_units=y.halving_units,
        experience=experience,
        policy=al.policy,
        priority=[index[n] for n in al.order],
        shares=[al.shares.get(n, 0.0) for n in names],
        stochastic=stochastic,
    )
    log = LineupLog()
    proc = env.process(lineup_process(env, inp, log))
    env.run(until=proc)
    events = _events(cal, plant.spans)
    nominal = np.sum(list(plant.line_caps.values()), axis=0)
    zero = np.zeros(cal.n_days)
    product_ops = {
        name: operations(
            log.products[i], zero, fac.logistics_lag_days, inputs[i].opening_stock, log.origins[i]
        )
        for i, name in enumerate(names)
    }
    line_output = {  # per line: the output given to each product per month (pool shares)
        line: {names[i]: np.asarray(log.pool_capacity[j][i]) for i in pools[j][1]}
        for j, lines in enumerate(pool_lines)
        for line in lines
    }
    return _finish(scenario, mode, stochastic, seed, cal, product_ops, nominal, events, line_output)
