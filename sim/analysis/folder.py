"""The results folder of a sensitivity analysis: what is kind-specific (its manifest fields).

Layout of ``outputs/<name>/``::

    manifest.json      kind "sensitivity", name, spec hash, start month, horizon, counts, status
    sensitivity.yaml   the analysis as run (defaults, labels, base values, files)
    oat/, sobol/       the two sweeps' own folders (chunks, runs.parquet, points.csv, ...)
    oat.csv, sobol.csv, figures/   at the end

When the folder may be used, replaced or resumed (each sweep then resumes on its own), its
lock, and the status left after an exception are the rules of :mod:`sim.io.folder`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sim.analysis.plan import Analysis
from sim.io.folder import Claim, claim, now
from sim.io.paths import shown

KIND = "sensitivity"


def _unfinished(folder: Path, manifest: dict[str, Any]) -> str:
    return f"an unfinished sensitivity analysis {manifest.get('name')!r}"


def open_folder(folder: Path, analysis: Analysis, resume: bool) -> Claim:
    """Claim ``folder`` for ``analysis``; the caller begins it with :func:`start` arguments."""
    return claim(folder, KIND, analysis.spec_hash, resume, _unfinished)


def start_files(analysis: Analysis) -> list[tuple[str, str]]:
    text = "# Sensitivity analysis as run\n" + yaml.safe_dump(analysis.resolved(), sort_keys=False)
    return [("sensitivity.yaml", text)]


def new_manifest(analysis: Analysis) -> dict[str, Any]:
    spec = analysis.spec
    return {
        "analysis": KIND,
        "name": analysis.name,
        "spec": shown(analysis.source),
        "scenario": shown(analysis.scenario_path),
        "spec_hash": analysis.spec_hash,
        "start": analysis.start,
        "horizon_months": analysis.horizon_months,
        "breakeven": "operating_per_car_sustained",
        "sustain_months": analysis.scenario.breakeven.sustain_months,
        "inputs": analysis.paths,
        "oat": spec.oat.model_dump(),
        "sobol": spec.sobol.model_dump(),
        "created_utc": now(),
    }
