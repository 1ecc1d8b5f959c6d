"""The results folder of a sweep: manifest, resolved spec, chunks, and which runs are done.

Layout of ``outputs/<sweep>/``::

    manifest.json     sweep name, spec hash, counts, status (running / complete)
    sweep.yaml        the resolved spec (defaults filled in, ranges expanded, files resolved)
    variants/*.yaml   each variant's scenario as run (its overrides applied)
    chunks/chunk-<first>-<last>.parquet   one per finished task, written atomically
    runs.parquet, points.csv, bands.parquet, comparison.csv, [monthly.parquet]   at the end

A chunk holds the contiguous run ids ``first..last`` (its name says which), so the runs done are
read from the file names alone. Without ``resume`` an unfinished folder is refused (it holds
work); a complete one of any sweep is replaced; a folder that is not a sweep's is refused.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from sim.errors import ConfigError
from sim.experiments.plan import SweepPlan
from sim.io.atomic import atomic_path, atomic_write_text

MANIFEST = "manifest.json"
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


def read_manifest(folder: Path) -> dict[str, Any] | None:
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    atomic_write_text(folder / MANIFEST, json.dumps(manifest, indent=2, default=str) + "\n")


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


def lock(folder: Path) -> int | None:
    """Hold an exclusive lock on ``folder`` (released on close or when the process dies).

    Two sweeps writing into one folder would mix their chunks; the second is refused.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock
        return None
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise ConfigError(
            str(folder), None, "another scaleup sweep is writing here; wait or pick another --out"
        ) from None
    return fd


def unlock(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)


def prepare(
    folder: Path, plan: SweepPlan, resume: bool
) -> tuple[list[tuple[int, int]], str, int | None]:
    """Make ``folder`` ready; return the runs still to do, what happened, and the folder lock.

    Raises :class:`ConfigError` (nothing touched) when the folder must not be used. The caller
    releases the lock with :func:`unlock`.
    """
    manifest = read_manifest(folder)
    has_content = folder.is_dir() and any(folder.iterdir())
    where = str(folder)
    if has_content and not manifest:
        raise ConfigError(where, None, "exists and is not a sweep's results folder; pick --out")
    fd = lock(folder) if folder.is_dir() else None
    try:
        todo, note = _prepare_locked(folder, plan, resume, manifest, where)
        if fd is None:
            fd = lock(folder)
    except BaseException:
        unlock(fd)
        raise
    return todo, note, fd


def _prepare_locked(
    folder: Path, plan: SweepPlan, resume: bool, manifest: dict | None, where: str
) -> tuple[list[tuple[int, int]], str]:
    if manifest and resume:
        if manifest.get("sweep") != plan.name or manifest.get("spec_hash") != plan.spec_hash:
            raise ConfigError(
                where,
                None,
                f"the sweep changed since this folder's run (spec {manifest.get('spec_hash')}, "
                f"now {plan.spec_hash}); cannot resume: restore the file, or delete the folder "
                "or pick another --out to start over",
            )
        todo = missing_ranges(plan.n_runs, done_ranges(folder))
        _clean_partial(folder)
        done = plan.n_runs - sum(b - a + 1 for a, b in todo)
        return todo, f"resuming: {done:,} of {plan.n_runs:,} runs already done"
    if manifest and manifest.get("status") != "complete":
        done = sum(b - a + 1 for a, b in done_ranges(folder))
        raise ConfigError(
            where,
            None,
            f"holds an unfinished sweep {manifest.get('sweep')!r} ({done:,} of "
            f"{manifest.get('runs', '?'):,} runs done); pass --resume to finish it, or delete "
            "the folder to start over",
        )
    note = "starting"
    if manifest:  # a complete sweep: replaced, like a run folder
        for child in folder.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
        note = "replacing the previous complete results"
    elif resume:
        note = "nothing to resume; starting"
    _start(folder, plan)
    return missing_ranges(plan.n_runs, []), note


def _clean_partial(folder: Path) -> None:
    """Remove temporary files a killed writer left behind (never a finished chunk)."""
    for p in folder.rglob(".*.tmp"):
        p.unlink(missing_ok=True)


def _start(folder: Path, plan: SweepPlan) -> None:
    (folder / CHUNKS).mkdir(parents=True, exist_ok=True)
    atomic_write_text(
        folder / "sweep.yaml",
        "# Resolved sweep as run\n" + yaml.safe_dump(plan.resolved(), sort_keys=False),
    )
    for name, data in plan.variant_data.items():
        text = f"# Scenario of variant {name!r} as run (before grid and sample values)\n"
        atomic_write_text(folder / "variants" / f"{name}.yaml", text + _yaml(data))
    write_manifest(folder, new_manifest(plan))


def _yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(json.loads(json.dumps(data, default=str)), sort_keys=False)


def new_manifest(plan: SweepPlan) -> dict[str, Any]:
    return {
        "sweep": plan.name,
        "source": plan.source,
        "spec_hash": plan.spec_hash,
        "status": "running",
        "runs": plan.n_runs,
        "points": plan.n_points,
        "replications": plan.replications,
        "master_seed": plan.spec.master_seed,
        "mode": plan.spec.mode,
        "created_utc": _now(),
    }


def finish_manifest(folder: Path, failed: int, tables: list[str]) -> None:
    manifest = read_manifest(folder) or {}
    manifest |= {"status": "complete", "failed": failed, "tables": tables, "completed_utc": _now()}
    write_manifest(folder, manifest)


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_chunk(folder: Path, table: pa.Table) -> Path:
    """Write one finished task's rows atomically (a crash leaves it whole or absent)."""
    ids = table.column("run_id")
    path = chunk_path(folder, ids[0].as_py(), ids[-1].as_py())
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)
    return path
