"""A run that raises is recorded with its error; the others go on; the command exits 1."""

from __future__ import annotations

import pandas as pd


def test_out_of_range_draws_fail_alone(tiny, write_sweep, sweep_dir, cli):
    # LHS over [-0.05, 0.05] with 8 draws: exactly 4 draws are negative rates (invalid)
    tiny["sample"] = {
        "method": "lhs",
        "size": 8,
        "params": {"patience.monthly_cancel_rate": {"dist": "uniform", "low": -0.05, "high": 0.05}},
    }
    tiny["variants"] = {"baseline": {}}
    tiny["replications"] = 2
    path = write_sweep(tiny)
    done = cli(["sweep", path, "--executor", "serial", "--out", "out"], cwd=sweep_dir)
    assert done.returncode == 1, done.stderr
    assert "8 of 16 runs failed" in done.stderr
    runs = pd.read_parquet(sweep_dir / "out" / "runs.parquet")
    bad = runs["patience.monthly_cancel_rate"] < 0
    assert (runs.loc[bad, "status"] == "failed").all() and bad.sum() == 8
    assert (runs.loc[~bad, "status"] == "ok").all()
    assert runs.loc[bad, "error"].str.contains("patience.monthly_cancel_rate").all()
    assert runs.loc[bad, "error"].str.contains("greater than or equal to 0").all()
    assert runs.loc[bad, "peak_cash_deficit"].isna().all()
    assert runs.loc[~bad, "peak_cash_deficit"].notna().all()
    points = pd.read_csv(sweep_dir / "out" / "points.csv")
    assert points["failed"].tolist() == [
        2 if q < 0 else 0 for q in points["patience.monthly_cancel_rate"]
    ]
    manifest = (sweep_dir / "out" / "manifest.json").read_text()
    assert '"failed": 8' in manifest and '"status": "complete"' in manifest


def test_a_raising_model_is_recorded_too(tiny, write_sweep, sweep_dir, monkeypatch):
    from sim.experiments import run_sweep, runner

    real = runner.simulate

    def flaky(scenario, seed, mode):
        if seed.spawn_key == (1,):
            raise ZeroDivisionError("boom")
        return real(scenario, seed, mode=mode)

    monkeypatch.setattr(runner, "simulate", flaky)
    res = run_sweep(write_sweep(tiny), executor="serial", out=sweep_dir / "o", progress=False)
    assert res.failed == 2
    assert set(res.runs.loc[res.runs["replication"] == 1, "error"]) == {"ZeroDivisionError: boom"}
    assert (res.points["failed"] == 1).all()
