"""Resume: after any interruption the final tables equal an uninterrupted run's, no run twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.cli.main import main
from sim.experiments import run_sweep, runner
from sim.experiments.api import chunk_size
from sim.experiments.store import chunk_files

TABLES = ("runs.parquet", "bands.parquet", "points.csv", "comparison.csv")


class Stop(Exception):
    pass


def _same_files(a: Path, b: Path) -> None:
    for name in TABLES:
        read = pd.read_parquet if name.endswith(".parquet") else pd.read_csv
        pd.testing.assert_frame_equal(read(a / name), read(b / name), obj=name)


@pytest.fixture
def counted(monkeypatch):
    """Count every simulate() call of serial runs (this process)."""
    calls: list[tuple] = []
    real = runner.simulate

    def counting(scenario, seed, mode):
        calls.append((scenario.factory.lines["phase1"].ramp, seed.spawn_key))
        return real(scenario, seed, mode=mode)

    monkeypatch.setattr(runner, "simulate", counting)
    return calls


def test_interrupted_then_resumed_equals_uninterrupted(tiny, write_sweep, sweep_dir, counted):
    tiny["replications"] = 5
    path = write_sweep(tiny)
    whole = run_sweep(path, executor="serial", out=sweep_dir / "whole", progress=False)
    assert len(counted) == 10
    counted.clear()

    def stop_after_3_chunks(done: int, total: int) -> None:
        if done >= 3 * 2:
            raise Stop

    out = sweep_dir / "cut"
    with pytest.raises(Stop):
        run_sweep(path, executor="serial", out=out, progress=stop_after_3_chunks, chunk_runs=2)
    assert len(chunk_files(out)) == 3 and not (out / "runs.parquet").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted" and manifest["error"].startswith("Stop")
    first = len(counted)
    again = run_sweep(path, executor="serial", out=out, resume=True, progress=False, chunk_runs=3)
    assert first == 6 and again.executed == 4 and len(counted) == 10
    assert len(set(counted)) == 10  # each (ramp, replication) exactly once
    _same_files(whole.folder, out)
    pd.testing.assert_frame_equal(whole.runs, again.runs)


def test_resume_after_deleted_chunks_runs_only_those(tiny, write_sweep, sweep_dir, counted):
    path = write_sweep(tiny)
    run_sweep(path, executor="serial", out=sweep_dir / "o", progress=False, chunk_runs=2)
    reference = sweep_dir / "ref"
    run_sweep(path, executor="serial", out=reference, progress=False)
    (sweep_dir / "o" / "manifest.json").write_text(
        (sweep_dir / "o" / "manifest.json").read_text().replace("complete", "running")
    )
    chunk_files(sweep_dir / "o")[1][2].unlink()  # runs 2..3 lost
    counted.clear()
    res = run_sweep(path, executor="serial", out=sweep_dir / "o", resume=True, progress=False)
    assert res.executed == 2 and sorted(k for _, k in counted) == [(0,), (2,)]
    _same_files(reference, sweep_dir / "o")


def _interrupt(path: Path, out: Path) -> None:
    def stop(done: int, total: int) -> None:
        raise Stop

    with pytest.raises(Stop):
        run_sweep(path, executor="serial", out=out, progress=stop, chunk_runs=1)


def test_unfinished_folder_without_resume_is_refused(tiny, write_sweep, sweep_dir, capsys):
    path = write_sweep(tiny)
    _interrupt(path, sweep_dir / "out")
    assert main(["sweep", str(path), "--executor", "serial", "--out", str(sweep_dir / "out")]) == 2
    err = capsys.readouterr().err
    assert "unfinished sweep 'tiny' (1 of 6 runs done); resume it to finish" in err
    assert len(chunk_files(sweep_dir / "out")) == 1


def test_changed_sweep_is_refused_on_resume(tiny, write_sweep, sweep_dir, capsys):
    path = write_sweep(tiny)
    _interrupt(path, sweep_dir / "out")
    tiny["variants"]["slow"]["set"]["factory.lines.phase1.ramp.months"] = 15
    write_sweep(tiny)
    args = ["sweep", str(path), "--executor", "serial", "--out", str(sweep_dir / "out")]
    assert main([*args, "--resume"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the sweep changed since this folder's run" in err
    assert len(chunk_files(sweep_dir / "out")) == 1  # untouched


def test_complete_folder_is_replaced_and_foreign_folder_refused(
    tiny, write_sweep, sweep_dir, capsys
):
    path = write_sweep(tiny)
    out = sweep_dir / "out"
    run_sweep(path, executor="serial", out=out, progress=False, chunk_runs=1)
    assert len(chunk_files(out)) == 6
    run_sweep(path, executor="serial", out=out, progress=False, chunk_runs=3)
    assert len(chunk_files(out)) == 2  # the old chunks went with the old results
    (sweep_dir / "mine").mkdir()
    (sweep_dir / "mine" / "notes.txt").write_text("keep me")
    assert main(["sweep", str(path), "--executor", "serial", "--out", str(sweep_dir / "mine")]) == 2
    assert "is not empty and scaleup did not write it" in capsys.readouterr().err
    assert (sweep_dir / "mine" / "notes.txt").read_text() == "keep me"


def _descendants(pid: int) -> set[int]:
    out, todo = set(), [pid]
    while todo:
        p = todo.pop()
        try:
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        out |= {int(c) for c in children}
        todo += [int(c) for c in children]
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc")
@pytest.mark.parametrize("executor", ["serial", "processes"])
def test_kill_9_then_resume(executor, tiny, write_sweep, sweep_dir, cli):
    tiny["replications"] = 150
    path = write_sweep(tiny)
    out = sweep_dir / "out"
    workers = 2 if executor == "processes" else 1
    cmd = [sys.executable, "-m", "sim", "sweep", str(path), "--executor", executor]
    cmd += ["--workers", str(workers), "--out", str(out), "--no-figures"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(chunk_files(out)) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        helpers = _descendants(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    total = -(-300 // chunk_size(300, workers))  # chunks of the whole sweep
    killed_at = len(chunk_files(out))
    assert 2 <= killed_at < total, "the sweep ended before the kill; make it longer"
    assert not (out / "runs.parquet").exists()
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in helpers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(p) for p in helpers), "workers outlived the killed sweep"
    done = cli(
        ["sweep", path, "--executor", executor, "--out", out, "--resume", "--no-figures"],
        cwd=sweep_dir,
    )
    assert done.returncode == 0, done.stderr
    assert "resuming:" in done.stderr
    reference = run_sweep(path, executor="serial", out=sweep_dir / "ref", progress=False)
    _same_files(reference.folder, out)
