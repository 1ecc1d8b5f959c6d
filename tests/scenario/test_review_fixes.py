"""Edge cases found in review, each with its answer by hand."""

from __future__ import annotations

import pytest

from sim.config.load import apply_overrides, load_scenario, merge, scenario_from_dict
from sim.core.demand import bass_next
from sim.errors import ConfigError


def test_no_order_cancels_on_its_arrival_day_even_with_no_grace(tiny_run):
    # 3,000 orders a month, a plant that can make 100 a day and keeps 1,000 cars in stock:
    # every order gets a car on its arrival day, so nothing waits and nothing can cancel,
    # however impatient (50 % a month from day 0).
    r = tiny_run(
        {
            "demand.orders_per_month": 3000,
            "patience": {"grace_weeks": 0, "monthly_cancel_rate": 0.5},
            "factory.finished_goods_target": 1000,
        }
    )
    assert r.columns["cancellations"].sum() == 0
    assert (r.columns["waiting"] == 0).all()


def test_waiting_orders_still_cancel_from_their_second_day(tiny_run):
    # 1,000 launch orders and no plant for the whole horizon (the line starts later): with no
    # grace, the orders face the hazard from day 1 on, so after the first month
    # 1000 * (1 - h)^30 survive, h = 1 - 0.5^(12 / 365.25).
    r = tiny_run(
        {
            "launch.preorders": 1000,
            "patience": {"grace_weeks": 0, "monthly_cancel_rate": 0.5},
            "factory.lines.l1.start": "2030-01",
        }
    )
    h = 1 - 0.5 ** (12 / 365.25)
    assert r.columns["waiting"][0] == pytest.approx(1000 * (1 - h) ** 30, rel=1e-9)


def test_bass_never_takes_more_than_the_remaining_market():
    # p + q N / M = 0.01 + 3 * 0.5 = 1.51 > 1: the uncapped step would order 1.51 * 50 = 75.5
    assert bass_next(0.01, 3.0, 100.0, 50.0) == 50.0
    assert bass_next(0.01, 0.3, 100.0, 50.0) == pytest.approx((0.01 + 0.15) * 50)


def test_extends_child_can_remove_an_inherited_entry():
    parent = {"factory": {"disruptions": {"strike": {"days": 3}, "flood": {"days": 9}}}}
    child = {"factory": {"disruptions": {"strike": None}}}
    assert merge(parent, child) == {"factory": {"disruptions": {"flood": {"days": 9}}}}


def test_a_new_kind_replaces_its_map_whatever_the_order_of_the_overrides(tiny_scenario_dict):
    data = tiny_scenario_dict(
        {"demand": {"kind": "bass", "p": 0.01, "q": 0.1, "market_size": 1000}}
    )
    new = apply_overrides(data, {"demand.orders_per_month": 7, "demand.kind": "constant"})
    assert new["demand"] == {"kind": "constant", "orders_per_month": 7}
    assert scenario_from_dict(new).demand.orders_per_month == 7


def test_a_kind_changed_without_its_fields_is_blamed_on_the_override():
    with pytest.raises(ConfigError) as err:
        load_scenario(None, {"demand.kind": "constant"}, override_source="--set")
    assert err.value.source.startswith("--set")
    assert err.value.field == "demand.orders_per_month"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("factory.lines.phase1.ramp.steepness", 1e-17),
        ("patience.grace_weeks", 1e308),
        ("launch.preorders", 1e20),
    ],
)
def test_values_that_used_to_crash_or_mislead_are_refused(path, value):
    with pytest.raises(ConfigError) as err:
        load_scenario(None, {path: value})
    assert err.value.field == path


def test_a_calendar_past_the_year_9999_is_refused():
    with pytest.raises(ConfigError, match="9999"):
        load_scenario(None, {"start": "9990-01", "horizon_months": 600})
