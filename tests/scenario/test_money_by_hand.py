"""The books of tiny deterministic scenarios, checked against hand computations.

The ``tiny`` scenario (conftest): 2024-01 start, 100 cars a day, price USD 30 000, one flat
cost component of USD 20 000 a car, so every delivered car leaves USD 10 000 of gross profit
before the plant's fixed cost and depreciation.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.config.schema import WrightCost
from sim.core.learning import total_cost

SUNK_CAPEX = {"amount_usd": 120e6, "date": "2023-06", "depreciation_years": 10}


@pytest.fixture(scope="module")
def burst(tiny_run):
    """5000 launch orders with a USD 700 deposit, 7 days' lag, overheads: see the tests."""
    return tiny_run(
        {
            "launch.preorders": 5000,
            "launch.deposit_usd": 700,
            "factory.logistics_lag_days": 7,
            "factory.lines.l1.fixed_cost_per_month_usd": 3.1e6,
            "factory.lines.l1.capex": SUNK_CAPEX,
            "opex": {
                "rnd_per_month_usd": {"base": 2e6},
                "sga_per_month_usd": {"base": 1e6},
                "selling_share_of_revenue": 0.02,
            },
            "horizon_months": 3,
        }
    ).columns


def test_revenue_and_cogs_of_a_flat_cost(burst):
    # deliveries 2400, 2600, 0 (see test_flows_by_hand)
    np.testing.assert_allclose(burst["revenue"], [2400 * 30_000, 2600 * 30_000, 0])
    np.testing.assert_allclose(burst["cogs_parts"], [2400 * 20_000, 2600 * 20_000, 0])
    np.testing.assert_allclose(burst["asp"], [30_000] * 3)


def test_fixed_cost_and_depreciation_are_period_costs(burst):
    np.testing.assert_allclose(burst["cogs_fixed"], [3.1e6] * 3)
    # USD 120 M over 10 years = 1 M a month, paid before the start: no capex cash in the run
    np.testing.assert_allclose(burst["cogs_depreciation"], [120e6 / 120] * 3)
    np.testing.assert_allclose(burst["capex"], [0, 0, 0])
    np.testing.assert_allclose(burst["cogs"], [48e6 + 4.1e6, 52e6 + 4.1e6, 4.1e6])


def test_margins_and_operating_profit_per_car(burst):
    gross = [72e6 - 52.1e6, 78e6 - 56.1e6, -4.1e6]
    np.testing.assert_allclose(burst["gross_profit"], gross)
    np.testing.assert_allclose(burst["gross_margin"][:2], [19.9 / 72, 21.9 / 78])
    assert math.isnan(burst["gross_margin"][2])  # no revenue, no margin
    opex = [3e6 + 0.02 * 72e6, 3e6 + 0.02 * 78e6, 3e6]
    np.testing.assert_allclose(burst["opex"], opex)
    np.testing.assert_allclose(burst["opex_selling"], [1.44e6, 1.56e6, 0])
    operating = [19.9e6 - 4.44e6, 21.9e6 - 4.56e6, -4.1e6 - 3e6]
    np.testing.assert_allclose(burst["operating_profit"], operating)
    np.testing.assert_allclose(
        burst["operating_profit_per_car"][:2], [15.46e6 / 2400, 17.34e6 / 2600]
    )
    assert math.isnan(burst["operating_profit_per_car"][2])
    np.testing.assert_allclose(burst["unit_cogs"][:2], [52.1e6 / 2400, 56.1e6 / 2600])


def test_cash_with_deposits_and_cars_in_transit(burst):
    # deposits: USD 700 on each order, applied at delivery
    np.testing.assert_allclose(burst["deposits"], [700 * (5000 - 2400), 700 * (0 - 2600), 0])
    # built but not delivered at the end of January: 700 cars in transit at USD 20 000
    np.testing.assert_allclose(burst["inventory_value"], [700 * 20_000, 0, 0], atol=1e-6)
    # cash = operating profit + depreciation - capex - rise in inventory value + deposits
    cash = [
        15.46e6 + 1e6 - 14e6 + 1.82e6,
        17.34e6 + 1e6 + 14e6 - 1.82e6,
        -7.1e6 + 1e6,
    ]
    np.testing.assert_allclose(burst["cash_flow"], cash)
    np.testing.assert_allclose(burst["cumulative_cash"], np.cumsum(cash))


def test_depreciation_starts_when_the_line_enters_service(tiny_run):
    # capex paid in February; the line starts on 16 March: depreciation and the line's fixed
    # cost both from 16 March, 16/31 of a month in March (one proration rule)
    c = tiny_run(
        {
            "launch.preorders": 1e6,
            "factory.lines.l1.start": "2024-03-16",
            "factory.lines.l1.fixed_cost_per_month_usd": 3.1e6,
            "factory.lines.l1.capex": {
                "amount_usd": 60e6,
                "date": "2024-02",
                "depreciation_years": 5,
            },
            "horizon_months": 5,
        }
    ).columns
    np.testing.assert_allclose(c["capex"], [0, 60e6, 0, 0, 0])
    np.testing.assert_allclose(c["cogs_depreciation"], [0, 0, 1e6 * 16 / 31, 1e6, 1e6])
    np.testing.assert_allclose(c["cogs_fixed"], [0, 0, 3.1e6 * 16 / 31, 3.1e6, 3.1e6])
    np.testing.assert_allclose(c["production"], [0, 0, 16 * 100, 30 * 100, 31 * 100])


def test_depreciation_ends_after_its_life(tiny_run):
    # 30 M a month for 3 months' worth, from 20 February (10 of February's 29 days): the last
    # month, May, takes the 19/29 of a month February did not
    capex = {"amount_usd": 90e6, "date": "2024-02-20", "depreciation_years": 0.25}  # 3 months
    c = tiny_run({"factory.lines.l1.capex": capex, "horizon_months": 7}).columns
    expected = [0, 30e6 * 10 / 29, 30e6, 30e6, 30e6 * 19 / 29, 0, 0]
    np.testing.assert_allclose(c["cogs_depreciation"], expected)
    assert c["cogs_depreciation"].sum() == pytest.approx(90e6)


def demand_driven(tiny_run, table, **changes):
    """Deliveries = orders: capacity of 1000 a day never binds and there is no lag."""
    return tiny_run(
        {
            "demand": {"kind": "table", "orders_per_month": table},
            "factory.lines.l1.capacity_per_year": 365.25 * 1000,
            "horizon_months": len(table),
        }
        | changes
    )


def test_breakeven_months_by_hand(tiny_run):
    # unit margin m = 30 000 - 20 000; plant overhead 15 M in COGS, SG&A 25 M below it.
    # gross >= 0 from d m >= 15 M (d >= 1500); operating >= 0 from d m >= 40 M (d >= 4000)
    r = demand_driven(
        tiny_run,
        [1000, 2000, 3000, 3900, 4100, 5000, 5000],
        **{
            "factory.lines.l1.fixed_cost_per_month_usd": 15e6,
            "opex": {"sga_per_month_usd": {"base": 25e6}},
        },
    )
    np.testing.assert_allclose(r.columns["deliveries"], [1000, 2000, 3000, 3900, 4100, 5000, 5000])
    be = r.summary["breakeven"]
    assert be["gross_profit"] == "2024-02"
    assert be["operating_per_car"] == "2024-05"
    assert be["operating_per_car_sustained"] == "2024-05"  # May, June, July
    assert be["cumulative_deliveries_at_breakeven"] == pytest.approx(
        1000 + 2000 + 3000 + 3900 + 4100
    )
    per_car_may = (4100 * 10_000 - 40e6) / 4100
    assert r.columns["operating_profit_per_car"][4] == pytest.approx(per_car_may)


def test_sustained_breakeven_skips_a_one_month_blip(tiny_run):
    r = demand_driven(
        tiny_run,
        [1000, 4100, 3000, 4100, 4100, 4100],
        **{
            "factory.lines.l1.fixed_cost_per_month_usd": 15e6,
            "opex": {"sga_per_month_usd": {"base": 25e6}},
            "breakeven": {"sustain_months": 3},
        },
    )
    assert r.breakeven_index["operating_per_car"] == 1
    assert r.breakeven_index["operating_per_car_sustained"] == 3
    # a run at the horizon's end shorter than the months asked for is not a break-even
    r4 = demand_driven(
        tiny_run,
        [1000, 4100, 3000, 3000, 4100, 4100],
        **{
            "factory.lines.l1.fixed_cost_per_month_usd": 15e6,
            "opex": {"sga_per_month_usd": {"base": 25e6}},
        },
    )
    assert r4.breakeven_index["operating_per_car_sustained"] is None
    assert r4.summary["breakeven"]["operating_per_car_sustained"] is None


def test_cash_payback_by_hand(tiny_run):
    # 3000 cars a month, USD 10 000 margin each, SG&A 9 M; USD 120 M capex paid in January,
    # depreciated over 10 years from January (1 M a month).
    # operating = 30 M - 1 M - 9 M = 20 M; cash = 20 M + 1 M (depreciation) - capex
    r = demand_driven(
        tiny_run,
        [3000] * 8,
        **{
            "factory.lines.l1.capex": {"amount_usd": 120e6, "date": "2024-01"},
            "opex": {"sga_per_month_usd": {"base": 9e6}},
        },
    )
    cash = [21e6 - 120e6] + [21e6] * 7
    np.testing.assert_allclose(r.columns["operating_profit"], [20e6] * 8)
    np.testing.assert_allclose(r.columns["cumulative_cash"], np.cumsum(cash))
    # cumulative: -99, -78, -57, -36, -15, +6 (June)
    be = r.summary["breakeven"]
    assert be["cash_payback"] == "2024-06"
    assert be["peak_cash_deficit"] == pytest.approx(99e6)
    assert be["peak_cash_deficit_month"] == "2024-01"


def test_annual_decline_cost_is_charged_at_the_day_each_car_was_built(tiny_run):
    # 100 cars a day always waiting, no lag: January's cars are those built on days 0-30, each
    # at max(5000, 20 000 * 0.8^years), years = (day + 1/2) / 365.25 (the floor is years away)
    comp = {
        "kind": "annual_decline",
        "start_usd": 20_000,
        "decline_per_year": 0.2,
        "floor_usd": 5000,
    }
    c = tiny_run(
        {"launch.preorders": 1e6, "costs.components": {"battery": comp}, "horizon_months": 2}
    ).columns
    jan = sum(100 * 20_000 * 0.8 ** ((d + 0.5) / 365.25) for d in range(31))
    feb = sum(100 * 20_000 * 0.8 ** ((d + 0.5) / 365.25) for d in range(31, 60))
    np.testing.assert_allclose(c["cogs_battery"], [jan, feb], rtol=1e-12)


@pytest.mark.parametrize("form", ["unit", "cumulative_average"])
def test_wright_cogs_of_the_first_delivered_cars(tiny_run, form):
    # 500 pilot cars before the start; 5000 launch orders built at 100 a day, delivered 7 days
    # later: January delivers cars 1-2400 of the run, February cars 2401-5000 (first in, first out)
    E = 500
    spec = {"kind": "wright", "first_unit_usd": 9000, "floor_usd": 600, "progress_ratio": 0.86}
    r = tiny_run(
        {
            "launch.preorders": 5000,
            "factory.logistics_lag_days": 7,
            "factory.initial_experience_units": E,
            "costs.components": {"labour": spec | {"formulation": form}},
            "horizon_months": 2,
        }
    )
    comp = WrightCost(**spec, formulation=form)
    cogs = r.columns["cogs_labour"]
    assert cogs[0] == pytest.approx(total_cost(E + 2400, comp) - total_cost(E, comp), rel=1e-12)
    assert cogs[1] == pytest.approx(
        total_cost(E + 5000, comp) - total_cost(E + 2400, comp), rel=1e-12
    )
    # the 700 cars in transit at the end of January are cars 2401-3100, at their own cost
    assert r.columns["inventory_value"][0] == pytest.approx(
        total_cost(E + 3100, comp) - total_cost(E + 2400, comp), rel=1e-12
    )

    b = math.log2(0.86)
    if form == "unit":  # the n-th car costs c(n): the explicit sum, car by car
        first_2400 = sum(max(600, 9000 * n**b) for n in range(E + 1, E + 2400 + 1))
        assert cogs[0] == pytest.approx(first_2400, rel=1e-3)
    else:  # c(n) is the average of the first n cars: they cost n c(n)
        first_2400 = (E + 2400) * max(600, 9000 * (E + 2400) ** b) - E * max(600, 9000 * E**b)
        assert cogs[0] == pytest.approx(first_2400, rel=1e-12)
