"""``scaleup run``."""

from __future__ import annotations

import argparse
import os
import sys
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
    p.add_argument(
        "--quarters",
        default="6",
        metavar="N|all",
        help="quarters printed on the console (default: the first 6; all: every one)",
    )
    p.add_argument("--no-figures", action="store_true", help="skip the figures")
    p.add_argument("--svg", action="store_true", help="also save figures as SVG")
    add_window_args(p)
    p.set_defaults(func=cmd_run)


def add_window_args(p: argparse.ArgumentParser) -> None:
    """``--from``, ``--to`` and ``--quarterly``: which months the run figures show, and how."""
    p.add_argument("--from", dest="window_from", metavar="YYYY-MM", help="figures start here")
    p.add_argument("--to", dest="window_to", metavar="YYYY-MM", help="figures end here")
    p.add_argument("--quarterly", action="store_true", help="per-car figures by calendar quarter")


def window_of(args: argparse.Namespace, start: str | None = None, end: str | None = None):
    """The figures' :class:`sim.plots.window.Window` from the command line; ConfigError if a
    month is not ``YYYY-MM``, ``--from`` is after ``--to`` or (given the run's ``start`` and
    ``end``) the window shows none of its months."""
    from sim.errors import ConfigError
    from sim.plots.window import Window

    try:
        window = Window(args.window_from, args.window_to, args.quarterly)
    except ValueError as exc:
        flag = "--from" if args.window_from and str(args.window_from) in str(exc) else "--to"
        raise ConfigError("command line", flag, str(exc)) from None
    if start is not None and end is not None:
        try:
            window.check(start, end)
        except ValueError as exc:
            raise ConfigError("command line", "--from/--to", str(exc)) from None
    return window


def quarters_of(text: str) -> int | None:
    """``--quarters``: a count (>= 0) or ``all`` (None)."""
    from sim.errors import ConfigError

    if text.strip().lower() == "all":
        return None
    if not text.strip().isdigit():
        raise ConfigError("command line", "--quarters", f"must be a count or all (got {text!r})")
    return int(text)


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
    from sim.config.lineup import notes
    from sim.core.calendar import month_label, shift_label

    quarters = quarters_of(args.quarters)
    window_of(args)  # a bad month is refused before the scenario is read
    scenario = load_scenario(args.config, overrides_from(args.sets), override_source="--set")
    first = month_label(scenario.start)
    window = window_of(args, first, shift_label(first, scenario.horizon_months - 1))
    for note in notes(scenario):
        print(f"scaleup: note: {args.config}: {note}", file=sys.stderr, flush=True)
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
        write_run_figures(result, stage / "figures", formats, window)

    write_run(result, out, extra=None if args.no_figures else figures)
    print(format_summary(result, quarters))
    lineup = "".join(f", {stem}.csv" for stem in result.lineup_tables)
    print(
        f"\nWrote {shown(out)}/: manifest.json, config.yaml, monthly.csv, monthly.parquet, "
        f"quarterly.csv{lineup}, summary.json" + ("" if args.no_figures else ", figures/")
    )
    return 0


def _with_flag(exc, given: str | None):
    """The library's error about the output folder, naming the option that chose it."""
    from sim.errors import ConfigError

    flag = "--out" if given else "the default output folder (set --out)"
    return ConfigError(exc.source, exc.field or flag, exc.message)


def write_run_figures(result, folder: Path, formats: tuple[str, ...], window=None) -> list[Path]:
    """The four figures of a run (:func:`sim.plots.sets.run_set`) over ``window`` (default:
    every month), each file written whole."""
    import matplotlib

    matplotlib.use("Agg")
    from sim.io.atomic import atomic_write_bytes
    from sim.plots import save_figure
    from sim.plots.sets import run_set

    written = []
    lineup = result.has_lineup
    sets = run_set(
        result.monthly, result.summary, window=window, quarterly=result.quarterly,
        products=result.products_monthly if lineup else None,
        products_quarterly=result.products_quarterly if lineup else None,
    )  # fmt: skip
    for name, fig in sets.items():
        written += save_figure(fig, folder / name, formats, write=atomic_write_bytes)
    return written


def format_summary(result, quarters: int | None = 6) -> str:
    """The console summary: break-evens, what follows the first one, capital, milestones and
    the first ``quarters`` quarters (None: every one)."""
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
        "Break-even (first month)" + (" of the car business" if "company" in s else ""),
        f"  gross profit >= 0                {label_or_never(be['gross_profit'])}",
        f"  operating profit per car >= 0    {label_or_never(be['operating_per_car'])}",
        f"  ... held {be['sustain_months']} months                "
        f"{label_or_never(be['operating_per_car_sustained'])}",
        *relapse_lines(be),
        f"  cash payback                     {label_or_never(be['cash_payback'])}",
        f"  capital needed (peak deficit)    {money(be['peak_cash_deficit'])}"
        + (f" in {be['peak_cash_deficit_month']}" if be["peak_cash_deficit_month"] else ""),
        f"  ... without working capital      {money(cap['capital_needed_without_working_capital'])}"
        + (f" in {cap_month}" if cap_month else ""),
        *milestone_lines(s["milestones"], result.scenario),
        *lineup_lines(s, result.scenario),
        "",
        quarters_title(quarters, len(result.quarterly)),
        f"  {'period':<7}{'deliveries':>11}{'revenue':>11}{'gross margin':>14}"
        f"{'op. profit':>12}{'per car':>10}",
    ]
    shown = result.quarterly if quarters is None else result.quarterly.head(quarters)
    for row in shown.itertuples():
        lines.append(
            f"  {row.period:<7}{count(row.deliveries):>11}{money(row.revenue):>11}"
            f"{percent(row.gross_margin, 1):>14}{money(row.operating_profit):>12}"
            f"{money(row.operating_profit_per_car):>10}"
        )
    return "\n".join(lines)


def relapse_lines(be: dict) -> list[str]:
    """Whether the first break-even holds to the horizon; if not, when it is lost and for how
    many months."""
    from sim.core.outputs import label_or_never

    if be.get("holds_to_horizon") is None:
        return []
    if be["holds_to_horizon"]:
        return ["  ... holds to the horizon         yes, no month below zero after it"]
    months = be["months_below_zero_after_breakeven"]
    return [
        f"  ... holds to the horizon         no, {months} month{'s' * (months != 1)} below zero"
        " after it",
        f"  first month back below zero      {be['relapse']}",
        f"  profitable every month from      {label_or_never(be['profitable_from'])}",
    ]


def milestone_lines(reached: dict, scenario) -> list[str]:
    """One line per milestone: what it is and the month it is reached."""
    from sim.core.format import money
    from sim.core.outputs import label_or_never

    lines = []
    for name, month in reached.items():
        m = scenario.milestones.get(name)
        if m is None:
            what = name
        elif m.metric == "cumulative_cash":
            what = f"cumulative cash back to {money(m.at_least)}"
        elif m.metric == "cumulative_deliveries" and m.at_least >= 1:
            what = f"{_ordinal(m.at_least)} delivery"
        elif m.metric == "weekly_run_rate":
            what = f"{m.at_least:,.0f} cars a week"
        else:
            what = f"{m.metric.replace('_', ' ')} {m.at_least:,.0f}"
        lines.append(f"  {what:<32} {label_or_never(month)}")
    return lines


def lineup_lines(s: dict, scenario) -> list[str]:
    """Per product (break-evens, first delivery, cars, milestones on its own deliveries) and the
    company (the car business beside the whole company's result), when the run has them."""
    from sim.core.format import company_rows, product_rows
    from sim.core.outputs import label_or_never

    lines = []
    products = s.get("products")
    if products:
        names = list(products)
        rows = product_rows(s)
        for name, m in scenario.milestones.items():
            if m.metric == "cumulative_deliveries" and m.at_least >= 1:
                cells = [label_or_never(p["milestones"][name]) for p in products.values()]
                rows.append((f"{_ordinal(m.at_least)} delivery", cells))
        width = 2 + max(len(c) for c in [*names, *(c for _, row in rows for c in row)])
        lines += ["", f"{'By product':<34}" + "".join(f"{n:>{width}}" for n in names)]
        for label, row in rows:
            lines.append(f"  {label:<32}" + "".join(f"{c:>{width}}" for c in row))
        lines.append("  (shared costs split by output and revenue: see products_monthly.csv)")
    company = company_rows(s)
    if company:
        lines += ["", "The company, over the horizon (the lines above are its car business)"]
        lines += [f"  {label:<32} {value}" for label, value in company]
    return lines


def quarters_title(quarters: int | None, total: int) -> str:
    if quarters is None or quarters >= total:
        return f"By quarter (all {total})"
    return "By quarter (first six)" if quarters == 6 else f"By quarter (first {quarters})"


def _ordinal(n: float) -> str:
    """``100000`` -> ``100,000th``, ``1`` -> ``1st``."""
    k = round(n)
    end = "th" if k % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k:,}{end}"
