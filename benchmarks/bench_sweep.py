"""Runs per second of a Monte Carlo sweep of the default scenario, by worker count, and memory.

    python benchmarks/bench_sweep.py [--runs 10000] [--small-runs 2000] [--json FILE]

The sweep is the default scenario (60 months), stochastic, one point with ``--runs``
replications, run through ``run_sweep`` exactly as ``scaleup sweep`` runs it (chunks written,
final tables built). Each measurement runs in a fresh Python process, so pools, caches and peak
memory do not carry over:

- ``serial``: the serial executor (no pool);
- ``processes x1`` and ``processes x2``: a local pool of 1 and 2 worker processes;
- parallel efficiency = T(x1) / (2 x T(x2)), and the same against serial;
- ``machine``: two bare loops of ``simulate()`` in two processes at once against one alone,
  with no sweep code at all: what the CPUs allow (shared or throttled cores show here);
- peak memory: the sweep process (``ru_maxrss``) and the largest worker (``VmHWM``, read from
  /proc while it runs), at ``--small-runs`` and at ``--runs`` runs with 2 workers.

Nothing is asserted. See benchmarks/README.md ("Sweeps") for the figures measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from sim.config.load import DEFAULT_SCENARIO

MACHINE_RUNS = 150  # simulate() calls per bare loop in the machine check


POINT_REPLICATIONS = 100  # replications per point in the "points" memory rows


def spec(runs: int, points: int = 1) -> dict[str, Any]:
    """``runs`` stochastic runs of the default scenario: one point, or ``points`` grid points
    (SG&A 45, 45.1, ... USD M a month) of ``runs // points`` replications each."""
    out: dict[str, Any] = {
        "name": "bench_sweep",
        "base": str(DEFAULT_SCENARIO),
        "mode": "stochastic",
        "master_seed": 1,
        "replications": runs // points,
    }
    if points > 1:
        stop = 45e6 + (points - 1) * 1e5
        out["grid"] = {"opex.sga_per_month_usd.base": {"start": 45e6, "stop": stop, "step": 1e5}}
    return out


def _peak_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            kids = [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except OSError:
            continue
        out += kids
        todo += kids
    return out


def child(executor: str, workers: int, runs: int, points: int) -> dict[str, Any]:
    """One measurement, in this (fresh) process."""
    from sim.experiments import run_sweep

    peaks: dict[int, int] = {}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            for pid in _descendants(os.getpid()):
                peaks[pid] = max(peaks.get(pid, 0), _peak_kb(pid))
            stop.wait(0.25)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        res = run_sweep(
            spec(runs, points),
            executor=executor,
            workers=workers,
            out=Path(tmp) / "out",
            progress=False,
        )
        wall = time.perf_counter() - t0
        failed = res.failed
    stop.set()
    watcher.join()
    workers_kb = sorted(peaks.values())
    return {
        "executor": executor,
        "workers": workers,
        "runs": runs,
        "points": points,
        "failed": failed,
        "wall_s": round(wall, 2),
        "runs_per_s": round(runs / wall, 1),
        "main_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "worker_peak_mb": round(max(workers_kb, default=0) / 1024, 1),
    }


def bare_loop(n: int) -> float:
    """Seconds for ``n`` stochastic default runs in this process (after one warm-up)."""
    import numpy as np

    from sim import load_scenario, simulate

    sc = load_scenario()
    simulate(sc, 0, mode="stochastic")
    t0 = time.perf_counter()
    for k in range(n):
        simulate(sc, np.random.SeedSequence(1, spawn_key=(k,)), mode="stochastic")
    return time.perf_counter() - t0


def machine_check() -> dict[str, float]:
    """Bare loops: one process alone, then two at once. Efficiency 1.0 = two real cores."""
    cmd = [sys.executable, __file__, "--bare", str(MACHINE_RUNS)]
    alone = float(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
    pair = [subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    both = [float(p.communicate()[0]) for p in pair]
    return {
        "ms_per_run_alone": round(alone / MACHINE_RUNS * 1000, 2),
        "ms_per_run_two_at_once": round(max(both) / MACHINE_RUNS * 1000, 2),
        "efficiency": round(alone / max(both), 3),
    }


def measure(executor: str, workers: int, runs: int, points: int = 1) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", executor, str(workers), str(runs), str(points)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"  {executor:<9} x{workers}  {runs:>6,} runs {points:>4} pt  {result['wall_s']:>7.2f} s  "
        f"{result['runs_per_s']:>7.1f} runs/s  main {result['main_peak_mb']:>6.1f} MB  "
        f"worker {result['worker_peak_mb']:>6.1f} MB",
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--small-runs", type=int, default=2_000)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--bare", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        executor, workers, runs, points = args.child
        print(json.dumps(child(executor, int(workers), int(runs), int(points))))
        return
    if args.bare:
        print(bare_loop(args.bare))
        return

    cpus, version = os.cpu_count(), platform.python_version()
    print(f"Monte Carlo sweep of the default scenario, {cpus} CPUs, Python {version}")
    machine = machine_check()
    print(
        f"  machine: one bare loop {machine['ms_per_run_alone']} ms/run, two at once "
        f"{machine['ms_per_run_two_at_once']} ms/run each -> CPU efficiency "
        f"{machine['efficiency']:.0%}"
    )
    per = POINT_REPLICATIONS
    rows = [
        measure("serial", 1, args.runs),
        measure("processes", 1, args.runs),
        measure("processes", 2, args.runs),
        measure("processes", 2, args.small_runs),
        measure("processes", 2, args.small_runs, max(1, args.small_runs // per)),
        measure("processes", 2, args.runs, max(1, args.runs // per)),
    ]
    serial, one, two, small, small_pts, many_pts = rows
    eff = one["wall_s"] / (2 * two["wall_s"])
    eff_serial = serial["wall_s"] / (2 * two["wall_s"])
    print(
        f"  parallel efficiency T(x1) / (2 T(x2)) = {eff:.0%}  (against serial: {eff_serial:.0%})"
    )
    for label, a, b in (
        ("1 point", small, two),
        (f"{per} replications a point", small_pts, many_pts),
    ):
        print(
            f"  peak memory, 2 workers, {label}: {a['runs']:,} runs main {a['main_peak_mb']} MB, "
            f"worker {a['worker_peak_mb']} MB; {b['runs']:,} runs main {b['main_peak_mb']} MB, "
            f"worker {b['worker_peak_mb']} MB"
        )
    print(f"  aim: {args.runs:,} runs in < 60 s on 2 cores: {two['wall_s']:.1f} s")
    if args.json:
        payload = {
            "machine": machine,
            "rows": rows,
            "efficiency": round(eff, 3),
            "efficiency_vs_serial": round(eff_serial, 3),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
        }
        Path(args.json).write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
