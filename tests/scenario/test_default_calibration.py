"""The default scenario reproduces the public 2024Q2 figures it was set from.

Source: the public facts as of August 2024 (the 2024Q2 figures and the launch orders, cited in the
config's comments).
"""

from __future__ import annotations

import pytest

from sim import load_scenario


def q2(default_run):
    q = default_run.quarterly.set_index("period")
    return q.loc["2024Q2"]


def test_the_default_scenario_is_deterministic():
    assert load_scenario().mode == "deterministic"


def test_2024q2_gross_margin_is_15_4_percent(default_run):
    assert q2(default_run)["gross_margin"] == pytest.approx(0.154, abs=0.010)


def test_2024q2_operating_loss_per_car_is_about_usd_9200(default_run):
    assert -q2(default_run)["operating_profit_per_car"] == pytest.approx(9_200, rel=0.10)


def test_2024q2_operating_loss_is_about_usd_252_million(default_run):
    assert -q2(default_run)["operating_profit"] == pytest.approx(252e6, rel=0.10)


def test_cumulative_deliveries_pass_100k_around_november_2024(default_run):
    labels = default_run.monthly["month"].tolist()
    passed = labels[int((default_run.monthly["cumulative_deliveries"] >= 100_000).argmax())]
    assert passed in ("2024-10", "2024-11", "2024-12")
    assert default_run.summary["milestones"]["deliveries_100k"] == passed


def test_launch_firm_orders_are_the_first_day_preorders_times_the_firm_share(default_run):
    sc = default_run.scenario
    assert sc.launch.preorders == 88_898  # orders in the first 24 hours
    firm = 88_898 * sc.launch.firm_share
    # day 0 holds the launch orders on top of the month's even daily intake
    days = default_run.operations.orders
    assert days[0] - days[1] == pytest.approx(firm, rel=1e-12)
    assert firm == pytest.approx(75_723, rel=0.002)  # locked orders by 24 Apr 2024


def test_the_rates_in_the_file_are_the_rates_the_run_shows(default_run):
    # one form for every floor: the rate applies to the whole cost, the floor clips; neither
    # the battery nor the parts reach their floor within the horizon, so the effective rates
    # are the configured ones
    rates = default_run.summary["cost_rates"]
    comps = default_run.scenario.costs.components
    assert rates["battery"]["per_year"] == pytest.approx(-comps["battery"].decline_per_year)
    ratio = comps["body_and_parts"].progress_ratio
    assert rates["body_and_parts"]["per_doubling"] == pytest.approx(ratio - 1)
    # labour reaches its floor in the run: it fell less than 14 % per doubling on average
    assert rates["direct_labour"]["unit_cost_last_usd"] == comps["direct_labour"].floor_usd
    assert -0.14 < rates["direct_labour"]["per_doubling"] < 0


def test_capital_needed_with_and_without_working_capital(default_run):
    cap = default_run.summary["capital"]
    assert cap["capital_needed"] == default_run.summary["breakeven"]["peak_cash_deficit"]
    # 60 days of supplier payables and the deposits fund much of the ramp
    assert cap["capital_needed"] < 0.5 * cap["capital_needed_without_working_capital"]
    low = default_run.columns["cumulative_cash_without_working_capital"].min()
    assert cap["capital_needed_without_working_capital"] == pytest.approx(-low)
