"""Working capital, deposits and the cash flow split, on the tiny scenario (answers by hand).

The tiny scenario (tests/conftest.py) builds exactly 100 cars a day from day 0, at a flat
USD 20,000 a car, sold at USD 30,000; no lag, so a car built is a car delivered the same day.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.config.schema import WrightCost
from sim.core.learning import total_cost
from sim.core.workingcap import capital_summary, trailing_sum

ALWAYS_WAITING = {"launch.preorders": 1e6, "horizon_months": 2}


def test_trailing_sum_by_hand():
    cumulative = np.array([0.0, 1.0, 3.0, 6.0, 10.0])  # days 0..3 bring 1, 2, 3, 4
    ends = np.array([2, 4])
    np.testing.assert_allclose(trailing_sum(cumulative, ends, 1.0), [2.0, 4.0])
    np.testing.assert_allclose(trailing_sum(cumulative, ends, 2.5), [3.0, 4 + 3 + 1.0])
    # nothing flowed before day 0
    np.testing.assert_allclose(trailing_sum(cumulative, ends, 30.0), [3.0, 10.0])
    np.testing.assert_allclose(trailing_sum(cumulative, ends, 0.0), [0.0, 0.0])


@pytest.mark.parametrize(
    ("days", "jan", "feb"), [(10, 20e6, 20e6), (2.5, 5e6, 5e6), (45, 62e6, 90e6)]
)
def test_supplier_payables_are_the_last_days_of_purchases(tiny_run, days, jan, feb):
    # USD 2 M of parts a day; January has 31 days, nothing was bought before the start
    c = tiny_run(ALWAYS_WAITING | {"working_capital": {"payables_days": days}}).columns
    np.testing.assert_allclose(c["payables"], [jan, feb])
    np.testing.assert_allclose(c["cash_flow_working_capital"], [jan, feb - jan])
    base = tiny_run(ALWAYS_WAITING).columns
    np.testing.assert_allclose(c["cash_flow"] - base["cash_flow"], [jan, feb - jan])
    np.testing.assert_allclose(c["operating_profit"], base["operating_profit"])


def test_payables_per_component_replace_the_one_figure(tiny_run):
    comps = {
        "parts": {"kind": "annual_decline", "start_usd": 15_000},
        "labour": {"kind": "annual_decline", "start_usd": 5_000},
    }
    wc = {"payables_days": 10, "payables_days_by_component": {"labour": 0}}
    c = tiny_run(ALWAYS_WAITING | {"costs.components": comps, "working_capital": wc}).columns
    np.testing.assert_allclose(c["payables"], [10 * 100 * 15_000] * 2)


def test_wright_purchases_are_the_run_built_cars_only(tiny_run):
    # 365 days of payables hold every purchase of the run: cars 501..500+P of the curve
    spec = {"kind": "wright", "first_unit_usd": 9000, "floor_usd": 600, "progress_ratio": 0.86}
    c = tiny_run(
        ALWAYS_WAITING
        | {
            "factory.initial_experience_units": 500,
            "costs.components": {"labour": spec},
            "working_capital": {"payables_days": 365},
        }
    ).columns
    comp = WrightCost(**spec)
    built = np.array([3100.0, 3100.0 + 2900.0])
    expected = total_cost(500 + built, comp) - total_cost(500, comp)
    np.testing.assert_allclose(c["payables"], expected, rtol=1e-12)


def test_receivables_are_price_less_deposit_of_recent_deliveries(tiny_run):
    c = tiny_run(
        ALWAYS_WAITING | {"launch.deposit_usd": 700, "working_capital": {"receivables_days": 10}}
    ).columns
    np.testing.assert_allclose(c["receivables"], [10 * 100 * 29_300] * 2)


def test_deposits_are_a_liability_released_at_delivery_or_as_breakage(tiny_run):
    # 5000 launch orders, 100 delivered a day, no grace and 30 % a month cancel
    changes = {
        "launch.preorders": 5000,
        "launch.deposit_usd": 700,
        "patience": {"grace_weeks": 0, "monthly_cancel_rate": 0.3},
        "horizon_months": 3,
    }
    other = tiny_run(changes).columns
    rev = tiny_run(changes | {"launch.breakage": "revenue"}).columns
    assert other["cancellations"].sum() > 0
    np.testing.assert_allclose(other["deposit_liability"], 700 * other["backlog"], atol=1e-3)
    np.testing.assert_allclose(other["deposit_breakage"], 700 * other["cancellations"])
    np.testing.assert_allclose(other["other_income"], other["deposit_breakage"])
    # as revenue: in revenue (and so in the selling cost's base: 0 here), not in other income
    np.testing.assert_allclose(
        rev["revenue"] - other["revenue"], other["deposit_breakage"], atol=1e-3
    )
    np.testing.assert_allclose(rev["other_income"], 0.0)
    np.testing.assert_allclose(rev["operating_profit"], other["operating_profit"], atol=1e-3)
    # the cash came with the order: breakage moves no cash
    np.testing.assert_allclose(rev["cash_flow"], other["cash_flow"], atol=1e-3)
    flow = 700 * (other["orders"] - other["deliveries"])
    np.testing.assert_allclose(
        other["cash_flow_working_capital"],
        flow - np.diff(other["inventory_value"], prepend=0.0) - other["deposit_breakage"],
    )


def test_cash_flow_is_operating_plus_working_capital_plus_investing(tiny_run):
    c = tiny_run(
        {
            "launch.preorders": 5000,
            "launch.deposit_usd": 700,
            "factory.logistics_lag_days": 7,
            "factory.lines.l1.capex": {"amount_usd": 60e6, "date": "2024-02"},
            "working_capital": {"payables_days": 20, "receivables_days": 5},
            "horizon_months": 4,
        }
    ).columns
    np.testing.assert_allclose(
        c["cash_flow_operating"], c["operating_profit"] + c["cogs_depreciation"]
    )
    np.testing.assert_allclose(c["cash_flow_investing"], [0, -60e6, 0, 0])
    total = c["cash_flow_operating"] + c["cash_flow_working_capital"] + c["cash_flow_investing"]
    np.testing.assert_allclose(c["cash_flow"], total)
    wc = c["inventory_value"] + c["receivables"] - c["payables"] - c["deposit_liability"]
    np.testing.assert_allclose(c["working_capital"], wc)
    np.testing.assert_allclose(c["cash_flow_working_capital"], -np.diff(wc, prepend=0.0))
    np.testing.assert_allclose(c["cumulative_cash"], np.cumsum(c["cash_flow"]))
    np.testing.assert_allclose(
        c["cumulative_cash_without_working_capital"],
        np.cumsum(c["cash_flow_operating"] + c["cash_flow_investing"]),
    )
    # 700 cars in transit at January's end (the last 7 days' builds), at USD 20,000
    np.testing.assert_allclose(c["in_transit_value"][0], 700 * 20_000)


def test_pre_start_capex_in_cash_is_paid_in_the_first_month(tiny_run):
    capex = {"amount_usd": 120e6, "date": "2023-06", "depreciation_years": 10}
    sunk = tiny_run(ALWAYS_WAITING | {"factory.lines.l1.capex": capex}).columns
    paid = tiny_run(
        ALWAYS_WAITING | {"factory.lines.l1.capex": capex, "cash.pre_start_capex": "in_cash"}
    ).columns
    np.testing.assert_allclose(sunk["capex"], [0, 0])
    np.testing.assert_allclose(paid["capex"], [120e6, 0])
    np.testing.assert_allclose(paid["cogs_depreciation"], sunk["cogs_depreciation"])
    np.testing.assert_allclose(paid["cumulative_cash"], sunk["cumulative_cash"] - 120e6)


def test_pilot_stock_is_delivered_first_and_was_paid_before_the_start(tiny_run):
    # 500 pilot cars in stock at USD 20,000 each; 5000 orders: day 0 delivers 500 + 100
    changes = {
        "launch.preorders": 5000,
        "factory.initial_experience_units": 500,
        "factory.pilot_stock_units": 500,
        "horizon_months": 2,
    }
    c = tiny_run(changes).columns
    np.testing.assert_allclose(c["deliveries"], [500 + 3100, 5000 - 3600])
    np.testing.assert_allclose(c["cogs_parts"], [3600 * 20_000, 1400 * 20_000])
    # the stock's cost is the opening inventory: selling it frees USD 10 M of cash
    np.testing.assert_allclose(c["cash_flow_working_capital"][0], 500 * 20_000)
    paid = tiny_run(changes | {"cash.pre_start_capex": "in_cash"}).columns
    np.testing.assert_allclose(paid["cash_flow_working_capital"][0], 0.0)


def test_capital_summary_with_and_without_working_capital():
    cols = {
        "cumulative_cash": np.array([-5.0, -8.0, -2.0, 1.0]),
        "cumulative_cash_without_working_capital": np.array([1.0, 2.0, 3.0, 4.0]),
    }
    out = capital_summary(cols)
    assert out == {
        "capital_needed": 8.0,
        "capital_needed_month": 1,
        "capital_needed_without_working_capital": 0.0,
        "capital_needed_without_working_capital_month": None,
    }
