"""The result of one run: tidy tables (built on first use) and a summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from sim.config.schema import Scenario
from sim.core.books import MIN_CARS, Operations
from sim.core.breakeven import breakeven_indices
from sim.core.calendar import Calendar

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
)
RATIOS = ("asp", "gross_margin", "operating_profit_per_car", "unit_cogs")
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
        return pd.DataFrame(out)

    @cached_property
    def summary(self) -> dict[str, Any]:
        idx = self.breakeven_index
        label = self.calendar.label_of
        cols = self.columns
        be = {
            key: label(idx[key])
            for key in ("gross_profit", "operating_per_car", "operating_per_car_sustained")
        }
        be |= {
            "cash_payback": label(idx["cash_payback"]),
            "peak_cash_deficit": idx["peak_cash_deficit"],
            "peak_cash_deficit_month": label(idx["peak_cash_deficit_month"]),
            "cumulative_deliveries_at_breakeven": idx["cumulative_deliveries_at_breakeven"],
            "sustain_months": self.scenario.breakeven.sustain_months,
        }
        cum = cols["cumulative_deliveries"]
        return {
            "scenario": self.scenario.name,
            "mode": self.mode,
            "seed": None if self.seed is None else _seed_repr(self.seed),
            "start": self.calendar.labels[0],
            "end": self.calendar.labels[-1],
            "horizon_months": self.calendar.months,
            "currency": self.scenario.currency,
            "breakeven": be,
            "totals": {
                "orders": float(cols["orders"].sum()),
                "cancellations": float(cols["cancellations"].sum()),
                "production": float(cols["production"].sum()),
                "deliveries": float(cols["deliveries"].sum()),
                "revenue": float(cols["revenue"].sum()),
                "gross_profit": float(cols["gross_profit"].sum()),
                "operating_profit": float(cols["operating_profit"].sum()),
                "capex": float(cols["capex"].sum()),
                "final_cumulative_cash": float(cols["cumulative_cash"][-1]),
                "final_backlog": float(cols["backlog"][-1]),
            },
            "milestones": {
                "deliveries_100k": label(_first_at_least(cum, 100_000)),
            },
            "events": self.events,
        }


def _first_at_least(values: np.ndarray, threshold: float) -> int | None:
    hits = np.flatnonzero(values >= threshold)
    return int(hits[0]) if hits.size else None


def _seed_repr(seed: Any) -> Any:
    if isinstance(seed, np.random.SeedSequence):
        return {"entropy": seed.entropy, "spawn_key": list(seed.spawn_key)}
    return int(seed)
