"""The result of one run: tidy tables (built on first use) and a summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from sim.config.schema import Scenario
from sim.core.books import BALANCE_STOCKS, MIN_CARS, Books, Operations
from sim.core.breakeven import breakeven_indices, first_sustained, first_true
from sim.core.calendar import Calendar
from sim.core.outputs import COMPANY_TOTALS, RunRecord, run_record

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
PRODUCT_TOTALS = ("orders", "cancellations", "deliveries", "revenue", "gross_profit",
                  "operating_profit")  # fmt: skip
"""A product's flows summed over the horizon in ``summary.json``'s ``products``."""
COMPANY_NOTE = (
    "break-even, per-car figures and cash are the car business (the EV segment, carrying its "
    "share of the shared opex); company_* columns are the whole company"
)
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
    books: Books = field(repr=False)
    """The books per product and trim (``columns`` are their totals)."""
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
        return pd.DataFrame(self._quarters(self.columns))

    @cached_property
    def products_monthly(self) -> pd.DataFrame:
        """One row per month and product: the product's own flows, revenue and costs, with its
        share of the shared costs (:func:`sim.core.books.close_books` says how they are split).
        Its flows add up to the totals of :attr:`monthly`."""
        frames = []
        for name, cols in self.books.products.items():
            df = pd.DataFrame(cols)
            df.insert(0, "product", name)
            df.insert(0, "quarter", self.calendar.quarter_labels)
            df.insert(0, "month", self.calendar.labels)
            frames.append(df)
        return pd.concat(frames, ignore_index=True)

    @cached_property
    def products_quarterly(self) -> pd.DataFrame:
        """:attr:`products_monthly` by calendar quarter, as :attr:`quarterly` does the totals."""
        frames = []
        for name, cols in self.books.products.items():
            df = pd.DataFrame(self._quarters(cols))
            df.insert(1, "product", name)
            frames.append(df)
        return pd.concat(frames, ignore_index=True)

    @cached_property
    def trims_monthly(self) -> pd.DataFrame:
        """One row per month, product and trim: its share of the product's deliveries, its
        cars, list price, revenue and variable cost (a product without trims has one, named
        ``""``)."""
        frames = []
        for (product, trim), cols in self.books.trims.items():
            df = pd.DataFrame(cols)
            df.insert(0, "trim", trim)
            df.insert(0, "product", product)
            df.insert(0, "quarter", self.calendar.quarter_labels)
            df.insert(0, "month", self.calendar.labels)
            frames.append(df)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    @cached_property
    def products(self) -> dict[str, dict[str, Any]]:
        """Per product: its break-evens (``YYYY-MM`` or None), its totals and when its own
        deliveries reach each milestone on ``cumulative_deliveries``."""
        sustain = self.scenario.breakeven.sustain_months
        label = self.calendar.label_of
        out = {}
        for name, cols in self.books.products.items():
            delivered = cols["deliveries"] >= MIN_CARS
            ok = delivered & (cols["operating_profit_per_car"] >= 0)
            first = first_true(ok)
            out[name] = {
                "breakeven": {
                    "gross_profit": label(first_true(delivered & (cols["gross_profit"] >= 0))),
                    "operating_per_car": label(first),
                    "operating_per_car_sustained": label(first_sustained(ok, sustain)),
                },
                "first_delivery": label(first_true(delivered)),
                "cumulative_deliveries_at_breakeven": (
                    None if first is None else float(cols["cumulative_deliveries"][first])
                ),
                "totals": {k: float(cols[k].sum()) for k in PRODUCT_TOTALS},
                "cost_rates": self.books.cost_rates[name],
                "milestones": {
                    m: label(first_true(cols["cumulative_deliveries"] >= spec.at_least))
                    for m, spec in self.scenario.milestones.items()
                    if spec.metric == "cumulative_deliveries"
                },
            }
        return out

    def _quarters(self, columns: dict[str, np.ndarray]) -> dict[str, Any]:
        labels = self.calendar.quarter_labels
        first = np.flatnonzero([i == 0 or labels[i] != labels[i - 1] for i in range(len(labels))])
        last = np.append(first[1:], len(labels)) - 1
        out: dict[str, Any] = {"period": [labels[i] for i in first], "months": last - first + 1}
        for name, values in columns.items():
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
        if "weekly_run_rate" in columns:  # cars built per week of the quarter
            days = np.add.reduceat(self.calendar.days_in_month, first)
            out["weekly_run_rate"] = out["production"] / (days / 7.0)
        return out

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
            "cost_rates": self.books.cost_rates[self.scenario.product],
            **self._lineup_sections(),
        }

    @property
    def has_lineup(self) -> bool:
        """More than one plain product: several products, or trims."""
        return len(self.books.names) > 1 or self.books.trim_count > 1

    @property
    def lineup_tables(self) -> dict[str, pd.DataFrame]:
        """The per-product and per-trim tables by file stem (none for one plain product)."""
        if not self.has_lineup:
            return {}
        return {
            "products_monthly": self.products_monthly,
            "products_quarterly": self.products_quarterly,
            "trims_monthly": self.trims_monthly,
        }

    def _lineup_sections(self) -> dict[str, Any]:
        """``products`` when the line-up is more than one plain product; ``company`` when the
        scenario has a company block."""
        out: dict[str, Any] = {}
        if self.has_lineup:
            out["products"] = self.products
        if self.scenario.company is not None:
            cols = self.columns
            out["company"] = {
                "reports": COMPANY_NOTE,
                "totals": {k: float(cols[k].sum()) for k in COMPANY_TOTALS},
            }
        return out


def _seed_repr(seed: Any) -> Any:
    if isinstance(seed, np.random.SeedSequence):
        return {"entropy": seed.entropy, "spawn_key": list(seed.spawn_key)}
    return int(seed)
