"""``scaleup plot DIR``: draw the figures of a run, sweep or sensitivity folder.

The folder's files say what it is: ``summary.json`` + ``monthly.parquet`` (a run),
``manifest.json`` + ``runs.parquet`` + ``bands.parquet`` (a sweep), ``oat.csv`` and/or
``sobol.csv`` (a sensitivity analysis). Figures go to ``DIR/figures/`` (or ``--out``), each
written atomically. Exit status: 0 drawn, 2 not a folder this command knows.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

FAN_MAX = 6  # one fan chart per point or variant up to this many; none beyond
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


# ---------------------------------------------------------------------------- run


def run_figures(folder: Path) -> tuple[Figures, list[str]]:
    """The four figures of ``scaleup run``, drawn again from the folder's tables."""
    import pandas as pd

    from sim import plots

    monthly = pd.read_parquet(folder / "monthly.parquet")
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    be, name = summary["breakeven"], summary.get("scenario", folder.name)
    return {
        "per_car_profit": plots.per_car_profit(
            monthly, be, title=f"Operating profit per delivered car: {name}"
        ),
        "operations": plots.operations(monthly, title=f"Output, backlog and wait: {name}"),
        "unit_cost": plots.unit_cost(monthly, title=f"Unit cost per car against price: {name}"),
        "cash": plots.cash(monthly, be, title=f"Cumulative cash: {name}"),
    }, []


# ---------------------------------------------------------------------------- sweep


def sweep_figures(folder: Path) -> tuple[Figures, list[str]]:
    """Profit bands, break-even distribution, fan charts and (two grid factors) the heatmap."""
    import yaml

    from sim import plots
    from sim.errors import ConfigError
    from sim.experiments import read_sweep
    from sim.plots.sweep import MAX_GROUPS, band_groups

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("status") != "complete":
        raise ConfigError(
            str(folder),
            None,
            f"sweep is not complete (status {manifest.get('status')!r}); "
            "finish it with scaleup sweep --resume",
        )
    t = read_sweep(folder)
    bands, cmp, points = t["bands"], t["comparison"], t["points"]
    spec_file = folder / "sweep.yaml"
    spec = yaml.safe_load(spec_file.read_text(encoding="utf-8")) if spec_file.exists() else {}
    name = manifest.get("sweep", folder.name)
    metric = "operating_profit_per_car"
    pooled = bands["point_id"].isna().all()
    n_variants, n_points = points["variant"].nunique(), len(points)
    by = "variant" if pooled or n_points == n_variants else "point"
    groups = band_groups(bands, metric, by)
    horizon = int(
        bands[bands["metric"] == metric].groupby(["point_id", "variant"], dropna=False).size().max()
    )
    figs: Figures = {}
    skipped: list[str] = []
    if len(groups) <= MAX_GROUPS:
        table = cmp if by == "point" or not cmp["variant"].duplicated().any() else None
        figs["per_car_profit_bands"] = plots.profit_bands(
            bands, table, by=by, title=f"{name}: operating profit per car"
        )
    else:
        skipped.append(f"per_car_profit_bands: {len(groups)} points, at most {MAX_GROUPS}")
    dist_by = "point" if n_variants < n_points <= MAX_GROUPS else "variant"
    if dist_by == "point" or n_variants <= MAX_GROUPS:
        figs["breakeven_distribution"] = plots.breakeven_distribution(
            t["runs"],
            by=dist_by,
            horizon_months=horizon,
            title=f"{name}: sustained break-even month over the runs",
        )
    else:
        skipped.append(f"breakeven_distribution: {n_variants} variants, at most {MAX_GROUPS}")
    if len(groups) <= FAN_MAX:
        for key, g in groups:
            file, sel = (
                (key, {"variant": key}) if by == "variant" else (f"point{key}", {"point": key})
            )
            label = key if by == "variant" else _point_label(points, key)
            title = f"{name} ({label}): median and P10\u2013P90 of {int(g['runs'].max()):,} runs"
            figs[f"fan_{_slug(file)}"] = plots.fan_chart(bands, **sel, title=title)
    else:
        skipped.append(f"fan charts: {len(groups)} band groups, at most {FAN_MAX}")
    grid = list((spec or {}).get("grid") or {})
    if len(grid) == 2 and (spec or {}).get("sample"):
        skipped.append("breakeven_heatmap: the sweep also samples (several points per cell)")
    elif len(grid) == 2:
        for variant in points["variant"].unique():
            suffix = "" if n_variants == 1 else f"_{_slug(variant)}"
            figs[f"breakeven_heatmap{suffix}"] = plots.breakeven_heatmap(
                points,
                grid[0],
                grid[1],
                variant=variant,
                title=f"{name}: median break-even month" + (f" ({variant})" if suffix else ""),
            )
    return figs, skipped


def _point_label(points, point_id: int) -> str:
    """``baseline: months=4, progress_ratio=0.8`` (the variant only if the sweep has several)."""
    from sim.plots.sweep import short

    row = points.set_index("point_id").loc[point_id]
    values = ", ".join(f"{c.split('.')[-1]}={short(row[c])}" for c in row.index if "." in c)
    many = points["variant"].nunique() > 1
    return f"{row['variant']}: {values}" if many else values or f"point {point_id}"


def _slug(text: Any) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(text)).strip("_") or "group"


# ---------------------------------------------------------------------------- sensitivity


def sensitivity_figures(folder: Path) -> tuple[Figures, list[str]]:
    """Tornado charts (break-even and capital) from ``oat.csv``; Sobol bars from ``sobol.csv``."""
    import pandas as pd

    from sim import plots

    start, horizon = _calendar(folder)
    figs: Figures = {}
    if (folder / "oat.csv").exists():
        oat = pd.read_csv(folder / "oat.csv")
        for metric in ("breakeven", "capital"):
            if f"{metric}_base" in oat:
                figs[f"tornado_{metric}"] = plots.tornado(
                    oat, metric, horizon_months=horizon, start=start
                )
    if (folder / "sobol.csv").exists():
        sobol = pd.read_csv(folder / "sobol.csv")
        if "metric" in sobol:  # one output per figure
            for metric, g in sobol.groupby("metric", sort=False):
                figs[f"sobol_{_slug(metric)}"] = plots.sobol_indices(
                    g, title=f"Sobol indices of {metric}: share of its variance"
                )
        else:
            figs["sobol"] = plots.sobol_indices(sobol)
    return figs, []


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
