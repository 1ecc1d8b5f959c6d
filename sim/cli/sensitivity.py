"""``scaleup sensitivity``: one at a time (tornado) and Sobol indices of a scenario's inputs.

Prints the tornado ranking and the Sobol table; writes ``oat.csv``, ``sobol.csv``,
``manifest.json`` and the figures (``figures/tornado_*.png``, ``figures/sobol_*.png``).
Exit status: 0 done, 1 some runs failed or the environment failed (a worker died, the
scheduler cannot be reached...), 2 bad input, 130 interrupted.
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
from sim.core.format import input_value, money, percent
from sim.errors import EXIT_FAILED


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sensitivity",
        help="what moves the break-even month and the capital needed: tornado and Sobol",
        description="One-at-a-time (tornado) and Sobol sensitivity of the break-even month "
        "and the capital needed, from low/high values per input (configs/sensitivity/).",
    )
    p.add_argument(
        "config", nargs="?", metavar="CONFIG", help="scenario file (default: the default scenario)"
    )
    p.add_argument(
        "--spec",
        metavar="FILE",
        help="sensitivity file (default: configs/sensitivity/<CONFIG file name>.yaml)",
    )
    add_executor_args(p)
    p.add_argument("--out", help="results folder (default: outputs/<spec name>)")
    p.add_argument("--no-sobol", action="store_true", help="only the one-at-a-time analysis")
    p.add_argument("--resume", action="store_true", help="finish an interrupted analysis in --out")
    add_figure_args(p)
    p.set_defaults(func=cmd_sensitivity)


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from sim.analysis import RunsFailed, run_sensitivity
    from sim.experiments.executors import WorkerLost

    try:
        with executor_flags():
            result = run_sensitivity(
                args.config,
                spec=args.spec,
                executor=executor_of(args),
                workers=args.workers,
                scheduler=args.scheduler,
                out=args.out,
                sobol=not args.no_sobol,
                resume=args.resume,
                progress=False if args.quiet else None,
            )
    except RunsFailed as exc:
        print(f"scaleup: {exc}", file=sys.stderr)
        return EXIT_FAILED  # some runs failed
    except WorkerLost as exc:
        print(f"scaleup: {worker_lost(exc, args.out)}", file=sys.stderr)
        return exc.exit_status
    print(format_report(result))
    wrote = ["manifest.json", "sensitivity.yaml", "oat.csv", "oat/"]
    if result.sobol is not None:
        wrote += ["sobol.csv", "sobol/"]
    if not args.no_figures:
        wrote += write_figures(result, svg=args.svg)
    print(f"\nWrote {result.folder}/: {', '.join(wrote)}")
    return 0


def write_figures(result: Any, svg: bool = False) -> list[str]:
    """Tornado charts and Sobol bars (:func:`sim.plots.sets.sensitivity_set`) in figures/."""
    import matplotlib

    matplotlib.use("Agg")
    from sim.plots import save_figure
    from sim.plots.sets import sensitivity_set

    a = result.analysis
    figs = sensitivity_set(result.oat, result.sobol, a.start, a.horizon_months)
    written = []
    for name, fig in figs.items():
        formats = ("png", "svg") if svg else ("png",)
        written += save_figure(fig, result.folder / "figures" / name, formats)
    return [f"figures/{p.name}" for p in written]


# ---------------------------------------------------------------------------- the report


def _runs(spec_runs: Any, n: int) -> str:
    reps = spec_runs.replications
    per = f", median of {reps} replications" if reps > 1 else ""
    return f"{spec_runs.mode}, {n:,} runs{per}"


def format_report(result: Any) -> str:
    """The tornado ranking and the Sobol table, as printed by ``scaleup sensitivity``."""
    from sim.core.outputs import month_or_never as month

    a, oat = result.analysis, result.oat
    m = result.manifest
    start = a.start
    base = oat.iloc[0]
    lines = [
        f"{a.name}: sensitivity of {a.scenario.name} ({a.scenario_path.name}) to "
        f"{len(a.paths)} inputs; {result.elapsed_s:.1f} s",
        f"Break-even: operating profit per car >= 0, held {m['sustain_months']} months; "
        f"horizon {a.horizon_months} months from {start}",
        f"Base: break-even {month(start, base['breakeven_base'])}, "
        f"capital needed {money(base['capital_base'])} (peak cash deficit)",
        "",
        f"One at a time ({_runs(a.spec.oat, m['counts']['oat_runs'])}), "
        "largest break-even swing first:",
    ]
    rows = [
        (
            str(r.label),
            f"{input_value(r.low, r.input)} -> {input_value(r.high, r.input)}",
            f"{month(start, r.breakeven_low)} / {month(start, r.breakeven_high)}",
            f"{money(r.capital_low)} / {money(r.capital_high)}",
        )
        for r in oat.itertuples()
    ]
    head = ("input", "low -> high", "break-even low / high", "capital low / high")
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(3)]
    for row in [head, *rows]:
        cells = [f"{text:<{w}}" for text, w in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[3]]))
    if result.sobol is not None:
        lines += ["", *format_sobol(result)]
    return "\n".join(lines)


def format_sobol(result: Any) -> list[str]:
    from sim.core.outputs import ANALYSIS_METRICS

    a, m, t = result.analysis, result.manifest, result.sobol
    s = a.spec.sobol
    lines = [
        f"Sobol indices (SALib {m['salib_version']}; N = {s.size:,}, "
        f"{_runs(s, m['counts']['sobol_runs'])}; +- 95 % bootstrap CI):",
        f"break-even not within the horizon in {percent(m['censored_share'], 1)} of the runs "
        f"({m['censored_runs']:,}); they count as month {a.horizon_months} (the horizon)",
    ]
    width = max(5, *(len(str(lb)) for lb in t["label"]))
    for metric, g in t.groupby("metric", sort=False):
        lines.append(f"{ANALYSIS_METRICS.get(metric, metric):<{width + 2}}  {'S1':>13}  {'ST':>13}")
        for r in g.itertuples():
            s1, st = f"{r.S1:.2f} +- {r.S1_conf:.2f}", f"{r.ST:.2f} +- {r.ST_conf:.2f}"
            lines.append(f"  {r.label:<{width}}  {s1:>13}  {st:>13}")
    return lines
