"""The line-up (issue 10) on tiny deterministic scenarios, checked against hand computations.

Every scenario is the ``tiny`` one of tests/conftest.py unless changed: 2024-01 start, one line
making exactly 100 cars a day, 7 days a week, from day 0; no randomness, yield 1, no lag, no
buffer; price USD 30 000, one flat cost ``parts`` of USD 20 000 a car. 2024 months: Jan days
0-30, Feb 31-59 (leap year), Mar 60-90, Apr 91-120, May 121-151. With a launch burst far above
capacity the plant builds and delivers 3100, 2900, 3100, 3000, 3100 cars in Jan-May.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.config.load import scenario_from_dict
from sim.config.schema import WrightCost
from sim.core.company import income_tax
from sim.core.learning import total_cost
from sim.model.lineup import LineupInputs, split
from sim.model.simulate import simulate

CARS = np.array([3100.0, 2900.0, 3100.0, 3000.0, 3100.0])
"""Cars built and delivered per month, Jan-May 2024, at 100 a day with an ample backlog."""

BURST = 1e6
"""Launch orders far above what the plant can build in the horizon."""


def run(tiny_scenario_dict, changes, seed=None, mode=None):
    return simulate(scenario_from_dict(tiny_scenario_dict(changes)), seed, mode=mode)


# --------------------------------------------------------------------------- trims and mix
THREE_TRIMS = {
    "price": {},  # the trims carry the prices
    "trims": {
        "std": {"price_usd": 30_000},
        "pro": {"price_usd": 36_000, "cost_factors": {"parts": 1.5, "labour": 1.25}},
        "max": {"price_usd": 45_000, "cost_factors": {"parts": 2.0, "labour": 1.5}},
    },
    "mix": {
        "basis": "deliveries",
        "shares": {"std": 0.5, "pro": 0.3, "max": 0.2},
        "changes": {"2024-03": {"std": 0.2, "pro": 0.3, "max": 0.5}},
    },
    # flat curves: a decline of 0 and a Wright curve with progress ratio 1
    "costs.components.parts": {
        "kind": "annual_decline",
        "start_usd": 20_000,
        "decline_per_year": 0,
    },
    "costs.components.labour": {"kind": "wright", "first_unit_usd": 4_000, "progress_ratio": 1.0},
}
# Jan-Feb shares 0.5 / 0.3 / 0.2:
#   asp          = 0.5 x 30 000 + 0.3 x 36 000 + 0.2 x 45 000       = 34 800
#   parts factor = 0.5 x 1 + 0.3 x 1.5 + 0.2 x 2                   = 1.35 -> 27 000 a car
#   labour factor= 0.5 x 1 + 0.3 x 1.25 + 0.2 x 1.5                = 1.175 -> 4 700 a car
# Mar on, 0.2 / 0.3 / 0.5:
#   asp          = 0.2 x 30 000 + 0.3 x 36 000 + 0.5 x 45 000       = 39 300
#   parts factor = 0.2 + 0.45 + 1.0                                = 1.65 -> 33 000 a car
#   labour factor= 0.2 + 0.375 + 0.75                              = 1.325 -> 5 300 a car
ASP = [34_800, 34_800, 39_300, 39_300]
PARTS = [27_000, 27_000, 33_000, 33_000]
LABOUR = [4_700, 4_700, 5_300, 5_300]
SHARES = {"std": [0.5, 0.5, 0.2, 0.2], "pro": [0.3] * 4, "max": [0.2, 0.2, 0.5, 0.5]}
PRICES = {"std": 30_000, "pro": 36_000, "max": 45_000}


@pytest.fixture(scope="module")
def mixed(tiny_scenario_dict):
    return run(tiny_scenario_dict, {"launch.preorders": BURST, "horizon_months": 4, **THREE_TRIMS})


def test_asp_is_the_share_weighted_trim_price_and_moves_with_the_dated_mix(mixed):
    c = mixed.columns
    np.testing.assert_allclose(c["deliveries"], CARS[:4])
    np.testing.assert_allclose(c["asp"], ASP, rtol=1e-12)
    np.testing.assert_allclose(c["revenue"], CARS[:4] * ASP, rtol=1e-12)


def test_unit_cogs_is_the_share_weighted_factor_times_the_flat_unit_cost(mixed):
    c = mixed.columns
    np.testing.assert_allclose(c["cogs_parts"], CARS[:4] * PARTS, rtol=1e-12)
    np.testing.assert_allclose(c["cogs_labour"], CARS[:4] * LABOUR, rtol=1e-9)
    # no fixed cost, no depreciation: unit cogs is the variable cost per car
    np.testing.assert_allclose(c["unit_cogs"], np.add(PARTS, LABOUR), rtol=1e-9)


def test_trim_rows_are_deliveries_times_share_and_cars_times_price(mixed):
    t = mixed.trims_monthly
    assert sorted(set(t["trim"])) == ["max", "pro", "std"]
    assert set(t["product"]) == {"car"}
    for trim, shares in SHARES.items():
        rows = t[t["trim"] == trim]
        np.testing.assert_allclose(rows["share"], shares, rtol=1e-12)
        np.testing.assert_allclose(rows["deliveries"], CARS[:4] * shares, rtol=1e-12)
        np.testing.assert_allclose(rows["price"], [PRICES[trim]] * 4)
        np.testing.assert_allclose(
            rows["revenue"], CARS[:4] * np.array(shares) * PRICES[trim], rtol=1e-12
        )
    # std in January: 1550 cars at 20 000 (parts) + 4 000 (labour) = USD 37.2 M
    jan_std = t[(t["trim"] == "std") & (t["month"] == "2024-01")]
    assert float(jan_std["variable_cost"].iloc[0]) == pytest.approx(1550 * 24_000, rel=1e-9)
    # max in March: 1550 cars at 2 x 20 000 + 1.5 x 4 000 = 46 000 a car
    mar_max = t[(t["trim"] == "max") & (t["month"] == "2024-03")]
    assert float(mar_max["unit_variable_cost"].iloc[0]) == pytest.approx(46_000, rel=1e-9)


def test_trim_rows_add_up_to_the_product(mixed):
    t = mixed.trims_monthly
    p = mixed.products_monthly
    sums = t.groupby("month")[["share", "deliveries", "revenue", "variable_cost"]].sum()
    np.testing.assert_allclose(sums["share"], 1.0, rtol=1e-12)
    np.testing.assert_allclose(sums["deliveries"], p["deliveries"], rtol=1e-12)
    np.testing.assert_allclose(sums["revenue"], p["revenue"], rtol=1e-12)
    np.testing.assert_allclose(sums["variable_cost"], p["cogs_variable"], rtol=1e-9)
    np.testing.assert_allclose(p["revenue"], mixed.columns["revenue"], rtol=1e-12)


BATTERY = {
    "price": {},
    "trims": {
        "std": {"price_usd": 30_000, "battery_kwh": 60},
        "long": {"price_usd": 36_000, "battery_kwh": 80},
    },
    "mix": {
        "shares": {"std": 0.75, "long": 0.25},
        "changes": {"2024-03": {"std": 0.25, "long": 0.75}},
    },
    # USD 100 a kWh, flat (progress ratio 1): a car costs 100 x its kWh
    "costs.components.battery": {
        "kind": "wright",
        "experience": "battery_kwh",
        "first_unit_usd": 100,
        "progress_ratio": 1.0,
    },
}


def test_a_battery_priced_per_kwh_costs_the_price_times_the_mix_kwh(tiny_scenario_dict):
    r = run(tiny_scenario_dict, {"launch.preorders": BURST, "horizon_months": 3, **BATTERY})
    c = r.columns
    # Jan-Feb: 0.75 x 60 + 0.25 x 80 = 65 kWh -> USD 6 500 a car; Mar: 0.25 x 60 + 0.75 x 80 = 75
    np.testing.assert_allclose(c["cogs_battery"], CARS[:3] * [6_500, 6_500, 7_500], rtol=1e-9)
    np.testing.assert_allclose(c["unit_cogs"], [26_500, 26_500, 27_500], rtol=1e-9)
    # per trim: 20 000 + 100 x its kWh
    t = r.trims_monthly
    for trim, unit in (("std", 26_000), ("long", 28_000)):
        np.testing.assert_allclose(t[t["trim"] == trim]["unit_variable_cost"], unit, rtol=1e-9)


def test_a_battery_priced_per_kwh_without_trims_uses_the_product_pack(tiny_scenario_dict):
    changes = {
        "launch.preorders": BURST,
        "horizon_months": 2,
        "battery_kwh": 75,
        "costs.components.battery": BATTERY["costs.components.battery"],
    }
    c = run(tiny_scenario_dict, changes).columns
    np.testing.assert_allclose(c["cogs_battery"], CARS[:2] * 7_500, rtol=1e-9)


def test_with_an_orders_basis_deliveries_carry_the_mix_of_their_order_month(tiny_scenario_dict):
    # every order is placed in January (mix 0.8 / 0.2); the mix changes in February, but the
    # cars delivered in Feb-Apr still fill January's orders: asp 0.8 x 30 000 + 0.2 x 40 000
    changes = {
        "launch.preorders": 10_000,
        "horizon_months": 4,
        "price": {},
        "trims": {"std": {"price_usd": 30_000}, "max": {"price_usd": 40_000}},
        "mix": {
            "basis": "orders",
            "shares": {"std": 0.8, "max": 0.2},
            "changes": {"2024-02": {"std": 0.2, "max": 0.8}},
        },
    }
    c = run(tiny_scenario_dict, changes).columns
    np.testing.assert_allclose(c["deliveries"], [3100, 2900, 3100, 900])
    np.testing.assert_allclose(c["asp"], [32_000] * 4, rtol=1e-12)


def test_a_price_cut_moves_orders_by_the_elasticity(tiny_scenario_dict):
    # 10 % cut from March with elasticity -1.5: orders x 0.9^-1.5 = 1.171214 (to 1e-6)
    changes = {
        "demand.orders_per_month": 1_000,
        "horizon_months": 4,
        "price": {"asp_usd": {"base": 30_000, "changes": {"2024-03": 27_000}}, "elasticity": -1.5},
    }
    c = run(tiny_scenario_dict, changes).columns
    np.testing.assert_allclose(c["orders"], [1_000, 1_000, 1171.214, 1171.214], rtol=1e-6)


# --------------------------------------------------------------------------- deposits
# 10 000 launch orders with a USD 700 deposit wait for a line starting 16 April (day 106);
# grace 2 weeks, then 5 % a month cancel: daily hazard h = 1 - 0.95^(12 / 365.25). After t days
# B (1 - h)^(t - 14) are left: month ends t = 31, 60, 91.
B, DEPOSIT = 10_000, 700
H = 1 - 0.95 ** (12 / 365.25)
LEFT = np.array([B * (1 - H) ** (t - 14) for t in (31, 60, 91)])
CANCELLED = -np.diff(np.concatenate(([B], LEFT)))
WAITING = {
    "launch.preorders": B,
    "launch.deposit_usd": DEPOSIT,
    "patience": {"grace_weeks": 2, "monthly_cancel_rate": 0.05},
    "factory.lines.l1.start": "2024-04-16",
    "horizon_months": 5,
}


@pytest.fixture(scope="module")
def deposits(tiny_scenario_dict):
    return {
        refundable: run(tiny_scenario_dict, {**WAITING, "launch.deposit_refundable": refundable})
        for refundable in (False, True)
    }


def test_cancellations_of_the_waiting_orders_in_closed_form(deposits):
    for r in deposits.values():
        np.testing.assert_allclose(r.columns["cancellations"][:3], CANCELLED, rtol=1e-9)


def test_refundable_deposits_are_paid_back_not_kept(deposits):
    c = deposits[True].columns
    np.testing.assert_allclose(c["deposit_refunds"], DEPOSIT * c["cancellations"], rtol=1e-12)
    np.testing.assert_allclose(c["deposit_refunds"][:3], DEPOSIT * CANCELLED, rtol=1e-9)
    assert not c["deposit_breakage"].any()
    assert not c["other_income"].any()
    # nothing delivered before 16 April: no revenue, no cost, so no operating result at all
    np.testing.assert_allclose(c["operating_profit"][:3], 0.0, atol=1e-6)
    # cash holds the deposits of the orders still waiting: 700 x B (1 - h)^(t - 14)
    np.testing.assert_allclose(c["cumulative_cash"][:3], DEPOSIT * LEFT, rtol=1e-9)
    np.testing.assert_allclose(c["deposit_liability"][:3], DEPOSIT * LEFT, rtol=1e-9)


def test_forfeited_deposits_are_breakage_without_a_refunds_column(deposits):
    c = deposits[False].columns
    assert "deposit_refunds" not in c
    np.testing.assert_allclose(c["deposit_breakage"], DEPOSIT * c["cancellations"], rtol=1e-12)
    np.testing.assert_allclose(c["deposit_breakage"][:3], DEPOSIT * CANCELLED, rtol=1e-9)
    np.testing.assert_allclose(c["other_income"], c["deposit_breakage"], rtol=1e-12)
    # every deposit taken stays in cash: 700 x 10 000 through March
    np.testing.assert_allclose(c["cumulative_cash"][:3], DEPOSIT * B, rtol=1e-12)


def test_cash_differs_by_exactly_the_forfeited_deposits(deposits):
    kept, refunded = deposits[False].columns, deposits[True].columns
    np.testing.assert_allclose(kept["cancellations"], refunded["cancellations"], rtol=1e-12)
    forfeited = DEPOSIT * np.cumsum(kept["cancellations"])
    np.testing.assert_allclose(
        kept["cumulative_cash"] - refunded["cumulative_cash"], forfeited, rtol=1e-9, atol=1e-3
    )
    # through March, in closed form: 700 x (B - B (1 - h)^77)
    assert forfeited[2] == pytest.approx(DEPOSIT * (B - LEFT[2]), rel=1e-9)
    np.testing.assert_allclose(
        kept["operating_profit"] - refunded["operating_profit"],
        DEPOSIT * kept["cancellations"],
        rtol=1e-9,
        atol=1e-3,
    )


# --------------------------------------------------------------------------- allocation
def policy(name: str, order=(), shares=()) -> LineupInputs:
    """Inputs of :func:`split`: only the policy's own fields matter."""
    return LineupInputs(
        n_days=1,
        month_start_day=[0, 1],
        products=[],
        pools=[],
        supply=[1.0],
        yield_mature=1.0,
        yield_gap=0.0,
        yield_halving_units=1.0,
        experience=0.0,
        policy=name,
        priority=list(order),
        shares=list(shares),
        stochastic=False,
    )


def as_dict(pairs) -> dict[int, float]:
    out: dict[int, float] = {}
    for i, cap in pairs:
        out[i] = out.get(i, 0.0) + cap
    return out


def test_priority_serves_each_in_order_until_the_capacity_is_gone():
    # order 2, 0, 1: product 2 takes its 50, product 0 its 30, product 1 the 20 left
    inp = policy("priority", order=[2, 0, 1])
    got = as_dict(split("priority", 100.0, [30.0, 200.0, 50.0], [0, 1, 2], inp))
    assert got == pytest.approx({2: 50.0, 0: 30.0, 1: 20.0})
    # not enough for the first: it takes everything
    got = as_dict(split("priority", 40.0, [30.0, 200.0, 50.0], [0, 1, 2], inp))
    assert got == pytest.approx({2: 40.0})


def test_backlog_splits_in_proportion_to_what_each_wants():
    inp = policy("backlog")
    # wants 100 and 300 against 100: 100 x 1/4 and 100 x 3/4
    got = as_dict(split("backlog", 100.0, [100.0, 300.0], [0, 1], inp))
    assert got == pytest.approx({0: 25.0, 1: 75.0})
    # wanting less than there is: each gets what it wants
    got = as_dict(split("backlog", 100.0, [10.0, 30.0], [0, 1], inp))
    assert got == pytest.approx({0: 10.0, 1: 30.0})


def test_shares_give_what_one_does_not_want_to_the_others_by_their_shares():
    inp = policy("shares", shares=[0.5, 0.3, 0.2])
    # 100 offered 50 / 30 / 20; product 0 wants only 10, so the other 90 go 3 : 2 -> 54 / 36
    got = as_dict(split("shares", 100.0, [10.0, 1_000.0, 1_000.0], [0, 1, 2], inp))
    assert got == pytest.approx({0: 10.0, 1: 54.0, 2: 36.0})
    # all wanting plenty: the shares themselves
    got = as_dict(split("shares", 100.0, [1e6, 1e6, 1e6], [0, 1, 2], inp))
    assert got == pytest.approx({0: 50.0, 1: 30.0, 2: 20.0})
    # among the eligible (launched) products the shares are renormalised: 0.3 : 0.2 -> 60 / 40
    got = as_dict(split("shares", 100.0, [1e6, 1e6, 1e6], [1, 2], inp))
    assert got == pytest.approx({1: 60.0, 2: 40.0})


def test_a_product_wanting_nothing_gets_nothing_and_a_lone_product_gets_all():
    for name in ("priority", "backlog", "shares"):
        inp = policy(name, order=[0, 1], shares=[0.5, 0.5])
        assert as_dict(split(name, 100.0, [0.0, 500.0], [0, 1], inp)) == pytest.approx({1: 100.0})
        assert as_dict(split(name, 100.0, [0.0, 500.0], [1], inp)) == pytest.approx({1: 100.0})


SUV = {
    "launch": {"preorders": 5_000},
    # 30 orders a day: a table of days x 30
    "demand": {"kind": "table", "orders_per_month": [31 * 30, 29 * 30, 31 * 30]},
    "price": {"asp_usd": 50_000},
    "costs": {"components": {"parts": {"kind": "annual_decline", "start_usd": 35_000}}},
}


def two_products(tiny_scenario_dict, allocation, suv=None, **changes):
    return run(
        tiny_scenario_dict,
        {
            "launch.preorders": BURST,
            "horizon_months": 3,
            "products": {"suv": suv or SUV},
            "factory.allocation": allocation,
            **changes,
        },
    )


def own(r, product: str, column: str) -> np.ndarray:
    return np.asarray(r.books.products[product][column])


def test_priority_product_gets_all_it_wants_and_the_line_stays_full(tiny_scenario_dict):
    r = two_products(tiny_scenario_dict, {"policy": "priority", "order": ["suv", "car"]})
    # the SUV takes all 100 a day until its backlog clears: it has 5000 + 30 (d + 1) orders by
    # the end of day d and 100 (d + 1) cars, so on days 0-70 it takes 100; on day 71 it wants
    # 5000 + 72 x 30 - 7100 = 60; from day 72 on its day's 30. The car takes the rest.
    # SUV: Jan 3100, Feb 2900, Mar 11 x 100 (days 60-70) + 60 + 19 x 30 (days 72-90) = 1730
    np.testing.assert_allclose(own(r, "suv", "production"), [3100, 2900, 1730], rtol=1e-12)
    np.testing.assert_allclose(own(r, "car", "production"), [0, 0, 3100 - 1730], atol=1e-9)
    np.testing.assert_allclose(r.columns["production"], CARS[:3], rtol=1e-12)
    np.testing.assert_allclose(own(r, "suv", "backlog"), [5930 - 3100, 800, 0], atol=1e-9)


def test_fixed_shares_with_both_backlogs_ample(tiny_scenario_dict):
    r = two_products(
        tiny_scenario_dict,
        {"policy": "shares", "shares": {"car": 0.7, "suv": 0.3}},
        suv={**SUV, "launch": {"preorders": BURST}},
        **{"factory.lines.l1.fixed_cost_per_month_usd": 1e6},
    )
    np.testing.assert_allclose(own(r, "car", "production"), 70 * np.array([31, 29, 31]))
    np.testing.assert_allclose(own(r, "suv", "production"), 30 * np.array([31, 29, 31]))
    np.testing.assert_allclose(r.columns["production"], CARS[:3], rtol=1e-12)
    # the line's fixed cost goes with its output: 70 % / 30 %
    np.testing.assert_allclose(own(r, "car", "cogs_fixed"), [0.7e6] * 3, rtol=1e-12)
    np.testing.assert_allclose(own(r, "suv", "cogs_fixed"), [0.3e6] * 3, rtol=1e-12)


def test_fixed_shares_give_what_one_product_leaves_to_the_other(tiny_scenario_dict):
    # half each, but the SUV has no launch orders and wants only its 30 a day: the car gets 70
    suv = {**SUV, "launch": {"preorders": 0}}
    r = two_products(
        tiny_scenario_dict, {"policy": "shares", "shares": {"car": 0.5, "suv": 0.5}}, suv
    )
    np.testing.assert_allclose(own(r, "suv", "production"), 30 * np.array([31, 29, 31]))
    np.testing.assert_allclose(own(r, "car", "production"), 70 * np.array([31, 29, 31]))


def test_backlog_policy_splits_in_proportion_to_the_backlogs(tiny_scenario_dict):
    # launch orders only: the car 200 000, the SUV 100 000. Split 2 : 1 every day, both backlogs
    # shrink by the same factor, so the split stays 2 : 1 all along: 2/3 and 1/3 of 100 a day
    suv = {
        **SUV,
        "launch": {"preorders": 100_000},
        "demand": {"kind": "constant", "orders_per_month": 0},
    }
    r = two_products(
        tiny_scenario_dict, {"policy": "backlog"}, suv, **{"launch.preorders": 200_000}
    )
    np.testing.assert_allclose(own(r, "car", "production"), CARS[:3] * 2 / 3, rtol=1e-9)
    np.testing.assert_allclose(own(r, "suv", "production"), CARS[:3] / 3, rtol=1e-9)
    np.testing.assert_allclose(r.columns["production"], CARS[:3], rtol=1e-12)


def test_a_dedicated_line_is_used_before_the_shared_one(tiny_scenario_dict):
    # car: 150 orders a day and no launch orders; its own line A (100 a day) and a line B
    # (100 a day) shared with the SUV, priority car first. Dedicated first: the car takes A's
    # 100 and 50 of B, the SUV the other 50 of B. (Shared first, the car would take all of B.)
    line_b = {
        "start": "2024-01",
        "capacity_per_year": 365.25 * 100,
        "working_days_per_week": 7,
        "ramp": {"kind": "step", "months": 0, "initial_share": 1.0, "peak_share": 1.0},
        "products": ["car", "suv"],
    }
    suv = {**SUV, "launch": {"preorders": BURST}}
    r = two_products(
        tiny_scenario_dict,
        {"policy": "priority", "order": ["car", "suv"]},
        suv,
        **{
            "launch.preorders": 0,
            "demand": {"kind": "table", "orders_per_month": [31 * 150, 29 * 150, 31 * 150]},
            "factory.lines.l1.products": ["car"],
            "factory.lines.l2": line_b,
        },
    )
    days = np.array([31, 29, 31])
    np.testing.assert_allclose(own(r, "car", "production"), 150 * days, rtol=1e-12)
    np.testing.assert_allclose(own(r, "suv", "production"), 50 * days, rtol=1e-12)


# --------------------------------------------------------------------------- shared learning
LABOUR_PLANT = {
    "kind": "wright",
    "experience": "plant",
    "first_unit_usd": 10_000,
    "progress_ratio": 0.8,
}


def test_plant_learning_costs_the_plant_curve_split_by_each_day_s_cars(tiny_scenario_dict):
    # two products built 50 / 50 every day (100 a day): together they pay the curve of the
    # plant's cars, C(N_end) - C(N_start), and each half of it
    suv = {
        **SUV,
        "launch": {"preorders": BURST},
        "costs": {
            "components": {"parts": SUV["costs"]["components"]["parts"], "labour": LABOUR_PLANT}
        },
    }
    r = two_products(
        tiny_scenario_dict,
        {"policy": "shares", "shares": {"car": 0.5, "suv": 0.5}},
        suv,
        **{"costs.components.labour": LABOUR_PLANT},
    )
    curve = WrightCost(**LABOUR_PLANT)
    built = np.concatenate(([0.0], np.cumsum(CARS[:3])))
    expected = np.diff(total_cost(built, curve))
    np.testing.assert_allclose(r.columns["cogs_labour"], expected, rtol=1e-9)
    car_labour = own(r, "car", "cogs_variable") - 20_000 * own(r, "car", "deliveries")
    suv_labour = own(r, "suv", "cogs_variable") - 35_000 * own(r, "suv", "deliveries")
    np.testing.assert_allclose(car_labour, expected / 2, rtol=1e-9)
    np.testing.assert_allclose(suv_labour, expected / 2, rtol=1e-9)


def test_a_per_kwh_battery_shared_by_two_products_costs_each_its_own_pack(tiny_scenario_dict):
    battery = BATTERY["costs.components.battery"]
    suv = {
        **SUV,
        "launch": {"preorders": BURST},
        "battery_kwh": 100,
        "costs": {"components": {"parts": SUV["costs"]["components"]["parts"], "battery": battery}},
    }
    r = two_products(
        tiny_scenario_dict,
        {"policy": "shares", "shares": {"car": 0.5, "suv": 0.5}},
        suv,
        **{"battery_kwh": 60, "costs.components.battery": battery},
    )
    # flat USD 100 a kWh: the car (60 kWh) 6 000 a car, the SUV (100 kWh) 10 000 a car
    car_batt = own(r, "car", "cogs_variable") - 20_000 * own(r, "car", "deliveries")
    suv_batt = own(r, "suv", "cogs_variable") - 35_000 * own(r, "suv", "deliveries")
    np.testing.assert_allclose(car_batt, 6_000 * 50 * np.array([31, 29, 31]), rtol=1e-9)
    np.testing.assert_allclose(suv_batt, 10_000 * 50 * np.array([31, 29, 31]), rtol=1e-9)


# --------------------------------------------------------------------------- cost rates
def test_cost_rates_of_a_per_kwh_curve_count_kwh_and_price_the_car(tiny_scenario_dict):
    # 60 kWh a car, USD 100 for the first kWh, 0.8 per doubling of the kWh built, no floor:
    # the first car is at 60 kWh, the last (9 100 cars in Jan-Mar) at 546 000 kWh; each costs
    # its kWh times the curve there, and the rate per doubling is the curve's own, -20 %
    battery = {"kind": "wright", "experience": "battery_kwh", "first_unit_usd": 100,
               "progress_ratio": 0.8}  # fmt: skip
    changes = {"launch.preorders": BURST, "horizon_months": 3, "battery_kwh": 60,
               "costs.components.battery": battery}  # fmt: skip
    rates = run(tiny_scenario_dict, changes).summary["cost_rates"]["battery"]
    b = np.log2(0.8)
    assert rates["unit_cost_first_usd"] == pytest.approx(60 * 100 * 60.0**b, rel=1e-12)
    assert rates["unit_cost_last_usd"] == pytest.approx(60 * 100 * 546_000.0**b, rel=1e-12)
    assert rates["per_doubling"] == pytest.approx(-0.2, rel=1e-12)


def test_cost_rates_of_a_later_product_start_at_its_launch_on_the_plant_curve(
    tiny_scenario_dict,
):
    # plant learning (USD 10 000 for the first car, 0.8 per doubling): the car builds 100 a day
    # alone in January (3 100 cars), then the SUV launches on 1 Feb (day 31) and both share the
    # line; the SUV's first car is the plant's 3 101st, its last the plant's 9 100th (the
    # run's), 60 days later
    suv = {
        **SUV,
        "launch": {"preorders": BURST, "date": "2024-02-01"},
        "costs": {
            "components": {"parts": SUV["costs"]["components"]["parts"], "labour": LABOUR_PLANT}
        },
    }
    r = two_products(
        tiny_scenario_dict,
        {"policy": "shares", "shares": {"car": 0.5, "suv": 0.5}},
        suv,
        **{"costs.components.labour": LABOUR_PLANT},
    )
    np.testing.assert_allclose(r.columns["production"], CARS[:3])
    b = np.log2(0.8)
    first, last = 10_000 * 3_101.0**b, 10_000 * 9_100.0**b
    rates = r.summary["products"]["suv"]["cost_rates"]["labour"]
    assert rates["unit_cost_first_usd"] == pytest.approx(first, rel=1e-12)
    assert rates["unit_cost_last_usd"] == pytest.approx(last, rel=1e-12)
    assert rates["per_doubling"] == pytest.approx(-0.2, rel=1e-12)
    assert rates["per_year"] == pytest.approx((last / first) ** (365.25 / 60) - 1, rel=1e-12)
    # the car's first car is the plant's first; the top-level rates are the first product's
    car = r.summary["products"]["car"]["cost_rates"]["labour"]
    assert car["unit_cost_first_usd"] == pytest.approx(10_000, rel=1e-12)
    assert r.summary["cost_rates"] == r.summary["products"]["car"]["cost_rates"]


def test_cost_rates_include_the_steps_in_force(tiny_scenario_dict):
    # a flat USD 20 000 part with a USD 1 500 tariff from March: the first car (January) costs
    # 20 000, the last (March) 21 500
    parts = {"kind": "annual_decline", "start_usd": 20_000, "decline_per_year": 0,
             "steps": {"2024-03": 1_500}}  # fmt: skip
    changes = {"launch.preorders": BURST, "horizon_months": 3, "costs.components.parts": parts}
    rates = run(tiny_scenario_dict, changes).summary["cost_rates"]["parts"]
    assert rates["unit_cost_first_usd"] == pytest.approx(20_000)
    assert rates["unit_cost_last_usd"] == pytest.approx(21_500)


# --------------------------------------------------------------------------- company
def test_income_tax_carries_losses_forward_by_hand():
    # losses of 10 first; 4 and 3 use 7 of them; of 5, 3 are used and 2 taxed (1 at 50 %);
    # a loss of 2, then 6 of which 2 are used: 4 taxed -> 2
    pretax = np.array([-10.0, 4.0, 3.0, 5.0, -2.0, 6.0])
    np.testing.assert_allclose(income_tax(pretax, 0.5), [0, 0, 0, 1, 0, 2])
    np.testing.assert_allclose(income_tax(np.array([5.0, -1.0, 3.0]), 0.25), [1.25, 0, 0.5])
    np.testing.assert_allclose(income_tax(pretax, 0.0), 0.0)
    assert not income_tax(np.array([-1.0, -2.0]), 0.3).any()


COMPANY = {
    "other_gross_profit_per_month_usd": {"base": 5e6, "changes": {"2024-03": 100e6}},
    "shared_opex_per_month_usd": {"base": 100e6, "changes": {"2024-03": 10e6}},
    "ev_share_of_shared_opex": 0.2,
    "interest_per_month_usd": 1e6,
    "tax_rate": 0.25,
}


def test_company_roll_up_by_hand(tiny_scenario_dict):
    r = run(
        tiny_scenario_dict, {"launch.preorders": BURST, "horizon_months": 5, "company": COMPANY}
    )
    c = r.columns
    # car business: gross 10 000 x cars; it carries 20 % of the shared opex (20 M, then 2 M)
    gross = 10_000 * CARS
    np.testing.assert_allclose(c["gross_profit"], gross, rtol=1e-12)
    np.testing.assert_allclose(c["opex_shared"], [20e6, 20e6, 2e6, 2e6, 2e6])
    ev = gross - [20e6, 20e6, 2e6, 2e6, 2e6]  # 11, 9, 29, 28, 29 M
    np.testing.assert_allclose(c["operating_profit"], ev, rtol=1e-12)
    # company: + other segments (5, 5, 100, 100, 100 M) - the other 80 % of shared opex (80 M,
    # then 8 M): -64, -66, 121, 120, 121 M; less 1 M interest: -65, -67, 120, 119, 120 M
    np.testing.assert_allclose(c["company_shared_opex"], [80e6, 80e6, 8e6, 8e6, 8e6])
    np.testing.assert_allclose(c["company_operating_profit"], [-64e6, -66e6, 121e6, 120e6, 121e6])
    np.testing.assert_allclose(c["company_interest"], 1e6)
    np.testing.assert_allclose(c["company_pretax_profit"], [-65e6, -67e6, 120e6, 119e6, 120e6])
    # tax: 132 M of losses; March's 120 M uses 120 (12 left); April's 119 M uses 12, 107 M at
    # 25 % = 26.75 M; May 120 M x 25 % = 30 M
    np.testing.assert_allclose(c["company_tax"], [0, 0, 0, 26.75e6, 30e6])
    np.testing.assert_allclose(
        c["company_net_income"], [-65e6, -67e6, 120e6, 119e6 - 26.75e6, 90e6]
    )
    totals = r.summary["company"]["totals"]
    assert totals["company_tax"] == pytest.approx(56.75e6)
    assert totals["operating_profit"] == pytest.approx(sum(ev))


# --------------------------------------------------------------------------- reservations
def test_reservations_spread_evenly_and_nothing_is_delivered_before_launch(tiny_scenario_dict):
    # 6000 launch orders taken 1 Jan - 29 Feb (60 days): 100 a day -> 3100 in Jan, 2900 in Feb;
    # launch 1 March (day 60): the car built on day 60 + k fills the order of day k, so every
    # car has waited exactly 60 days
    changes = {
        "launch.preorders": 6_000,
        "launch.date": "2024-03-01",
        "launch.reservations_from": "2024-01-01",
        "horizon_months": 5,
    }
    r = run(tiny_scenario_dict, changes)
    c = r.columns
    np.testing.assert_allclose(c["orders"], [6_000 * 31 / 60, 6_000 * 29 / 60, 0, 0, 0])
    np.testing.assert_allclose(c["production"], [0, 0, 3100, 2900, 0], atol=1e-9)
    np.testing.assert_allclose(c["deliveries"], [0, 0, 3100, 2900, 0], atol=1e-9)
    assert not r.operations.production[:60].any()
    np.testing.assert_allclose(c["avg_wait_days"][2:4], [60, 60])
    np.testing.assert_allclose(c["p90_wait_days"][2:4], [60, 60])


def test_reservations_mid_month_by_hand(tiny_scenario_dict):
    # 6000 orders over the 30 days 16 Jan - 14 Feb: 200 a day -> Jan 16 days = 3200, Feb 2800;
    # launch 15 Feb (day 45): 100 cars a day, so the car of day 45 + k fills an order of day
    # 15 + k // 2 and waits 30 + k - k // 2 days; Feb has k = 0..14:
    # 30, 31, 31, 32, 32, ..., 37, 37 -> mean (30 + 2 x (31 + ... + 37)) / 15 = 506 / 15
    changes = {
        "launch.preorders": 6_000,
        "launch.date": "2024-02-15",
        "launch.reservations_from": "2024-01-16",
        "horizon_months": 3,
    }
    c = run(tiny_scenario_dict, changes).columns
    np.testing.assert_allclose(c["orders"], [3200, 2800, 0])
    np.testing.assert_allclose(c["deliveries"], [0, 1500, 3100])
    assert c["avg_wait_days"][1] == pytest.approx(506 / 15)


def test_reservations_before_the_run_arrive_aged_on_day_0(tiny_scenario_dict):
    # 6200 orders over the 62 days 1 Dec 2023 - 31 Jan 2024 (100 a day), launch 1 Feb (day 31):
    # the pre-start half arrives on day 0, so January has all 6200. The car of day 31 + k fills
    # the order of day -31 + k: every car has waited 62 days.
    changes = {
        "launch.preorders": 6_200,
        "launch.date": "2024-02-01",
        "launch.reservations_from": "2023-12-01",
        "horizon_months": 4,
    }
    c = run(tiny_scenario_dict, changes).columns
    np.testing.assert_allclose(c["orders"], [6200, 0, 0, 0])
    np.testing.assert_allclose(c["deliveries"], [0, 2900, 3100, 200], atol=1e-9)
    np.testing.assert_allclose(c["avg_wait_days"][1:], [62, 62, 62])
    np.testing.assert_allclose(c["p90_wait_days"][1:], [62, 62, 62])


def test_reservations_before_a_launch_on_the_run_s_first_day_are_not_lost(tiny_scenario_dict):
    # launch.date left out (the run's start); 3100 orders taken over the 31 days of December
    # 2023 (100 a day) arrive on day 0, aged. The plant builds them in January at 100 a day:
    # the car of day k fills the order of day -31 + k, so each waited 31 days.
    for date in ({}, {"launch.date": "2024-01-01"}):
        changes = {
            "launch.preorders": 3_100,
            "launch.reservations_from": "2023-12-01",
            "horizon_months": 2,
            **date,
        }
        c = run(tiny_scenario_dict, changes).columns
        np.testing.assert_allclose(c["orders"], [3100, 0], err_msg=str(date))
        np.testing.assert_allclose(c["deliveries"], [3100, 0], err_msg=str(date))
        np.testing.assert_allclose(c["avg_wait_days"][0], 31, err_msg=str(date))


def test_p90_wait_of_reservations_older_than_the_run(tiny_scenario_dict):
    # 36 500 orders over the 365 days 2 Jan 2023 - 1 Jan 2024 (100 a day, order days -364..0),
    # launch 2 Jan 2024 (day 1) on a 1000-a-day line: the cars of day 1 + j fill the orders of
    # days -364 + 10 j + i (i = 0..9), which waited 365 - 9 j - i days.
    # Jan (j = 0..29, 30 000 cars): mean 365 - 9 x 14.5 - 4.5 = 230; P90 = the smallest w with
    # 27 000 cars waiting <= w: waits above 338 are j = 0, 1 and 339..347 of j = 2: 2900 cars,
    # so 27 100 wait <= 338 and 26 900 <= 337 -> 338.
    # Feb (j = 30..35 whole, j = 36 for its first 500): mean (6000 x 68 + 500 x 39) / 6500;
    # waits above 89 are 90..95 of j = 30 (600 cars): 5900 <= 89, 5800 <= 88 -> P90 = 89.
    changes = {
        "launch.preorders": 36_500,
        "launch.date": "2024-01-02",
        "launch.reservations_from": "2023-01-02",
        "factory.lines.l1.capacity_per_year": 365.25 * 1_000,
        "horizon_months": 2,
    }
    c = run(tiny_scenario_dict, changes).columns
    np.testing.assert_allclose(c["deliveries"], [30_000, 6_500])
    np.testing.assert_allclose(c["avg_wait_days"], [230, (6000 * 68 + 500 * 39) / 6500])
    np.testing.assert_allclose(c["p90_wait_days"], [338, 89])


def test_a_product_launching_later_builds_nothing_before_its_launch(tiny_scenario_dict):
    # the SUV launches 1 Feb on the shared line (priority SUV): January is all the car's
    suv = {**SUV, "launch": {"preorders": BURST, "date": "2024-02-01"}}
    r = two_products(tiny_scenario_dict, {"policy": "priority", "order": ["suv", "car"]}, suv)
    np.testing.assert_allclose(own(r, "suv", "production"), [0, 2900, 3100])
    np.testing.assert_allclose(own(r, "car", "production"), [3100, 0, 0])
    np.testing.assert_allclose(own(r, "suv", "orders")[0], 0)
    assert r.products["suv"]["first_delivery"] == "2024-02"
    assert r.products["car"]["first_delivery"] == "2024-01"


def test_a_product_launched_after_the_horizon_leaves_the_totals_unchanged(tiny_scenario_dict):
    # the line starts 10 March: no car is delivered in Jan-Feb. The one-product table gives the
    # list price (30 000) as asp in every month; a second product that never launches must not
    # change any column of the totals, asp included.
    base = {
        "launch.preorders": 5_000,
        "launch.deposit_usd": 500,
        "demand.orders_per_month": 1_000,
        "factory.lines.l1.start": "2024-03-10",
    }
    later = {**SUV, "launch": {"preorders": 1_000, "date": "2030-01"}}
    one = run(tiny_scenario_dict, base).monthly
    two = run(tiny_scenario_dict, {**base, "products": {"suv": later}}).monthly
    np.testing.assert_allclose(one["asp"], 30_000)
    pd.testing.assert_frame_equal(one, two, check_exact=True)
