"""The model as a function of the fitted parameters: values in, the model's figures for the
observed periods out (deterministic runs of :func:`sim.model.simulate.simulate`).

``deliveries_driven`` works the phase ramps back from the reported deliveries (a ``table`` ramp
per line), so that costs and overheads can be fitted without also fitting the ramp. It needs the
total deliveries of a period: given as such, or as every product's (:func:`total_deliveries`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.calibrate.observed import TOTAL, Observed, products
from sim.config.lineup import lineup
from sim.config.load import apply_overrides, scenario_from_dict
from sim.config.schema import Scenario, TableRamp
from sim.core.calendar import Calendar
from sim.core.capacity import line_capacity
from sim.core.ramp import ramp_share
from sim.errors import ConfigError
from sim.model.result import Result
from sim.model.simulate import simulate

RAMP_ITERATIONS = 12
"""Passes of the multiplicative correction that matches monthly deliveries (each one run)."""
RAMP_TOLERANCE = 1e-4
"""Relative miss of every observed month's deliveries at which the correction stops."""
MAX_SHARE = 3.0  # the schema's highest ramp share


@dataclass
class Problem:
    """Scenario data, the dotted paths fitted and the observed values they are compared with."""

    data: dict[str, Any]
    """The scenario mapping (``extends`` resolved) the parameters are set on."""
    paths: list[str]
    observed: Observed
    source: str
    """The scenario file, for messages."""
    evaluations: int = field(default=0)

    def scenario(self, values: Sequence[float]) -> Scenario:
        overrides = dict(zip(self.paths, (float(v) for v in values), strict=True))
        data = apply_overrides(self.data, overrides, source=f"calibration (on {self.source})")
        return scenario_from_dict(
            data, self.source, overridden=overrides, override_source="calibration"
        )

    def run(self, values: Sequence[float]) -> Result:
        self.evaluations += 1
        return simulate(self.scenario(values), mode="deterministic")

    def predict(self, values: Sequence[float]) -> np.ndarray:
        """The model's value of every row of the observed table."""
        return model_values(self.run(values), self.observed.table)


def model_values(result: Result, table: pd.DataFrame) -> np.ndarray:
    """The model's figure for each (period, product, metric) row of an observed table: the
    totals' (``Result.quarterly`` or ``monthly``) for a row without a product, the product's
    (``Result.products_quarterly`` or ``products_monthly``) for one with (NaN where the model
    has none, e.g. a per-car figure of a period without deliveries)."""
    named = products(table)
    frames: dict[tuple[str, bool], pd.DataFrame] = {
        ("quarter", False): result.quarterly.set_index("period"),
        ("month", False): result.monthly.set_index("month"),
    }
    if (named != TOTAL).any():
        frames[("quarter", True)] = result.products_quarterly.set_index(["period", "product"])
        frames[("month", True)] = result.products_monthly.set_index(["month", "product"])
    out = np.full(len(table), np.nan)
    rows = zip(table["period"], table["kind"], table["metric"], named, strict=True)
    for i, (period, kind, metric, product) in enumerate(rows):
        frame = frames[kind, product != TOTAL]
        key = (period, product) if product != TOTAL else period
        if key in frame.index:
            out[i] = float(frame.at[key, metric])
    return out


def current_value(data: Mapping[str, Any], path: str, source: str) -> float:
    """The scenario's value at a dotted ``path`` (ConfigError when it has none or is not "
    "a number)."""
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise ConfigError(
                source,
                path,
                "the scenario has no value here; write the full dotted path of a number",
            )
        node = node[part]
    if isinstance(node, bool) or not isinstance(node, int | float):
        raise ConfigError(source, path, "not a number in the scenario; only numbers can be fitted")
    return float(node)


def working_weights(scenario: Scenario, cal: Calendar) -> dict[str, float]:
    """Each month's nameplate output at a flat ramp share of 1 (working days after holidays and
    shutdowns, weighted by line), by ``YYYY-MM``: how a quarter's deliveries are split."""
    total = np.zeros(cal.months)
    for line in scenario.factory.lines.values():
        flat = line.model_copy(update={"ramp": TableRamp(kind="table", shares=[1.0])})
        daily = line_capacity(flat, cal, scenario.factory.calendar)
        total += np.add.reduceat(daily, cal.month_start_day[:-1])
    return dict(zip(cal.labels, total, strict=True))


def deliveries_driven(
    data: dict[str, Any], observed: Observed, source: str
) -> tuple[dict[str, Any], float]:
    """``data`` with every line's ramp replaced by a monthly table whose output delivers the
    observed deliveries (months without a reported figure keep the line's own ramp); and the
    largest relative miss left on an observed month."""
    scenario = scenario_from_dict(data, source)
    cal = Calendar(scenario.start, scenario.horizon_months)
    weights = working_weights(scenario, cal)
    target = _targets(observed, total_deliveries(observed, list(lineup(scenario))), weights)
    if not target:
        raise ConfigError(
            observed.source,
            "deliveries",
            "no deliveries reported: the ramp cannot be worked back from them",
        )
    tables = {name: _table(line, cal) for name, line in scenario.factory.lines.items()}
    index = {label: i for i, label in enumerate(cal.labels)}
    out, miss = data, float("inf")
    for _ in range(RAMP_ITERATIONS):
        out = _with_tables(data, tables)
        result = simulate(scenario_from_dict(out, source), mode="deterministic")
        got = result.columns["deliveries"]
        misses = [abs(got[index[m]] / t - 1) if t > 0 else got[index[m]] for m, t in target.items()]
        miss = float(max(misses))
        if miss <= RAMP_TOLERANCE:
            break
        for month, want in target.items():
            i = index[month]
            factor = want / got[i] if got[i] > 0 else 2.0
            for name, line in scenario.factory.lines.items():
                k = i - cal.month_of(line.start)
                if 0 <= k < len(tables[name]):
                    tables[name][k] = float(np.clip(tables[name][k] * factor, 0.0, MAX_SHARE))
    return out, miss


def total_deliveries(observed: Observed, names: Sequence[str]) -> dict[str, float]:
    """Total deliveries by period label, in file order: a period's row of totals, or else the
    sum of its products' rows when every product of ``names`` (the scenario's line-up) is given
    for it. ConfigError for a period that gives only some products' deliveries, or whose
    products' sum overlaps a quarter or month of totals."""
    t = observed.table
    rows = t[t["metric"] == "deliveries"]
    given_rows = list(zip(rows["period"], rows["value"], products(rows), strict=True))
    out = {p: float(v) for p, v, n in given_rows if n == TOTAL}
    given: dict[str, dict[str, float]] = {}
    for period, value, product in given_rows:
        if product != TOTAL and period not in out:
            given.setdefault(period, {})[product] = float(value)
    by_period = {p.label: p for p in observed.periods}
    covered = {m: p for p in out for m in by_period[p].months}
    for period, values in given.items():
        missing = [n for n in names if n not in values]
        if missing:
            raise ConfigError(
                observed.source,
                f"{period}: deliveries",
                f"given for {', '.join(values)} but not for {', '.join(missing)}: give the "
                "period's total deliveries (a row without a product) or every product's, to "
                "work the ramp back from them",
            )
        clash = next((covered[m] for m in by_period[period].months if m in covered), None)
        if clash is not None:
            raise ConfigError(
                observed.source,
                f"{period}: deliveries",
                f"the products' deliveries overlap the total deliveries of {clash}: give each "
                "month's deliveries one way",
            )
        out[period] = sum(values[n] for n in names)
    return out


def _targets(
    observed: Observed, totals: Mapping[str, float], weights: Mapping[str, float]
) -> dict[str, float]:
    """Each observed month's deliveries: a quarter's split by the months' working output."""
    by_period = {p.label: p for p in observed.periods}
    target: dict[str, float] = {}
    for period, value in totals.items():
        months = [m for m in by_period[period].months if m in weights]
        w = np.array([weights[m] for m in months])
        share = w / w.sum() if w.sum() > 0 else np.full(len(months), 1 / len(months))
        target |= {m: float(value * s) for m, s in zip(months, share, strict=True)}
    return target


def _table(line: Any, cal: Calendar) -> list[float]:
    """The line's ramp as a share per calendar month from its start month (the mean over the
    month's days from the line's start on), as a table ramp steps."""
    first = max(cal.month_of(line.start), 0)
    line_day = cal.day_of(line.start)
    bounds = [*cal.month_start_day.tolist(), cal.n_days]
    out = []
    for m in range(first, cal.months):
        days = np.arange(max(bounds[m], line_day), bounds[m + 1]) - line_day
        out.append(float(np.mean(ramp_share(line.ramp, days, line.start))) if days.size else 0.0)
    return out or [0.0]


def _with_tables(data: Mapping[str, Any], tables: Mapping[str, list[float]]) -> dict[str, Any]:
    out = copy.deepcopy(dict(data))
    for name, shares in tables.items():
        out["factory"]["lines"][name]["ramp"] = {
            "kind": "table",
            "shares": [round(s, 6) for s in shares],
        }
    return out
