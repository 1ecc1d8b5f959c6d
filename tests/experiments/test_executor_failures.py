"""When the executor fails: one line, the right exit status, nothing left behind or lost.

A scheduler that cannot be used fails before any folder is written; a worker killed mid-sweep
keeps the finished runs and ``--resume`` finishes the rest.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.experiments.store import done_ranges


def sweep(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sim", "sweep", "tiny.yaml", "--out", "out", "--no-figures", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.stderr.strip()


def test_closed_port_is_exit_1_and_writes_nothing(write_sweep, sweep_dir):
    pytest.importorskip("distributed")
    write_sweep()
    port = free_port()  # nothing listens there once the socket is closed
    proc = sweep(sweep_dir, "--scheduler", f"tcp://127.0.0.1:{port}")
    assert proc.returncode == 1
    assert one_line(proc).startswith(
        f"scaleup: error: --scheduler tcp://127.0.0.1:{port}: no Dask scheduler can be reached"
    )
    assert not (sweep_dir / "out").exists()


def test_an_address_that_is_not_one_is_bad_input(write_sweep, sweep_dir):
    pytest.importorskip("distributed")
    write_sweep()
    proc = sweep(sweep_dir, "--scheduler", "not a url")
    assert proc.returncode == 2
    assert one_line(proc).startswith("scaleup: error: --scheduler not a url: expected an address")
    assert not (sweep_dir / "out").exists()


def test_a_server_that_is_not_a_scheduler_is_exit_1_not_a_hang(write_sweep, sweep_dir):
    """An HTTP server on a loopback port: it accepts the connection and never speaks Dask."""
    pytest.importorskip("distributed")
    write_sweep()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=sweep_dir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):  # until it listens (at most ~10 s)
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        proc = sweep(sweep_dir, "--scheduler", f"tcp://127.0.0.1:{port}")
    finally:
        server.kill()
        server.wait(timeout=10)
    assert proc.returncode == 1
    assert "it is not a Dask scheduler" in one_line(proc)
    assert "--scheduler" in proc.stderr
    assert not (sweep_dir / "out").exists()


def test_dask_missing_is_exit_1_and_names_the_extra(write_sweep, sweep_dir, tmp_path_factory):
    write_sweep()
    fake = tmp_path_factory.mktemp("no_dask")
    (fake / "distributed").mkdir()
    (fake / "distributed" / "__init__.py").write_text("raise ImportError('no distributed')\n")
    proc = sweep(sweep_dir, "--executor", "dask", env={"PYTHONPATH": str(fake)})
    assert proc.returncode == 1
    assert one_line(proc) == (
        "scaleup: error: --executor dask: Dask is not installed; "
        "install the dask extra: pip install 'scaleup[dask]'"
    )
    assert not (sweep_dir / "out").exists()


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the pool's workers in /proc")
def test_a_killed_worker_keeps_the_finished_runs_and_resume_finishes(tiny, write_sweep, sweep_dir):
    tiny["replications"] = 60  # 120 runs in chunks of 8: a few seconds on two workers
    write_sweep(tiny)
    args = ["sweep", "tiny.yaml", "--out", "out", "--no-figures", "--workers", "2"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", *args],
        cwd=sweep_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        workers: list[int] = []
        while time.monotonic() < deadline and proc.poll() is None:
            if done_ranges(sweep_dir / "out"):  # a chunk is written: some runs are kept
                workers = [w for s in _children(proc.pid) for w in _children(s)]
                if workers:
                    break
            time.sleep(0.05)
        assert workers, "the sweep ended before a worker could be killed"
        os.kill(workers[0], signal.SIGKILL)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, err
    line = err.strip().splitlines()[-1]
    kept = sum(b - a + 1 for a, b in done_ranges(sweep_dir / "out"))
    assert 0 < kept < 120
    assert line.startswith("scaleup: error: a worker process")
    assert f"{kept:,} of 120 runs finished" in line or f"{kept:,} runs finished" in line, line
    assert "--resume" in line
    assert "Traceback" not in err

    done = subprocess.run(
        [sys.executable, "-m", "sim", *args, "--resume", "--quiet"],
        cwd=sweep_dir,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    runs = pd.read_parquet(sweep_dir / "out" / "runs.parquet", columns=["run_id", "status"])
    assert sorted(runs["run_id"]) == list(range(120))
    assert (runs["status"] == "ok").all()
