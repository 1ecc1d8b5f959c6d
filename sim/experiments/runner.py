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
from sim.config.schema import Scenario
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


PRODUCT_BREAKEVENS = ("operating_per_car", "operating_per_car_sustained")
"""A line-up's per-product break-evens in ``runs.parquet`` (month index and label each)."""
PRODUCT_TOTALS = ("deliveries", "operating_profit")
"""A line-up's per-product totals in ``runs.parquet``."""


def run_schema(milestones: list[str], products: list[str] | tuple[str, ...] = ()) -> pa.Schema:
    """:data:`RUN_SCHEMA` and, per milestone name, its month index and ``YYYY-MM`` label; per
    product of a line-up, its break-evens and totals (``product_<name>_...``)."""
    both = (("_index", pa.int32()), ("", pa.string()))
    extra = [(f"milestone_{n}{end}", t) for n in milestones for end, t in both]
    for p in products:
        extra += [(f"product_{p}_breakeven_{k}{end}", t) for k in PRODUCT_BREAKEVENS
                  for end, t in both]  # fmt: skip
        extra += [(f"product_{p}_total_{k}", pa.float64()) for k in PRODUCT_TOTALS]
    return pa.schema([*RUN_SCHEMA, *extra])


FIRST_PRODUCT = Scenario.model_fields["product"].default
"""The first product's name when a scenario does not give one."""


def product_names(variant_data: dict[str, dict[str, Any]]) -> list[str]:
    """The products of any variant with more than one, first product first (none for a sweep
    of one-product scenarios: its ``runs.parquet`` keeps its columns)."""
    names: dict[str, None] = {}
    for data in variant_data.values():
        more = data.get("products") or {}
        if more:
            names |= dict.fromkeys([data.get("product", FIRST_PRODUCT), *more])
    return list(names)


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
    products: tuple[str, ...] = ()
    """Product names of a sweep of line-ups (every chunk has the same columns)."""

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
        products=tuple(product_names(plan.variant_data)),
    )


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if isinstance(exc, ConfigError) else f"{type(exc).__name__}: {text}"


def run_task(task: Task) -> pa.Table:
    """Run every run of ``task``; return its chunk (one row per run, in run id order)."""
    schema = run_schema(list(task.milestones), task.products)
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
    out = {"status": "ok", "error": None, **result.record.flat()}
    if len(result.books.names) > 1:
        index = {label: i for i, label in enumerate(result.calendar.labels)}
        for name, p in result.products.items():
            for k in PRODUCT_BREAKEVENS:
                label = p["breakeven"][k]
                out[f"product_{name}_breakeven_{k}_index"] = index.get(label)
                out[f"product_{name}_breakeven_{k}"] = label
            for k in PRODUCT_TOTALS:
                out[f"product_{name}_total_{k}"] = p["totals"][k]
    return out
