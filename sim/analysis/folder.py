"""The results folder of a sensitivity analysis: its manifest, and when it may be (re)used.

Layout of ``outputs/<name>/``::

    manifest.json      name, spec hash, start month, horizon, counts, censored share, status
    sensitivity.yaml   the analysis as run (defaults, labels, base values, files)
    oat/, sobol/       the two sweeps' own folders (chunks, runs.parquet, points.csv, ...)
    oat.csv, sobol.csv, figures/   at the end

Rules, as for a sweep: an unfinished folder is refused without ``resume`` (it holds work); a
finished one is replaced; a folder that is not a sensitivity analysis' is refused; with
``resume`` the spec and scenario must be unchanged (each sweep then resumes on its own).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import yaml

from sim.analysis.plan import Analysis
from sim.errors import ConfigError
from sim.experiments.store import lock, read_manifest, unlock, write_manifest
from sim.io.atomic import atomic_write_text

KIND = "sensitivity"


def now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def prepare(folder: Path, analysis: Analysis, resume: bool) -> tuple[str, int | None]:
    """Make ``folder`` ready; return what happened and the folder lock (release it with
    :func:`sim.experiments.store.unlock`). Raises ConfigError, nothing touched, if refused."""
    manifest = read_manifest(folder)
    where = str(folder)
    if folder.is_dir() and any(folder.iterdir()) and (manifest or {}).get("analysis") != KIND:
        raise ConfigError(where, None, "exists and is not a sensitivity results folder; pick --out")
    folder.mkdir(parents=True, exist_ok=True)
    try:
        fd = lock(folder)
    except ConfigError:
        raise ConfigError(
            where, None, "another scaleup command is writing here; wait or pick another --out"
        ) from None
    if manifest and resume:
        if manifest.get("spec_hash") != analysis.spec_hash:
            unlock(fd)
            raise ConfigError(
                where,
                None,
                f"the analysis changed since this folder's run (spec {manifest.get('spec_hash')}, "
                f"now {analysis.spec_hash}); cannot resume: restore the spec and scenario, or "
                "delete the folder or pick another --out to start over",
            )
        return "resuming", fd
    if manifest and manifest.get("status") == "running":
        unlock(fd)
        raise ConfigError(
            where,
            None,
            f"holds an unfinished sensitivity analysis {manifest.get('name')!r}; pass --resume "
            "to finish it, or delete the folder to start over",
        )
    note = "nothing to resume; starting" if resume else "starting"
    if manifest:
        for child in folder.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
        note = "replacing the previous results"
    write_manifest(folder, new_manifest(analysis))
    text = "# Sensitivity analysis as run\n" + yaml.safe_dump(analysis.resolved(), sort_keys=False)
    atomic_write_text(folder / "sensitivity.yaml", text)
    return note, fd


def new_manifest(analysis: Analysis) -> dict[str, Any]:
    spec = analysis.spec
    return {
        "analysis": KIND,
        "name": analysis.name,
        "spec": analysis.source,
        "scenario": str(analysis.scenario_path),
        "spec_hash": analysis.spec_hash,
        "status": "running",
        "start": analysis.start,
        "horizon_months": analysis.horizon_months,
        "breakeven": "operating_per_car_sustained",
        "sustain_months": analysis.scenario.breakeven.sustain_months,
        "inputs": analysis.paths,
        "oat": spec.oat.model_dump(),
        "sobol": spec.sobol.model_dump(),
        "created_utc": now(),
    }
