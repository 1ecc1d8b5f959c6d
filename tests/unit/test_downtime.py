"""Breakdowns as an alternating renewal process (sim.core.downtime)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core.downtime import downtime_share


@pytest.mark.parametrize(("mtbf", "mttr"), [(80 / 24, 2 / 24), (1.0, 1.0), (0.5, 5.0)])
def test_long_run_mean_is_mttr_over_the_cycle(mtbf, mttr):
    share = downtime_share(np.random.default_rng(7), 40_000, mtbf, mttr)
    assert share.shape == (40_000,)
    assert share.mean() == pytest.approx(mttr / (mtbf + mttr), rel=0.05)


@pytest.mark.parametrize(("mtbf", "mttr"), [(80 / 24, 2 / 24), (0.1, 0.1), (30.0, 3.0)])
def test_values_are_shares_of_a_day(mtbf, mttr):
    share = downtime_share(np.random.default_rng(3), 2_000, mtbf, mttr)
    assert share.min() >= 0.0 and share.max() <= 1.0


def test_zero_repair_time_means_no_downtime():
    rng = np.random.default_rng(0)
    np.testing.assert_array_equal(downtime_share(rng, 100, 3.0, 0.0), np.zeros(100))


def test_same_generator_state_gives_the_same_days():
    a = downtime_share(np.random.default_rng(11), 500, 2.0, 0.3)
    b = downtime_share(np.random.default_rng(11), 500, 2.0, 0.3)
    np.testing.assert_array_equal(a, b)
    assert a.sum() > 0
