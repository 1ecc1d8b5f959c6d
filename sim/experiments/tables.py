"""The final tables, built from the chunks in run id order, each written atomically.

Because every table is rebuilt from the chunks and sorted by run id, a sweep that was killed and
resumed ends with the same files as one that never stopped, whatever executor ran which chunk.
Memory: the per-run scalars of all runs (a few hundred bytes each) plus one metric's monthly
arrays of one band group (one point's replications, or one variant when pooled) at a time.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.core.calendar import shift_label
from sim.core.format import csv_precision
from sim.core.outputs import BAND_METRICS, PRIMARY
from sim.experiments.aggregate import BANDS_SCHEMA, bands_rows, comparison_table, summary_table
from sim.experiments.plan import SweepPlan
from sim.experiments.runner import milestone_names, product_names, run_schema
from sim.experiments.store import chunk_files
from sim.io.atomic import atomic_path

TABLES = ("runs.parquet", "points.csv", "comparison.csv", "bands.parquet")


def point_index(plan: SweepPlan) -> pd.DataFrame:
    """One row per point: ``point_id``, ``variant`` and one column per factor (dotted path).

    A factor whose values are not all numbers (or all strings) is stored as JSON text.
    """
    points = plan.points()
    frame = pd.DataFrame({"point_id": [p.point_id for p in points]})
    frame["variant"] = [p.variant for p in points]
    for path in plan.factor_paths:
        values = [p.factors[path] for p in points]
        numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
        texts = all(isinstance(v, str) for v in values)
        frame[path] = values if numbers or texts else [json.dumps(v, default=str) for v in values]
    return frame


def check_complete(folder: Path, n_runs: int) -> list[Path]:
    """The chunk files, checked to cover run ids ``0..n_runs-1`` once each."""
    nxt, paths = 0, []
    for first, last, path in chunk_files(folder):
        if first != nxt:
            raise RuntimeError(f"{folder}: runs {nxt}..{first - 1} missing or overlapping")
        nxt = last + 1
        paths.append(path)
    if nxt != n_runs:
        raise RuntimeError(f"{folder}: {n_runs - nxt} runs missing")
    return paths


STATS_COLUMNS = [
    "run_id",
    "point_id",
    "status",
    "start_month",
    f"breakeven_{PRIMARY}_index",
    "breakeven_holds",
    "peak_cash_deficit",
    "final_cumulative_cash",
]
"""The columns of ``runs.parquet`` the aggregates need (read back, not the whole table), and
each milestone's ``milestone_<name>_index``."""


def stats_columns(plan: SweepPlan) -> list[str]:
    """:data:`STATS_COLUMNS` and the milestone columns of ``plan``."""
    names = milestone_names(plan.variant_data)
    return STATS_COLUMNS + [f"milestone_{n}_index" for n in names]


ROW_GROUP_RUNS = 20_000  # runs per row group of runs.parquet (few groups: a small footer)
ROW_GROUP_ROWS = 100_000  # rows per row group of bands.parquet


def _read(path: Path, columns: list[str]) -> pa.Table:
    return pq.ParquetFile(path).read(columns=columns)


def runs_chunk(plan: SweepPlan, path: Path, index: dict[str, pa.Array]) -> pa.Table:
    """One chunk's rows of ``runs.parquet``: point, factors and seed, then the run's results."""
    data = plan.variant_data
    names = run_schema(milestone_names(data), product_names(data)).names
    body = _read(path, names)
    reps, seed = plan.replications, plan.spec.master_seed
    run_id = body.column("run_id").to_numpy()
    point = pa.array(run_id // reps)
    k = run_id % reps
    seeds = (
        [None] * len(k)  # deterministic: every random quantity at its expectation, no seed
        if plan.spec.mode == "deterministic"
        else [f"SeedSequence({seed}, spawn_key=({j},))" for j in k]
    )
    columns = {"run_id": body.column("run_id")}
    columns |= {name: values.take(point) for name, values in index.items()}
    columns |= {
        "replication": pa.array(k),
        "master_seed": pa.array(np.full(len(k), seed, dtype=np.int64)),
        "seed": pa.array(seeds, type=pa.string()),
    }
    columns |= {name: body.column(name) for name in names if name != "run_id"}
    return pa.table(columns)


def _pandas_schema(table: pa.Table) -> pa.Schema:
    """``table``'s schema with pandas metadata: month indices read back as nullable Int32."""
    frame = table.slice(0, 1).to_pandas()
    for col in [c for c in frame.columns if c.endswith("_index")]:
        frame[col] = frame[col].astype("Int32")
    meta = pa.Schema.from_pandas(frame, preserve_index=False).metadata
    return table.schema.with_metadata(meta)


def write_runs(plan: SweepPlan, paths: list[Path], index: pd.DataFrame, folder: Path) -> None:
    """``runs.parquet``, streamed chunk by chunk in run id order (never all runs in memory)."""
    arrays = {col: pa.array(index[col].tolist()) for col in index.columns}
    schema, writer, pending, rows = None, None, [], 0
    with atomic_path(folder / "runs.parquet") as tmp:
        try:
            for i, path in enumerate(paths):
                table = runs_chunk(plan, path, arrays)
                if schema is None:
                    schema = _pandas_schema(table)
                    writer = pq.ParquetWriter(tmp, schema)
                pending.append(table.cast(schema))
                rows += table.num_rows
                if rows >= ROW_GROUP_RUNS or i == len(paths) - 1:
                    writer.write_table(pa.concat_tables(pending), row_group_size=ROW_GROUP_RUNS)
                    pending, rows = [], 0
        finally:
            if writer is not None:
                writer.close()


def _lists(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """A list column as (offsets, flat values): row ``i`` is ``values[off[i]:off[i + 1]]``."""
    arr = column.combine_chunks()
    offsets = arr.offsets.to_numpy()
    return offsets, arr.values.to_numpy(zero_copy_only=False)


def _rows(offsets: np.ndarray, flat: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The list rows ``rows`` as a (rows x months) block, NaN-padded if ragged."""
    starts, lengths = offsets[rows], offsets[rows + 1] - offsets[rows]
    width = int(lengths.max())
    cols = np.arange(width)
    block = np.full((rows.size, width), np.nan, dtype=flat.dtype)
    inside = cols[None, :] < lengths[:, None]
    block[inside] = flat[(starts[:, None] + cols[None, :])[inside]]
    return block


def _stack(blocks: list[np.ndarray]) -> np.ndarray:
    width = max(b.shape[1] for b in blocks)
    padded = [np.pad(b, ((0, 0), (0, width - b.shape[1])), constant_values=np.nan) for b in blocks]
    return np.vstack(padded)


def _groups(
    plan: SweepPlan, paths: list[Path], metric: str
) -> Iterator[tuple[Any, str, str, np.ndarray]]:
    """One metric's band groups in run order: (point_id or None, variant, start, runs x months).

    A group is a point (or a variant when pooled); its runs are consecutive in run id order,
    so only one group's arrays are held at a time. Failed runs are skipped.
    """
    names = plan.spec.variant_names
    pooled = plan.spec.outputs.bands_by == "variant"
    span = plan.replications * (plan.n_points // len(names) if pooled else 1)  # runs a group

    def group(key: int, start: str, blocks: list[np.ndarray]) -> tuple:
        if pooled:
            return None, names[key], start, _stack(blocks)
        return key, plan.point(key).variant, start, _stack(blocks)

    key, start, blocks = -1, None, []
    for path in paths:
        chunk = _read(path, ["run_id", "status", "start_month", f"band.{metric}"])
        keys = chunk.column("run_id").to_numpy() // span
        ok = np.asarray(chunk.column("status").to_pylist()) == "ok"
        starts = chunk.column("start_month")
        offsets, flat = _lists(chunk.column(f"band.{metric}"))
        cuts = [0, *(np.flatnonzero(np.diff(keys)) + 1), len(keys)]
        for lo, hi in itertools.pairwise(cuts):
            if keys[lo] != key:
                if start is not None:
                    yield group(key, start, blocks)
                key, start, blocks = int(keys[lo]), None, []
            rows = np.flatnonzero(ok[lo:hi]) + lo
            if rows.size:
                start = start or starts[int(rows[0])].as_py()
                blocks.append(_rows(offsets, flat, rows))
    if start is not None:
        yield group(key, start, blocks)


def write_bands(plan: SweepPlan, paths: list[Path], folder: Path) -> None:
    """``bands.parquet``, streamed metric by metric, group by group (rows in that order).

    Groups with no successful run are left out.
    """
    with (
        atomic_path(folder / "bands.parquet") as tmp,
        pq.ParquetWriter(tmp, BANDS_SCHEMA) as writer,
    ):
        pending: list[pa.Table] = []
        rows = 0
        for metric in BAND_METRICS:
            for point_id, variant, start, matrix in _groups(plan, paths, metric):
                pending.append(bands_rows(point_id, variant, start, metric, matrix))
                rows += pending[-1].num_rows
                if rows >= ROW_GROUP_ROWS:
                    writer.write_table(pa.concat_tables(pending), row_group_size=ROW_GROUP_ROWS)
                    pending, rows = [], 0
        if pending:
            writer.write_table(pa.concat_tables(pending), row_group_size=ROW_GROUP_ROWS)


def write_monthly(plan: SweepPlan, paths: list[Path], folder: Path) -> None:
    """``monthly.parquet``: one row per successful run and month, every monthly column."""
    schema = None
    with atomic_path(folder / "monthly.parquet") as tmp:
        writer = None
        try:
            for path in paths:
                table = pq.ParquetFile(path).read()
                names = [n for n in table.column_names if n.startswith("monthly.")]
                ok = pa.compute.equal(table.column("status"), "ok")
                table = table.filter(ok)
                if not names or table.num_rows == 0:
                    continue
                lengths = pa.compute.list_value_length(table.column(names[0])).to_numpy()
                run_id = np.repeat(table.column("run_id").to_numpy(), lengths)
                reps = plan.replications
                start = table.column("start_month").to_pylist()
                month = np.concatenate([np.arange(n) for n in lengths])
                labels = [
                    shift_label(s, int(m))
                    for s, m in zip(np.repeat(start, lengths), month, strict=True)
                ]
                cols = {
                    "run_id": run_id,
                    "point_id": run_id // reps,
                    "replication": run_id % reps,
                    "month": labels,
                }
                for n in names:
                    cols[n.removeprefix("monthly.")] = table.column(n).combine_chunks().flatten()
                out = pa.table(cols)
                if writer is None:
                    schema = out.schema
                    writer = pq.ParquetWriter(tmp, schema)
                writer.write_table(out.cast(schema))
        finally:
            if writer is not None:
                writer.close()
        if writer is None:
            pq.write_table(pa.table({"run_id": pa.array([], pa.int64())}), tmp)


def comparison_frame(plan: SweepPlan, runs: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    """Per point; per variant (pooled over the draws) when the sweep samples.

    With one variant there is nothing to pair, so no ``p_before_baseline``.
    """
    reps, names = plan.replications, plan.spec.variant_names
    paired = len(names) > 1
    if plan.spec.sample is None:
        baseline = np.array([plan.baseline_point(p) for p in range(plan.n_points)])
        return comparison_table(points, runs, reps, baseline if paired else None)
    per_variant = plan.n_points // len(names)
    summary = summary_table(runs, pd.DataFrame({"variant": names}), per_variant * reps)
    baseline = np.full(len(names), names.index(plan.spec.baseline_name))
    return comparison_table(summary, runs, per_variant * reps, baseline if paired else None)


def build_tables(plan: SweepPlan, folder: Path) -> dict[str, pd.DataFrame]:
    """Write every final table from the chunks; return points and comparison (at full
    precision; the CSV files at their units' precision, :func:`sim.core.format.csv_precision`).

    Memory does not grow with the number of runs beyond :data:`STATS_COLUMNS` (about 60 bytes
    a run) and one band group's arrays.
    """
    paths = check_complete(folder, plan.n_runs)
    index = point_index(plan)
    write_runs(plan, paths, index, folder)
    stats = pd.read_parquet(folder / "runs.parquet", columns=stats_columns(plan))
    points = summary_table(stats, index, plan.replications)
    comparison = comparison_frame(plan, stats, points)
    with atomic_path(folder / "points.csv") as tmp:
        csv_precision(points).to_csv(tmp, index=False)
    with atomic_path(folder / "comparison.csv") as tmp:
        csv_precision(comparison).to_csv(tmp, index=False)
    write_bands(plan, paths, folder)
    if plan.spec.outputs.full_monthly:
        write_monthly(plan, paths, folder)
    return {"points": points, "comparison": comparison}
