"""A sweep of line-ups: each run's per-product break-evens and totals in ``runs.parquet``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim import load_scenario, simulate
from sim.experiments import run_sweep

ROOT = Path(__file__).resolve().parents[2]
LINEUP = ROOT / "configs" / "xiaomi_su7_suv.yaml"


def test_runs_carry_each_products_results(tmp_path):
    spec = {
        "name": "lineup_runs",
        "base": str(LINEUP),
        "mode": "deterministic",
        "grid": {"factory.allocation.order": [["suv", "su7"], ["su7", "suv"]]},
    }
    run_sweep(spec, executor="serial", out=tmp_path / "sweep", progress=False)
    runs = pd.read_parquet(tmp_path / "sweep" / "runs.parquet")
    first, starved = runs.iloc[0], runs.iloc[1]
    # the file's own order (SUV first on phase 2): the run's per-product summary, as is
    direct = simulate(load_scenario(LINEUP)).summary["products"]
    for name in ("su7", "suv"):
        p = direct[name]
        assert (
            first[f"product_{name}_breakeven_operating_per_car"]
            == (p["breakeven"]["operating_per_car"])
        )
        assert first[f"product_{name}_total_deliveries"] == pytest.approx(p["totals"]["deliveries"])
    # the SU7 first: its backlog never empties, so phase 2 never builds an SUV
    assert starved["product_suv_total_deliveries"] == 0.0
    assert pd.isna(starved["product_suv_breakeven_operating_per_car_index"])
    assert starved["product_su7_total_deliveries"] == pytest.approx(starved["total_deliveries"])


def test_a_sweep_of_one_product_keeps_its_columns(tmp_path):
    spec = {"name": "one_product", "base": str(ROOT / "configs" / "xiaomi_su7.yaml"),
            "mode": "deterministic"}  # fmt: skip
    run_sweep(spec, executor="serial", out=tmp_path / "sweep", progress=False)
    runs = pd.read_parquet(tmp_path / "sweep" / "runs.parquet")
    assert not [c for c in runs.columns if c.startswith("product_")]
