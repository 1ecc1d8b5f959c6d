"""``scaleup validate``: check scenario, sweep and sensitivity files without running them.

Every file is checked, even after one fails; each problem is one line on stderr, each good file
one ``ok:`` line on stdout. Exit status: 0 all good, 2 any bad input, else 1 (a file that could
not be checked: an environment problem or an internal error).
"""

from __future__ import annotations

import argparse
import sys
import traceback
from typing import Any

from sim.cli.common import describe
from sim.errors import EXIT_BAD_INPUT, EXIT_OK, ScaleupError


def register(sub: argparse._SubParsersAction) -> None:
    v = sub.add_parser(
        "validate",
        help="check scenario, sweep and sensitivity files without running them",
        description="Check scenario, sweep and sensitivity files without running them. "
        "Exit status: 0 all good, 2 any bad input, 1 a file could not be checked.",
    )
    v.add_argument("configs", nargs="+", metavar="CONFIG")
    v.add_argument(
        "--scenario",
        metavar="FILE",
        help="scenario to check sensitivity files against (default: the default scenario)",
    )
    v.set_defaults(func=cmd_validate)


def cmd_validate(args: argparse.Namespace) -> int:
    statuses = [EXIT_OK]
    for path in args.configs:
        try:
            line = check(path, args.scenario)
        except Exception as exc:  # one bad file must not stop the others
            if getattr(args, "debug", False):
                traceback.print_exc()
            status, text = describe(exc)
            if not isinstance(exc, ScaleupError):  # its line may not name the file
                text = f"{path}: {text}"
            print(f"scaleup: {text}", file=sys.stderr, flush=True)
            statuses.append(status)
            continue
        print(f"ok: {path} ({line})", flush=True)
    return EXIT_BAD_INPUT if EXIT_BAD_INPUT in statuses else max(statuses)


def check(path: str, scenario: str | None) -> str:
    """Check one file (its kind told by its keys); return what it is, for the ``ok`` line."""
    from sim.config.load import load_scenario, read_yaml

    data: Any = read_yaml(path)
    if isinstance(data, dict) and "base" in data:  # a sweep file (configs/sweeps/)
        from sim.experiments import load_sweep

        plan = load_sweep(path)
        return f"sweep {plan.name}, {plan.n_runs:,} runs"
    if isinstance(data, dict) and "inputs" in data:  # a sensitivity spec (configs/sensitivity/)
        from sim.analysis import load_analysis

        analysis = load_analysis(scenario, spec=path)
        on = f"on {scenario}" if scenario is not None else "on the default scenario"
        return f"sensitivity {analysis.name}, checked {on}"
    from sim.config.lineup import notes
    from sim.core.calendar import month_label

    sc = load_scenario(path)
    said = "".join(f"; note: {n}" for n in notes(sc))
    return f"{sc.name}, {sc.horizon_months} months from {month_label(sc.start)}{said}"
