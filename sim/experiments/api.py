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
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.compute as pc

from sim.errors import ConfigError
from sim.experiments.aggregate import BANDS_SCHEMA
from sim.experiments.executors import make_executor
from sim.experiments.plan import SweepPlan, load_sweep
from sim.experiments.progress import Progress
from sim.experiments.runner import make_task, run_task
from sim.experiments.store import new_manifest, open_folder, split, start_files, write_chunk
from sim.experiments.tables import TABLES, build_tables
from sim.io.folder import MANIFEST, Claim, kind_of
from sim.io.paths import check_output, os_error, shown
from sim.io.readers import (
    bad_file,
    read_csv,
    read_json,
    read_parquet,
    read_yaml,
    require_columns,
    require_rows,
    verify_files,
)

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
    *,
    executor: str = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    progress: bool | Callable[[int, int], Any] | None = None,
    full_monthly: bool | None = None,
    chunk_runs: int | None = None,
) -> SweepResult:
    """Run a sweep (file, mapping or :func:`load_sweep` plan) and return its tables.

    Every option after the sweep is keyword-only. ``executor``: ``"serial"``, ``"processes"``
    (a local pool of ``workers`` processes, default all CPUs) or ``"dask"`` (the cluster at
    ``scheduler``, or a local one of ``workers``).
    ``out`` defaults to ``outputs/<sweep name>``. ``resume`` finishes an interrupted sweep in
    ``out`` (refused if the sweep changed). ``full_monthly`` overrides ``outputs.full_monthly``.
    ``chunk_runs`` (runs per task) is chosen from the worker count when None; it never changes
    the results. Bad input raises :class:`sim.errors.ConfigError` before anything is written.
    """
    t0 = time.monotonic()
    plan = load_sweep(spec_or_path, full_monthly=full_monthly)
    pool = make_executor(executor, workers, scheduler)
    folder = check_output(out if out is not None else os.path.join("outputs", plan.name))
    if chunk_runs is not None and chunk_runs < 1:
        raise ValueError("chunk_runs must be at least 1")
    held, todo = open_folder(folder, plan, resume)
    n_todo = sum(b - a + 1 for a, b in todo)
    try:
        with held:  # an exception marks the folder interrupted and releases the lock
            bar = Progress(plan.name, plan.n_runs, plan.n_runs - n_todo, progress)
            bar.note(f"{held.note}; {_shape(plan)} -> {shown(folder)}")
            try:
                tables = _run(plan, held, pool, todo, chunk_runs, bar)
            except KeyboardInterrupt:
                bar.note(
                    f"interrupted: {bar.done:,} of {plan.n_runs:,} runs kept in "
                    f"{shown(folder)}; resume the sweep to finish"
                )
                raise
            finally:
                bar.close()
    except OSError as exc:
        raise os_error(exc, folder) from exc
    failed = int(tables["points"]["failed"].sum())
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


def _run(
    plan: SweepPlan,
    held: Claim,
    pool: Any,
    todo: list[tuple[int, int]],
    chunk_runs: int | None,
    bar: Progress,
) -> dict[str, pd.DataFrame]:
    """Run the runs of ``todo`` into chunks, then build and record the final tables."""
    n_todo = sum(b - a + 1 for a, b in todo)
    if n_todo:
        with pool:
            held.begin(new_manifest(plan), start_files(plan))  # once the pool is up
            size = chunk_runs or chunk_size(n_todo, pool.workers)
            tasks = (make_task(plan, a, b) for a, b in split(todo, size))
            bar.note(f"running {n_todo:,} runs on {pool.description}")
            bar.begin()
            for table in pool.imap_unordered(run_task, tasks):
                write_chunk(held.folder, table)
                failed = pc.sum(pc.not_equal(table.column("status"), "ok")).as_py() or 0
                bar.update(table.num_rows, failed)
    else:
        held.begin(new_manifest(plan), start_files(plan))
    bar.close()
    tables = build_tables(plan, held.folder)
    failed = int(tables["points"]["failed"].sum())
    written = [*TABLES, *(["monthly.parquet"] if plan.spec.outputs.full_monthly else [])]
    held.complete(failed=failed, tables=written)
    return tables


def _shape(plan: SweepPlan) -> str:
    parts = [f"{len(plan.variant_data)} variant{'s' * (len(plan.variant_data) != 1)}"]
    if plan.spec.grid:
        parts.append(f"{len(plan.grid_cells)} grid cells")
    if plan.spec.sample:
        parts.append(f"{len(plan.draws)} draws")
    parts.append(f"{plan.replications} replications")
    return f"{plan.n_runs:,} runs ({' x '.join(parts)})"


@dataclass(frozen=True)
class SweepFolder:
    """A finished sweep folder read back (:func:`read_sweep`): its tables and what it ran."""

    folder: Path
    manifest: dict[str, Any]
    spec: dict[str, Any]
    """The resolved sweep as run (``sweep.yaml``)."""
    runs: pd.DataFrame
    points: pd.DataFrame
    comparison: pd.DataFrame
    bands: pd.DataFrame

    @property
    def name(self) -> str:
        return str(self.manifest.get("sweep") or self.folder.name)

    def tables(self) -> dict[str, pd.DataFrame]:
        """``runs``, ``points``, ``comparison`` and ``bands`` by name."""
        return {
            "runs": self.runs,
            "points": self.points,
            "comparison": self.comparison,
            "bands": self.bands,
        }


HINT = "run the sweep again (or resume it) to rewrite the folder"


def read_sweep(folder: str | Path) -> SweepFolder:
    """The tables of a finished sweep folder. ConfigError naming the file, with what to do, if
    the folder is not a finished sweep or a file is missing, truncated or inconsistent."""
    folder = Path(folder)
    manifest = read_json(folder / MANIFEST, HINT)
    if manifest.get("status") != "complete":
        raise ConfigError(
            shown(folder),
            None,
            f"the sweep is not complete (status {manifest.get('status')!r}); resume the sweep "
            "to finish it",
        )
    if kind_of(folder, manifest) not in ("sweep", None):
        raise bad_file(folder / MANIFEST, "is not a sweep's manifest", "choose a sweep folder")
    verify_files(folder, manifest, HINT)
    spec = read_yaml(folder / "sweep.yaml", HINT) if (folder / "sweep.yaml").exists() else {}
    if not isinstance(spec, dict):
        raise bad_file(folder / "sweep.yaml", "is not a sweep mapping", HINT)
    runs = read_parquet(folder / "runs.parquet", HINT)
    require_columns(runs, ("run_id", "point_id", "status"), folder / "runs.parquet", HINT)
    require_rows(runs, manifest.get("runs"), folder / "runs.parquet", HINT)
    points = read_csv(folder / "points.csv", HINT)
    require_columns(points, ("point_id", "variant"), folder / "points.csv", HINT)
    require_rows(points, manifest.get("points"), folder / "points.csv", HINT)
    comparison = read_csv(folder / "comparison.csv", HINT)
    require_columns(comparison, ("variant",), folder / "comparison.csv", HINT)
    bands = read_parquet(folder / "bands.parquet", HINT)
    require_columns(bands, BANDS_SCHEMA.names, folder / "bands.parquet", HINT)
    return SweepFolder(folder, manifest, spec, runs, points, comparison, bands)
