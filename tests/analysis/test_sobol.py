"""Sobol indices: SALib regression on Ishigami through the engine's sampler; the tiny analysis."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from SALib.sample import sobol as salib_sample

from sim.analysis import load_analysis, model_outputs, run_sensitivity, sobol_table
from sim.analysis.sobol import SOBOL_COLUMNS, sobol_sweep
from sim.experiments.sample import draw, saltelli_problem
from sim.experiments.spec import spec_from_dict

PI = float(np.pi)
# Ishigami (a = 7, b = 0.1): the closed-form first-order and total indices
S1 = np.array([0.3139, 0.4424, 0.0])
ST = np.array([0.5576, 0.4424, 0.2437])


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_ishigami_through_the_engine_sampler():
    uniform = {"dist": "uniform", "low": -PI, "high": PI}
    sweep = spec_from_dict(
        {
            "name": "ishigami",
            "base": "unused.yaml",
            "sample": {
                "method": "saltelli",
                "size": 1024,
                "seed": 11,
                "params": {"x1": uniform, "x2": uniform, "x3": uniform},
            },
        },
        "<test>",
    )
    points = draw(sweep.sample, sweep.master_seed)  # what the sweep engine runs, in order
    x = np.array([[p["x1"], p["x2"], p["x3"]] for p in points])
    assert x.shape == (1024 * 5, 3)
    t = sobol_table(saltelli_problem(sweep.sample), ishigami(x), resamples=200, seed=1)
    assert t["input"].tolist() == ["x1", "x2", "x3"]
    np.testing.assert_allclose(t["S1"], S1, atol=0.04)
    np.testing.assert_allclose(t["ST"], ST, atol=0.04)
    assert ((t["S1_conf"] > 0) & (t["S1_conf"] < 0.1)).all()
    assert (np.abs(t["ST"] - ST) < 3 * t["ST_conf"] + 0.01).all()
    again = sobol_table(saltelli_problem(sweep.sample), ishigami(x), resamples=200, seed=1)
    pd.testing.assert_frame_equal(t, again)  # the bootstrap is seeded


def test_a_constant_output_has_zero_indices():
    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1], [0, 1]]}
    t = sobol_table(problem, np.full(8 * 4, 3.0))
    assert (t[["S1", "S1_conf", "ST", "ST_conf"]].to_numpy() == 0).all()


def test_sobol_sweep_is_salibs_sample_in_order(work, write_spec):
    analysis = load_analysis(work / "tiny.yaml", write_spec())
    plan = sobol_sweep(analysis)
    n, d = analysis.spec.sobol.size, len(analysis.paths)
    assert plan.n_points == n * (d + 2)
    x = np.array([[pt.factors[p] for p in analysis.paths] for pt in plan.points()])
    expected = salib_sample.sample(analysis.problem.salib(), n, calc_second_order=False, seed=3)
    np.testing.assert_array_equal(x, expected)


def test_censored_runs_count_as_the_horizon():
    runs = pd.DataFrame(
        {
            "run_id": np.arange(6),
            "status": "ok",
            "breakeven_operating_per_car_sustained_index": pd.array(
                [1, None, 4, 2, None, None], dtype="Int32"
            ),
            "peak_cash_deficit": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        }
    )
    outputs, censored = model_outputs(runs, n_points=3, replications=2, horizon_months=10)
    np.testing.assert_array_equal(outputs["breakeven"], [5.5, 3.0, 10.0])  # means over 2 reps
    np.testing.assert_array_equal(outputs["capital"], [1.5, 3.5, 5.5])
    assert censored == 3
    with pytest.raises(ValueError, match="run id order"):
        model_outputs(runs.iloc[::-1], n_points=3, replications=2, horizon_months=10)


def test_tiny_analysis_tables_and_manifest(work, write_spec):
    out = work / "out"
    res = run_sensitivity(work / "tiny.yaml", spec=write_spec(), executor="serial", out=out)
    csv = pd.read_csv(out / "sobol.csv")
    assert list(csv.columns) == SOBOL_COLUMNS
    assert csv["metric"].tolist() == ["breakeven"] * 2 + ["capital"] * 2
    pd.testing.assert_frame_equal(csv, res.sobol, check_dtype=False)
    m = json.loads((out / "manifest.json").read_text())
    assert (m["status"], m["start"], m["horizon_months"]) == ("complete", "2024-01", 6)
    assert m["counts"] == {
        "inputs": 2,
        "oat_runs": 5,
        "sobol_size": 8,
        "sobol_points": 32,
        "sobol_runs": 32,
    }
    runs = res.sobol_sweep.runs
    never = runs["breakeven_operating_per_car_sustained_index"].isna().mean()
    assert m["censored_share"] == pytest.approx(never) and 0 < never < 1
    assert m["salib_version"] and m["spec_hash"] == res.analysis.spec_hash
