"""Schedules are easy to write (issue 11 item 5): a plain number is a constant, a dated change
can be added by an override, and no message shows a Python object."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import yaml

from sim.config.load import apply_overrides, load_scenario, scenario_from_dict
from sim.config.schema import PriceSchedule, Schedule
from sim.core.books import schedule_by_month
from sim.core.calendar import Calendar
from sim.errors import ConfigError

INTERNAL = ("Schedule", "datetime", "dictionary", "instance of", "Input should", "date(")


def problem(data) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        scenario_from_dict(data, source="s.yaml")
    for internal in INTERNAL:
        assert internal not in str(info.value)
    return info.value


@pytest.mark.parametrize("number", [52_000, 52_000.5, 0])
def test_a_plain_number_is_a_constant_schedule(tiny_scenario_dict, number):
    plain = scenario_from_dict(tiny_scenario_dict({"price.asp_usd": number}))
    mapped = scenario_from_dict(tiny_scenario_dict({"price.asp_usd": {"base": number}}))
    assert plain.price == mapped.price
    assert plain.price.asp_usd == PriceSchedule(base=number)
    opex = scenario_from_dict(tiny_scenario_dict({"opex.sga_per_month_usd": number}))
    assert opex.opex.sga_per_month_usd == Schedule(base=number, changes={})


@pytest.mark.parametrize(
    ("value", "field", "shown"),
    [
        ("abc", "price.asp_usd", "expected a number (the same every month) or a mapping"),
        (True, "price.asp_usd", "(got true)"),
        ([1, 2], "price.asp_usd", "(got a list)"),
        (None, "price.asp_usd", "required field is missing (or give trims"),  # null: none
        (-5, "price.asp_usd.base", "greater than or equal to 0 (got -5)"),
        (1e300, "price.asp_usd.base", "less than or equal to 10000000"),
    ],
)
def test_a_value_that_is_no_schedule_says_what_is_expected(tiny_scenario_dict, value, field, shown):
    err = problem(tiny_scenario_dict({"price.asp_usd": value}))
    assert err.field == field
    assert shown in err.message


@pytest.mark.parametrize(
    ("changes", "field", "shown"),
    [
        # a YAML date key is named as an ISO date, never as datetime.date(...)
        ({dt.date(2024, 3, 1): -3}, "price.asp_usd.changes.2024-03-01", "(got -3)"),
        ({"2024-03": "x"}, "price.asp_usd.changes.2024-03", "expected a number (got 'x')"),
        ({"2024-13": 1}, "price.asp_usd.changes", "not a calendar date: 2024-13"),
        ({"2024-02-30": 1}, "price.asp_usd.changes", "not a calendar date: 2024-02-30"),
        ({5: 1}, "price.asp_usd.changes", "not a date (write YYYY-MM or YYYY-MM-DD), got 5"),
        (
            {"2024-03": 1, dt.date(2024, 3, 1): 2},
            "price.asp_usd.changes",
            "2024-03 and 2024-03-01 are the same date",
        ),
    ],
)
def test_bad_dated_changes_are_named_as_written(tiny_scenario_dict, changes, field, shown):
    err = problem(tiny_scenario_dict({"price.asp_usd": {"base": 1, "changes": changes}}))
    assert err.field == field
    assert shown in err.message


def write(tmp_path, data) -> str:
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return str(path)


def test_an_override_adds_a_dated_change(tmp_path, tiny_scenario_dict):
    path = write(tmp_path, tiny_scenario_dict())  # asp_usd: {base: 30000}, no changes
    scenario = load_scenario(path, {"price.asp_usd.changes.2024-03": 40_000})
    assert scenario.price.asp_usd.changes == {dt.date(2024, 3, 1): 40_000}
    cal = Calendar(dt.date(2024, 1, 1), 6)
    np.testing.assert_array_equal(
        schedule_by_month(scenario.price.asp_usd, cal),
        [30_000, 30_000, 40_000, 40_000, 40_000, 40_000],
    )


def test_an_override_of_a_written_date_replaces_it_whatever_its_spelling(
    tmp_path, tiny_scenario_dict
):
    # the file writes the change as a YAML date (2024-03-01), the override as 2024-03
    data = tiny_scenario_dict({"price.asp_usd.changes": {dt.date(2024, 3, 1): 35_000}})
    scenario = load_scenario(write(tmp_path, data), {"price.asp_usd.changes.2024-03": 41_000})
    assert scenario.price.asp_usd.changes == {dt.date(2024, 3, 1): 41_000}


def test_an_override_reaches_into_a_schedule_written_as_a_number(tmp_path, tiny_scenario_dict):
    path = write(tmp_path, tiny_scenario_dict({"opex.rnd_per_month_usd": 1_000}))
    scenario = load_scenario(path, {"opex.rnd_per_month_usd.changes.2024-02-15": 2_000})
    assert scenario.opex.rnd_per_month_usd == Schedule(
        base=1_000, changes={dt.date(2024, 2, 15): 2_000}
    )
    # a number then a change, in one set of overrides
    both = load_scenario(path, {"price.asp_usd": 50_000, "price.asp_usd.changes.2024-04": 60_000})
    assert both.price.asp_usd == PriceSchedule(base=50_000, changes={dt.date(2024, 4, 1): 60_000})


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("2024-13", "not a calendar date: 2024-13"),
        ("july", "not a date (write YYYY-MM or YYYY-MM-DD), got 'july'"),
    ],
)
def test_a_new_dated_key_must_be_a_calendar_date(tiny_scenario_dict, key, shown):
    with pytest.raises(ConfigError) as info:
        apply_overrides(tiny_scenario_dict(), {f"price.asp_usd.changes.{key}": 1}, "--set")
    assert info.value.field == f"price.asp_usd.changes.{key}"
    assert info.value.message == shown


def test_only_a_schedules_changes_take_new_keys(tiny_scenario_dict):
    # a line is a named entry: a new one is still refused rather than half-filled
    with pytest.raises(ConfigError, match=r"no key 'factory\.lines\.l9'"):
        apply_overrides(tiny_scenario_dict(), {"factory.lines.l9.start": "2024-01"})
    with pytest.raises(ConfigError, match="did you mean 'changes'"):
        apply_overrides(tiny_scenario_dict(), {"price.asp_usd.chnges.2024-03": 1})
