"""``scaleup plot DIR``: draw the figures of a run, sweep or sensitivity folder.

A thin command: the folder's kind comes from its manifest (or, for folders written before
manifests, from its files), the typed reader of that kind reads it (``read_run``,
``read_sweep``, ``read_sensitivity``: one line naming a damaged file), the figure set of that
kind draws it, and each file is written whole into ``DIR/figures/`` (or ``--out``).
Exit status: 0 drawn, 1 the disk failed, 2 not a folder this command knows or a damaged file.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.cli.run import add_window_args, window_of

KINDS = {  # folder kind -> files that must all be there (sensitivity: any one), no manifest kind
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
    add_window_args(p)
    p.set_defaults(func=cmd_plot)


def cmd_plot(args: argparse.Namespace) -> int:
    import matplotlib

    from sim.errors import ConfigError
    from sim.io.atomic import atomic_write_bytes
    from sim.io.paths import os_error, shown

    matplotlib.use("Agg")
    from sim.plots import save_figure

    folder = Path(args.dir)
    window = window_of(args)  # run folders only: a sweep's figures show every month
    kinds = folder_kinds(folder)
    draw: dict[str, Callable[[Path], tuple[Figures, list[str]]]] = {
        "run": lambda f: run_figures(f, window),
        "sweep": sweep_figures,
        "sensitivity": sensitivity_figures,
    }
    out = Path(args.out) if args.out else folder / "figures"
    if out.exists() and not out.is_dir():
        raise ConfigError(shown(out), "--out" if args.out else None, "exists and is not a folder")
    formats = ("png", "svg") if args.svg else ("png",)
    drawn = [draw[kind](folder) for kind in kinds]  # every file read before any is written
    written, notes = [], []
    try:
        for figures, skipped in drawn:
            notes += skipped
            for name, fig in figures.items():
                written += save_figure(fig, out / name, formats, write=atomic_write_bytes)
    except OSError as exc:
        raise os_error(exc, out) from exc
    names = ", ".join(shown(p.name) for p in written)
    print(f"Wrote {len(written)} file{'s' * (len(written) != 1)} to {shown(out)}/: {names}")
    for line in notes:
        print(f"skipped {line}")
    return 0


def folder_kinds(folder: Path) -> list[str]:
    """What ``folder`` holds: its manifest's kind, else what its files show; ConfigError if
    nothing."""
    from sim.errors import ConfigError
    from sim.io.folder import kind_of
    from sim.io.paths import shown

    if not folder.is_dir():
        raise ConfigError(shown(folder), None, "no such folder")
    kind = kind_of(folder)
    if kind in KINDS:
        return [kind]
    have = {p.name for p in folder.iterdir()}
    kinds = [
        kind
        for kind, files in KINDS.items()
        if (any if kind == "sensitivity" else all)(f in have for f in files)
    ]
    if not kinds:
        raise ConfigError(
            shown(folder),
            None,
            "not a run, sweep or sensitivity folder (expected summary.json + monthly.parquet, "
            "manifest.json + runs.parquet + bands.parquet, or oat.csv / sobol.csv)",
        )
    return kinds


def run_figures(folder: Path, window=None) -> tuple[Figures, list[str]]:
    """The four figures of ``scaleup run``, drawn again from the folder's tables over
    ``window`` (:class:`sim.plots.window.Window`; default every month)."""
    from sim.errors import ConfigError
    from sim.io.rundir import read_run
    from sim.plots.sets import run_set

    run = read_run(folder)
    if window is not None:
        months = run.monthly["month"].astype(str)
        try:
            window.check(months.iloc[0], months.iloc[-1])
        except ValueError as exc:
            raise ConfigError("command line", "--from/--to", str(exc)) from None
    sets = run_set(
        run.monthly, run.summary, window=window, quarterly=run.quarterly, products=run.products,
        products_quarterly=run.products_quarterly,
    )  # fmt: skip
    return sets, []


def sweep_figures(folder: Path) -> tuple[Figures, list[str]]:
    """The sweep's figure set (see :func:`sim.plots.sets.sweep_set`) from a finished folder."""
    from sim.experiments import read_sweep
    from sim.plots.sets import sweep_set

    sweep = read_sweep(folder)
    return sweep_set(sweep.tables(), sweep.spec, sweep.name)


def sensitivity_figures(folder: Path) -> tuple[Figures, list[str]]:
    """Tornado charts from ``oat.csv``; Sobol bars from ``sobol.csv``."""
    from sim.analysis import read_sensitivity
    from sim.plots.sets import sensitivity_set

    found = read_sensitivity(folder)
    return sensitivity_set(found.oat, found.sobol, found.start, found.horizon_months), []
