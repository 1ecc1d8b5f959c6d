"""Sweep and sensitivity folders under the one lifecycle: damaged chunks on resume, the lock,
and what an exception (or an executor that cannot start) leaves behind."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from sim.config.load import DEFAULT_SCENARIO
from sim.errors import ConfigError, EnvironmentFailure
from sim.experiments import api, run_sweep
from sim.experiments.store import chunk_files, chunk_ok
from sim.io.folder import claim, read_manifest

TABLES = ("runs.parquet", "bands.parquet", "points.csv", "comparison.csv")


class Stop(Exception):
    pass


@pytest.fixture
def sweep(tmp_path: Path) -> Path:
    """A 6-run sweep (2 ramps x 3 replications) of a 21-month copy of the default scenario."""
    small = {"extends": str(DEFAULT_SCENARIO), "name": "small", "horizon_months": 21}
    (tmp_path / "small.yaml").write_text(yaml.safe_dump(small), encoding="utf-8")
    spec = {
        "name": "tiny",
        "base": "small.yaml",
        "master_seed": 5,
        "replications": 3,
        "variants": {"baseline": {}, "slow": {"set": {"factory.lines.phase1.ramp.months": 14}}},
    }
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def same_tables(a: Path, b: Path) -> None:
    for name in TABLES:
        read = pd.read_parquet if name.endswith(".parquet") else pd.read_csv
        pd.testing.assert_frame_equal(read(a / name), read(b / name), obj=name)


def interrupt_after(n_chunks: int):
    def progress(done: int, total: int) -> None:
        if done >= n_chunks:
            raise Stop

    return progress


def test_a_truncated_chunk_is_run_again_and_the_tables_equal_an_uninterrupted_sweep(
    sweep, tmp_path
):
    reference = run_sweep(sweep, executor="serial", out=tmp_path / "ref", progress=False)
    out = tmp_path / "cut"
    with pytest.raises(Stop):
        run_sweep(sweep, executor="serial", out=out, progress=interrupt_after(4), chunk_runs=1)
    chunks = chunk_files(out)
    assert len(chunks) == 4
    first, last, damaged = chunks[1]
    os.truncate(damaged, 100)  # as `truncate -s 100`
    assert not chunk_ok(first, last, damaged)
    again = run_sweep(sweep, executor="serial", out=out, resume=True, progress=False)
    assert again.executed == 6 - 3  # the two never run and the damaged one
    same_tables(reference.folder, out)


def test_a_chunk_holding_other_run_ids_is_run_again(sweep, tmp_path):
    reference = run_sweep(sweep, executor="serial", out=tmp_path / "ref", progress=False)
    out = tmp_path / "o"
    run_sweep(sweep, executor="serial", out=out, progress=False, chunk_runs=2)
    _, _, path = chunk_files(out)[0]
    table = pq.read_table(path)
    ids = pa.array([7, 8], type=table.schema.field("run_id").type)
    pq.write_table(table.set_column(0, "run_id", ids), path)  # not runs 0..1
    again = run_sweep(sweep, executor="serial", out=out, resume=True, progress=False)
    assert again.executed == 2
    same_tables(reference.folder, out)


def test_an_exception_leaves_the_folder_interrupted_and_unlocked(sweep, tmp_path):
    out = tmp_path / "o"
    with pytest.raises(Stop):
        run_sweep(sweep, executor="serial", out=out, progress=interrupt_after(2), chunk_runs=1)
    manifest = read_manifest(out)
    assert manifest["kind"] == "sweep" and manifest["status"] == "interrupted"
    with claim(out, "sweep", manifest["spec_hash"], resume=True) as held:  # lock was released
        assert held.resuming


def test_a_second_writer_is_an_environment_failure(sweep, tmp_path):
    out = tmp_path / "o"
    with (
        claim(out, "sweep", "hash", resume=False),
        pytest.raises(EnvironmentFailure, match="in use") as info,
    ):
        run_sweep(sweep, executor="serial", out=out, progress=False)
    assert info.value.exit_status == 1
    assert list(out.iterdir()) == []


class BrokenPool:
    """An executor whose start fails, like an unreachable scheduler."""

    workers, description = 1, "broken"

    def __enter__(self):
        raise EnvironmentFailure("tcp://nowhere:1", None, "scheduler unreachable")

    def __exit__(self, *exc):
        return None


def test_an_executor_that_cannot_start_changes_nothing(sweep, tmp_path, monkeypatch):
    done = run_sweep(sweep, executor="serial", out=tmp_path / "o", progress=False)
    before = {p: p.read_bytes() for p in done.folder.rglob("*") if p.is_file()}
    monkeypatch.setattr(api, "make_executor", lambda *a, **k: BrokenPool())
    with pytest.raises(EnvironmentFailure, match="unreachable"):
        run_sweep(sweep, executor="dask", out=tmp_path / "o", progress=False)
    assert {p: p.read_bytes() for p in done.folder.rglob("*") if p.is_file()} == before
    with pytest.raises(EnvironmentFailure):
        run_sweep(sweep, executor="dask", out=tmp_path / "new", progress=False)
    assert not (tmp_path / "new").exists()  # made for the lock, removed: nothing was begun
    with claim(tmp_path / "o", "sweep", "x", resume=False):  # and no lock is held
        pass


def test_an_exception_in_a_sensitivity_analysis_leaves_nothing_running(tmp_path, monkeypatch):
    from sim.analysis import run_sensitivity

    scenario = {"extends": str(DEFAULT_SCENARIO), "name": "small", "horizon_months": 21}
    (tmp_path / "small.yaml").write_text(yaml.safe_dump(scenario), encoding="utf-8")
    spec = {
        "name": "sens",
        "inputs": {
            "price.asp_usd.base": {"low": 27000, "high": 33000},
            "opex.sga_per_month_usd.base": {"low": 20_000_000, "high": 50_000_000},
        },
        "sobol": {"size": 8, "seed": 3, "resamples": 100},
    }
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    monkeypatch.setattr(api, "make_executor", lambda *a, **k: BrokenPool())
    out = tmp_path / "out"
    with pytest.raises(EnvironmentFailure):
        run_sensitivity(
            tmp_path / "small.yaml", spec=tmp_path / "spec.yaml", out=out, progress=False
        )
    statuses = [json.loads(p.read_text())["status"] for p in out.rglob("manifest.json")]
    assert statuses and "running" not in statuses
    with pytest.raises(ConfigError, match="holds unfinished sensitivity work; resume it"):
        claim(out, "sensitivity", "x", resume=False)  # unlocked, and unfinished: refused


def test_a_refused_folder_names_it_without_a_command_line_flag(sweep, tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        run_sweep(sweep, executor="serial", out=tmp_path / "mine", progress=False)
    assert "--" not in str(info.value) and "mine" in str(info.value)
    assert (tmp_path / "mine" / "notes.txt").read_text(encoding="utf-8") == "keep"
