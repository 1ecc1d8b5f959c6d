"""``scaleup``: a thin command line over the library. Each sub-command lives in its own module."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from sim.errors import ConfigError

# Modules that each define ``register(subparsers)``; a sub-command sets ``func(args) -> int``.
COMMANDS = (
    "sim.cli.run",
    "sim.cli.validate",
    "sim.cli.sweep",
    "sim.cli.plot",
    "sim.cli.sensitivity",
)

EXIT_BAD_INPUT = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scaleup",
        description="Simulate a new car factory's ramp-up and when its loss per car reaches zero.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:
        if args.debug:
            raise
        print(f"scaleup: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("scaleup: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `scaleup run | head`: the reader left, nothing to report
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
