"""The one translation of validation errors, and the bounds of every scenario value."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from sim import limits
from sim.config.load import apply_overrides, load_scenario, parse_assignment, scenario_from_dict
from sim.config.schema import Scenario
from sim.config.strict import key_paths, keys_at
from sim.errors import ConfigError


def problem(data, **kwargs) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        scenario_from_dict(data, source="s.yaml", **kwargs)
    assert "\n" not in str(info.value)
    return info.value


def test_a_key_at_the_wrong_level_says_where_it_belongs(tiny_scenario_dict):
    err = problem(tiny_scenario_dict({"launch.market_size": 5}))
    assert err.field == "launch.market_size"
    assert "that key belongs at demand.market_size" in err.message
    assert "did you mean" not in err.message  # nothing at launch is close to it
    assert "allowed here: preorders, firm_share, deposit_usd" in err.message


def test_an_override_at_the_wrong_level_says_where_it_belongs(tiny_scenario_dict):
    with pytest.raises(ConfigError) as info:
        apply_overrides(tiny_scenario_dict(), {"launch.market_size": 5})
    assert "that key belongs at demand.market_size" in info.value.message


def test_did_you_mean_comes_from_the_keys_of_that_level(tiny_scenario_dict):
    err = problem(tiny_scenario_dict({"factory.lines.l1.ramp.month": 3}))
    assert err.field == "factory.lines.l1.ramp.month"
    assert "did you mean 'months'" in err.message
    # a key of a named entry (a line) is placed with its <name>
    err = problem(tiny_scenario_dict({"factory.mtbf_hours": 3}))
    assert "belongs at factory.lines.<name>.availability.mtbf_hours" in err.message


def test_keys_at_follows_named_entries_and_the_kind():
    assert keys_at(Scenario, ["launch"]) == [
        "preorders",
        "firm_share",
        "deposit_usd",
        "breakage",
        "deposit_refundable",
        "date",
        "reservations_from",
    ]
    assert "suv" not in (keys_at(Scenario, ["products"]) or [])  # any name
    assert "launch" in keys_at(Scenario, ["products", "any"])
    assert "mtbf_hours" in keys_at(Scenario, ["factory", "lines", "any", "availability"])
    assert keys_at(Scenario, ["factory", "lines"]) is None  # any name
    assert key_paths(Scenario)["yield"] == ("factory.yield",)  # by its alias


@pytest.mark.parametrize(
    ("changes", "field", "shown"),
    [
        (
            {"opex": {"rnd_per_month_usd": "five"}},
            "opex.rnd_per_month_usd",
            "with keys: base, changes",
        ),
        ({"description": dt.date(2025, 1, 1)}, "description", "expected text (got 2025-01-01)"),
        ({"horizon_months": "sixty"}, "horizon_months", "expected a whole number (got 'sixty')"),
        ({"demand": {"kind": "cubic"}}, "demand.kind", "unknown kind 'cubic'"),
        ({"demand": {"orders_per_month": 1}}, "demand.kind", "required field is missing"),
    ],
)
def test_messages_show_no_internal_names_or_reprs(tiny_scenario_dict, changes, field, shown):
    err = problem(tiny_scenario_dict(changes))
    assert err.field == field
    assert shown in err.message
    for internal in ("Schedule", "datetime", "dictionary", "instance of", "Input should"):
        assert internal not in str(err)


def test_a_problem_in_a_file_names_its_line(tmp_path, tiny_scenario_dict):
    path = tmp_path / "s.yaml"
    text = yaml.safe_dump(tiny_scenario_dict({"factory.logistic_lag_days": 3}), sort_keys=True)
    path.write_text(text, encoding="utf-8")
    line = 1 + next(i for i, t in enumerate(text.splitlines()) if "logistic_lag_days" in t)
    with pytest.raises(ConfigError) as info:
        load_scenario(path)
    assert info.value.field == "factory.logistic_lag_days"
    assert info.value.message.endswith(f"(line {line})")


@pytest.mark.parametrize("name", [".", "..", "...", "a/b", "", "x" * (limits.MAX_NAME_CHARS + 1)])
def test_a_name_that_is_no_folder_of_its_own_is_bad_input(tiny_scenario_dict, name):
    assert problem(tiny_scenario_dict({"name": name})).field == "name"


@pytest.mark.parametrize("name", ["a.b", "run-1", "v2_0", "x" * limits.MAX_NAME_CHARS])
def test_ordinary_names_pass(tiny_scenario_dict, name):
    assert scenario_from_dict(tiny_scenario_dict({"name": name})).name == name


# field: (largest accepted, smallest refused) -- the physical bounds of a scenario
BOUNDS = {
    "factory.random_disruptions.rate_per_year": (365, 366),
    "demand": (
        {"kind": "constant", "orders_per_month": 1e9},
        {"kind": "constant", "orders_per_month": 1e18},
    ),
    "price.asp_usd.base": (1e7, 1e308),
    "costs.components.parts.start_usd": (1e7, 1.1e7),
    "opex.rnd_per_month_usd": ({"base": 1e11}, {"base": 1e300}),
    "factory.lines.l1.capacity_per_year": (1e9, 1e18),
    "factory.finished_goods_target": (1e9, 1e300),
    "launch.deposit_usd": (1e7, 1e8),
    "factory.lines.l1.capex": (
        {"amount_usd": 1e12, "date": "2024-01"},
        {"amount_usd": 1e13, "date": "2024-01"},
    ),
    "seed": (2**64 - 1, 2**64),
}


@pytest.mark.parametrize("path", sorted(BOUNDS))
def test_each_value_is_bounded(tiny_scenario_dict, path):
    ok, bad = BOUNDS[path]
    scenario_from_dict(tiny_scenario_dict({path: ok}))
    err = problem(tiny_scenario_dict({path: bad}))
    assert err.field is not None and err.field.startswith(path)


@pytest.mark.parametrize(
    ("field", "ok", "bad"),
    [("mtbf_hours", 1.0, 0.0005), ("mttr_hours", 0.0, -1), ("mttr_hours", 1e6, 1e9)],
)
def test_breakdown_times_keep_the_draws_bounded(tiny_scenario_dict, field, ok, bad):
    path = f"factory.lines.l1.availability.{field}"
    scenario_from_dict(tiny_scenario_dict({path: ok}))
    assert problem(tiny_scenario_dict({path: bad})).field == path


def test_lists_are_bounded(tiny_scenario_dict):
    many = [1.0] * (limits.MAX_LIST_ITEMS + 1)
    err = problem(tiny_scenario_dict({"demand": {"kind": "table", "orders_per_month": many}}))
    assert err.field == "demand.orders_per_month"
    assert f"at most {limits.MAX_LIST_ITEMS:,}" in err.message


def test_the_horizon_limit_is_the_one_in_limits(tiny_scenario_dict):
    scenario_from_dict(tiny_scenario_dict({"horizon_months": limits.MAX_HORIZON_MONTHS}))
    problem(tiny_scenario_dict({"horizon_months": limits.MAX_HORIZON_MONTHS + 1}))


@pytest.mark.parametrize(
    "changes",
    [
        {"start": "2024-02-30"},
        {"opex": {"rnd_per_month_usd": {"base": 1, "changes": {"2023-02-29": 5}}}},
    ],
)
def test_calendar_invalid_date_text_is_one_line(tiny_scenario_dict, changes):
    assert "not a calendar date" in problem(tiny_scenario_dict(changes)).message


def test_an_assignment_with_an_invalid_date_is_one_line():
    with pytest.raises(ConfigError) as info:
        parse_assignment("start=2024-02-30", source="the option")
    assert (info.value.source, info.value.field) == ("the option", "start")
    assert "not a calendar date: 2024-02-30" in info.value.message
    assert parse_assignment("a.b=[1, 2") == ("a.b", "[1, 2")  # not YAML: kept as text


def test_library_messages_name_no_option(tiny_scenario_dict):
    with pytest.raises(ConfigError) as info:
        parse_assignment("no_equals_sign")
    assert "--" not in str(info.value)
    with pytest.raises(ConfigError) as info:
        apply_overrides(tiny_scenario_dict(), {"factory.lines.l9.start": "2024-02"})
    assert "--" not in str(info.value)


def test_a_long_extends_chain_is_refused(tmp_path, tiny_scenario_dict):
    (tmp_path / "f0.yaml").write_text(yaml.safe_dump(tiny_scenario_dict()), encoding="utf-8")
    for i in range(1, limits.MAX_EXTENDS + 3):
        (tmp_path / f"f{i}.yaml").write_text(f"extends: f{i - 1}.yaml\n", encoding="utf-8")
    assert load_scenario(tmp_path / f"f{limits.MAX_EXTENDS}.yaml").name == "tiny"
    with pytest.raises(ConfigError) as info:
        load_scenario(tmp_path / f"f{limits.MAX_EXTENDS + 2}.yaml")
    assert info.value.field == "extends"
    assert f"more than {limits.MAX_EXTENDS}" in info.value.message


def test_extends_goes_through_the_same_reader(tmp_path):
    (tmp_path / "c.yaml").write_text("extends: /dev/zero\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a regular file"):
        load_scenario(tmp_path / "c.yaml")
