"""A run folder: resolved config, monthly/quarterly tables, summary and figures."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import yaml

from sim.io.atomic import staged_dir
from sim.model.result import Result


def scenario_yaml(result: Result) -> str:
    data = result.scenario.model_dump(mode="json", by_alias=True)
    data["mode"] = result.mode  # as run: re-running this file gives the same tables
    if isinstance(result.seed, int):
        data["seed"] = result.seed
    header = "# Resolved scenario as run: `scaleup run` on this file gives the same tables.\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def write_run(
    result: Result,
    out_dir: str | Path,
    *,
    figures: bool = True,
    formats: Sequence[str] = ("png",),
) -> Path:
    """Write the run folder atomically and return its path."""
    out_dir = Path(out_dir)
    with staged_dir(out_dir) as stage:
        (stage / "config.yaml").write_text(scenario_yaml(result), encoding="utf-8")
        result.monthly.to_csv(stage / "monthly.csv", index=False)
        result.monthly.to_parquet(stage / "monthly.parquet", index=False)
        result.quarterly.to_csv(stage / "quarterly.csv", index=False)
        (stage / "summary.json").write_text(
            json.dumps(result.summary, indent=2) + "\n", encoding="utf-8"
        )
        if figures:
            write_run_figures(result, stage / "figures", formats)
    return out_dir


def write_run_figures(result: Result, folder: Path, formats: Sequence[str]) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    from sim.plots import save_figure
    from sim.plots.sets import run_set

    written = []
    for name, fig in run_set(result.monthly, result.summary).items():
        written += save_figure(fig, folder / name, formats=tuple(formats))
    return written
