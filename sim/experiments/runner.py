"""The hot path: a task (a contiguous range of run ids) runs in a worker and returns one chunk.

Everything here works on NumPy arrays from :class:`sim.model.result.Result` (``columns``, and
``record``: :class:`sim.core.outputs.RunRecord`); no pandas per run. A run that raises becomes a
``failed`` row with its error, and the task goes on. The task is plain data, so it pickles to any
executor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from sim.config.load import apply_overrides, scenario_from_dict
from sim.core.outputs import BAND_METRICS, BREAKEVENS, FINALS, MILESTONES, TOTALS
from sim.errors import ConfigError
from sim.experiments.plan import SweepPlan, replication_seed
from sim.model.simulate import simulate

RUN_SCHEMA = pa.schema(
    [
        ("run_id", pa.int64()),
        ("status", pa.string()),
        ("error", pa.string()),
        ("start_month", pa.string()),
        *[(f"breakeven_{k}_index", pa.int32()) for k in BREAKEVENS],
        *[(f"breakeven_{k}", pa.string()) for k in BREAKEVENS],
        ("peak_cash_deficit", pa.float64()),
        ("peak_cash_deficit_month", pa.string()),
        ("cumulative_deliveries_at_breakeven", pa.float64()),
        *[(f"total_{t}", pa.float64()) for t in TOTALS],
        *[(name, pa.float64()) for name in FINALS],
        ("events", pa.int64()),
        ("breakeven_holds", pa.bool_()),
        ("relapse_index", pa.int32()),
        ("relapse", pa.string()),
        ("months_below_zero_after_breakeven", pa.int32()),
        ("profitable_from_index", pa.int32()),
        ("profitable_from", pa.string()),
    ]
)
"""Per-run scalar columns of a chunk shared by every sweep (``runs.parquet`` adds the point,
factors and seed, and :func:`run_schema` the sweep's milestones)."""


def run_schema(milestones: list[str]) -> pa.Schema:
    """:data:`RUN_SCHEMA` and, per milestone name, its month index and ``YYYY-MM`` label."""
    extra = [(f"milestone_{n}{end}", t) for n in milestones
             for end, t in (("_index", pa.int32()), ("", pa.string()))]  # fmt: skip
    return pa.schema([*RUN_SCHEMA, *extra])


def milestone_names(variant_data: dict[str, dict[str, Any]]) -> list[str]:
    """Milestones named by any variant, in first-seen order (the default's when none names
    any); a variant without one has no value in its column."""
    names: dict[str, None] = {}
    for data in variant_data.values():
        given = data.get("milestones")
        names |= dict.fromkeys(MILESTONES if given is None else given)
    return list(names)


@dataclass(frozen=True)
class Task:
    """Runs ``first`` to ``last`` (inclusive) and everything needed to run them anywhere."""

    first: int
    last: int
    replications: int
    master_seed: int
    mode: str
    source: str
    points: dict[int, tuple[str, dict[str, Any]]]
    """point_id -> (variant, factors) for the points this task touches."""
    variant_data: dict[str, dict[str, Any]]
    full_monthly: bool = False
    milestones: tuple[str, ...] = ()
    """Milestone names of the whole sweep (every chunk has the same columns)."""

    @property
    def size(self) -> int:
        return self.last - self.first + 1


def make_task(plan: SweepPlan, first: int, last: int) -> Task:
    reps = plan.replications
    pids = range(first // reps, last // reps + 1)
    points = {p: (pt.variant, pt.factors) for p in pids for pt in [plan.point(p)]}
    variants = {v for v, _ in points.values()}
    return Task(
        first=first,
        last=last,
        replications=reps,
        master_seed=plan.spec.master_seed,
        mode=plan.spec.mode,
        source=plan.source,
        points=points,
        variant_data={v: plan.variant_data[v] for v in variants},
        full_monthly=plan.spec.outputs.full_monthly,
        milestones=tuple(milestone_names(plan.variant_data)),
    )


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if isinstance(exc, ConfigError) else f"{type(exc).__name__}: {text}"


def run_task(task: Task) -> pa.Table:
    """Run every run of ``task``; return its chunk (one row per run, in run id order)."""
    schema = run_schema(list(task.milestones))
    rows: dict[str, list[Any]] = {f.name: [] for f in schema}
    bands: dict[str, list[Any]] = {m: [] for m in BAND_METRICS}
    full: dict[str, list[Any]] = {}
    scenarios: dict[int, Any] = {}  # point_id -> Scenario, or the exception building it
    for run_id in range(task.first, task.last + 1):
        point_id, k = divmod(run_id, task.replications)
        try:
            scenario = scenarios.get(point_id)
            if scenario is None:
                scenario = scenarios[point_id] = _build(task, point_id)
            if isinstance(scenario, Exception):
                raise scenario
            result = simulate(scenario, replication_seed(task.master_seed, k), mode=task.mode)
            record = _record(result)
        except Exception as exc:
            record = {"status": "failed", "error": _one_line(exc)}
            result = None
        for name, values in rows.items():
            values.append(run_id if name == "run_id" else record.get(name))
        for m in BAND_METRICS:
            bands[m].append(None if result is None else result.columns[m].astype(np.float32))
        if task.full_monthly:
            _add_full(full, result, len(rows["run_id"]) - 1)
    columns = {f.name: pa.array(rows[f.name], type=f.type) for f in schema}
    columns |= {f"band.{m}": pa.array(bands[m], type=pa.list_(pa.float32())) for m in bands}
    columns |= {f"monthly.{c}": pa.array(v, type=pa.list_(pa.float64())) for c, v in full.items()}
    return pa.table(columns)


def _build(task: Task, point_id: int) -> Any:
    """The point's validated scenario, or the exception that stops it (failing all its runs)."""
    variant, factors = task.points[point_id]
    try:
        data = apply_overrides(task.variant_data[variant], factors, task.source)
        return scenario_from_dict(data, f"{task.source} point {point_id}")
    except Exception as exc:
        return exc


def _add_full(full: dict[str, list[Any]], result: Any, row: int) -> None:
    if result is not None:
        for name, values in result.columns.items():
            full.setdefault(name, [None] * row).append(values.astype(np.float64))
    for values in full.values():
        if len(values) < row + 1:
            values.append(None)


def _record(result: Any) -> dict[str, Any]:
    return {"status": "ok", "error": None, **result.record.flat()}
