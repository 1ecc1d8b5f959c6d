"""Typed readers of results folders (read_run, read_sweep, read_sensitivity): they give back what
the writers wrote, and a damaged file is one ConfigError naming it and what to do."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.analysis import read_sensitivity
from sim.config.load import DEFAULT_SCENARIO
from sim.errors import ConfigError
from sim.experiments import read_sweep, run_sweep
from sim.io.rundir import read_run, write_run


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    from sim.config.load import load_scenario
    from sim.model.simulate import simulate

    root = tmp_path_factory.mktemp("readers")
    small = {"extends": str(DEFAULT_SCENARIO), "name": "small", "horizon_months": 21}
    (root / "small.yaml").write_text(yaml.safe_dump(small), encoding="utf-8")
    run = simulate(load_scenario(root / "small.yaml"))
    write_run(run, root / "run")
    spec = {
        "name": "tiny",
        "base": str(root / "small.yaml"),
        "master_seed": 5,
        "replications": 2,
        "variants": {"baseline": {}, "slow": {"set": {"factory.lines.phase1.ramp.months": 14}}},
    }
    run_sweep(spec, executor="serial", out=root / "sweep", progress=False)
    sens = root / "sens"
    sens.mkdir()
    oat = pd.DataFrame(
        {
            "input": ["price.asp_usd.base"],
            "label": ["ASP"],
            "low": [27_000.0],
            "base": [30_000.0],
            "high": [33_000.0],
            "breakeven_low": [20.0],
            "breakeven_base": [18.0],
            "breakeven_high": [15.0],
        }
    )
    oat.to_csv(sens / "oat.csv", index=False)
    manifest = {"kind": "sensitivity", "status": "complete", "start": "2024-04"}
    (sens / "manifest.json").write_text(json.dumps(manifest | {"horizon_months": 21}))
    return {"root": root, "run": root / "run", "sweep": root / "sweep", "sens": sens, "res": run}


def damaged(folders, tmp_path: Path, kind: str, name: str, how: str) -> Path:
    """A copy of the ``kind`` folder with ``name`` truncated, emptied or removed."""
    copy = tmp_path / kind
    shutil.copytree(folders[kind], copy)
    path = copy / name
    if how == "truncated":
        os.truncate(path, min(100, path.stat().st_size // 2))
    elif how == "empty":
        path.write_bytes(b"")
    else:
        path.unlink()
    return copy


def test_read_run_gives_back_what_was_written(folders):
    run = read_run(folders["run"])
    res = folders["res"]
    pd.testing.assert_frame_equal(run.monthly, res.monthly)
    assert run.summary["breakeven"] == res.summary["breakeven"]
    assert len(run.quarterly) == len(res.quarterly) and run.config["name"] == "small"


def test_read_sweep_gives_back_its_tables(folders):
    sweep = read_sweep(folders["sweep"])
    assert sweep.name == "tiny" and len(sweep.runs) == 4 and len(sweep.points) == 2
    assert set(sweep.tables()) == {"runs", "points", "comparison", "bands"}
    assert sweep.spec["name"] == "tiny"


def test_read_sensitivity_gives_back_its_tables(folders):
    sens = read_sensitivity(folders["sens"])
    assert sens.oat["input"].tolist() == ["price.asp_usd.base"] and sens.sobol is None
    assert sens.start == "2024-04" and sens.horizon_months == 21


CASES = [
    ("run", read_run, "summary.json", "truncated", "re-run|run the scenario again"),
    ("run", read_run, "monthly.parquet", "truncated", "run the scenario again"),
    ("run", read_run, "quarterly.csv", "empty", "run the scenario again"),
    ("run", read_run, "config.yaml", "missing", "is missing"),
    ("sweep", read_sweep, "runs.parquet", "truncated", "run the sweep again"),
    ("sweep", read_sweep, "bands.parquet", "missing", "is missing"),
    ("sweep", read_sweep, "points.csv", "truncated", "run the sweep again"),
    ("sweep", read_sweep, "comparison.csv", "empty", "is empty"),
    ("sweep", read_sweep, "manifest.json", "truncated", "cannot be read"),
    ("sweep", read_sweep, "sweep.yaml", "truncated", "run the sweep again"),
    ("sens", read_sensitivity, "oat.csv", "truncated", "sensitivity analysis again"),
    ("sens", read_sensitivity, "manifest.json", "truncated", "cannot be read"),
]


@pytest.mark.parametrize(("kind", "read", "name", "how", "says"), CASES)
def test_a_damaged_file_is_one_line_naming_it(folders, tmp_path, kind, read, name, how, says):
    folder = damaged(folders, tmp_path, kind, name, how)
    if name == "sweep.yaml":
        (folder / name).write_text("name: [tiny\n", encoding="utf-8")  # cut mid-list
    with pytest.raises(ConfigError, match=says) as info:
        read(folder)
    message = str(info.value)
    assert message.startswith(str(folder / name)) and "\n" not in message


def test_rows_that_disagree_with_the_manifest_are_refused(folders, tmp_path):
    folder = tmp_path / "sweep"
    shutil.copytree(folders["sweep"], folder)
    runs = pd.read_parquet(folder / "runs.parquet")
    runs.iloc[:3].to_parquet(folder / "runs.parquet", index=False)
    with pytest.raises(ConfigError, match="holds 3 rows, the manifest says 4"):
        read_sweep(folder)


def test_an_unfinished_sweep_says_to_resume(folders, tmp_path):
    folder = tmp_path / "sweep"
    shutil.copytree(folders["sweep"], folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps(manifest | {"status": "interrupted"}))
    with pytest.raises(ConfigError, match=r"not complete.*resume the sweep"):
        read_sweep(folder)


@pytest.mark.parametrize(("kind", "name"), [("run", "monthly.parquet"), ("sweep", "bands.parquet")])
def test_plot_on_a_damaged_folder_is_one_line_and_exit_2(folders, tmp_path, kind, name):
    folder = damaged(folders, tmp_path, kind, name, "truncated")
    done = subprocess.run(
        [sys.executable, "-m", "sim", "plot", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and name in done.stderr and "again" in done.stderr
    assert not (folder / "figures").exists()
