"""``scaleup validate``: check scenario, sweep and sensitivity files without running them."""

from __future__ import annotations

import argparse

from sim.config.load import load_scenario


def register(sub: argparse._SubParsersAction) -> None:
    v = sub.add_parser("validate", help="check scenario files without running them")
    v.add_argument("configs", nargs="+", metavar="CONFIG")
    v.set_defaults(func=cmd_validate)


def cmd_validate(args: argparse.Namespace) -> int:
    from sim.config.load import read_yaml
    from sim.errors import ConfigError

    failed = 0
    for path in args.configs:
        try:
            data = read_yaml(path)
            if "base" in data:  # a sweep file (configs/sweeps/)
                from sim.experiments import load_sweep

                plan = load_sweep(path)
                print(f"ok: {path} (sweep {plan.name}, {plan.n_runs:,} runs)")
                continue
            if "inputs" in data:  # a sensitivity spec (configs/sensitivity/)
                from sim.analysis import load_analysis

                analysis = load_analysis(spec=path)
                print(f"ok: {path} (sensitivity {analysis.name}, checked on the default scenario)")
                continue
            sc = load_scenario(path)
        except ConfigError as exc:
            print(f"scaleup: error: {exc}")
            failed += 1
            continue
        print(f"ok: {path} ({sc.name}, {sc.horizon_months} months from {sc.start:%Y-%m})")
    return 2 if failed else 0
