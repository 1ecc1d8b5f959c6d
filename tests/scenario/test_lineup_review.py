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
