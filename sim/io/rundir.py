"""A run folder: resolved config, monthly/quarterly tables, summary (and figures), and its reader.

The CSV files carry each number at the precision of its unit
(:func:`sim.core.format.csv_precision`); ``monthly.parquet`` keeps full precision for analysis.
Written whole through :func:`sim.io.staged.write_staged` (kind ``run``): it replaces only a run
folder of its own; anything else at the path is refused, untouched.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.core.format import csv_precision
from sim.io.folder import now, read_manifest
from sim.io.readers import bad_file, read_csv, read_json, read_parquet, read_yaml, require_columns
from sim.io.staged import write_staged
from sim.model.result import Result

RUN_FILES = ("config.yaml", "monthly.csv", "monthly.parquet", "quarterly.csv", "summary.json")
LINEUP_FILES = ("products_monthly.csv", "products_quarterly.csv", "trims_monthly.csv")
"""Written beside :data:`RUN_FILES` when the scenario has several products or trims."""
HINT = "run the scenario again (scaleup run) to rewrite the folder"


def scenario_yaml(result: Result) -> str:
    data = result.scenario.model_dump(mode="json", by_alias=True)
    data["mode"] = result.mode  # as run: re-running this file gives the same tables
    if isinstance(result.seed, int):
        data["seed"] = result.seed
    header = "# Resolved scenario as run: `scaleup run` on this file gives the same tables.\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def write_run(
    result: Result,
    out_dir: str | os.PathLike[str],
    *,
    extra: Callable[[Path], Any] | None = None,
) -> Path:
    """Write the run folder atomically and return its path.

    ``extra(stage)`` may write more files (the figures) into the folder before it is swapped
    in; if it raises, nothing is changed. Refuses (ConfigError) anything at ``out_dir`` that is
    not an empty folder or a run folder scaleup wrote.
    """

    def fill(stage: Path) -> None:
        (stage / "config.yaml").write_text(scenario_yaml(result), encoding="utf-8")
        csv_precision(result.monthly).to_csv(stage / "monthly.csv", index=False)
        with open(stage / "monthly.parquet", "wb") as fh:  # Arrow cannot open non-UTF-8 names
            result.monthly.to_parquet(fh, index=False)
        csv_precision(result.quarterly).to_csv(stage / "quarterly.csv", index=False)
        for stem, table in result.lineup_tables.items():
            csv_precision(table).to_csv(stage / f"{stem}.csv", index=False)
        (stage / "summary.json").write_text(
            json.dumps(result.summary, indent=2) + "\n", encoding="utf-8"
        )
        if extra is not None:
            extra(stage)

    manifest = {"scenario": result.scenario.name, "status": "complete", "created_utc": now()}
    return write_staged(out_dir, "run", manifest, fill)


@dataclass(frozen=True)
class RunFolder:
    """A run folder read back (:func:`read_run`)."""

    folder: Path
    monthly: pd.DataFrame
    """One row per month (``monthly.parquet``)."""
    quarterly: pd.DataFrame
    """One row per calendar quarter (``quarterly.csv``)."""
    summary: dict[str, Any]
    """``summary.json``: break-even months, milestones, seed, mode."""
    config: dict[str, Any]
    """The resolved scenario as run (``config.yaml``)."""
    products: pd.DataFrame | None = None
    """One row per month and product (``products_monthly.csv``; None for one plain product)."""
    products_quarterly: pd.DataFrame | None = None
    """One row per quarter and product (``products_quarterly.csv``)."""


def read_run(folder: str | os.PathLike[str]) -> RunFolder:
    """Read a run folder back; ConfigError naming the file if one is missing or damaged."""
    folder = Path(folder)
    summary = read_json(folder / "summary.json", HINT)
    if not isinstance(summary.get("breakeven"), dict):
        raise bad_file(folder / "summary.json", "has no 'breakeven' section", HINT)
    summary.setdefault("scenario", (read_manifest(folder) or {}).get("scenario", folder.name))
    monthly = read_parquet(folder / "monthly.parquet", HINT)
    require_columns(
        monthly,
        ("month", "operating_profit_per_car", "cumulative_cash"),
        folder / "monthly.parquet",
        HINT,
    )
    quarterly = read_csv(folder / "quarterly.csv", HINT)
    require_columns(quarterly, ("period",), folder / "quarterly.csv", HINT)
    config = read_yaml(folder / "config.yaml", HINT)
    if not isinstance(config, dict):
        raise bad_file(folder / "config.yaml", "is not a scenario mapping", HINT)
    tables = {}
    for stem, key in (("products_monthly", "month"), ("products_quarterly", "period")):
        path = folder / f"{stem}.csv"
        if path.exists():
            tables[stem] = read_csv(path, HINT)
            require_columns(tables[stem], (key, "product", "deliveries"), path, HINT)
    return RunFolder(
        folder, monthly, quarterly, summary, config,
        tables.get("products_monthly"), tables.get("products_quarterly"),
    )  # fmt: skip
