"""Sweeps: bounded before they expand, resumable after damage, clear about their environment."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import SERIAL, TINY_SWEEP, write_yaml
from support.cli_checks import (
    MEMORY_CAP_BYTES,
    assert_bad_input,
    assert_one_line,
    cli,
    popen,
    stderr_lines,
)

ALIAS_BOMB = """\
name: bomb
base: small.yaml
replications: 1
sample:
  method: mc
  size: 2
  params:
    factory.lines.phase1.ramp.months:
      dist: discrete
      values:
        - &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
        - &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
        - &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
        - &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
        - &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
        - &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
        - &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
        - &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]
        - &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]
"""
"""Nine entries in the file; 10**9 numbers once expanded."""


@pytest.mark.parametrize("command", ["validate", "sweep"])
def test_an_alias_bomb_in_discrete_values_is_refused(work: Path, command: str) -> None:
    (work / "bomb.yaml").write_text(ALIAS_BOMB, encoding="utf-8")
    args = ["validate", "bomb.yaml"] if command == "validate" else ["sweep", "bomb.yaml", *SERIAL]
    assert_bad_input(args, work, mentions=["bomb.yaml"], timeout=20)


def _ten_axes() -> dict[str, Any]:
    def rng(start: float, step: float) -> dict[str, float]:
        return {"start": start, "stop": start + 9 * step, "step": step}

    return {
        "factory.lines.phase1.ramp.months": rng(1, 1),
        "factory.lines.phase2.ramp.months": rng(1, 1),
        "factory.lines.phase1.capacity_per_year": rng(100_000, 10_000),
        "factory.lines.phase2.capacity_per_year": rng(100_000, 10_000),
        "launch.preorders": rng(10_000, 10_000),
        "factory.finished_goods_target": rng(0, 100),
        "factory.logistics_lag_days": rng(1, 1),
        "price.asp_usd.base": rng(30_000, 1_000),
        "opex.sga_per_month_usd.base": rng(40_000_000, 1_000_000),
        "factory.initial_experience_units": rng(0, 1_000),
    }


@pytest.mark.parametrize("command", ["validate", "sweep"])
def test_a_grid_of_ten_billion_cells_is_refused_before_it_is_built(
    work: Path, command: str
) -> None:
    spec = {"name": "huge", "base": "small.yaml", "replications": 1, "grid": _ten_axes()}
    write_yaml(work / "huge.yaml", spec)
    args = ["validate", "huge.yaml"] if command == "validate" else ["sweep", "huge.yaml", *SERIAL]
    assert_bad_input(args, work, mentions=["huge.yaml"], timeout=20)


def test_a_sample_of_ten_million_draws_validates_without_drawing_it(work: Path) -> None:
    params = {"demand.q": {"dist": "uniform", "low": 0.03, "high": 0.10}}
    spec = {
        "name": "many",
        "base": "small.yaml",
        "replications": 1,
        "sample": {"method": "mc", "size": 10_000_000, "params": params},
    }
    write_yaml(work / "many.yaml", spec)
    proc = cli(["validate", "many.yaml"], work, timeout=20, memory_cap=MEMORY_CAP_BYTES // 2)
    assert proc.returncode == 0, proc.stderr
    assert stderr_lines(proc) == []


# ------------------------------------------------------------------ damage and interruptions
def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _workers(pid: int) -> list[int]:
    """Worker processes under ``pid``: the leaves of its process tree but the resource tracker."""
    leaves, todo = [], [pid]
    while todo:
        here = todo.pop()
        below = _children(here)
        todo += below
        if not below and here != pid:
            try:
                cmdline = Path(f"/proc/{here}/cmdline").read_bytes()
            except OSError:
                continue
            if b"resource_tracker" not in cmdline:
                leaves.append(here)
    return leaves


def _chunks(folder: Path) -> list[Path]:
    chunks = folder / "chunks"
    return sorted(chunks.glob("chunk-*.parquet")) if chunks.is_dir() else []


def _wait_for_chunks(folder: Path, count: int, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while len(_chunks(folder)) < count and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)


def _runs(folder: Path) -> pd.DataFrame:
    runs = pd.read_parquet(folder / "runs.parquet")
    return runs.sort_values("run_id").reset_index(drop=True) if "run_id" in runs else runs


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_resume_reruns_a_truncated_chunk_and_matches_an_uninterrupted_sweep(work: Path) -> None:
    write_yaml(work / "long.yaml", {**TINY_SWEEP, "name": "long", "replications": 100})
    proc = popen(["sweep", "long.yaml", *SERIAL, "--out", "cut"], work)
    _wait_for_chunks(work / "cut", 3, proc)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert not (work / "cut" / "runs.parquet").exists(), "the sweep ended before the kill"
    victim = _chunks(work / "cut")[0]
    victim.write_bytes(victim.read_bytes()[: victim.stat().st_size // 2])

    resumed = cli(["sweep", "long.yaml", *SERIAL, "--out", "cut", "--resume"], work)
    assert resumed.returncode == 0, resumed.stderr
    assert "Traceback" not in resumed.stderr
    reference = cli(["sweep", "long.yaml", *SERIAL, "--out", "whole"], work)
    assert reference.returncode == 0, reference.stderr
    pd.testing.assert_frame_equal(_runs(work / "cut"), _runs(work / "whole"))
    for table in ("points.csv", "comparison.csv"):
        assert (work / "cut" / table).read_bytes() == (work / "whole" / table).read_bytes()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_worker_is_one_line_and_resume_finishes(work: Path) -> None:
    write_yaml(work / "long.yaml", {**TINY_SWEEP, "name": "long", "replications": 200})
    args = ["sweep", "long.yaml", "--executor", "processes", "--workers", "2", "--no-figures"]
    args += ["--quiet", "--out", "cut"]
    proc = popen(args, work)
    _wait_for_chunks(work / "cut", 1, proc)
    workers = _workers(proc.pid)
    assert workers, "no worker processes found"
    assert proc.poll() is None, "the sweep ended before the kill; make it longer"
    os.kill(workers[0], signal.SIGKILL)
    out, err = proc.communicate(timeout=60)
    done = subprocess.CompletedProcess(args, proc.returncode, out, err)
    line = assert_one_line(done, 1)
    assert "--resume" in line or "resume" in line

    again = cli(["sweep", "long.yaml", *SERIAL, "--out", "cut", "--resume"], work)
    assert again.returncode == 0, again.stderr
    assert (work / "cut" / "runs.parquet").is_file()


# ------------------------------------------------------------------------------ --scheduler
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def http_server(tmp_path: Path) -> Iterator[str]:
    """A plain HTTP server on a loopback port: something answers, but not a Dask scheduler."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"tcp://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _not_left_running(folder: Path) -> None:
    manifest = folder / "manifest.json"
    if manifest.exists():
        status = json.loads(manifest.read_text(encoding="utf-8")).get("status")
        assert status != "running", "the folder is left marked running"


@pytest.mark.parametrize("where", ["closed port", "http server"])
def test_an_unreachable_scheduler_is_one_line_within_a_minute(
    work: Path, where: str, request: pytest.FixtureRequest
) -> None:
    address = (
        request.getfixturevalue("http_server")
        if where == "http server"
        else f"tcp://127.0.0.1:{_free_port()}"
    )
    args = ["sweep", "tiny_sweep.yaml", "--scheduler", address, "--no-figures", "--quiet"]
    proc = cli([*args, "--out", "out"], work, timeout=60)
    assert_one_line(proc, 1)
    _not_left_running(work / "out")


def test_a_scheduler_that_is_not_an_address_is_bad_input(work: Path) -> None:
    args = ["sweep", "tiny_sweep.yaml", "--scheduler", "not a url at all", "--no-figures"]
    assert_bad_input([*args, "--out", "out"], work, timeout=60)
