"""The results folder of a sweep: what is kind-specific (chunks, resolved spec, manifest fields).

Layout of ``outputs/<sweep>/``::

    manifest.json     kind "sweep", name, spec hash, counts, status (running / complete / ...)
    sweep.yaml        the resolved spec (defaults filled in, ranges expanded, files resolved)
    variants/*.yaml   each variant's scenario as run (its overrides applied)
    chunks/chunk-<first>-<last>.parquet   one per finished task, written atomically
    runs.parquet, points.csv, comparison.csv, bands.parquet, [monthly.parquet]   at the end

A chunk holds the contiguous run ids ``first..last`` (its name says which), so the runs done are
read from the file names; on resume each chunk is verified (readable, those run ids) and a
damaged one is removed so its runs run again. When a folder may be used, replaced or resumed,
its lock, and the status left after an exception are the rules of :mod:`sim.io.folder`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from sim.experiments.plan import SweepPlan
from sim.io.atomic import atomic_path
from sim.io.folder import Claim, claim, now
from sim.io.paths import shown

KIND = "sweep"
CHUNKS = "chunks"
CHUNK_NAME = re.compile(r"^chunk-(\d{10})-(\d{10})\.parquet$")


def chunk_path(folder: Path, first: int, last: int) -> Path:
    return folder / CHUNKS / f"chunk-{first:010d}-{last:010d}.parquet"


def chunk_files(folder: Path) -> list[tuple[int, int, Path]]:
    """Finished chunks as (first, last, path), in run order."""
    found = []
    chunks = folder / CHUNKS
    if chunks.is_dir():
        for p in chunks.iterdir():
            m = CHUNK_NAME.match(p.name)
            if m:
                found.append((int(m.group(1)), int(m.group(2)), p))
    return sorted(found)


def done_ranges(folder: Path) -> list[tuple[int, int]]:
    return [(a, b) for a, b, _ in chunk_files(folder)]


def missing_ranges(n_runs: int, done: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The run ids not in ``done`` as inclusive (first, last) ranges, in order."""
    out, nxt = [], 0
    for a, b in sorted(done):
        if a > nxt:
            out.append((nxt, min(a, n_runs) - 1))
        nxt = max(nxt, b + 1)
    if nxt < n_runs:
        out.append((nxt, n_runs - 1))
    return [(a, b) for a, b in out if a <= b]


def split(ranges: list[tuple[int, int]], size: int) -> Iterator[tuple[int, int]]:
    """Cut ranges into tasks of at most ``size`` runs, never across a gap."""
    for a, b in ranges:
        for first in range(a, b + 1, size):
            yield first, min(first + size - 1, b)


def _clean_partial(folder: Path) -> None:
    """Remove temporary files a killed writer left behind (never a finished chunk)."""
    for p in folder.rglob(".*.tmp"):
        p.unlink(missing_ok=True)


def chunk_ok(first: int, last: int, path: Path) -> bool:
    """True if the chunk's parquet footer reads and it holds exactly run ids ``first..last``."""
    try:
        meta = pq.read_metadata(path)
        if meta.num_rows != last - first + 1:
            return False
        ids = pq.ParquetFile(path).read(columns=["run_id"]).column("run_id").to_pylist()
    except (OSError, ValueError, KeyError, pa.ArrowException):
        return False
    return ids == list(range(first, last + 1))


def verify_chunks(folder: Path) -> list[Path]:
    """Remove the damaged chunks (truncated, unreadable, other run ids); return them."""
    bad = [path for first, last, path in chunk_files(folder) if not chunk_ok(first, last, path)]
    for path in bad:
        path.unlink(missing_ok=True)
    return bad


def _unfinished(folder: Path, manifest: dict[str, Any]) -> str:
    done = sum(b - a + 1 for a, b in done_ranges(folder))
    runs = manifest.get("runs")
    total = f"{runs:,}" if isinstance(runs, int) else "?"
    return f"an unfinished sweep {manifest.get('sweep')!r} ({done:,} of {total} runs done)"


def open_folder(folder: Path, plan: SweepPlan, resume: bool) -> tuple[Claim, list[tuple[int, int]]]:
    """Claim ``folder`` for ``plan`` (:func:`sim.io.folder.claim`); return it and the runs to do.

    On resume, damaged chunks are removed first, so their runs are run again. The caller
    calls ``Claim.begin(new_manifest(plan), start_files(plan))`` before writing chunks.
    """
    held = claim(folder, KIND, plan.spec_hash, resume, _unfinished)
    if not held.resuming:
        return held, missing_ranges(plan.n_runs, [])
    try:
        _clean_partial(folder)
        bad = verify_chunks(folder)
    except OSError:
        held.__exit__(None, None, None)
        raise
    todo = missing_ranges(plan.n_runs, done_ranges(folder))
    done = plan.n_runs - sum(b - a + 1 for a, b in todo)
    held.note = f"resuming: {done:,} of {plan.n_runs:,} runs already done"
    if bad:
        held.note += f" ({len(bad)} damaged chunk{'s' * (len(bad) != 1)} removed, run again)"
    return held, todo


def start_files(plan: SweepPlan) -> list[tuple[str, str]]:
    """``sweep.yaml`` and ``variants/*.yaml``: what a new sweep folder holds before any run."""
    files = [("sweep.yaml", "# Resolved sweep as run\n" + _yaml(plan.resolved()))]
    for name, data in plan.variant_data.items():
        text = f"# Scenario of variant {name!r} as run (before grid and sample values)\n"
        files.append((f"variants/{name}.yaml", text + _yaml(data)))
    return files


def _yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(json.loads(json.dumps(data, default=str)), sort_keys=False)


def new_manifest(plan: SweepPlan) -> dict[str, Any]:
    return {
        "sweep": plan.name,
        "source": shown(plan.source),
        "spec_hash": plan.spec_hash,
        "runs": plan.n_runs,
        "points": plan.n_points,
        "replications": plan.replications,
        "master_seed": plan.spec.master_seed,
        "mode": plan.spec.mode,
        "created_utc": now(),
    }


def write_chunk(folder: Path, table: pa.Table) -> Path:
    """Write one finished task's rows atomically (a crash leaves it whole or absent)."""
    ids = table.column("run_id")
    path = chunk_path(folder, ids[0].as_py(), ids[-1].as_py())
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)
    return path
