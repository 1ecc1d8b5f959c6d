"""``simulate(scenario, seed)``: the one entry point. Pure: no I/O, no global random state."""

from __future__ import annotations

from math import floor

import numpy as np
import simpy

from sim.config.schema import Scenario
from sim.core.books import Operations, check_finite, close_books
from sim.core.calendar import DAYS_PER_MONTH, Calendar
from sim.core.capacity import expected_availability, line_capacity, scheduled_supply
from sim.core.demand import expected_intake
from sim.core.disruptions import exact_is_bounded, supply_factor
from sim.core.downtime import downtime_share
from sim.errors import ConfigError
from sim.model.failures import random_disruptions
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
    if stochastic:
        capacity = nominal.copy()
        for name, line in fac.lines.items():
            a = line.availability
            down = downtime_share(
                stream(seed, f"breakdowns.{name}"), cal.n_days, a.mtbf_hours / 24, a.mttr_hours / 24
            )
            capacity -= line_caps[name] * down
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
        expected_cut = 0.0
        if rd.rate_per_year > 0 and rd.output_cut > 0:
            expected_cut = min(1.0, rd.rate_per_year * rd.mean_days / 365.25 * rd.output_cut)
        capacity = (expected * (1.0 - expected_cut)).tolist()
        launch = scenario.launch.preorders * scenario.launch.firm_share

    y = fac.yield_
    opening_stock = floor(fac.pilot_stock_units) if stochastic else fac.pilot_stock_units
    inputs = PlantInputs(
        n_days=cal.n_days,
        month_start_day=cal.month_start_day.tolist(),
        intake=lambda month, cum: expected_intake(scenario.demand, month, cum),
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
    # SimPy events processed through the plant's last day: the plant's start and its days, and
    # the disruption process's start and each disruption that began within the horizon
    events = 1 + cal.n_days + (1 + len(spans) if spans is not None else 0)

    triples = np.asarray(log.allocations, dtype=float).reshape(-1, 3)
    ops = Operations(
        orders=np.asarray(log.orders, dtype=float),
        cancellations=np.asarray(log.cancellations, dtype=float),
        capacity=nominal,
        production=np.asarray(log.production, dtype=float),
        allocated=np.asarray(log.allocated, dtype=float),
        waiting_end=np.asarray(log.waiting_end, dtype=float),
        inventory_end=np.asarray(log.inventory_end, dtype=float),
        alloc_day=triples[:, 0].astype(np.int64),
        alloc_order_day=triples[:, 1].astype(np.int64),
        alloc_count=triples[:, 2],
        logistics_lag_days=fac.logistics_lag_days,
        opening_stock=opening_stock,
    )
    columns = close_books(scenario, cal, ops)
    check_finite(scenario.name, cal, columns)
    return Result(
        scenario=scenario,
        mode=mode,
        seed=None if not stochastic else seed,
        calendar=cal,
        operations=ops,
        columns=columns,
        events=events,
    )
