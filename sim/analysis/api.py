"""``run_sensitivity``: one at a time (tornado) and Sobol indices, through the sweep engine.

>>> from sim.analysis import run_sensitivity
>>> res = run_sensitivity()            # default scenario, configs/sensitivity/xiaomi_su7.yaml
>>> res.oat, res.sobol, res.folder     # oat.csv and sobol.csv as DataFrames

Both analyses are sweeps (same executors, same chunked resumable store) written under
``<out>/oat/`` and ``<out>/sobol/``; the tables ``oat.csv`` and ``sobol.csv`` and
``manifest.json`` are built from them at the end. As with ``run_sweep``, a *script* using the
process executor must call this under ``if __name__ == "__main__":``.
"""

from __future__ import annotations

import importlib.metadata
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis import folder as store
from sim.analysis.oat import oat_sweep, oat_table
from sim.analysis.plan import Analysis, load_analysis
from sim.analysis.sobol import RUN_COLUMNS, model_outputs, sobol_frame, sobol_sweep
from sim.experiments.api import SweepResult, run_sweep
from sim.experiments.executors import make_executor
from sim.experiments.progress import Progress
from sim.io.atomic import atomic_path
from sim.io.folder import MANIFEST, Claim, kind_of
from sim.io.paths import check_output, os_error, shown
from sim.io.readers import bad_file, read_csv, read_json, require_columns, verify_files


class RunsFailed(RuntimeError):
    """Some runs of a sensitivity sweep raised; its tables would be wrong, so none are made."""


@dataclass(frozen=True)
class SensitivityResult:
    oat: pd.DataFrame
    """One row per input, largest break-even swing first (``oat.csv``)."""
    sobol: pd.DataFrame | None
    """S1 and ST with CI half-widths per metric and input (``sobol.csv``); None if not run."""
    folder: Path
    analysis: Analysis = field(repr=False)
    manifest: dict[str, Any] = field(repr=False)
    oat_sweep: SweepResult = field(repr=False)
    sobol_sweep: SweepResult | None = field(repr=False)
    elapsed_s: float = 0.0
    """Wall time of this call, seconds."""

    @property
    def censored_share(self) -> float | None:
        """Share of the Sobol runs that did not break even within the horizon."""
        return self.manifest.get("censored_share")


def run_sensitivity(
    config: str | Path | None = None,
    *,
    spec: str | Path | None = None,
    executor: str = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
    out: str | Path | None = None,
    sobol: bool = True,
    resume: bool = False,
    progress: bool | Callable[[int, int], Any] | None = None,
) -> SensitivityResult:
    """Run the one-at-a-time and (unless ``sobol=False``) the Sobol analysis of a scenario.

    ``config``: scenario file (default: the default scenario); every option after it is
    keyword-only. ``spec``: sensitivity file (default
    ``configs/sensitivity/<scenario stem>.yaml``); ``out`` defaults to ``outputs/<spec name>``;
    ``executor``, ``workers``, ``scheduler`` and ``progress`` are those of
    :func:`sim.experiments.run_sweep`. ``resume`` finishes an interrupted analysis.
    Bad input raises :class:`sim.errors.ConfigError` before anything runs or is written;
    failed runs raise :class:`RunsFailed` (their sweep folder keeps them, with the errors).
    """
    t0 = time.monotonic()
    analysis = load_analysis(config, spec, sobol=sobol)
    make_executor(executor, workers, scheduler)  # checks the options; starts nothing
    plans = {"oat": oat_sweep(analysis), "sobol": sobol_sweep(analysis) if sobol else None}
    folder = check_output(out if out is not None else os.path.join("outputs", analysis.name))
    held = store.open_folder(folder, analysis, resume)
    try:
        with held:  # an exception marks the folder interrupted and releases the lock
            runs = " + ".join(f"{p.n_runs:,} {part}" for part, p in plans.items() if p is not None)
            Progress(analysis.name, 0, 0, progress).note(
                f"{held.note}; {runs} runs -> {shown(folder)}"
            )
            held.begin(store.new_manifest(analysis), store.start_files(analysis))
            sweeps: dict[str, SweepResult | None] = {}
            for part, plan in plans.items():
                sweeps[part] = None
                if plan is not None:
                    sweeps[part] = run_sweep(
                        plan,
                        executor=executor,
                        workers=workers,
                        scheduler=scheduler,
                        out=folder / part,
                        resume=held.resuming,
                        progress=progress,
                    )
                    _check_failed(sweeps[part], held)
            oat, sobol_table, manifest = _finish(held, analysis, sweeps)
    except OSError as exc:
        raise os_error(exc, folder) from exc
    return SensitivityResult(
        oat=oat,
        sobol=sobol_table,
        folder=folder,
        analysis=analysis,
        manifest=manifest,
        oat_sweep=sweeps["oat"],
        sobol_sweep=sweeps["sobol"],
        elapsed_s=time.monotonic() - t0,
    )


def _check_failed(result: SweepResult, held: Claim) -> None:
    """Raise :class:`RunsFailed` if any run failed; the folder is then marked ``failed`` (a
    later call replaces it: resuming would not run those runs again)."""
    if not result.failed:
        return
    held.update(status="failed")
    runs = pd.read_parquet(result.folder / "runs.parquet", columns=["status", "error"])
    first = runs.loc[runs["status"] != "ok", "error"].iloc[0]
    raise RunsFailed(
        f"{result.failed:,} of {result.plan.n_runs:,} runs of {result.plan.name} failed "
        f"(see {shown(result.folder)}/runs.parquet); first error: {first}"
    )


def _finish(
    held: Claim, analysis: Analysis, sweeps: dict[str, SweepResult | None]
) -> tuple[pd.DataFrame, pd.DataFrame | None, dict[str, Any]]:
    """Write ``oat.csv``, ``sobol.csv`` and the finished manifest; return the three."""
    folder = held.folder
    oat = oat_table(analysis, sweeps["oat"].points)
    with atomic_path(folder / "oat.csv") as tmp:
        oat.to_csv(tmp, index=False)
    oat_plan = sweeps["oat"].plan
    counts = {"inputs": len(analysis.paths), "oat_runs": oat_plan.n_runs}
    extra: dict[str, Any] = {
        "oat_not_within_horizon": int(oat.filter(like="breakeven_").isna().sum().sum()),
        "censored_share": None,
        "censored_runs": None,
        "salib_version": None,
    }
    sobol = None
    result = sweeps["sobol"]
    if result is not None:
        plan = result.plan
        runs = pd.read_parquet(result.folder / "runs.parquet", columns=RUN_COLUMNS)
        outputs, censored = model_outputs(
            runs, plan.n_points, plan.replications, analysis.horizon_months
        )
        sobol = sobol_frame(analysis, outputs)
        with atomic_path(folder / "sobol.csv") as tmp:
            sobol.to_csv(tmp, index=False)
        counts |= {"sobol_size": analysis.spec.sobol.size, "sobol_points": plan.n_points}
        counts["sobol_runs"] = plan.n_runs
        extra |= {
            "censored_share": censored / plan.n_runs,
            "censored_runs": censored,
            "salib_version": importlib.metadata.version("SALib"),
        }
    else:
        (folder / "sobol.csv").unlink(missing_ok=True)  # not this run's: a stale table
    manifest = held.complete(
        counts=counts,
        **extra,
        tables=["oat.csv", *(["sobol.csv"] if sobol is not None else [])],
    )
    return oat, sobol, manifest


@dataclass(frozen=True)
class SensitivityFolder:
    """A sensitivity folder read back (:func:`read_sensitivity`)."""

    folder: Path
    manifest: dict[str, Any]
    """``manifest.json`` (empty if the folder has none)."""
    oat: pd.DataFrame | None
    """``oat.csv``, one row per input (None if absent)."""
    sobol: pd.DataFrame | None
    """``sobol.csv`` (None if absent: the analysis ran without Sobol)."""

    @property
    def start(self) -> str | None:
        """First month of the analysed scenario (``YYYY-MM``), if the manifest says."""
        start = self.manifest.get("start", self.manifest.get("start_month"))
        return str(start)[:7] if start is not None else None

    @property
    def horizon_months(self) -> int | None:
        horizon = self.manifest.get("horizon_months")
        return int(horizon) if isinstance(horizon, int | float) else None


HINT = "run the sensitivity analysis again (or resume it) to rewrite the folder"
OAT_COLUMNS = ("input", "label", "low", "base", "high")
SOBOL_COLUMNS = ("input", "S1", "ST")


def read_sensitivity(folder: str | Path) -> SensitivityFolder:
    """The tables of a finished sensitivity folder (``oat.csv``, ``sobol.csv``, manifest).

    ConfigError naming the file, with what to do, if the analysis is unfinished or a file is
    missing, truncated or lacks its columns.
    """
    folder = Path(folder)
    path = folder / MANIFEST
    manifest = read_json(path, HINT) if path.exists() else {}
    if manifest and kind_of(folder, manifest) not in (store.KIND, None):
        raise bad_file(path, "is not a sensitivity analysis' manifest", "choose its folder")
    verify_files(folder, manifest, HINT)
    if manifest.get("status") not in (None, "complete"):
        raise bad_file(
            path, f"says the analysis is not complete (status {manifest['status']!r})", HINT
        )
    tables: dict[str, pd.DataFrame | None] = {}
    for name, columns in (("oat", OAT_COLUMNS), ("sobol", SOBOL_COLUMNS)):
        file = folder / f"{name}.csv"
        tables[name] = read_csv(file, HINT) if file.exists() else None
        if tables[name] is not None:
            require_columns(tables[name], columns, file, HINT)
    if tables["oat"] is None and tables["sobol"] is None:
        raise bad_file(folder / "oat.csv", "is missing (and so is sobol.csv)", HINT)
    return SensitivityFolder(folder, manifest, tables["oat"], tables["sobol"])
