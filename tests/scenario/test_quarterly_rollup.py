"""The quarterly table against the monthly one: flows summed, stocks at the end, ratios redone."""

from __future__ import annotations

import calendar

import numpy as np
import pandas as pd
import pytest

# By meaning, not by the model's own lists: levels at a month end, and per-unit ratios.
# Any other column is a flow of the month and sums over the quarter.
STOCKS = {
    "backlog",
    "waiting",
    "in_transit",
    "inventory",
    "inventory_value",
    "cumulative_production",
    "cumulative_deliveries",
    "cumulative_cash",
    "in_transit_value",
    "payables",
    "receivables",
    "deposit_liability",
    "working_capital",
    "cumulative_cash_without_working_capital",
}
RATIOS = {"asp", "gross_margin", "operating_profit_per_car", "unit_cogs", "weekly_run_rate"}
WAITS = {"avg_wait_days", "p90_wait_days"}  # per-car statistics: not in the quarterly table


def check_quarterly(monthly: pd.DataFrame, quarterly: pd.DataFrame) -> None:
    groups = list(monthly.groupby("quarter", sort=False))
    assert quarterly["period"].tolist() == [q for q, _ in groups]
    assert quarterly["months"].tolist() == [len(g) for _, g in groups]
    for i, (_, g) in enumerate(groups):
        row = quarterly.iloc[i]
        for col in monthly.columns.drop(["month", "quarter"]):
            if col in WAITS or col in RATIOS:
                continue
            expected = g[col].iloc[-1] if col in STOCKS else g[col].sum()
            assert row[col] == pytest.approx(expected, rel=1e-12, abs=1e-6), (row["period"], col)
        rev, deliv = g["revenue"].sum(), g["deliveries"].sum()
        days = sum(calendar.monthrange(*map(int, m.split("-")))[1] for m in g["month"])
        weekly = g["production"].sum() / (days / 7)  # cars built per week of the quarter
        assert row["weekly_run_rate"] == pytest.approx(weekly, rel=1e-12), row["period"]
        if deliv > 0:
            assert row["asp"] == pytest.approx(rev / deliv, rel=1e-12)
            assert row["operating_profit_per_car"] == pytest.approx(
                g["operating_profit"].sum() / deliv, rel=1e-12
            )
            assert row["unit_cogs"] == pytest.approx(g["cogs"].sum() / deliv, rel=1e-12)
        else:
            assert np.isnan(row["operating_profit_per_car"])
        if rev > 0:
            assert row["gross_margin"] == pytest.approx(g["gross_profit"].sum() / rev, rel=1e-12)
        else:
            assert np.isnan(row["gross_margin"])


def test_quarters_of_a_run_starting_and_ending_mid_quarter(tiny_run):
    # February to September 2024: 2024Q1 has two months, 2024Q3 three
    r = tiny_run(
        {
            "start": "2024-02",
            "horizon_months": 8,
            "launch.preorders": 4000,
            "launch.deposit_usd": 500,
            "demand": {"kind": "table", "orders_per_month": [0, 0, 3000, 1000, 500]},
            "factory.lines.l1.start": "2024-04-10",
            "factory.lines.l1.fixed_cost_per_month_usd": 2e6,
            "factory.logistics_lag_days": 5,
            "price.asp_usd": {"base": 30_000, "changes": {"2024-05": 32_000}},
        }
    )
    q = r.quarterly
    assert q["period"].tolist() == ["2024Q1", "2024Q2", "2024Q3"]
    assert q["months"].tolist() == [2, 3, 3]
    check_quarterly(r.monthly, q)
    # 2024Q1 delivers nothing at all: its ratios are not numbers
    assert q["deliveries"].iloc[0] == 0


def test_quarters_of_the_default_scenario(default_run):
    check_quarterly(default_run.monthly, default_run.quarterly)
    assert default_run.quarterly["months"].sum() == 60
