"""``scaleup plot DIR``: draw the figures of a run, sweep or sensitivity folder.

The folder's files say what it is: ``summary.json`` + ``monthly.parquet`` (a run),
``manifest.json`` + ``runs.parquet`` + ``bands.parquet`` (a sweep), ``oat.csv`` and/or
``sobol.csv`` (a sensitivity analysis). Figures go to ``DIR/figures/`` (or ``--out``), each
written atomically. Exit status: 0 drawn, 2 not a folder this command knows.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

KINDS = {  # folder kind -> files that must all be there (sensitivity: any one)
    "run": ("summary.json", "monthly.parquet"),
    "sweep": ("manifest.json", "runs.parquet", "bands.parquet"),
    "sensitivity": ("oat.csv", "sobol.csv"),
}

Figures = dict[str, Any]  # file name (no extension) -> matplotlib Figure


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "plot",
        help="draw the figures of a run, sweep or sensitivity folder",
        description="Draw the figures that fit a run, sweep or sensitivity folder.",
    )
    p.add_argument("dir", metavar="DIR", help="a folder written by scaleup run or scaleup sweep")
    p.add_argument("--svg", action="store_true", help="also save figures as SVG")
    p.add_argument("--out", metavar="FIGDIR", help="where to write them (default: DIR/figures)")
    p.set_defaults(func=cmd_plot)


def cmd_plot(args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    kinds = folder_kinds(folder)
    import matplotlib

    matplotlib.use("Agg")
    from sim.plots import save_figure

    draw: dict[str, Callable[[Path], tuple[Figures, list[str]]]] = {
        "run": run_figures,
        "sweep": sweep_figures,
        "sensitivity": sensitivity_figures,
    }
    out = Path(args.out) if args.out else folder / "figures"
    formats = ("png", "svg") if args.svg else ("png",)
    written, notes = [], []
    for kind in kinds:
        figures, skipped = draw[kind](folder)
        notes += skipped
        for name, fig in figures.items():
            written += save_figure(fig, out / name, formats)
    names = ", ".join(p.name for p in written)
    print(f"Wrote {len(written)} file{'s' * (len(written) != 1)} to {out}/: {names}")
    for line in notes:
        print(f"skipped {line}")
    return 0


def folder_kinds(folder: Path) -> list[str]:
    """What ``folder`` holds (a sensitivity folder may also be a sweep); ConfigError if nothing."""
    from sim.errors import ConfigError

    if not folder.is_dir():
        raise ConfigError(str(folder), None, "no such folder")
    have = {p.name for p in folder.iterdir()}
    kinds = [
        kind
        for kind, files in KINDS.items()
        if (any if kind == "sensitivity" else all)(f in have for f in files)
    ]
    if not kinds:
        raise ConfigError(
            str(folder),
            None,
            "not a run, sweep or sensitivity folder (expected summary.json + monthly.parquet, "
            "manifest.json + runs.parquet + bands.parquet, or oat.csv / sobol.csv)",
        )
    return kinds


# ---------------------------------------------------------------------------- readers


def run_figures(folder: Path) -> tuple[Figures, list[str]]:
    """The four figures of ``scaleup run``, drawn again from the folder's tables."""
    import pandas as pd

    from sim.plots.sets import run_set

    monthly = pd.read_parquet(folder / "monthly.parquet")
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    summary.setdefault("scenario", folder.name)
    return run_set(monthly, summary), []


def sweep_figures(folder: Path) -> tuple[Figures, list[str]]:
    """The sweep's figure set (see :func:`sim.plots.sets.sweep_set`) from a finished folder."""
    import yaml

    from sim.errors import ConfigError
    from sim.experiments import read_sweep
    from sim.plots.sets import sweep_set

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("status") != "complete":
        raise ConfigError(
            str(folder),
            None,
            f"sweep is not complete (status {manifest.get('status')!r}); "
            "finish it with scaleup sweep --resume",
        )
    spec_file = folder / "sweep.yaml"
    spec = yaml.safe_load(spec_file.read_text(encoding="utf-8")) if spec_file.exists() else {}
    return sweep_set(read_sweep(folder), spec or {}, manifest.get("sweep", folder.name))


def sensitivity_figures(folder: Path) -> tuple[Figures, list[str]]:
    """Tornado charts from ``oat.csv``; Sobol bars from ``sobol.csv``."""
    import pandas as pd

    from sim.plots.sets import sensitivity_set

    start, horizon = _calendar(folder)
    oat, sobol = folder / "oat.csv", folder / "sobol.csv"
    return sensitivity_set(
        pd.read_csv(oat) if oat.exists() else None,
        pd.read_csv(sobol) if sobol.exists() else None,
        start,
        horizon,
    ), []


def _calendar(folder: Path) -> tuple[str | None, int | None]:
    """Start month and horizon of the analysed scenario, when a file in the folder says so."""
    import yaml

    for name in ("manifest.json", "summary.json", "config.yaml", "scenario.yaml", "base.yaml"):
        path = folder / name
        if not path.exists():
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}  # JSON is YAML
        start = data.get("start_month", data.get("start"))
        horizon = data.get("horizon_months")
        if start is not None or horizon is not None:
            start = str(start)[:7] if start is not None else None
            return start, int(horizon) if horizon is not None else None
    return None, None
