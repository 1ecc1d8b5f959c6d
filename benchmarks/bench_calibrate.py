"""Time of a calibration fit and of a forecast, on synthetic quarters of the default scenario.

    python benchmarks/bench_calibrate.py [--params 8] [--quarters 3 6] [--runs 1000] [--workers 2]

Fit: the default scenario is run with known values of ``--params`` parameters (ramp, costs,
overheads), its quarters get 2 % noise, and the fit (bounded least squares, deterministic model,
no forecast) is timed on the first 3 and the first 6 quarters. The cost of one model evaluation
(build the scenario, ``simulate``, read the quarters) is timed alone, so a slow fit can be told
apart from a slow model. Forecast: ``--runs`` draws through the sweep engine with ``--workers``
processes, timed with the tables it reads back. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from sim.calibrate.fit import fit
from sim.calibrate.forecast import run_forecast
from sim.calibrate.observed import parse_observed
from sim.calibrate.problem import Problem, model_values
from sim.calibrate.written import scenario_text
from sim.config.load import (
    DEFAULT_SCENARIO,
    apply_overrides,
    read_scenario_data,
    scenario_from_dict,
)
from sim.model.simulate import simulate

PARAMS = {  # path: (truth, low, high)
    "factory.lines.phase1.ramp.initial_share": (0.8, 0.5, 1.0),
    "factory.lines.phase1.ramp.months": (9.0, 3.0, 14.0),
    "factory.lines.phase1.ramp.peak_share": (1.5, 1.0, 2.0),
    "costs.components.body_and_parts.first_unit_usd": (15_000.0, 12_000.0, 20_000.0),
    "costs.components.direct_labour.progress_ratio": (0.87, 0.80, 0.95),
    "opex.rnd_per_month_usd.base": (60e6, 40e6, 100e6),
    "factory.lines.phase1.fixed_cost_per_month_usd": (14e6, 8e6, 24e6),
    "opex.sga_per_month_usd.base": (45e6, 30e6, 70e6),
}
QUARTERS = ["2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2", "2025Q3"]
METRICS = ("deliveries", "asp", "gross_margin", "operating_profit")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--params", type=int, default=8)
    ap.add_argument("--quarters", type=int, nargs="+", default=[3, 6])
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    chosen = dict(list(PARAMS.items())[: args.params])
    data = read_scenario_data(DEFAULT_SCENARIO)
    truth = {p: v[0] for p, v in chosen.items()}
    quarterly = simulate(
        scenario_from_dict(apply_overrides(data, truth)), mode="deterministic"
    ).quarterly
    rng = np.random.default_rng(0)
    lines = ["period," + ",".join(METRICS)]
    for p in QUARTERS:
        row = quarterly.set_index("period").loc[p]
        lines.append(
            p
            + ","
            + ",".join(f"{row[m] * (1 + 0.02 * rng.standard_normal()):.6g}" for m in METRICS)
        )
    observed = parse_observed("\n".join(lines) + "\n", "synthetic")
    bounds = {p: (v[1], v[2]) for p, v in chosen.items()}
    start = {p: (v[1] + v[2]) / 2 for p, v in chosen.items()}

    problem = Problem(data, list(chosen), observed, "default")
    x = list(start.values())
    t0 = time.perf_counter()
    for _ in range(20):
        model_values(problem.run(x), observed.table)
    per_eval = (time.perf_counter() - t0) / 20
    print(f"one model evaluation (scenario, simulate, quarters): {per_eval * 1000:.1f} ms")

    result = None
    for n in args.quarters:
        obs = observed.until(QUARTERS[n - 1])
        problem = Problem(data, list(chosen), obs, "default")
        t0 = time.perf_counter()
        result = fit(problem.predict, obs.table, bounds, start, {}, 2.0)
        took = time.perf_counter() - t0
        print(
            f"fit: {len(chosen)} parameters on {n} quarters ({len(obs.table)} figures): "
            f"{took:.1f} s, "
            f"{result.evaluations} evaluations ({took / result.evaluations * 1000:.0f} ms each), "
            f"{int(result.parameters['identified'].sum())} identified"
        )
    assert result is not None
    with tempfile.TemporaryDirectory() as tmp:
        scenario = Path(tmp) / "scenario.yaml"
        scenario.write_text(
            scenario_text(data, result, source="bench", data_from="synthetic", header=[])
        )
        t0 = time.perf_counter()
        forecast = run_forecast(
            scenario,
            result,
            Path(tmp) / "forecast",
            draws=args.runs,
            seed=0,
            stochastic=False,
            interval=0.8,
            workers=args.workers,
        )
        took = time.perf_counter() - t0
    print(f"forecast: {forecast.summary['runs']:,} runs on {args.workers} processes: {took:.1f} s")


if __name__ == "__main__":
    main()
