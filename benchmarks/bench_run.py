"""Time one default 60-month run in both modes and compare it with a bare SimPy loop.

Then the same for the two-product scenario (``configs/xiaomi_su7_suv.yaml``), as a ratio to the
default run measured in this process.

    python benchmarks/bench_run.py [--repeats N] [--json FILE] [--profile]

For each mode: the median, P10 and P90 of ``simulate()`` wall time over N runs (stochastic runs
use seeds 0..N-1), the SimPy events each run processed, the time to build the pandas tables
(``monthly``, ``quarterly``, ``summary``), and the same statistics for a bare SimPy loop that
processes the same number of events in this process. The overhead ratio is the median run time
over the median bare-loop time: what the model costs on top of SimPy's own event handling.
No figure here is asserted; see benchmarks/README.md for what each one means.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import simpy

import sim
from sim import Scenario, load_scenario, simulate

MODES = ("deterministic", "stochastic")
TABLES = ("monthly", "quarterly", "summary")
"""Result properties timed after each run, in this order (``quarterly`` reuses ``monthly``)."""
TARGET_STOCHASTIC_MS = 20.0  # aim for one stochastic 60-month run, in milliseconds
TARGET_OVERHEAD_RATIO = 3.0  # aim for model run time / bare SimPy loop time
LINEUP = Path(__file__).resolve().parents[1] / "configs" / "xiaomi_su7_suv.yaml"
"""The two-product scenario the ``lineup`` rows time."""
TARGET_LINEUP_RATIO = 2.0  # aim for a two-product run / a default run
PROFILE_RUNS = 20  # stochastic runs under cProfile
PROFILE_TOP = 15  # functions printed, by tottime


def _stats(values_ms: Sequence[float]) -> dict[str, float]:
    v = np.asarray(values_ms, dtype=float)
    figures = {
        "median": np.median(v),
        "p10": np.percentile(v, 10),
        "p90": np.percentile(v, 90),
        "min": v.min(),
        "max": v.max(),
    }
    return {key: round(float(x), 4) for key, x in figures.items()}  # to 0.1 microsecond


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Wall time of ``fn()`` in milliseconds, and its return value."""
    t0 = time.perf_counter()
    out = fn()
    return (time.perf_counter() - t0) * 1e3, out


def bench_model(scenario: Scenario, mode: str, repeats: int) -> dict[str, Any]:
    """Time ``simulate()`` and then each table's first build, ``repeats`` times after a warm-up."""
    stochastic = mode == "stochastic"
    seeds = list(range(repeats)) if stochastic else [None] * repeats
    warm = simulate(scenario, seed=repeats if stochastic else None, mode=mode)
    for name in TABLES:
        getattr(warm, name)
    run_ms: list[float] = []
    events: list[int] = []
    table_ms: dict[str, list[float]] = {name: [] for name in TABLES}
    for seed in seeds:
        gc.collect()  # start each run with no garbage left over from the previous one
        ms, result = _timed(partial(simulate, scenario, seed=seed, mode=mode))
        run_ms.append(ms)
        events.append(result.events)
        for name in TABLES:
            table_ms[name].append(_timed(partial(getattr, result, name))[0])
    ev = np.asarray(events)
    return {
        "seeds": None if not stochastic else [0, repeats - 1],
        "run_ms": _stats(run_ms),
        "events": {"median": float(np.median(ev)), "min": int(ev.min()), "max": int(ev.max())},
        "tables_ms": {name: _stats(v) for name, v in table_ms.items()},
    }


def bare_loop(n_events: int) -> int:
    """Process ``n_events`` SimPy events one step at a time; return the count processed.

    One process yields ``env.timeout(1)`` ``n_events - 1`` times; with the process's own
    Initialize event that is ``n_events`` steps of ``while proc.is_alive: env.step()``.
    """
    env = simpy.Environment()

    def proc(env: simpy.Environment, n: int):
        timeout = env.timeout
        for _ in range(n):
            yield timeout(1)

    p = env.process(proc(env, n_events - 1))
    step = env.step
    count = 0
    while p.is_alive:
        step()
        count += 1
    return count


def bench_bare(n_events: int, repeats: int) -> dict[str, Any]:
    bare_loop(n_events)  # warm-up
    times: list[float] = []
    processed = 0
    for _ in range(repeats):
        gc.collect()
        ms, processed = _timed(partial(bare_loop, n_events))
        times.append(ms)
    return {"events": processed, "run_ms": _stats(times)}


def machine_info() -> dict[str, Any]:
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or None,
        "cpu_count": os.cpu_count(),
        "cpu_affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "versions": {
            "scaleup": sim.__version__,
            "simpy": simpy.__version__,
            "numpy": np.__version__,
            "pandas": pd.__version__,
        },
    }
    try:
        info["git_commit"] = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            check=True,
            timeout=5,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        info["git_commit"] = None
    return info


def run_benchmark(repeats: int) -> dict[str, Any]:
    scenario = load_scenario()
    modes: dict[str, Any] = {}
    for mode in MODES:
        model = bench_model(scenario, mode, repeats)
        n_events = round(model["events"]["median"])
        bare = bench_bare(n_events, repeats)
        run, loop = model["run_ms"]["median"], bare["run_ms"]["median"]
        modes[mode] = {
            **model,
            "bare_loop": bare,
            "overhead_ratio": round(run / loop, 3),
            "us_per_event": {
                "model": round(run * 1e3 / n_events, 3),
                "bare_loop": round(loop * 1e3 / n_events, 3),
            },
        }
    lineup_scenario = load_scenario(LINEUP)
    lineup: dict[str, Any] = {}
    for mode in MODES:
        model = bench_model(lineup_scenario, mode, repeats)
        ratio = model["run_ms"]["median"] / modes[mode]["run_ms"]["median"]
        lineup[mode] = {**model, "ratio_to_default": round(ratio, 3)}
    stoch = modes["stochastic"]
    return {
        "benchmark": "bench_run",
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "scenario": scenario.name,
        "horizon_months": scenario.horizon_months,
        "repeats": repeats,
        "units": "milliseconds of wall time (time.perf_counter); ratio is dimensionless",
        "machine": machine_info(),
        "modes": modes,
        "lineup": {"scenario": lineup_scenario.name, "modes": lineup},
        "targets": {
            "stochastic_run_ms": {
                "aim": TARGET_STOCHASTIC_MS,
                "median": stoch["run_ms"]["median"],
                "met": stoch["run_ms"]["median"] < TARGET_STOCHASTIC_MS,
            },
            "overhead_ratio": {
                "aim": TARGET_OVERHEAD_RATIO,
                "value": stoch["overhead_ratio"],
                "met": stoch["overhead_ratio"] < TARGET_OVERHEAD_RATIO,
            },
            "lineup_ratio": {
                "aim": TARGET_LINEUP_RATIO,
                "value": lineup["stochastic"]["ratio_to_default"],
                "met": lineup["stochastic"]["ratio_to_default"] < TARGET_LINEUP_RATIO,
            },
        },
    }


def format_report(fig: dict[str, Any]) -> str:
    def row(label: str, s: dict[str, float], extra: str = "") -> str:
        return f"  {label:<22}{s['median']:>9.3f}{s['p10']:>9.3f}{s['p90']:>9.3f}  {extra}".rstrip()

    m = fig["machine"]
    lines = [
        f"scenario {fig['scenario']!r}, {fig['horizon_months']} months, "
        f"{fig['repeats']} repeats + 1 warm-up; Python {m['python']}, SimPy "
        f"{m['versions']['simpy']}, {m['cpu_count']} CPUs",
        f"  {'(ms)':<22}{'median':>9}{'P10':>9}{'P90':>9}",
    ]
    for mode, r in fig["modes"].items():
        ev = r["events"]
        span = f"{ev['min']}" if ev["min"] == ev["max"] else f"median {ev['median']:g}, "
        span += "" if ev["min"] == ev["max"] else f"{ev['min']}..{ev['max']}"
        seeds = f", seeds {r['seeds'][0]}..{r['seeds'][1]}" if r["seeds"] else ""
        upe = r["us_per_event"]
        lines.append(f"{mode} ({span} events{seeds})")
        lines.append(row("simulate()", r["run_ms"], f"{upe['model']:.2f} us/event"))
        lines.append(
            row(
                "bare SimPy loop",
                r["bare_loop"]["run_ms"],
                f"{upe['bare_loop']:.2f} us/event ({r['bare_loop']['events']} events)",
            )
        )
        lines.append(f"  {'overhead ratio':<22}{r['overhead_ratio']:>9.2f}")
        for name, s in r["tables_ms"].items():
            lines.append(row(f".{name}", s))
    lu = fig["lineup"]
    lines.append(f"line-up {lu['scenario']!r} (two products)")
    for mode, r in lu["modes"].items():
        ev = r["events"]["median"]
        lines.append(
            row(f"simulate() {mode[:5]}.", r["run_ms"], f"{r['ratio_to_default']:.2f}x the "
                f"default ({ev:g} events)")
        )  # fmt: skip
    t = fig["targets"]
    rt, ot, lt = t["stochastic_run_ms"], t["overhead_ratio"], t["lineup_ratio"]
    lines.append(
        f"aims: stochastic run < {rt['aim']:g} ms: {rt['median']:.2f} "
        f"({'met' if rt['met'] else 'not met'}); overhead ratio < {ot['aim']:g}: "
        f"{ot['value']:.2f} ({'met' if ot['met'] else 'not met'}); line-up < {lt['aim']:g}x "
        f"the default: {lt['value']:.2f} ({'met' if lt['met'] else 'not met'})"
    )
    return "\n".join(lines)


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Write to a temporary file in the target folder, then rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; give it a normal file's mode
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def profile_stochastic(runs: int = PROFILE_RUNS, top: int = PROFILE_TOP) -> str:
    """cProfile ``runs`` stochastic ``simulate()`` calls (seeds 0..runs-1); top functions."""
    scenario = load_scenario()
    simulate(scenario, seed=runs, mode="stochastic")  # warm-up, outside the profile
    prof = cProfile.Profile()
    prof.enable()
    for seed in range(runs):
        simulate(scenario, seed=seed, mode="stochastic")
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).strip_dirs().sort_stats("tottime").print_stats(top)
    head = f"cProfile: {runs} stochastic runs, top {top} functions by tottime"
    return head + "\n" + out.getvalue().strip()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=31, help="timed runs per figure (31)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here")
    parser.add_argument(
        "--profile",
        action="store_true",
        help=f"then cProfile {PROFILE_RUNS} stochastic runs and print the top {PROFILE_TOP}",
    )
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    figures = run_benchmark(args.repeats)
    print(format_report(figures))
    if args.json:
        write_json_atomic(args.json, figures)
        print(f"wrote {args.json}")
    if args.profile:
        print()
        print(profile_stochastic())
    return 0


if __name__ == "__main__":
    sys.exit(main())
