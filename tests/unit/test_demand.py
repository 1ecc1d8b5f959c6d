"""Order intake models (sim.core.demand)."""

from __future__ import annotations

import pytest

from sim.config.schema import BassDemand, ConstantDemand, TableDemand
from sim.core.demand import bass_next, expected_intake


def test_bass_next_by_hand():
    # (p + q N / M) (M - N) = (0.01 + 0.4 * 200 / 1000) * 800 = 0.09 * 800
    assert bass_next(0.01, 0.4, 1000.0, 200.0) == pytest.approx(72.0, rel=1e-12)
    assert bass_next(0.01, 0.4, 1000.0, 0.0) == pytest.approx(10.0, rel=1e-12)  # p M
    assert bass_next(0.008, 0.06, 1.5e6, 75_723.0) == pytest.approx(
        (0.008 + 0.06 * 75_723 / 1.5e6) * (1.5e6 - 75_723), rel=1e-12
    )


@pytest.mark.parametrize("cumulative", [1000.0, 1000.5, 5000.0])
def test_bass_next_is_zero_once_the_market_is_used_up(cumulative):
    assert bass_next(0.01, 0.4, 1000.0, cumulative) == 0.0


def test_expected_intake_bass_uses_the_cumulative_orders():
    demand = BassDemand(kind="bass", p=0.02, q=0.3, market_size=10_000)
    # (0.02 + 0.3 * 0.25) * 7500 = 0.095 * 7500
    assert expected_intake(demand, 7, 2_500.0) == pytest.approx(712.5, rel=1e-12)


def test_table_demand_by_month_and_hold_last():
    demand = TableDemand(kind="table", orders_per_month=[100, 200, 50])
    got = [expected_intake(demand, m, 0.0) for m in range(6)]
    assert got == [100, 200, 50, 50, 50, 50]


def test_constant_demand_ignores_month_and_history():
    demand = ConstantDemand(kind="constant", orders_per_month=1234.5)
    assert {expected_intake(demand, m, c) for m, c in [(0, 0.0), (40, 1e9)]} == {1234.5}
