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

from sim.config.schema import DEFAULT_MILESTONES
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
MILESTONES = {name: (m.metric, m.at_least) for name, m in DEFAULT_MILESTONES.items()}
"""The default milestones, name -> (monthly column, threshold): the first month the column
reaches it (a scenario's ``milestones`` block replaces them)."""
FROM_TROUGH = ("cumulative_cash",)
"""Milestone columns counted from their lowest month (cash back to zero after the trough)."""
RELAPSE = (
    "holds_to_horizon",
    "relapse",
    "months_below_zero_after_breakeven",
    "profitable_from",
)
"""What follows the first break-even (:func:`sim.core.breakeven.relapse`), as ``summary.json``
names it: whether operating profit per car stays >= 0 in every month delivering cars to the
horizon, the first month back below zero, how many months are, the month from which none is."""
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


COMPANY_TOTALS = {
    "operating_profit": "car business operating profit",
    "company_operating_profit": "company operating profit",
    "company_pretax_profit": "company pre-tax profit",
    "company_tax": "company tax",
    "company_net_income": "company net income",
}
"""The company's totals in ``summary.json`` (monthly columns summed), and how they are named."""


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
    holds: bool | None = None
    """True if no month after the first operating break-even is below zero (None: no
    break-even)."""
    relapse_index: dict[str, int | None] = field(default_factory=dict)
    """Month index of ``relapse`` (first month back below zero after the first break-even)
    and ``profitable_from`` (first month from which none is below zero to the horizon)."""
    months_below_zero: int | None = None
    """Months delivering cars at an operating loss after the first break-even (None: none)."""
    milestones_index: dict[str, int | None] = field(default_factory=dict)
    """Month index of each milestone (None = not within the horizon)."""

    @property
    def relapse(self) -> dict[str, Any]:
        """:data:`RELAPSE` by name, months as ``YYYY-MM``."""
        return {
            "holds_to_horizon": self.holds,
            "relapse": self._label(self.relapse_index.get("relapse")),
            "months_below_zero_after_breakeven": self.months_below_zero,
            "profitable_from": self._label(self.relapse_index.get("profitable_from")),
        }

    def _label(self, index: int | None) -> str | None:
        return None if index is None else shift_label(self.start, index)

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
            "breakeven_holds": self.holds,
            "relapse_index": self.relapse_index.get("relapse"),
            "relapse": self.relapse["relapse"],
            "months_below_zero_after_breakeven": self.months_below_zero,
            "profitable_from_index": self.relapse_index.get("profitable_from"),
            "profitable_from": self.relapse["profitable_from"],
        }
        for name, index in self.milestones_index.items():
            out[f"milestone_{name}_index"] = index
            out[f"milestone_{name}"] = self.milestones[name]
        return out

    def summary_sections(self, sustain_months: int) -> dict[str, Any]:
        """The run's results in ``summary.json``: break-even to events, in the file's order."""
        breakeven: dict[str, Any] = dict(self.breakeven)
        breakeven |= {
            "peak_cash_deficit": self.peak_cash_deficit,
            "peak_cash_deficit_month": self.peak_cash_deficit_month,
            "cumulative_deliveries_at_breakeven": self.cumulative_deliveries_at_breakeven,
            "sustain_months": sustain_months,
            **self.relapse,
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
    milestones: Mapping[str, tuple[str, float]] | None = None,
) -> RunRecord:
    """The record of a run from its monthly ``columns``, its break-even month indices
    (:func:`sim.core.breakeven.breakeven_indices`) and its ``milestones`` (name -> (column,
    threshold); default :data:`MILESTONES`)."""
    label = calendar.label_of
    totals = {name: float(columns[name].sum()) for name in TOTALS}
    totals |= {name: float(columns[col][-1]) for name, col in FINALS.items()}
    reached = {
        name: milestone_index(columns[col], threshold, col in FROM_TROUGH)
        for name, (col, threshold) in (MILESTONES if milestones is None else milestones).items()
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
        milestones={name: label(i) for name, i in reached.items()},
        events=int(events),
        capital=capital,
        holds=breakeven.get("holds"),
        relapse_index={k: breakeven.get(k) for k in ("relapse", "profitable_from")},
        months_below_zero=breakeven.get("months_below_zero"),
        milestones_index=reached,
    )


def milestone_index(values: np.ndarray, threshold: float, from_trough: bool) -> int | None:
    """First month ``values`` is at or above ``threshold``; with ``from_trough``, the first such
    month at or after the lowest one (cumulative cash back to zero); None if never."""
    start = int(np.argmin(values)) if from_trough and len(values) else 0
    hit = first_true(np.asarray(values[start:]) >= threshold)
    return None if hit is None else start + hit


UNITS = {
    "cars": "cars (deterministic runs carry fractional expectations)",
    "cars a week": "cars a week",
    "days": "days",
    "months": "months from the start month",
    "USD": "US dollars",
    "USD a car": "US dollars a delivered car",
    "fraction": "a share, 1 = 100 %",
    "runs": "a number of runs",
    "YYYY-MM": "a calendar month",
    "YYYYQn": "a calendar quarter",
    "id": "a number naming a row",
    "name": "text",
}
"""The units an output column is in (:data:`COLUMN_UNITS`), and what each means."""
_CARS = ("orders", "cancellations", "capacity", "production", "deliveries", "backlog", "waiting")
_USD = (
    "revenue", "cogs", "cogs_fixed", "cogs_depreciation", "gross_profit", "opex_rnd", "opex_sga",
    "opex_selling", "opex", "deposit_breakage", "other_income", "operating_profit", "capex",
    "inventory_value", "in_transit_value", "payables", "receivables", "deposit_liability",
    "deposits", "working_capital", "cash_flow_operating", "cash_flow_working_capital",
    "cash_flow_investing", "cash_flow", "cumulative_cash",
    "cumulative_cash_without_working_capital", "capital_needed_p50", "capital_needed_p90",
    "capital_needed_mean", "final_cumulative_cash_p50", "opex_shared", "deposit_refunds",
    "company_other_gross_profit", "company_shared_opex", "company_operating_profit",
    "company_interest", "company_pretax_profit", "company_tax", "company_net_income",
    "variable_cost",
)  # fmt: skip
COLUMN_UNITS: dict[str, str] = {
    "month": "YYYY-MM",
    "quarter": "YYYYQn",
    "period": "YYYYQn",
    "months": "months",
    **dict.fromkeys(
        (*_CARS, "in_transit", "inventory", "cumulative_production", "cumulative_deliveries"),
        "cars",
    ),
    "weekly_run_rate": "cars a week",
    "avg_wait_days": "days",
    "p90_wait_days": "days",
    **dict.fromkeys(("asp", "unit_cogs", "operating_profit_per_car"), "USD a car"),
    "gross_margin": "fraction",
    "share": "fraction",
    "price": "USD a car",
    "unit_variable_cost": "USD a car",
    "product": "name",
    "trim": "name",
    **dict.fromkeys(_USD, "USD"),
    "point_id": "id",
    "variant": "name",
    "runs": "runs",
    "failed": "runs",
    "breakeven_runs_reached": "runs",
    **dict.fromkeys(("p_breakeven", "p_holds", "p_before_baseline"), "fraction"),
    **{f"breakeven_p{q}": "YYYY-MM" for q in (10, 50, 90)},
}
"""The unit of each column of the run folder's ``monthly.csv`` and ``quarterly.csv`` (and its
per-product and per-trim tables) and the sweep's ``points.csv`` and ``comparison.csv`` (names in
:data:`UNITS`); families of columns are in :data:`UNIT_PATTERNS`. The one place a column's
unit is said: the CSV precision (:func:`sim.core.format.csv_precision`) follows it."""
UNIT_PATTERNS = (
    ("cogs_", "", "USD"),  # cogs_<component>: the month's cost of each bill-of-materials line
    ("", "_index", "months"),  # month indices (quantiles of break-even and milestones)
    ("", "_index_reached", "months"),  # mean month index and its interval, runs that reached it
    ("milestone_", "", "YYYY-MM"),  # milestone_<name>_p10/p50/p90: month labels
)
"""(prefix, suffix, unit) of column families, tried in order after :data:`COLUMN_UNITS`."""


def unit_of(column: str) -> str | None:
    """The unit of an output column (a key of :data:`UNITS`); None for a column that has none
    of its own (a sweep's factor columns hold input values, in the input's own unit)."""
    if column in COLUMN_UNITS:
        return COLUMN_UNITS[column]
    for prefix, suffix, unit in UNIT_PATTERNS:
        if column.startswith(prefix) and column.endswith(suffix):
            return unit
    return None
