"""``scaleup run``."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from sim.cli.common import overrides_from
from sim.config.load import DEFAULT_SCENARIO, load_scenario


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run one scenario and write its run folder")
    p.add_argument("config", nargs="?", help=f"scenario file (default: {DEFAULT_SCENARIO.name})")
    p.add_argument(
        "--set",
        dest="sets",
        action="append",
        metavar="KEY=VALUE",
        help="override a value by dotted path, e.g. factory.lines.phase1.ramp.months=12",
    )
    p.add_argument("--seed", type=int, help="run stochastically with this seed")
    p.add_argument(
        "--deterministic", action="store_true", help="every random quantity at its expectation"
    )
    p.add_argument("--out", help="run folder (default: outputs/<scenario name>)")
    p.add_argument("--no-figures", action="store_true", help="skip the figures")
    p.add_argument("--svg", action="store_true", help="also save figures as SVG")
    p.set_defaults(func=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    from sim.errors import ConfigError
    from sim.io.paths import shown
    from sim.io.rundir import write_run
    from sim.io.staged import check_writable
    from sim.model.simulate import simulate

    if args.seed is not None and args.deterministic:
        raise ConfigError("command line", "--seed", "give --seed or --deterministic, not both")
    if args.seed is not None and args.seed < 0:
        raise ConfigError("command line", "--seed", f"must be >= 0 (got {args.seed})")
    scenario = load_scenario(args.config, overrides_from(args.sets), override_source="--set")
    mode = "deterministic" if args.deterministic else None
    if args.seed is not None:
        mode = "stochastic"
    raw = args.out or os.path.join("outputs", scenario.name)  # not Path: it drops a final "."
    try:
        out = check_writable(raw, "run")  # refused before the run, not after
    except ConfigError as exc:
        raise _with_flag(exc, args.out) from None
    result = simulate(scenario, args.seed, mode=mode)
    formats = ("png", "svg") if args.svg else ("png",)

    def figures(stage: Path) -> None:
        write_run_figures(result, stage / "figures", formats)

    write_run(result, out, extra=None if args.no_figures else figures)
    print(format_summary(result))
    print(
        f"\nWrote {shown(out)}/: config.yaml, monthly.csv, monthly.parquet, quarterly.csv, "
        "summary.json" + ("" if args.no_figures else ", figures/")
    )
    return 0


def _with_flag(exc, given: str | None):
    """The library's error about the output folder, naming the option that chose it."""
    from sim.errors import ConfigError

    flag = "--out" if given else "the default output folder (set --out)"
    return ConfigError(exc.source, exc.field or flag, exc.message)


def write_run_figures(result, folder: Path, formats: tuple[str, ...]) -> list[Path]:
    """The four figures of a run (:func:`sim.plots.sets.run_set`), each file written whole."""
    import matplotlib

    matplotlib.use("Agg")
    from sim.io.atomic import atomic_write_bytes
    from sim.plots import save_figure
    from sim.plots.sets import run_set

    written = []
    for name, fig in run_set(result.monthly, result.summary).items():
        written += save_figure(fig, folder / name, formats, write=atomic_write_bytes)
    return written


def format_summary(result) -> str:
    from sim.core.format import count, money, percent
    from sim.core.outputs import label_or_never

    s = result.summary
    be = s["breakeven"]
    cap = s["capital"]
    cap_month = cap["capital_needed_without_working_capital_month"]
    seed = f", seed {s['seed']}" if s["seed"] is not None else ""
    lines = [
        f"{s['scenario']} ({s['mode']}{seed}): {s['start']} to {s['end']}, "
        f"money in {s['currency']}",
        "",
        "Break-even (first month)",
        f"  gross profit >= 0                {label_or_never(be['gross_profit'])}",
        f"  operating profit per car >= 0    {label_or_never(be['operating_per_car'])}",
        f"  ... held {be['sustain_months']} months                "
        f"{label_or_never(be['operating_per_car_sustained'])}",
        f"  cash payback                     {label_or_never(be['cash_payback'])}",
        f"  capital needed (peak deficit)    {money(be['peak_cash_deficit'])}"
        + (f" in {be['peak_cash_deficit_month']}" if be["peak_cash_deficit_month"] else ""),
        f"  ... without working capital      {money(cap['capital_needed_without_working_capital'])}"
        + (f" in {cap_month}" if cap_month else ""),
        f"  100,000th delivery               {label_or_never(s['milestones']['deliveries_100k'])}",
        "",
        "By quarter (first six)",
        f"  {'period':<7}{'deliveries':>11}{'revenue':>11}{'gross margin':>14}"
        f"{'op. profit':>12}{'per car':>10}",
    ]
    for row in result.quarterly.head(6).itertuples():
        lines.append(
            f"  {row.period:<7}{count(row.deliveries):>11}{money(row.revenue):>11}"
            f"{percent(row.gross_margin, 1):>14}{money(row.operating_profit):>12}"
            f"{money(row.operating_profit_per_car):>10}"
        )
    return "\n".join(lines)
