"""Shared fixtures: a tiny hand-checkable scenario, built as a plain dict."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

# One line, 7 working days a week, step ramp at share 1 from day 0, 365.25 * 100 cars a year:
# exactly 100 cars a day. Nothing random, nothing lost, no lag, no buffer, one flat cost.
TINY: dict[str, Any] = {
    "name": "tiny",
    "start": "2024-01",
    "horizon_months": 6,
    "mode": "deterministic",
    "seed": 0,
    "launch": {"preorders": 0, "firm_share": 1.0, "deposit_usd": 0},
    "demand": {"kind": "constant", "orders_per_month": 0},
    "patience": {"grace_weeks": 0, "monthly_cancel_rate": 0.0},
    "factory": {
        "initial_experience_units": 0,
        "finished_goods_target": 0,
        "logistics_lag_days": 0,
        "yield": {"initial": 1.0, "mature": 1.0},
        "random_disruptions": {"rate_per_year": 0.0},
        "lines": {
            "l1": {
                "start": "2024-01",
                "capacity_per_year": 365.25 * 100,
                "working_days_per_week": 7,
                "ramp": {"kind": "step", "months": 0, "initial_share": 1.0, "peak_share": 1.0},
                "availability": {"mtbf_hours": 100, "mttr_hours": 0},
            }
        },
    },
    "price": {"asp_usd": {"base": 30_000}},
    "costs": {"components": {"parts": {"kind": "annual_decline", "start_usd": 20_000}}},
}


def with_changes(data: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``data`` with each dotted path (``"factory.lines.l1.start"``) set."""
    out = copy.deepcopy(data)
    for path, value in changes.items():
        *parents, last = path.split(".")
        node = out
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = copy.deepcopy(value)
    return out


@pytest.fixture(scope="session")
def tiny_scenario_dict() -> Callable[..., dict[str, Any]]:
    """Factory: ``tiny_scenario_dict({"factory.logistics_lag_days": 7})`` -> a fresh dict."""

    def make(changes: dict[str, Any] | None = None) -> dict[str, Any]:
        return with_changes(TINY, changes or {})

    return make


@pytest.fixture(scope="session")
def tiny_run(tiny_scenario_dict) -> Callable[..., Any]:
    """Factory: validate the tiny scenario with ``changes`` and simulate it (deterministic)."""
    from sim.config.load import scenario_from_dict
    from sim.model.simulate import simulate

    def run(changes: dict[str, Any] | None = None, seed: int | None = None, mode=None):
        return simulate(scenario_from_dict(tiny_scenario_dict(changes)), seed, mode=mode)

    return run
