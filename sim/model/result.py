"""The result of one run: tidy tables (built on first use) and a summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from sim.config.schema import Scenario
from sim.core.books import BALANCE_STOCKS, MIN_CARS, Operations, cost_rates
from sim.core.breakeven import breakeven_indices
from sim.core.calendar import Calendar
from sim.core.outputs import RunRecord, run_record

# Columns that are stocks (take the last month of a quarter) or ratios (recomputed)
STOCKS = (
    "backlog",
    "waiting",
    "in_transit",
    "inventory",
    "inventory_value",
    "cumulative_production",
    "cumulative_deliveries",
    "cumulative_cash",
    *BALANCE_STOCKS,
)
RATIOS = ("asp", "gross_margin", "operating_profit_per_car", "unit_cogs", "weekly_run_rate")
WAITS = ("avg_wait_days", "p90_wait_days")


@dataclass(frozen=True)
class Result:
    scenario: Scenario
    mode: str
    seed: Any
    calendar: Calendar
    operations: Operations = field(repr=False)
    columns: dict[str, np.ndarray] = field(repr=False)
    """The monthly table as arrays; ``monthly`` is the same as a DataFrame."""
    events: int = 0
    """SimPy events processed."""

    @cached_property
    def breakeven_index(self) -> dict[str, Any]:
        """Break-even month indices (0 = start month; None = not within the horizon)."""
        return breakeven_indices(self.columns, self.scenario.breakeven.sustain_months)

    @cached_property
    def monthly(self) -> pd.DataFrame:
        df = pd.DataFrame(self.columns)
        df.insert(0, "quarter", self.calendar.quarter_labels)
        df.insert(0, "month", self.calendar.labels)
        return df

    @cached_property
    def quarterly(self) -> pd.DataFrame:
        """Calendar quarters (``2024Q2``): flows summed, stocks at quarter end, ratios redone."""
        labels = self.calendar.quarter_labels
        first = np.flatnonzero([i == 0 or labels[i] != labels[i - 1] for i in range(len(labels))])
        last = np.append(first[1:], len(labels)) - 1
        out: dict[str, Any] = {"period": [labels[i] for i in first], "months": last - first + 1}
        for name, values in self.columns.items():
            if name in STOCKS:
                out[name] = values[last]
            elif name not in RATIOS and name not in WAITS:
                out[name] = np.add.reduceat(values, first)
        with np.errstate(divide="ignore", invalid="ignore"):
            rev, deliv = out["revenue"], out["deliveries"]
            out["asp"] = np.where(deliv >= MIN_CARS, rev / deliv, np.nan)
            out["gross_margin"] = np.where(rev > 0, out["gross_profit"] / rev, np.nan)
            out["operating_profit_per_car"] = np.where(
                deliv >= MIN_CARS, out["operating_profit"] / deliv, np.nan
            )
            out["unit_cogs"] = np.where(deliv >= MIN_CARS, out["cogs"] / deliv, np.nan)
        if "weekly_run_rate" in self.columns:  # cars built per week of the quarter
            days = np.add.reduceat(self.calendar.days_in_month, first)
            out["weekly_run_rate"] = out["production"] / (days / 7.0)
        return pd.DataFrame(out)

    @cached_property
    def record(self) -> RunRecord:
        """The run's scalars (break-evens, capital needed, totals, milestones)."""
        milestones = {n: (m.metric, m.at_least) for n, m in self.scenario.milestones.items()}
        return run_record(
            self.columns, self.breakeven_index, self.calendar, self.events, milestones
        )

    @cached_property
    def summary(self) -> dict[str, Any]:
        """``summary.json``: the scenario and how it ran, then :attr:`record`."""
        r = self.record
        return {
            "scenario": self.scenario.name,
            "mode": self.mode,
            "seed": None if self.seed is None else _seed_repr(self.seed),
            "start": r.start,
            "end": r.end,
            "horizon_months": r.horizon_months,
            "currency": self.scenario.currency,
            **r.summary_sections(self.scenario.breakeven.sustain_months),
            "cost_rates": cost_rates(self.scenario, self.calendar, self.columns),
        }


def _seed_repr(seed: Any) -> Any:
    if isinstance(seed, np.random.SeedSequence):
        return {"entropy": seed.entropy, "spawn_key": list(seed.spawn_key)}
    return int(seed)
