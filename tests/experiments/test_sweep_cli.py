"""``scaleup sweep`` end to end (progress, table, files, figure), the bar and the figure helper."""

from __future__ import annotations

import io

import matplotlib
import pandas as pd

from sim.experiments import run_sweep
from sim.experiments.progress import Progress
from tests.experiments.conftest import HORIZON

matplotlib.use("Agg")


def test_sweep_command_prints_the_table_and_writes_the_folder(tiny, write_sweep, sweep_dir, cli):
    path = write_sweep(tiny)
    done = cli(["sweep", path, "--workers", "2", "--full-monthly", "--svg"], cwd=sweep_dir)
    assert done.returncode == 0, done.stderr
    out = sweep_dir / "outputs" / "tiny"  # the default folder, under the working folder
    for name in (
        "manifest.json",
        "sweep.yaml",
        "variants/baseline.yaml",
        "runs.parquet",
        "points.csv",
        "comparison.csv",
        "bands.parquet",
        "monthly.parquet",
        "figures/per_car_profit_bands.png",
        "figures/breakeven_distribution.png",
        "figures/breakeven_distribution.svg",
    ):
        assert (out / name).is_file(), name
    lines = done.stdout.splitlines()
    assert "on 2 processes; 0 failed" in lines[0]
    header = next(line for line in lines if line.startswith("point"))
    assert header.split()[:5] == ["point", "P10", "P50", "P90", "P(BE)"]
    assert "P(before baseline)" in header
    assert any(line.startswith("baseline") and "(baseline)" in line for line in lines)
    assert any(line.startswith("slow ") for line in lines)
    assert "runs/s, ETA" in done.stderr  # plain progress lines: stderr is not a terminal
    monthly = pd.read_parquet(out / "monthly.parquet")
    assert len(monthly) == 6 * HORIZON and monthly["run_id"].nunique() == 6


def test_progress_bar_on_a_terminal_and_lines_elsewhere():
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty, plain, calls = Tty(), io.StringIO(), []
    for stream in (tty, plain):
        bar = Progress("demo", total=10, done=2, stream=stream)
        bar.begin()
        bar.update(8, failed=1)
        bar.close()
    assert "demo" in tty.getvalue() and "10/10" in tty.getvalue() and "run/s" in tty.getvalue()
    assert (
        plain.getvalue().startswith("demo: 10/10 runs (100%),") and "1 failed" in plain.getvalue()
    )
    silent = Progress("demo", total=3, progress=lambda d, t: calls.append((d, t)), stream=plain)
    silent.update(3)
    assert calls == [(3, 3)]


def test_sweep_figure_set(tiny, write_sweep, sweep_dir):
    from sim.plots import save_figure
    from sim.plots.sets import sweep_set

    res = run_sweep(write_sweep(tiny), executor="serial", out=sweep_dir / "o", progress=False)
    tables = {"runs": res.runs, "points": res.points, "comparison": res.comparison}
    figs, skipped = sweep_set({**tables, "bands": res.bands}, {}, "tiny")
    assert {"per_car_profit_bands", "breakeven_distribution"} <= set(figs) and not skipped
    ax = figs["per_car_profit_bands"].axes[0]
    labels = [line.get_label() for line in ax.get_lines()]
    assert any("baseline" in x for x in labels) and any("slow" in x for x in labels)
    written = save_figure(
        figs["per_car_profit_bands"], sweep_dir / "figs" / "bands", ("png", "svg")
    )
    assert [p.name for p in written] == ["bands.png", "bands.svg"]
    assert all(p.stat().st_size > 1000 for p in written)
    assert not [p for p in (sweep_dir / "figs").iterdir() if p.name.startswith(".")]
