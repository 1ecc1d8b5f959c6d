"""``scaleup plot DIR``: the right figures for a run, sweep or sensitivity folder; bad folders."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.cli.main import main
from sim.config.load import DEFAULT_SCENARIO

RAMP, LABOUR = "factory.lines.phase1.ramp.months", "costs.components.direct_labour.progress_ratio"
RUN_FIGURES = {"per_car_profit", "operations", "unit_cost", "cash"}


def names(folder: Path, ext: str = "png") -> set[str]:
    return {p.stem for p in folder.glob(f"*.{ext}")}


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """A run folder (no figures), a 2-variant sweep, a 2 x 2 grid sweep; 21 months each."""
    from sim.experiments import run_sweep
    from sim.io.rundir import write_run
    from sim.model.simulate import simulate

    root = tmp_path_factory.mktemp("plot")
    base = root / "small.yaml"
    small = {"extends": str(DEFAULT_SCENARIO), "name": "small", "horizon_months": 21}
    base.write_text(yaml.safe_dump(small), encoding="utf-8")
    from sim.config.load import load_scenario

    write_run(simulate(load_scenario(base)), root / "run")
    common = {"base": str(base), "master_seed": 5}
    variants = {
        **common,
        "name": "tiny",
        "replications": 3,
        "variants": {"baseline": {}, "slow": {"set": {RAMP: 14}}},
    }
    grid = {
        **common,
        "name": "grid",
        "replications": 2,
        "grid": {RAMP: [4, 14], LABOUR: [0.8, 0.92]},
    }
    run_sweep(variants, executor="serial", out=root / "sweep", progress=False)
    run_sweep(grid, executor="serial", out=root / "grid", progress=False)
    return {"root": root, "run": root / "run", "sweep": root / "sweep", "grid": root / "grid"}


def test_plot_run_folder(folders, capsys):
    assert main(["plot", str(folders["run"])]) == 0
    figures = folders["run"] / "figures"
    assert names(figures) == RUN_FIGURES
    out = capsys.readouterr().out
    assert out.startswith(f"Wrote 4 files to {figures}/") and "per_car_profit.png" in out


def test_plot_sweep_folder_with_svg(folders, tmp_path, capsys):
    out = tmp_path / "figs"
    assert main(["plot", str(folders["sweep"]), "--svg", "--out", str(out)]) == 0
    expected = {"per_car_profit_bands", "breakeven_distribution", "fan_baseline", "fan_slow"}
    assert names(out) == expected and names(out, "svg") == expected
    assert "Wrote 8 files" in capsys.readouterr().out
    assert not (folders["sweep"] / "figures" / "breakeven_distribution.png").exists()


def test_plot_grid_sweep_draws_the_heatmap(folders, tmp_path):
    assert main(["plot", str(folders["grid"]), "--out", str(tmp_path)]) == 0
    assert "breakeven_heatmap" in names(tmp_path)
    assert {"per_car_profit_bands", "breakeven_distribution"} <= names(tmp_path)


def test_plot_sensitivity_folder(tmp_path, capsys):
    oat = pd.DataFrame(
        {
            "input": ["demand.q", "price.asp_usd.base"],
            "label": ["Demand q", "Price (USD)"],
            "low": [0.03, 27000.0],
            "base": [0.06, 30000.0],
            "high": [0.1, 33000.0],
            "breakeven_low": [19.0, np.nan],
            "breakeven_base": [18.0, 18.0],
            "breakeven_high": [17.0, 10.0],
            "capital_low": [1.3e9, 5e9],
            "capital_base": [1.2e9, 1.2e9],
            "capital_high": [1.1e9, 1.0e9],
        }
    )
    oat.to_csv(tmp_path / "oat.csv", index=False)
    sobol = oat[["input", "label"]].assign(S1=[0.3, 0.5], S1_conf=0.05, ST=[0.4, 0.6], ST_conf=0.05)
    sobol.to_csv(tmp_path / "sobol.csv", index=False)
    (tmp_path / "manifest.json").write_text('{"start": "2024-04", "horizon_months": 60}')
    assert main(["plot", str(tmp_path)]) == 0
    assert names(tmp_path / "figures") == {"tornado_breakeven", "tornado_capital", "sobol"}


def test_plot_refuses_a_folder_it_does_not_know(tmp_path, cli):
    empty = tmp_path / "empty"
    empty.mkdir()
    done = cli(["plot", empty])
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and str(empty) in done.stderr
    assert "not a run, sweep or sensitivity folder" in done.stderr
    assert not (empty / "figures").exists()


def test_plot_refuses_a_missing_folder_and_an_unfinished_sweep(folders, tmp_path, capsys):
    assert main(["plot", str(tmp_path / "nope")]) == 2
    assert "nope: no such folder" in capsys.readouterr().err
    unfinished = tmp_path / "unfinished"
    unfinished.mkdir()
    for name in ("runs.parquet", "bands.parquet"):
        (unfinished / name).write_bytes((folders["sweep"] / name).read_bytes())
    (unfinished / "manifest.json").write_text('{"status": "running"}')
    assert main(["plot", str(unfinished)]) == 2
    assert "not complete" in capsys.readouterr().err
