"""``run_sweep``: the one entry point, for the command line and for notebooks alike.

>>> from sim.experiments import run_sweep
>>> res = run_sweep("configs/sweeps/ramps.yaml", executor="processes", workers=2)
>>> res.comparison          # one row per point (here per ramp variant)
>>> res.runs, res.points, res.bands

No pool or cluster exists before the call or after it returns (or raises): they are created
inside and always shut down, so importing :mod:`sim.experiments` is free and a notebook never
hangs on a pool left behind. Worker processes start with "forkserver" (Linux) or "spawn", never
"fork"; as with any process pool, a *script* must call ``run_sweep`` under
``if __name__ == "__main__":`` (notebooks and the ``scaleup`` command need nothing).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.compute as pc

from sim.experiments.executors import make_executor
from sim.experiments.plan import SweepPlan, load_sweep
from sim.experiments.progress import Progress
from sim.experiments.runner import make_task, run_task
from sim.experiments.store import finish_manifest, prepare, split, unlock, write_chunk
from sim.experiments.tables import TABLES, build_tables

MAX_CHUNK_RUNS = 50  # runs per task at most: ~0.4 s of work, a few dozen KB to send back
TASKS_PER_WORKER = 8  # at least this many tasks per worker, so the last ones balance


@dataclass(frozen=True)
class SweepResult:
    """The tables of a finished sweep (pandas DataFrames) and the folder they were written to."""

    points: pd.DataFrame
    """One row per point (``points.csv``)."""
    comparison: pd.DataFrame
    """The headline table per point, with P(break-even before the baseline) (``comparison.csv``)."""
    folder: Path
    plan: SweepPlan = field(repr=False)
    executed: int = 0
    """Runs executed by this call (the rest were done before a resume)."""
    elapsed_s: float = 0.0
    """Wall time of this call, seconds."""
    executor: str = ""
    failed: int = 0
    """Runs that raised (recorded in ``runs`` with status ``failed`` and their error)."""

    @cached_property
    def runs(self) -> pd.DataFrame:
        """One row per run (``runs.parquet``, read on first use)."""
        return pd.read_parquet(self.folder / "runs.parquet")

    @cached_property
    def bands(self) -> pd.DataFrame:
        """Monthly P10/P50/P90/mean per point, metric and month (read on first use)."""
        return pd.read_parquet(self.folder / "bands.parquet")


def chunk_size(todo: int, workers: int) -> int:
    """Runs per task: up to :data:`MAX_CHUNK_RUNS`, at least TASKS_PER_WORKER tasks a worker."""
    return max(1, min(MAX_CHUNK_RUNS, math.ceil(todo / (workers * TASKS_PER_WORKER))))


def run_sweep(
    spec_or_path: str | Path | Mapping[str, Any] | SweepPlan,
    executor: str = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    progress: bool | Callable[[int, int], Any] | None = None,
    full_monthly: bool | None = None,
    *,
    chunk_runs: int | None = None,
) -> SweepResult:
    """Run a sweep (file, mapping or :func:`load_sweep` plan) and return its tables.

    ``executor``: ``"serial"``, ``"processes"`` (a local pool of ``workers`` processes, default
    all CPUs) or ``"dask"`` (the cluster at ``scheduler``, or a local one of ``workers``).
    ``out`` defaults to ``outputs/<sweep name>``. ``resume`` finishes an interrupted sweep in
    ``out`` (refused if the sweep changed). ``full_monthly`` overrides ``outputs.full_monthly``.
    ``chunk_runs`` (runs per task) is chosen from the worker count when None; it never changes
    the results. Bad input raises :class:`sim.errors.ConfigError` before anything is written.
    """
    t0 = time.monotonic()
    plan = load_sweep(spec_or_path, full_monthly=full_monthly)
    pool = make_executor(executor, workers, scheduler)
    folder = Path(out) if out is not None else Path("outputs") / plan.name
    if chunk_runs is not None and chunk_runs < 1:
        raise ValueError("chunk_runs must be at least 1")
    todo, note, folder_lock = prepare(folder, plan, resume)
    n_todo = sum(b - a + 1 for a, b in todo)
    bar = Progress(plan.name, plan.n_runs, plan.n_runs - n_todo, progress)
    bar.note(f"{note}; {_shape(plan)} -> {folder}")
    try:
        if n_todo:
            with pool:
                size = chunk_runs or chunk_size(n_todo, pool.workers)
                tasks = (make_task(plan, a, b) for a, b in split(todo, size))
                bar.note(f"running {n_todo:,} runs on {pool.description}")
                bar.begin()
                for table in pool.imap_unordered(run_task, tasks):
                    write_chunk(folder, table)
                    failed = pc.sum(pc.not_equal(table.column("status"), "ok")).as_py() or 0
                    bar.update(table.num_rows, failed)
        bar.close()
        tables = build_tables(plan, folder)
        failed = int(tables["points"]["failed"].sum())
        written = [*TABLES, *(["monthly.parquet"] if plan.spec.outputs.full_monthly else [])]
        finish_manifest(folder, failed, written)
    except KeyboardInterrupt:
        bar.note(
            f"interrupted: {bar.done:,} of {plan.n_runs:,} runs kept in {folder}; "
            "resume (--resume) to finish"
        )
        raise
    finally:
        bar.close()
        unlock(folder_lock)
    return SweepResult(
        points=tables["points"],
        comparison=tables["comparison"],
        folder=folder,
        plan=plan,
        executed=n_todo,
        elapsed_s=time.monotonic() - t0,
        executor=pool.description,
        failed=failed,
    )


def _shape(plan: SweepPlan) -> str:
    parts = [f"{len(plan.variant_data)} variant{'s' * (len(plan.variant_data) != 1)}"]
    if plan.spec.grid:
        parts.append(f"{len(plan.grid_cells)} grid cells")
    if plan.spec.sample:
        parts.append(f"{len(plan.draws)} draws")
    parts.append(f"{plan.replications} replications")
    return f"{plan.n_runs:,} runs ({' x '.join(parts)})"


def read_sweep(folder: str | Path) -> dict[str, pd.DataFrame]:
    """The tables of a finished sweep folder, as DataFrames (``bands`` included)."""
    folder = Path(folder)
    return {
        "runs": pd.read_parquet(folder / "runs.parquet"),
        "points": pd.read_csv(folder / "points.csv"),
        "comparison": pd.read_csv(folder / "comparison.csv"),
        "bands": pd.read_parquet(folder / "bands.parquet"),
    }
