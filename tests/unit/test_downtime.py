"""Breakdowns as an alternating renewal process (sim.core.downtime)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core.downtime import (
    DENSE_STOPS_PER_DAY,
    dense_downtime_share,
    downtime_share,
    renewal_downtime_share,
)
from tests.support.recorder import Recorder


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


@pytest.mark.parametrize(("mtbf", "mttr"), [(1 / 30, 1 / 300), (1 / 25, 1 / 25), (1 / 100, 1 / 20)])
def test_dense_shares_match_the_exact_renewal_process(mtbf, mttr):
    # 30 to 120 stoppages a day: both samplers run; same mean, same daily spread
    exact = renewal_downtime_share(np.random.default_rng(1), 20_000, mtbf, mttr)
    dense = dense_downtime_share(np.random.default_rng(2), 20_000, mtbf, mttr)
    a = mttr / (mtbf + mttr)
    sd = np.sqrt(2 * mtbf**2 * mttr**2 / (mtbf + mttr) ** 3)  # renewal-reward variance, 1 day
    assert dense.mean() == pytest.approx(a, rel=0.01)
    assert exact.mean() == pytest.approx(a, rel=0.01)
    assert dense.std() == pytest.approx(exact.std(), rel=0.05)
    assert dense.std() == pytest.approx(sd, rel=0.05)


@pytest.mark.parametrize(
    ("mtbf", "mttr"),
    [(0.0005 / 24, 0.0005 / 24), (1e-300, 1e-300), (1e-300, 5.0), (5.0, 1e-300), (1e-12, 1e-9)],
)
def test_memory_does_not_grow_with_the_stoppage_rate(mtbf, mttr):
    rng = Recorder(0)
    share = downtime_share(rng, 1_826, mtbf, mttr)
    assert share.shape == (1_826,)
    assert np.isfinite(share).all() and share.min() >= 0.0 and share.max() <= 1.0
    assert max(rng.sizes, default=0) <= 1_826  # one draw per day at most
    assert share.mean() == pytest.approx(1 / (1 + mtbf / mttr), rel=0.01, abs=1e-12)


def test_the_exact_sampler_is_kept_below_the_dense_threshold():
    rng = Recorder(0)
    downtime_share(rng, 1_000, 1.0 / DENSE_STOPS_PER_DAY, 1e-9)
    assert max(rng.sizes) <= 1.3 * 1_000 * DENSE_STOPS_PER_DAY + 32


def test_huge_cycles_give_no_downtime_and_no_warning():
    with np.errstate(all="raise"):
        share = downtime_share(np.random.default_rng(0), 100, 1.7e308, 1.7e308)
    assert share.tolist() == [0.0] * 100
