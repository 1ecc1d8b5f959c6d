"""``scaleup calibrate``: fit a scenario to reported periods, forecast and backtest."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "calibrate", help="fit a scenario to reported quarters, forecast break-even with intervals"
    )
    p.add_argument("spec", help="calibration file (configs/calibration/*.yaml)")
    p.add_argument(
        "--train-until",
        metavar="PERIOD",
        help="fit on periods up to PERIOD (2024Q2 or 2024-05) and score the rest",
    )
    p.add_argument(
        "--deliveries",
        choices=("observed", "model"),
        help="drive output by the observed deliveries, or fit the model's ramp",
    )
    p.add_argument("--out", help="results folder (default: outputs/<calibration name>)")
    p.add_argument("--draws", type=int, help="forecast draws (default: the file's; 0: no forecast)")
    p.add_argument(
        "--rolling",
        action="store_true",
        help="refit after each reported period and show how the forecast moved",
    )
    p.add_argument(
        "--bootstrap",
        type=int,
        metavar="N",
        help="N bootstrap refits for a percentile interval per parameter (default: the file's; "
        "0: none)",
    )
    p.add_argument("--workers", type=int, help="processes for the forecast (default: all CPUs)")
    p.add_argument("--no-figures", action="store_true", help="skip the figures")
    p.set_defaults(func=cmd_calibrate)


def cmd_calibrate(args: argparse.Namespace) -> int:
    from sim.calibrate import calibrate
    from sim.errors import ConfigError
    from sim.io.paths import shown
    from sim.limits import MAX_BOOTSTRAP

    if args.draws is not None and args.draws < 0:
        raise ConfigError("command line", "--draws", f"must be >= 0 (got {args.draws})")
    if args.bootstrap is not None and not 0 <= args.bootstrap <= MAX_BOOTSTRAP:
        raise ConfigError(
            "command line",
            "--bootstrap",
            f"must be between 0 and {MAX_BOOTSTRAP:,} (got {args.bootstrap})",
        )
    if args.workers is not None and args.workers < 1:
        raise ConfigError("command line", "--workers", f"must be >= 1 (got {args.workers})")
    if args.train_until is not None:
        from sim.calibrate.observed import parse_period

        try:
            parse_period(args.train_until)
        except ValueError as exc:
            raise ConfigError("command line", "--train-until", str(exc)) from None
    try:
        res = calibrate(
            args.spec,
            train_until=args.train_until,
            deliveries=args.deliveries,
            out=args.out,
            draws=args.draws,
            rolling=args.rolling,
            bootstrap=args.bootstrap,
            workers=args.workers,
            figures=not args.no_figures,
        )
    except ConfigError as exc:
        if exc.source == "<output>" or (args.out and exc.source == shown_path(args.out)):
            raise ConfigError(exc.source, exc.field or "--out", exc.message) from None
        raise
    print(format_report(res))
    print(f"\nWrote {shown(res.folder)}/")
    return 0


def shown_path(path: str) -> str:
    from pathlib import Path

    from sim.io.paths import shown

    return shown(Path(path))


def _margin(value: float) -> str:
    from sim.core.format import percent

    return percent(value, 1)


def format_report(res) -> str:
    from sim.core.format import count, input_value, money, percent

    f = res.fit
    lines = [
        f"{res.spec.name}: fitted on {', '.join(dict.fromkeys(f.residuals['period']))} "
        f"({len(f.residuals)} figures, {f.evaluations} model runs, deliveries: "
        f"{res.spec.deliveries})",
        "",
        f"Parameters ({round(f.interval * 100)} % intervals)",
    ]
    boot = f.extra.get("bootstrap")
    if boot:
        lines[-1] = (
            f"Parameters ({round(f.interval * 100)} % intervals: Jacobian; {boot['kind']} "
            f"bootstrap of {boot['replicates']:,} refits)"
        )
    for row in f.parameters.itertuples():
        if row.identified:
            text = (
                f"  {row.path:<50}{input_value(row.value, row.path):>12}  "
                f"[{input_value(row.low_interval, row.path)} to "
                f"{input_value(row.high_interval, row.path)}]"
            )
            if boot and row.bootstrap_low == row.bootstrap_low:  # not NaN
                text += (
                    f"  bootstrap [{input_value(row.bootstrap_low, row.path)} to "
                    f"{input_value(row.bootstrap_high, row.path)}]"
                )
            lines.append(text)
        else:
            lines.append(
                f"  {row.path:<50}{'not identified':>12}  (kept at "
                f"{input_value(row.value, row.path)})"
            )
    lines += ["", "Residuals (fitted vs reported)"]
    named = f.residuals.get("product", [])
    width = 8 + max((len(p) + 1 for p in named if isinstance(p, str) and p), default=0)
    for row in f.residuals.itertuples():
        is_money = row.metric not in ("deliveries", "production", "gross_margin")
        show = _margin if row.metric == "gross_margin" else money if is_money else count
        unit = "pt" if row.unit == "points" else "%"
        # a figure of one product names it ("2025Q3 suv"); totals are the period alone
        product = getattr(row, "product", "")
        period = f"{row.period} {product if isinstance(product, str) else ''}".strip()
        lines.append(
            f"  {period:<{width}}{row.metric:<26}{show(row.observed):>12}"
            f"{show(row.fitted):>12}{row.error:>+8.2f} {unit}"
        )
    if f.flags:
        lines += ["", "Flags"] + [f"  {w}" for w in f.flags]
    if res.forecast is not None:
        s = res.forecast.summary
        q, m = s["breakeven_quarter"], s["breakeven_month"]
        lines += [
            "",
            f"Forecast ({s['runs']:,} runs, {s['failed']} failed): sustained per-car break-even",
            f"  quarter P{round(50 - 50 * s['interval'])}/P50/P{round(50 + 50 * s['interval'])}"
            f"   {q['low']} / {q['p50']} / {q['high']}",
            f"  month                {m['low']} / {m['p50']} / {m['high']}",
        ]
        by = res.forecast.by_quarter
        shown = by[(by["p_breakeven"] > 0) | (by.index < 2)].head(8)
        lines.append(
            "  P(break-even by)     "
            + ", ".join(
                f"{p} {percent(v)}"
                for p, v in zip(shown["period"], shown["p_breakeven"], strict=True)
            )
        )
    if res.backtest is not None:
        inside = res.backtest["inside"].dropna()
        lines += [
            "",
            f"Backtest: {int(inside.sum())} of {len(inside)} held-out figures inside "
            "their intervals",
        ]
    if res.rolling is not None:
        lines += ["", "Rolling origins (break-even quarter low / median / high)"]
        lines += [
            f"  {r.origin:<8}{r.breakeven_low} / {r.breakeven_p50} / {r.breakeven_high}"
            for r in res.rolling.itertuples()
        ]
    return "\n".join(lines)
