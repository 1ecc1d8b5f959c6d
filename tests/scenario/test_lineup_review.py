"""Defects a new user found in the line-up, each pinned by hand on the tiny scenario.

The tiny scenario makes exactly 100 cars a day on one line from 2024-01-01 at a cost of USD
20,000 a car and sells them at USD 30,000 (tests/conftest.py).
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.config.load import scenario_from_dict
from sim.errors import ConfigError
from sim.model.lineup import reservations
from sim.model.simulate import simulate


def conservation_gap(table) -> float:
    """Largest |cumulative orders - deliveries - cancellations - backlog| over the months."""
    gap = (
        table["orders"].cumsum()
        - table["deliveries"].cumsum()
        - table["cancellations"].cumsum()
        - table["backlog"]
    )
    return float(gap.abs().max())


@pytest.mark.parametrize(("mode", "seed"), [("deterministic", None), ("stochastic", 5)])
def test_reservations_before_the_start_are_orders_of_day_0(tiny_scenario_dict, mode, seed):
    # 6,000 launch orders reserved over the 61 days 2023-11-01 .. 2023-12-31, launched on the
    # run's first day: all 6,000 are orders of January (with January's 0 intake), never lost
    data = tiny_scenario_dict({"launch.preorders": 6000, "launch.reservations_from": "2023-11-01"})
    result = simulate(scenario_from_dict(data), seed, mode=mode)
    m = result.monthly
    assert m["orders"].iloc[0] == pytest.approx(6000.0)
    assert m["deliveries"].iloc[0] == pytest.approx(3100.0)  # 31 days of 100 cars
    assert m["backlog"].iloc[0] == pytest.approx(2900.0)
    assert conservation_gap(m) < 1e-6
    assert (m["backlog"] >= -1e-9).all()


def test_reservations_in_a_stochastic_run_are_whole_orders():
    days = reservations(1000.0, 61, whole=True)
    assert len(days) == 61 and sum(days) == 1000.0
    assert all(d == int(d) and d in (16.0, 17.0) for d in days)  # 1000 / 61 = 16.4
    assert reservations(1000.0, 61, whole=False) == [1000.0 / 61] * 61


def test_a_negative_step_never_takes_a_cost_below_zero(tiny_scenario_dict):
    # parts cost 20,000 a car; a -25,000 step from 2024-03 would make March's cars cost
    # -5,000: they cost 0, and gross profit is the whole 30,000 price
    data = tiny_scenario_dict(
        {
            "costs.components.parts.steps": {"2024-03": -25_000},
            "launch.preorders": 1_000_000,
        }
    )
    m = simulate(scenario_from_dict(data)).monthly
    assert m["cogs_parts"].iloc[1] == pytest.approx(20_000 * 2900)  # February: 29 days
    assert m["cogs_parts"].iloc[2] == 0.0
    assert m["gross_margin"].iloc[2] == pytest.approx(1.0)
    assert (m["cogs_parts"] >= 0).all()


@pytest.mark.parametrize("opens", ["2024-03-01", "2024-04-01"])
def test_reservations_on_or_after_the_launch_are_bad_input(tiny_scenario_dict, opens):
    data = tiny_scenario_dict({"launch.date": "2024-03-01", "launch.reservations_from": opens})
    with pytest.raises(ConfigError) as err:
        scenario_from_dict(data, "s.yaml")
    assert err.value.field == "launch.reservations_from"
    assert "is not before the launch (2024-03-01)" in err.value.message


@pytest.mark.parametrize("name", ["s\u00e9dan", "se.dan", "x" * 101])
def test_a_product_name_is_a_short_ascii_identifier(tiny_scenario_dict, name):
    with pytest.raises(ConfigError) as err:
        scenario_from_dict(tiny_scenario_dict({"product": name}), "s.yaml")
    assert err.value.field == "product"


def test_the_first_products_price_block_may_be_left_out_with_trims(tiny_scenario_dict):
    data = tiny_scenario_dict(
        {
            "trims": {"only": {"price_usd": 31_000}},
            "launch.preorders": 1_000_000,
        }
    )
    del data["price"]
    m = simulate(scenario_from_dict(data)).monthly
    assert m["asp"].iloc[0] == 31_000.0


def two_products(tiny_scenario_dict, launch: str):
    """The tiny car on line l1, a van (its own line l2 from the start) launching ``launch``."""
    data = tiny_scenario_dict({"launch.preorders": 1_000_000})
    data["factory"]["lines"]["l2"] = dict(data["factory"]["lines"]["l1"])
    data["factory"]["lines"]["l1"]["products"] = ["car"]
    data["factory"]["lines"]["l2"]["products"] = ["van"]
    data["factory"]["lines"]["l2"]["fixed_cost_per_month_usd"] = 1_000_000
    data["products"] = {
        "van": {
            "launch": {"date": launch, "preorders": 1_000_000},
            "demand": {"kind": "constant", "orders_per_month": 0},
            "price": {"asp_usd": 40_000},
            "costs": {"components": {"parts": {"kind": "annual_decline", "start_usd": 25_000}}},
        }
    }
    return scenario_from_dict(data)


def test_an_idle_lines_costs_go_to_its_products_launched_by_then(tiny_scenario_dict):
    # l2 builds only the van, from 2024-03: its 1 M a month of fixed cost in January and
    # February (no van yet, no output) stays on the van's line; l2 is the van's only line, so
    # the van carries it (and the car nothing of it) in every month, output or not
    result = simulate(two_products(tiny_scenario_dict, "2024-03-01"))
    pm = result.products_monthly.set_index(["product", "month"])
    assert pm.loc[("van", "2024-01"), "cogs_fixed"] == pytest.approx(1_000_000)
    assert pm.loc[("car", "2024-01"), "cogs_fixed"] == 0.0
    assert np.isnan(pm.loc[("van", "2024-01"), "asp"])  # no cars sold: no price
    assert pm.loc[("van", "2024-03"), "asp"] == 40_000.0


def test_a_shared_idle_line_charges_the_launched_product_not_the_later_one(tiny_scenario_dict):
    # one line for both, car from the start, van from 2024-05; the line's ramp holds it idle
    # in January (share 0, then 1): January's 3,000 of fixed cost goes to the car alone (the
    # van is not yet launched), not half to each
    data = tiny_scenario_dict({"launch.preorders": 1_000_000})
    line = data["factory"]["lines"]["l1"]
    line["ramp"] = {"kind": "table", "shares": [0.0, 1.0]}
    line["fixed_cost_per_month_usd"] = 3_000
    data["products"] = {
        "van": {
            "launch": {"date": "2024-05-01", "preorders": 1000},
            "demand": {"kind": "constant", "orders_per_month": 0},
            "price": {"asp_usd": 40_000},
            "costs": {"components": {"parts": {"kind": "annual_decline", "start_usd": 25_000}}},
        }
    }
    result = simulate(scenario_from_dict(data))
    assert result.monthly["production"].iloc[0] == 0.0
    pm = result.products_monthly.set_index(["product", "month"])
    assert pm.loc[("car", "2024-01"), "cogs_fixed"] == pytest.approx(3_000)
    assert pm.loc[("van", "2024-01"), "cogs_fixed"] == 0.0
    assert pm.loc[("car", "2024-02"), "cogs_fixed"] == pytest.approx(3_000)  # all its output


def van(launch: str, pilots: float, experience: str = "product") -> dict:
    return {
        "launch": {"date": launch, "preorders": 1000},
        "demand": {"kind": "constant", "orders_per_month": 0},
        "price": {"asp_usd": 40_000},
        "initial_experience_units": pilots,
        "costs": {"components": {"parts": {"kind": "wright", "first_unit_usd": 30_000,
                                           "floor_usd": 1_000, "progress_ratio": 0.8,
                                           "experience": experience}}},
    }  # fmt: skip


@pytest.mark.parametrize("launch", ["2024-04-01", "2025-01-01"])
def test_a_later_products_pilot_builds_join_the_plant_on_its_launch_day(tiny_scenario_dict, launch):
    # yield learns (0.6 to 0.95, halving every 2,000 cars) and the car's parts learn with the
    # plant's cars: the van's 50,000 pilot builds would lift both from day 0 if they counted
    # before its launch; until the launch, the car's months must be those of a van without any
    data = tiny_scenario_dict(
        {
            "launch.preorders": 1_000_000,
            "factory.yield": {"initial": 0.6, "mature": 0.95, "halving_units": 2000},
            "costs.components.parts": {"kind": "wright", "first_unit_usd": 30_000,
                                       "floor_usd": 1_000, "progress_ratio": 0.8,
                                       "experience": "plant"},
        }
    )  # fmt: skip
    with_pilots = {**data, "products": {"van": van(launch, 50_000, "plant")}}
    without = {**data, "products": {"van": van(launch, 0.0, "plant")}}
    a = simulate(scenario_from_dict(with_pilots)).monthly
    b = simulate(scenario_from_dict(without)).monthly
    before = 3 if launch == "2024-04-01" else 6  # months before the launch within the run
    for column in ("production", "deliveries", "cogs_parts", "operating_profit"):
        np.testing.assert_array_equal(a[column][:before], b[column][:before], err_msg=column)
    if launch == "2024-04-01":  # from the launch on, the pilots lift yield: more cars
        assert a["production"][3] > b["production"][3]


@pytest.mark.parametrize("basis", ["orders", "deliveries"])
def test_each_trims_cost_is_its_own_across_a_mix_change(tiny_scenario_dict, basis):
    # flat costs: parts 20,000 a car, x 1.3 for a perf car; the mix is all base until March,
    # all perf from March (of the orders, or of the deliveries); a 45-day logistics lag carries
    # cars across months. Every delivered base car costs 20,000 and every perf car 26,000, in
    # every month, whatever the mix of the cars built that month
    data = tiny_scenario_dict(
        {
            "launch.preorders": 0,
            "demand": {"kind": "constant", "orders_per_month": 3000},
            "factory.logistics_lag_days": 45,
            "trims": {
                "base": {"price_usd": 30_000},
                "perf": {"price_usd": 50_000, "cost_factors": {"parts": 1.3}},
            },
            "mix": {
                "basis": basis,
                "shares": {"base": 1.0, "perf": 0.0},
                "changes": {"2024-03": {"base": 0.0, "perf": 1.0}},
            },
        }
    )
    del data["price"]
    result = simulate(scenario_from_dict(data))
    trims = result.trims_monthly
    sold = trims[trims["deliveries"] > 1e-9]
    unit = sold.set_index(["month", "trim"])["unit_variable_cost"]
    for (month, trim), cost in unit.items():
        assert cost == pytest.approx(20_000 * (1.3 if trim == "perf" else 1.0)), (month, trim)
    assert set(sold["trim"]) == {"base", "perf"}
    # and the month's books: 20,000 a base car and 26,000 a perf car delivered
    m = result.monthly.set_index("month")
    for month, rows in sold.groupby("month"):
        cars = rows.set_index("trim")["deliveries"]
        want = 20_000 * cars.get("base", 0.0) + 26_000 * cars.get("perf", 0.0)
        assert m.loc[month, "cogs_parts"] == pytest.approx(want), month
