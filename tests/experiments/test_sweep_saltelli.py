"""``sample: {method: saltelli}``: SALib's Saltelli design as the points of a sweep."""

from __future__ import annotations

import numpy as np
import pytest
from SALib.sample import sobol as salib_sample

from sim.cli.main import main
from sim.experiments import load_sweep, run_sweep
from sim.experiments.sample import sample_rng
from sim.experiments.spec import spec_from_dict

PARAMS = {
    "demand.q": {"dist": "uniform", "low": 0.04, "high": 0.08},
    "costs.components.direct_labour.progress_ratio": {"dist": "uniform", "low": 0.84, "high": 0.88},
    "factory.lines.phase1.ramp.months": {"dist": "uniform", "low": 5, "high": 12},
}


def problem(plan) -> dict:
    """The SALib problem of the params in the sweep file's order."""
    names = list(plan.spec.sample.params)
    bounds = [[PARAMS[n]["low"], PARAMS[n]["high"]] for n in names]
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def _sweep(size: int = 8, seed: int | None = 5, **sample) -> dict:
    sample = {"method": "saltelli", "size": size, "params": PARAMS, **sample}
    if seed is not None:
        sample["seed"] = seed
    return {"name": "sobol", "base": "small.yaml", "mode": "deterministic", "sample": sample}


def _x(plan) -> np.ndarray:
    return np.array([[pt.factors[p] for p in plan.spec.sample.params] for pt in plan.points()])


def test_points_are_salibs_sample_in_its_order(write_sweep):
    plan = load_sweep(write_sweep(_sweep()))
    assert plan.n_points == 8 * (3 + 2) and plan.n_runs == 40
    expected = salib_sample.sample(problem(plan), 8, calc_second_order=False, seed=5)
    np.testing.assert_array_equal(_x(plan), expected)


def test_without_a_seed_the_master_seed_scrambles(write_sweep):
    plan = load_sweep(write_sweep({**_sweep(seed=None), "master_seed": 9}))
    expected = salib_sample.sample(problem(plan), 8, calc_second_order=False, seed=sample_rng(9))
    np.testing.assert_array_equal(_x(plan), expected)


def test_crossed_with_variants_and_run(write_sweep, tiny, sweep_dir):
    data = {**_sweep(size=2), "variants": tiny["variants"]}
    res = run_sweep(write_sweep(data), executor="serial", out=sweep_dir / "o", progress=False)
    assert res.plan.n_points == 2 * 2 * 5
    runs = res.runs
    assert (runs["status"] == "ok").all()
    first, second = (runs[runs["variant"] == v][list(PARAMS)].to_numpy() for v in tiny["variants"])
    np.testing.assert_array_equal(first, second)  # the same design in every variant


def test_an_unset_seed_keeps_the_spec_hash_of_older_sweep_files():
    lhs = {"name": "s", "base": "b.yaml", "sample": {"size": 4, "params": PARAMS}}
    dumped = spec_from_dict(lhs, "<s>").model_dump(mode="json", by_alias=True)
    assert "seed" not in dumped["sample"]
    lhs["sample"]["seed"] = 3
    assert spec_from_dict(lhs, "<s>").model_dump(mode="json")["sample"]["seed"] == 3


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            {"params": {**PARAMS, "demand.q": {"dist": "normal", "mean": 0.06, "sigma": 0.01}}},
            "sample.params.demand.q.dist",
            "method saltelli takes only uniform params",
        ),
        ({"size": 12}, "sample.size", "needs a power of 2"),
        ({"size": 1}, "sample.size", "needs a power of 2"),
        ({"size": 4_194_304}, "sample.size", "at most 10,000,000"),
    ],
)
def test_bad_saltelli_sample_exits_2(
    change, field, words, write_sweep, sweep_dir, monkeypatch, capsys
):
    data = _sweep()
    data["sample"] |= change
    path = write_sweep(data)
    before = sorted(p.name for p in sweep_dir.iterdir())
    monkeypatch.chdir(sweep_dir)
    assert main(["sweep", str(path), "--executor", "serial"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"scaleup: error: {path}: {field}: ") and err.count("\n") == 1, err
    assert words in err
    assert sorted(p.name for p in sweep_dir.iterdir()) == before
