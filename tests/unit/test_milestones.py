"""Milestones are the scenario's (issue 11 item 4), and the weekly run-rate column.

The tiny scenario builds exactly 100 cars a day from 2024-01 (a leap year): 3,100 cars in
January, 2,900 in February, then 3,100 / 3,000 by the length of the month, so 700 cars a week
in every month and every quarter; cumulative production 3,100, 6,000, 9,100, 12,100, ...
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import yaml

from sim.config.load import scenario_from_dict
from sim.config.schema import DEFAULT_MILESTONES
from sim.errors import ConfigError

ORDERS = {"launch.preorders": 100_000}  # enough orders for every car built


def test_weekly_run_rate_by_hand(tiny_run):
    result = tiny_run(ORDERS)
    m = result.monthly
    np.testing.assert_allclose(m["production"], [3100, 2900, 3100, 3000, 3100, 3000])
    np.testing.assert_allclose(m["weekly_run_rate"], 700.0)
    np.testing.assert_allclose(result.quarterly["weekly_run_rate"], 700.0)  # 9,100 / 13 weeks
    cols = list(m.columns)
    assert cols.index("weekly_run_rate") == cols.index("production") + 1


def test_the_default_milestone_is_the_100000th_delivery(tiny_scenario_dict):
    scenario = scenario_from_dict(tiny_scenario_dict())
    assert scenario.milestones == DEFAULT_MILESTONES
    assert list(DEFAULT_MILESTONES) == ["deliveries_100k"]
    assert DEFAULT_MILESTONES["deliveries_100k"].at_least == 100_000


def test_named_milestones_reached_by_hand(tiny_run):
    milestones = {
        "built_10k": {"metric": "cumulative_production", "at_least": 10_000},
        "built_6k": {"metric": "cumulative_production", "at_least": 6_000},  # exactly, February
        "run_rate_700": {"metric": "weekly_run_rate", "at_least": 700},
        "run_rate_701": {"metric": "weekly_run_rate", "at_least": 701},
    }
    result = tiny_run({**ORDERS, "milestones": milestones})
    assert result.summary["milestones"] == {
        "built_10k": "2024-04",
        "built_6k": "2024-02",
        "run_rate_700": "2024-01",
        "run_rate_701": None,
    }
    flat = result.record.flat()
    assert flat["milestone_built_10k_index"] == 3 and flat["milestone_run_rate_701"] is None
    assert "milestone_deliveries_100k" not in flat  # naming any replaces the default


@pytest.mark.parametrize(
    ("milestones", "field"),
    [
        ({"x": {"metric": "revenue", "at_least": 1}}, "metric"),
        ({"x": {"metric": "production"}}, "at_least"),
        ({"x": {"metric": "production", "at_least": 1, "when": 2}}, "when"),
        ({"bad name": {"metric": "production", "at_least": 1}}, "milestones"),
        ({"x": {"metric": "production", "at_least": float("inf")}}, "at_least"),
    ],
)
def test_bad_milestones_name_the_field(tiny_scenario_dict, milestones, field):
    with pytest.raises(ConfigError) as caught:
        scenario_from_dict(tiny_scenario_dict({"milestones": milestones}), "s.yaml")
    assert field in str(caught.value)


def test_the_console_prints_each_milestone(tmp_path, tiny_scenario_dict):
    data = tiny_scenario_dict({**ORDERS, "milestones": {
        "run_rate": {"metric": "weekly_run_rate", "at_least": 700},
        "built": {"metric": "cumulative_production", "at_least": 1e6},
    }})  # fmt: skip
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "sim", "run", str(path), "--out", str(tmp_path / "o"),
         "--no-figures", "--quarters", "all"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert any(ln.split() == ["700", "cars", "a", "week", "2024-01"] for ln in lines)
    assert any("cumulative production 1,000,000" in ln and "not within horizon" in ln
               for ln in lines)  # fmt: skip
    assert "By quarter (all 2)" in out.stdout
