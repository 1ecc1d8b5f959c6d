"""The bootstrap interval on synthetic data whose truth is known: it covers the truth in a
recovery case, the same seed gives the same interval, and with no residual left it draws from
the error scale."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from sim.calibrate.bootstrap import bootstrap, with_bootstrap
from sim.calibrate.problem import Problem
from tests.calibrate.test_calibrate_cli import EXAMPLE
from tests.calibrate.test_calibrate_recovery import (
    BOUNDS,
    MONTHS,
    ORDERS,
    TRUTH,
    _fit,
    _synthetic,
)

START = {"price.asp_usd.base": 25_000.0, "costs.components.parts.start_usd": 15_000.0}


def _case(tiny_scenario_dict, months, noise, seed):
    data = tiny_scenario_dict(ORDERS)
    keys = [(m, k) for m in months for k in ("revenue", "gross_profit")]
    obs = _synthetic(data, TRUTH, keys, noise, np.random.default_rng(seed))
    res = _fit(data, obs, BOUNDS, START, 3.0)
    return Problem(data, list(BOUNDS), obs, "synthetic"), obs, res


def test_bootstrap_interval_covers_the_truth_and_repeats_with_its_seed(tiny_scenario_dict):
    """Six months of revenue and gross profit, 3 % noise (the error scale says 3 %): the 80 %
    residual-bootstrap interval of both parameters holds the truth (this draw fixed; the
    Jacobian interval of the same draw holds it too)."""
    problem, obs, res = _case(tiny_scenario_dict, MONTHS, 0.03, 12)
    one = bootstrap(problem.predict, obs.table, res, {}, 3.0, 40, seed=5)
    assert one is not None and one.kind == "residual" and one.failed == 0
    assert one.replicates.shape == (40, 2)
    got = with_bootstrap(res, one).parameters.set_index("path")
    for path, true in TRUTH.items():
        low, high = got.at[path, "bootstrap_low"], got.at[path, "bootstrap_high"]
        assert low < got.at[path, "value"] < high
        assert low <= true <= high, (path, low, true, high)
        # the Jacobian interval is still there, beside it
        assert got.at[path, "low_interval"] < got.at[path, "high_interval"]
    again = bootstrap(problem.predict, obs.table, res, {}, 3.0, 40, seed=5)
    assert again is not None
    assert np.array_equal(again.replicates, one.replicates)
    other = bootstrap(problem.predict, obs.table, res, {}, 3.0, 40, seed=6)
    assert other is not None and not np.array_equal(other.replicates, one.replicates)


def test_no_residual_left_draws_from_the_error_scale(tiny_scenario_dict):
    """One month: two figures for two parameters fit exactly, so the residuals are all zero; the
    bootstrap draws errors of the given scale instead, and its interval is about the Jacobian's
    (both linear-ish here: within a factor 1.5 in width)."""
    problem, obs, res = _case(tiny_scenario_dict, MONTHS[:1], 0.0, 0)
    assert res.dof == 0
    boot = bootstrap(problem.predict, obs.table, res, {}, 3.0, 60, seed=1)
    assert boot is not None and boot.kind == "parametric"
    p = with_bootstrap(res, boot).parameters
    width_boot = p["bootstrap_high"] - p["bootstrap_low"]
    width_jac = p["high_interval"] - p["low_interval"]
    assert (width_boot > 0).all()
    assert (width_boot / width_jac).to_numpy() == pytest.approx([1.0, 1.0], rel=0.5)


def test_off_leaves_the_fit_unchanged(tiny_scenario_dict):
    problem, obs, res = _case(tiny_scenario_dict, MONTHS[:2], 0.0, 0)
    assert bootstrap(problem.predict, obs.table, res, {}, 3.0, 0, seed=1) is None
    assert with_bootstrap(res, None) is res


def test_bootstrap_beyond_its_bound_is_refused_in_one_line(tmp_path):
    from sim.limits import MAX_BOOTSTRAP

    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim",
            "calibrate",
            str(EXAMPLE),
            "--out",
            str(tmp_path / "o"),
            "--bootstrap",
            str(MAX_BOOTSTRAP + 1),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "--bootstrap" in proc.stderr
    assert not (tmp_path / "o").exists()
