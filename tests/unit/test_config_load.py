"""Reading scenarios: validation errors as one ConfigError, overrides, ``extends``."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from sim.config.load import apply_overrides, load_scenario, merge, scenario_from_dict
from sim.errors import ConfigError


def test_a_valid_dict_becomes_a_frozen_scenario(tiny_scenario_dict):
    sc = scenario_from_dict(tiny_scenario_dict())
    assert sc.factory.lines["l1"].capacity_per_year == 36_525
    with pytest.raises(ValidationError):  # frozen
        sc.horizon_months = 7


def test_unknown_key_names_the_field_and_suggests(tiny_scenario_dict):
    data = tiny_scenario_dict({"factory.logistic_lag_days": 3})
    with pytest.raises(ConfigError) as err:
        scenario_from_dict(data, source="s.yaml")
    assert err.value.source == "s.yaml"
    assert err.value.field == "factory.logistic_lag_days"
    assert "did you mean 'logistics_lag_days'" in err.value.message
    assert "\n" not in str(err.value)


def test_union_tags_are_not_part_of_the_field(tiny_scenario_dict):
    data = tiny_scenario_dict({"factory.lines.l1.ramp": {"kind": "linear", "months": 0}})
    with pytest.raises(ConfigError) as err:
        scenario_from_dict(data)
    assert err.value.field == "factory.lines.l1.ramp.months"


def test_problems_under_an_override_blame_the_override(tiny_scenario_dict):
    data = tiny_scenario_dict({"horizon_months": 0})
    with pytest.raises(ConfigError) as err:
        scenario_from_dict(data, source="s.yaml", overridden=["horizon_months"])
    assert err.value.source == "override (on s.yaml)"  # the library names no option
    with pytest.raises(ConfigError) as err:
        scenario_from_dict(
            data, source="s.yaml", overridden=["horizon_months"], override_source="--set"
        )
    assert err.value.source == "--set (on s.yaml)"  # the CLI passes its own label


def test_apply_overrides_sets_dotted_paths_on_a_copy(tiny_scenario_dict):
    data = tiny_scenario_dict()
    out = apply_overrides(data, {"factory.lines.l1.ramp.months": 2, "horizon_months": 9})
    assert out["factory"]["lines"]["l1"]["ramp"]["months"] == 2
    assert out["horizon_months"] == 9
    assert data["horizon_months"] == 6  # the input is left alone


def test_apply_overrides_refuses_a_path_that_does_not_exist(tiny_scenario_dict):
    with pytest.raises(ConfigError) as err:
        apply_overrides(tiny_scenario_dict(), {"factory.lines.l9.start": "2024-02"})
    assert "l1" in err.value.message  # says what that level has


def test_merge_replaces_a_map_that_names_its_kind():
    parent = {"ramp": {"kind": "logistic", "months": 8, "steepness": 8}, "a": {"x": 1, "y": 2}}
    child = {"ramp": {"kind": "linear", "months": 3}, "a": {"y": 5}}
    assert merge(parent, child) == {"ramp": {"kind": "linear", "months": 3}, "a": {"x": 1, "y": 5}}


def test_extends_resolves_relative_to_the_file(tmp_path, tiny_scenario_dict):
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "tiny.yaml").write_text(yaml.safe_dump(tiny_scenario_dict()))
    (tmp_path / "child.yaml").write_text(
        "extends: base/tiny.yaml\nname: child\nhorizon_months: 9\n"
    )
    sc = load_scenario(tmp_path / "child.yaml")
    assert (sc.name, sc.horizon_months, sc.price.asp_usd.base) == ("child", 9, 30_000)


def test_circular_extends_is_an_error(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n")
    with pytest.raises(ConfigError) as err:
        load_scenario(tmp_path / "a.yaml")
    assert err.value.field == "extends"
