"""Random supply disruptions drawn in one go (sim.core.disruptions) against the event process."""

from __future__ import annotations

import numpy as np
import pytest
import simpy

from sim.core.disruptions import MAX_PER_DAY, exact_is_bounded, supply_factor
from sim.model.failures import random_disruptions
from tests.support.recorder import Recorder


def event_supply(seed: int, n_days: int, rate: float, mean_days: float, cut: float) -> np.ndarray:
    """The exact process: one SimPy event per disruption."""
    env = simpy.Environment()
    supply = [1.0] * n_days
    env.process(random_disruptions(env, supply, np.random.default_rng(seed), rate, mean_days, cut))
    env.run()
    return np.asarray(supply)


def test_the_default_and_the_schema_s_range_keep_one_event_per_disruption():
    assert exact_is_bounded(1.0, 6.0, 1_826)
    assert exact_is_bounded(365.0, 8.0, 1_826)
    assert not exact_is_bounded(1e9, 6.0, 1_826)
    assert not exact_is_bounded(300.0, 1e6, 1_826)  # too many under way at once


def test_drawn_in_one_go_matches_the_event_process():
    # 0.5 a day lasting 2 days, halving output: both ways, the same mean and log supply
    exact = event_supply(1, 20_000, 0.5 * 365.25, 2.0, 0.5)
    drawn = supply_factor(np.random.default_rng(2), 20_000, 0.5 * 365.25, 2.0, 0.5)
    assert drawn.mean() == pytest.approx(exact.mean(), rel=0.02)
    assert np.log(drawn).mean() == pytest.approx(np.log(exact).mean(), rel=0.03)
    assert drawn.std() == pytest.approx(exact.std(), rel=0.05)


def test_more_than_the_daily_cap_keeps_the_expected_log_cut():
    # 100 a day (three times the cap), 0.05 days each, 2 % cut: the weighted draw keeps
    # E[log supply] = rate * E[sum of log(1 - cut * overlap)] of the exact process
    rate = 100 * 365.25
    exact = event_supply(3, 1_000, rate, 0.05, 0.02)
    drawn = supply_factor(np.random.default_rng(4), 1_000, rate, 0.05, 0.02)
    assert np.log(drawn[1:]).mean() == pytest.approx(np.log(exact[1:]).mean(), rel=0.02)
    # by hand: 100 a day x 0.05 days x log(0.98) per day of disruption, about -0.101
    assert np.log(drawn[1:]).mean() == pytest.approx(100 * 0.05 * np.log(0.98), rel=0.03)


@pytest.mark.parametrize(
    ("rate", "mean_days", "cut"),
    [
        (1e9, 6.0, 0.5),
        (1e300, 6.0, 1.0),
        (300.0, 1e6, 0.5),
        (1e12, 1e300, 1e-9),
        (1e9, 1e-300, 1.0),
    ],
)
def test_memory_and_work_do_not_grow_with_the_rate(rate, mean_days, cut):
    rng = Recorder(0)
    with np.errstate(over="raise", invalid="raise"):
        factor = supply_factor(rng, 1_826, rate, mean_days, cut)
    assert factor.shape == (1_826,)
    assert np.isfinite(factor).all() and factor.min() >= 0.0 and factor.max() <= 1.0
    assert max(rng.sizes) <= MAX_PER_DAY * 1_826


def test_a_full_cut_for_ever_leaves_no_supply():
    factor = supply_factor(np.random.default_rng(0), 400, 1e9, 1e9, 1.0)
    assert factor.max() == 0.0
