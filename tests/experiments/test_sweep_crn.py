"""Common random numbers: replication k draws the same random numbers in every point."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.experiments import run_sweep


def test_replication_k_has_the_same_seed_in_every_point(tiny, write_sweep, sweep_dir):
    tiny["grid"] = {"factory.lines.phase1.ramp.months": [6, 10]}
    res = run_sweep(write_sweep(tiny), executor="serial", out=sweep_dir / "out", progress=False)
    runs = res.runs
    assert runs["point_id"].nunique() == 4
    per_k = runs.groupby("replication")["seed"].nunique()
    assert (per_k == 1).all()
    assert runs.groupby("point_id")["seed"].nunique().eq(3).all()  # k differs within a point
    assert runs["seed"].iloc[1] == "SeedSequence(5, spawn_key=(1,))"


def test_a_cost_change_leaves_every_physical_flow_unchanged(tiny, write_sweep, sweep_dir):
    tiny["variants"] = {
        "baseline": {},
        "dear_battery": {"set": {"costs.components.battery.start_usd": 9500}},
    }
    tiny["outputs"] = {"full_monthly": True}
    run_sweep(write_sweep(tiny), executor="serial", out=sweep_dir / "out", progress=False)
    monthly = pd.read_parquet(sweep_dir / "out" / "monthly.parquet")
    a = monthly[monthly["point_id"] == 0].reset_index(drop=True)
    b = monthly[monthly["point_id"] == 1].reset_index(drop=True)
    assert (a["replication"] == b["replication"]).all() and (a["month"] == b["month"]).all()
    for flow in ("orders", "cancellations", "production", "deliveries", "backlog", "capacity"):
        np.testing.assert_array_equal(a[flow], b[flow], err_msg=flow)
    assert (b["cogs_battery"] > a["cogs_battery"])[a["deliveries"] > 0].all()
    # ... while the replications themselves differ
    k0, k1 = (a[a["replication"] == k]["production"].to_numpy() for k in (0, 1))
    assert not np.array_equal(k0, k1)
