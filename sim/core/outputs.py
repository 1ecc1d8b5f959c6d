"""The vocabulary of a run's outputs: metric names, break-even kinds, "never", the per-run record.

Every table, figure and console line that speaks of a run's results takes its names from here:
``summary.json`` (:meth:`RunRecord.summary_sections`), a sweep's ``runs.parquet``
(:meth:`RunRecord.flat`), the aggregates, the figures and the CLI.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.core.breakeven import first_true
from sim.core.calendar import Calendar, shift_label
from sim.core.workingcap import capital_summary

BREAKEVENS = ("gross_profit", "operating_per_car", "operating_per_car_sustained", "cash_payback")
"""Break-even kinds of a run, as month indices (0 = start month) and ``YYYY-MM`` labels."""
PRIMARY = BREAKEVENS[2]
"""The break-even a sweep or a sensitivity ranks by: operating profit per car >= 0, held
``sustain_months``."""
BREAKEVEN_MEANINGS = dict(
    zip(
        BREAKEVENS,
        (
            "gross profit \u2265 0",
            "operating profit per car \u2265 0",
            "operating profit per car \u2265 0, sustained",
            "cash payback",
        ),
        strict=True,
    )
)
"""What each break-even kind means, for labels."""
NEVER = "not within horizon"
"""The label of a break-even (or milestone) not reached within the horizon."""
TOTALS = (
    "orders",
    "cancellations",
    "production",
    "deliveries",
    "revenue",
    "gross_profit",
    "operating_profit",
    "capex",
)
"""Monthly flows summed over the horizon (cars, USD)."""
FINALS = {"final_cumulative_cash": "cumulative_cash", "final_backlog": "backlog"}
"""Stocks at the end of the horizon: record name -> monthly column (USD, cars)."""
MILESTONES = {"deliveries_100k": ("cumulative_deliveries", 100_000.0)}
"""Milestone -> (monthly column, threshold): the first month the column reaches it."""
BAND_METRICS = (
    "operating_profit_per_car",
    "cumulative_cash",
    "deliveries",
    "production",
    "backlog",
    "gross_margin",
    "unit_cogs",
)
"""Monthly columns a sweep keeps per run for its quantile bands."""
ANALYSIS_METRICS = {"breakeven": "break-even month", "capital": "capital needed"}
"""Outputs a sensitivity analysis explains: the :data:`PRIMARY` break-even month and the capital
needed (the peak cash deficit, USD), with how they read in labels."""


def month_or_never(start: str, index: float | None) -> str:
    """``YYYY-MM`` of month ``index`` (months after ``start``); :data:`NEVER` when the index is
    missing (None, NaN or +inf: not reached within the horizon)."""
    if index is None or not math.isfinite(index):
        return NEVER
    return shift_label(start, round(float(index)))


def label_or_never(label: str | None) -> str:
    """A month label, or :data:`NEVER` when there is none."""
    return label if label else NEVER


@dataclass(frozen=True)
class RunRecord:
    """The scalars of one run: when it broke even, the capital it needed, its totals."""

    start: str
    """First month, ``YYYY-MM``."""
    end: str
    """Last month, ``YYYY-MM``."""
    horizon_months: int
    breakeven_index: dict[str, int | None]
    """Month index of each of :data:`BREAKEVENS` (0 = start month; None = not reached)."""
    breakeven: dict[str, str | None]
    """The same as ``YYYY-MM`` labels."""
    peak_cash_deficit: float
    """USD: the capital needed (0 if cumulative cash never goes below zero)."""
    peak_cash_deficit_month: str | None
    cumulative_deliveries_at_breakeven: float | None
    """Cars delivered up to the first operating break-even (None if not reached)."""
    totals: dict[str, float]
    """:data:`TOTALS` then :data:`FINALS`, by name."""
    milestones: dict[str, str | None]
    """Month each of :data:`MILESTONES` is reached (None = not within the horizon)."""
    events: int
    """SimPy events processed."""
    capital: dict[str, Any] = field(default_factory=dict)
    """Capital needed (USD) with and without working capital, and the month of each trough
    (:func:`sim.core.workingcap.capital_summary`; the headline's is the one with it)."""

    def flat(self) -> dict[str, Any]:
        """One row of a sweep's ``runs.parquet`` (its result columns, without status or ids)."""
        out: dict[str, Any] = {
            "start_month": self.start,
            **{f"breakeven_{k}_index": self.breakeven_index[k] for k in BREAKEVENS},
            **{f"breakeven_{k}": self.breakeven[k] for k in BREAKEVENS},
            "peak_cash_deficit": self.peak_cash_deficit,
            "peak_cash_deficit_month": self.peak_cash_deficit_month,
            "cumulative_deliveries_at_breakeven": self.cumulative_deliveries_at_breakeven,
            **{f"total_{t}": self.totals[t] for t in TOTALS},
            **{name: self.totals[name] for name in FINALS},
            "events": self.events,
        }
        return out

    def summary_sections(self, sustain_months: int) -> dict[str, Any]:
        """The run's results in ``summary.json``: break-even to events, in the file's order."""
        breakeven: dict[str, Any] = dict(self.breakeven)
        breakeven |= {
            "peak_cash_deficit": self.peak_cash_deficit,
            "peak_cash_deficit_month": self.peak_cash_deficit_month,
            "cumulative_deliveries_at_breakeven": self.cumulative_deliveries_at_breakeven,
            "sustain_months": sustain_months,
        }
        return {
            "breakeven": breakeven,
            "capital": dict(self.capital),
            "totals": dict(self.totals),
            "milestones": dict(self.milestones),
            "events": self.events,
        }


def run_record(
    columns: Mapping[str, np.ndarray],
    breakeven: Mapping[str, Any],
    calendar: Calendar,
    events: int,
) -> RunRecord:
    """The record of a run from its monthly ``columns`` and its break-even month indices
    (:func:`sim.core.breakeven.breakeven_indices`)."""
    label = calendar.label_of
    totals = {name: float(columns[name].sum()) for name in TOTALS}
    totals |= {name: float(columns[col][-1]) for name, col in FINALS.items()}
    milestones = {
        name: label(first_true(columns[col] >= threshold))
        for name, (col, threshold) in MILESTONES.items()
    }
    deliveries = breakeven["cumulative_deliveries_at_breakeven"]
    capital = {
        key: label(value) if key.endswith("_month") else value
        for key, value in capital_summary(columns).items()
    }
    return RunRecord(
        start=calendar.labels[0],
        end=calendar.labels[-1],
        horizon_months=calendar.months,
        breakeven_index={k: breakeven[k] for k in BREAKEVENS},
        breakeven={k: label(breakeven[k]) for k in BREAKEVENS},
        peak_cash_deficit=float(breakeven["peak_cash_deficit"]),
        peak_cash_deficit_month=label(breakeven["peak_cash_deficit_month"]),
        cumulative_deliveries_at_breakeven=None if deliveries is None else float(deliveries),
        totals=totals,
        milestones=milestones,
        events=int(events),
        capital=capital,
    )
