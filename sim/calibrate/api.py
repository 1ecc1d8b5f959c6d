"""``calibrate``: fit a scenario to reported periods, forecast, backtest; one results folder.

>>> from sim.calibrate import calibrate
>>> res = calibrate("configs/calibration/xiaomi_su7.yaml", draws=200)
>>> res.fit.parameters, res.fit.residuals, res.fit.flags, res.forecast.summary

The folder (kind ``calibration``, written whole by :func:`sim.io.staged.write_staged`) holds
``calibration.yaml`` (the spec as run), ``scenario.yaml`` (the calibrated scenario, an ordinary
scenario file), ``parameters.csv``, ``residuals.csv``, ``fit.json``, and with a forecast
``forecast_runs.csv``, ``forecast_fans.csv``, ``forecast_by_quarter.csv`` and the sweep folder
``forecast/``; with held-out periods ``backtest.csv``; with rolling origins ``rolling.csv``;
and ``figures/``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.calibrate.backtest import rolling_table, score
from sim.calibrate.bootstrap import bootstrap as run_bootstrap
from sim.calibrate.bootstrap import with_bootstrap
from sim.calibrate.fit import FitResult, fit
from sim.calibrate.forecast import Forecast, run_forecast
from sim.calibrate.observed import (
    TOTAL,
    Observed,
    check_horizon,
    check_products,
    products,
    read_observed,
)
from sim.calibrate.problem import (
    Problem,
    current_value,
    deliveries_driven,
    model_values,
    total_deliveries,
)
from sim.calibrate.spec import CalibrationSpec, load_spec
from sim.calibrate.written import scenario_text
from sim.config.lineup import lineup
from sim.config.load import apply_overrides, read_scenario_data, scenario_from_dict
from sim.core.calendar import Calendar
from sim.errors import ConfigError
from sim.io.atomic import atomic_write_text
from sim.io.paths import shown
from sim.io.staged import check_writable, write_staged

KIND = "calibration"


@dataclass
class Setting:
    """A calibration ready to fit: the spec, its scenario data and the observed file."""

    spec: CalibrationSpec
    source: str
    scenario_path: Path
    data: dict[str, Any]
    observed: Observed
    calendar: Calendar


@dataclass
class CalibrationResult:
    """What :func:`calibrate` found and where it wrote it."""

    spec: CalibrationSpec
    fit: FitResult
    folder: Path
    forecast: Forecast | None = None
    backtest: pd.DataFrame | None = None
    backtest_checks: dict[str, Any] = field(default_factory=dict)
    rolling: pd.DataFrame | None = None
    ramp_miss: float | None = None
    """Largest relative miss of an observed month's deliveries when they drive the ramp."""


def prepare(spec: str | Path, overrides: dict[str, Any] | None = None) -> Setting:
    """Read and check everything (spec, scenario, observed file) before any fit runs."""
    loaded, base = load_spec(spec, overrides)
    source = str(spec)
    scenario_path = base / loaded.scenario
    data = read_scenario_data(scenario_path)
    scenario = scenario_from_dict(data, str(scenario_path))
    cal = Calendar(scenario.start, scenario.horizon_months)
    observed = read_observed(base / loaded.observed, loaded.fx)
    check_horizon(observed, cal, str(scenario_path))
    names = list(lineup(scenario))
    check_products(observed, names, str(scenario_path))
    for path, par in loaded.parameters.items():
        current_value(data, path, f"{source}: parameters")
        for end in (par.low, par.high):
            try:
                scenario_from_dict(apply_overrides(data, {path: end}), str(scenario_path))
            except ConfigError as exc:
                raise ConfigError(
                    source,
                    f"parameters.{path}",
                    f"the bound {end:g} is not a valid scenario value ({exc.message})",
                ) from None
        if loaded.deliveries == "observed" and ".ramp." in path:
            raise ConfigError(
                source,
                f"parameters.{path}",
                "the ramp is worked back from the observed deliveries; fit its parameters "
                "with deliveries: model",
            )
    if loaded.train_until is not None and not observed.until(loaded.train_until).periods:
        raise ConfigError(source, "train_until", f"no observed period up to {loaded.train_until}")
    if loaded.deliveries == "observed":
        total_deliveries(observed.until(loaded.train_until), names)  # the fit's, checked now
    return Setting(loaded, source, scenario_path, data, observed, cal)


def fit_setting(
    setting: Setting, train: Observed, bootstrap: int = 0
) -> tuple[FitResult, dict[str, Any], float | None]:
    """Fit on ``train``: the result, the scenario data it was fitted on, the ramp's miss.
    ``bootstrap`` replicates add a bootstrap interval per identified parameter."""
    spec, data, miss = setting.spec, setting.data, None
    weights = {m: w for m, w in spec.weights.items()}
    if spec.deliveries == "observed":
        data, miss = deliveries_driven(data, train, str(setting.scenario_path))
        weights |= {"deliveries": 0.0, "production": 0.0}  # matched by construction
    paths = list(spec.parameters)
    start = {}
    for p, par in spec.parameters.items():
        value = par.start if par.start is not None else current_value(data, p, setting.source)
        start[p] = float(np.clip(value, par.low, par.high))
    problem = Problem(data, paths, train, str(setting.scenario_path))
    if not (train.table["metric"].map(lambda m: weights.get(m, 1.0)) > 0).any():
        raise ConfigError(
            setting.source, "weights", "every reported figure has weight 0: nothing to fit"
        )
    scale = None if spec.error_scale == "estimate" else float(spec.error_scale)
    bounds = {p: (par.low, par.high) for p, par in spec.parameters.items()}
    result = fit(
        problem.predict, train.table, bounds, start, weights, scale, spec.forecast.interval
    )
    if bootstrap > 0:
        boot = run_bootstrap(
            problem.predict,
            train.table,
            result,
            weights,
            scale,
            bootstrap,
            spec.forecast.seed,
        )
        if boot is None:
            result.flags.append(
                "bootstrap: nothing to resample (no identified parameter, or no error scale)"
            )
        result = with_bootstrap(result, boot)
    return result, data, miss


def calibrate(
    spec: str | Path,
    *,
    train_until: str | None = None,
    deliveries: str | None = None,
    out: str | Path | None = None,
    draws: int | None = None,
    rolling: bool = False,
    bootstrap: int | None = None,
    executor: str = "processes",
    workers: int | None = None,
    figures: bool = True,
) -> CalibrationResult:
    """Fit, forecast and backtest the calibration file ``spec``; write its results folder.

    ``train_until``, ``deliveries`` and ``bootstrap`` override the file's; ``draws`` its
    forecast's draws.
    Bad input raises :class:`sim.errors.ConfigError` before anything runs or is written.
    """
    setting = prepare(
        spec, {"train_until": train_until, "deliveries": deliveries, "bootstrap": bootstrap}
    )
    s = setting.spec
    n_draws = s.forecast.draws if draws is None else int(draws)
    if n_draws < 0:
        raise ConfigError(setting.source, "forecast.draws", f"must be at least 0 (got {n_draws})")
    folder = check_writable(out if out is not None else os.path.join("outputs", s.name), KIND)
    train = setting.observed.until(s.train_until)
    result, data, miss = fit_setting(setting, train, s.bootstrap)
    used = ", ".join(f"{p.label}" for p in train.periods)
    header = [
        f"Calibrated by `scaleup calibrate` ({s.name}) from {setting.scenario_path.name}: "
        "fitted to",
        f"{shown(Path(os.path.normpath(setting.observed.source)))} ({used}); comments "
        "give each fitted value's interval.",
    ]
    text = scenario_text(
        data,
        result,
        source=str(setting.scenario_path),
        data_from=f"{len(train.table)} figures of {used}",
        header=header,
    )
    out_result = CalibrationResult(s, result, folder, ramp_miss=miss)

    def fill(stage: Path) -> None:
        atomic_write_text(
            stage / "calibration.yaml", yaml.safe_dump(s.model_dump(mode="json"), sort_keys=False)
        )
        atomic_write_text(stage / "scenario.yaml", text)
        result.parameters.to_csv(stage / "parameters.csv", index=False)
        result.residuals.to_csv(stage / "residuals.csv", index=False)
        if n_draws > 0:
            _forecast_into(stage, setting, result, out_result, n_draws, executor, workers)
        if rolling:
            _rolling_into(stage, setting, out_result, n_draws, executor, workers)
        atomic_write_text(
            stage / "fit.json", json.dumps(_fit_json(out_result), indent=2, default=str) + "\n"
        )
        if figures:
            _figures(stage, out_result, setting.observed)

    write_staged(
        folder, KIND, {"calibration": s.name, "spec_hash": _hash(s), "status": "complete"}, fill
    )
    return out_result


def _forecast_into(
    stage: Path,
    setting: Setting,
    result: FitResult,
    res: CalibrationResult,
    draws: int,
    executor: str,
    workers: int | None,
) -> None:
    f = setting.spec.forecast
    res.forecast = run_forecast(
        stage / "scenario.yaml",
        result,
        stage / "forecast",
        draws=draws,
        seed=f.seed,
        stochastic=f.stochastic,
        interval=f.interval,
        executor=executor,
        workers=workers,
    )
    res.forecast.runs.to_csv(stage / "forecast_runs.csv", index=False)
    res.forecast.fans.to_csv(stage / "forecast_fans.csv", index=False)
    res.forecast.by_quarter.to_csv(stage / "forecast_by_quarter.csv", index=False)
    until = setting.spec.train_until
    if until is not None:
        held = setting.observed.after(until)
        if held.periods:
            calibrated = scenario_from_dict(
                read_scenario_data(stage / "scenario.yaml"), "calibrated"
            )
            from sim.model.simulate import simulate

            fitted = model_values(simulate(calibrated, mode="deterministic"), held.table)
            res.backtest, res.backtest_checks = score(held, fitted, res.forecast)
            res.backtest.to_csv(stage / "backtest.csv", index=False)


def _rolling_into(
    stage: Path,
    setting: Setting,
    res: CalibrationResult,
    draws: int,
    executor: str,
    workers: int | None,
) -> None:
    """Refit after each reported period and forecast again (``rolling/<period>/``)."""
    until = setting.spec.train_until
    periods = setting.observed.until(until).periods if until else setting.observed.periods
    origins, summaries = [], []
    f = setting.spec.forecast
    for period in periods:
        train = setting.observed.until(period.label)
        fitted, data, _ = fit_setting(setting, train)
        folder = stage / "rolling" / period.label
        folder.mkdir(parents=True)
        text = scenario_text(
            data,
            fitted,
            source="rolling",
            data_from=f"periods to {period.label}",
            header=[f"Rolling origin {period.label}"],
        )
        atomic_write_text(folder / "scenario.yaml", text)
        forecast = run_forecast(
            folder / "scenario.yaml",
            fitted,
            folder / "forecast",
            draws=max(draws, 1),
            seed=f.seed,
            stochastic=f.stochastic,
            interval=f.interval,
            executor=executor,
            workers=workers,
        )
        origins.append(period.label)
        summaries.append(forecast.summary)
    res.rolling = rolling_table(origins, summaries)
    res.rolling.to_csv(stage / "rolling.csv", index=False)


def _fit_json(res: CalibrationResult) -> dict[str, Any]:
    f = res.fit
    return {
        "calibration": res.spec.name,
        "deliveries": res.spec.deliveries,
        "train_until": res.spec.train_until,
        "ramp_miss": res.ramp_miss,
        "evaluations": f.evaluations,
        "dof": f.dof,
        "scale": f.scale,
        "interval": f.interval,
        "bootstrap": f.extra.get("bootstrap"),
        "flags": f.flags,
        "singular_values": [float(v) for v in f.singular_values],
        "forecast": None if res.forecast is None else res.forecast.summary,
        "backtest": res.backtest_checks or None,
    }


def _figures(stage: Path, res: CalibrationResult, observed: Observed) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from sim.io.atomic import atomic_write_bytes
    from sim.plots import save_figure
    from sim.plots.calibration import fan_chart, observed_vs_fitted, rolling_chart

    figs = {"observed_vs_fitted": observed_vs_fitted(res.fit.residuals)}
    if res.forecast is not None:
        totals = observed.table[products(observed.table) == TOTAL]  # the fans are the totals'
        figs["forecast_fans"] = fan_chart(res.forecast.fans, totals, res.forecast.by_quarter)
    if res.rolling is not None and len(res.rolling):
        figs["rolling"] = rolling_chart(res.rolling)
    for name, fig in figs.items():
        save_figure(fig, stage / "figures" / name, ("png",), write=atomic_write_bytes)


def _hash(spec: CalibrationSpec) -> str:
    import hashlib

    return hashlib.sha256(
        json.dumps(spec.model_dump(mode="json"), sort_keys=True).encode()
    ).hexdigest()[:16]
