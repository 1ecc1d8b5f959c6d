"""``scaleup sweep``: run a sweep file, print the comparison table, write the figure.

Exit status: 0 all runs ok, 1 some runs failed (their count is printed) or the environment
failed (a worker died, the scheduler cannot be reached...), 2 bad input, 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sim.cli.common import (
    add_executor_args,
    add_figure_args,
    executor_flags,
    executor_of,
    worker_lost,
)
from sim.core.format import NA, factor_value, money, percent
from sim.errors import EXIT_FAILED

MAX_ROWS = 30  # rows of the printed table; the rest are in points.csv


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sweep",
        help="run a sweep: variants, grids and samples, replicated (see configs/sweeps/)",
        description="Run every point of a sweep file with its replications and compare them.",
    )
    p.add_argument("sweep", metavar="SWEEP.yaml", help="sweep file, e.g. configs/sweeps/ramps.yaml")
    add_executor_args(p)
    p.add_argument("--resume", action="store_true", help="finish an interrupted sweep in --out")
    p.add_argument("--out", help="results folder (default: outputs/<sweep name>)")
    p.add_argument("--full-monthly", action="store_true", help="also keep every run's months")
    add_figure_args(p)
    p.set_defaults(func=cmd_sweep)


def cmd_sweep(args: argparse.Namespace) -> int:
    from sim.experiments import run_sweep
    from sim.experiments.executors import WorkerLost

    executor = executor_of(args)
    try:
        with executor_flags():
            result = run_sweep(
                args.sweep,
                executor=executor,
                workers=args.workers,
                scheduler=args.scheduler,
                out=args.out,
                resume=args.resume,
                progress=False if args.quiet else None,
                full_monthly=True if args.full_monthly else None,
            )
    except WorkerLost as exc:
        print(f"scaleup: {worker_lost(exc, args.out)}", file=sys.stderr)
        return exc.exit_status
    print(format_comparison(result))
    wrote = "manifest.json, sweep.yaml, runs.parquet, points.csv, comparison.csv, bands.parquet"
    if result.plan.spec.outputs.full_monthly:
        wrote += ", monthly.parquet"
    if not args.no_figures:
        wrote += "".join(f", {f}" for f in write_figures(result, svg=args.svg))
    print(f"\nWrote {result.folder}/: {wrote}")
    if result.failed:
        print(
            f"scaleup: {result.failed:,} of {result.plan.n_runs:,} runs failed; "
            f"see the status and error columns of {result.folder}/runs.parquet",
            file=sys.stderr,
        )
        import pandas as pd

        runs = pd.read_parquet(result.folder / "runs.parquet", columns=["status", "error"])
        first = runs.loc[runs["status"] != "ok", "error"].iloc[0]
        print(f"scaleup: first error: {first}", file=sys.stderr)
        return EXIT_FAILED  # some runs failed
    return 0


def write_figures(result: Any, svg: bool = False) -> list[str]:
    """The sweep's figure set (bands, break-even distribution, fans, heatmap) in figures/."""
    import matplotlib

    matplotlib.use("Agg")
    from sim.plots import save_figure
    from sim.plots.sets import sweep_set

    tables = {
        "runs": result.runs,
        "points": result.points,
        "comparison": result.comparison,
        "bands": result.bands,
    }
    spec = result.plan.spec.model_dump(mode="json", by_alias=True)
    figs, _ = sweep_set(tables, spec, result.plan.name)
    written = []
    for name, fig in figs.items():
        formats = ("png", "svg") if svg else ("png",)
        written += save_figure(fig, result.folder / "figures" / name, formats)
    return [f"figures/{p.name}" for p in written]


def _pct(p: float | None) -> str:
    """A share, blank when there is none (the baseline's own column)."""
    text = percent(p)
    return "" if text == NA else text


def _month(label: Any) -> str:
    """A month label; "never" when not within the horizon (to fit the column)."""
    if not isinstance(label, str):
        return NA
    from sim.core.outputs import NEVER

    return "never" if label == NEVER else label


def format_comparison(result: Any) -> str:
    """The headline table: per point (or variant), break-even quantiles, P(BE), capital."""
    plan, cmp = result.plan, result.comparison
    factors = plan.factor_paths
    sustain = {
        (d.get("breakeven") or {}).get("sustain_months", 3) for d in plan.variant_data.values()
    }
    held = f"held {'/'.join(map(str, sorted(sustain)))} months"
    reps = f"{plan.replications} replication{'s' * (plan.replications != 1)}"
    deterministic = plan.spec.mode == "deterministic"
    how = "deterministic" if deterministic else f"stochastic, master seed {plan.spec.master_seed}"
    lines = [
        f"{plan.name}: {plan.n_runs:,} runs, {plan.n_points:,} points x {reps} "
        f"({how}); {result.executed:,} executed "
        f"in {result.elapsed_s:.1f} s on {result.executor}; {result.failed:,} failed",
        f"Break-even: operating profit per car >= 0, {held}; P10/P50/P90 month over "
        "the runs (never = not within the horizon, later than any month); holds: share of "
        "runs whose first break-even holds to the horizon (no month below zero after it)",
        "",
    ]
    per_variant = "point_id" not in cmp
    if per_variant:
        factors = []
        lines[-1:] = [f"Per variant, pooled over the {len(plan.draws):,} sampled draws.", ""]
    rows = cmp.head(MAX_ROWS).to_dict("records")
    short = short_names(factors)
    names = [
        " ".join([str(r["variant"]), *(f"{short[f]}={factor_value(r[f])}" for f in factors)])
        for r in rows
    ]
    width = max(12, *(len(n) for n in names))
    paired = "p_before_baseline" in cmp
    head = (
        f"{'variant' if per_variant else 'point':<{width}}  {'P10':>7}  {'P50':>7}  "
        f"{'P90':>7}  {'P(BE)':>6}  {'holds':>6}  {'capital P50':>11}  {'capital P90':>11}"
    )
    milestones = [c.removesuffix("_p50") for c in cmp if c.startswith("milestone_") and
                  c.endswith("_p50")]  # fmt: skip
    mw = max([8, *(len(_milestone_head(m)) for m in milestones)])
    head += "".join(f"  {_milestone_head(m):>{mw}}" for m in milestones)
    if paired:
        head += f"  {'P(before ' + plan.spec.baseline_name + ')':>18}"
    lines.append(head)
    for name, row in zip(names, rows, strict=True):
        line = (
            f"{name:<{width}}  {_month(row['breakeven_p10']):>7}  "
            f"{_month(row['breakeven_p50']):>7}  {_month(row['breakeven_p90']):>7}  "
            f"{_pct(row['p_breakeven']):>6}  {_pct(row.get('p_holds')):>6}  "
            f"{money(row['capital_needed_p50']):>11}  {money(row['capital_needed_p90']):>11}"
        )
        line += "".join(f"  {_month(row[m + '_p50']):>{mw}}" for m in milestones)
        if paired:
            if per_variant:
                is_base = row["variant"] == plan.spec.baseline_name
            else:
                is_base = row["point_id"] == plan.baseline_point(row["point_id"])
            line += f"  {'(baseline)' if is_base else _pct(row['p_before_baseline']):>18}"
        if row["failed"]:
            line += f"  [{row['failed']} failed]"
        lines.append(line)
    if len(cmp) > MAX_ROWS:
        lines.append(f"... {len(cmp) - MAX_ROWS:,} more in {result.folder}/comparison.csv")
    if milestones:
        lines.append("\nMilestones: median month each is reached (P10 and P90 in points.csv).")
    if paired:
        lines.append(
            f"\nP(before {plan.spec.baseline_name}): share of replications in which the row "
            "breaks even in an earlier month than the baseline with the same random numbers."
        )
    return "\n".join(lines)


def _milestone_head(column: str) -> str:
    """``milestone_deliveries_100k`` -> ``deliveries_100k`` (at most 24 characters)."""
    return column.removeprefix("milestone_")[:24]


def short_names(paths: list[str]) -> dict[str, str]:
    """The shortest dotted suffix of each path that tells it apart from the others."""
    out = {}
    for path in paths:
        parts = path.split(".")
        for n in range(1, len(parts) + 1):
            tail = ".".join(parts[-n:])
            if sum(p == tail or p.endswith("." + tail) for p in paths) == 1:
                break
        out[path] = tail
    return out
