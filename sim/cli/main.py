"""``scaleup``: a thin command line over the library. Each sub-command lives in its own module.

Every failure ends in one line on stderr and an exit status (see :mod:`sim.errors`): 0 done,
1 the work ran but failed (or the environment did), 2 bad input, 130 interrupted. ``--debug``
adds the traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import threading
import traceback
from collections.abc import Sequence

from sim.errors import EXIT_INTERRUPTED, EXIT_OK

# Modules that each define ``register(subparsers)``; a sub-command sets ``func(args) -> int``.
COMMANDS = (
    "sim.cli.run",
    "sim.cli.validate",
    "sim.cli.sweep",
    "sim.cli.plot",
    "sim.cli.sensitivity",
    "sim.cli.schema",
    "sim.cli.report",
    "sim.cli.calibrate",
)
INTERRUPTED = "scaleup: interrupted"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scaleup",
        description="Simulate a new car factory's ramp-up and when its loss per car reaches zero. "
        "Exit status: 0 done, 1 the work ran but something failed, 2 bad input, "
        "130 interrupted.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    if threading.current_thread() is threading.main_thread():
        # Ctrl-C raises KeyboardInterrupt from here on (replacing the early handler of
        # sim.__main__), so that it is reported like any other interruption.
        signal.signal(signal.SIGINT, signal.default_int_handler)
    words = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in words  # known before the parser exists (it takes a moment to build)
    try:
        args = build_parser().parse_args(words)
        debug = args.debug
        status = int(args.func(args) or EXIT_OK)
        _flush_stdout()  # a full disk or a closed pipe under stdout is reported here
        return status
    except KeyboardInterrupt:
        if debug:
            traceback.print_exc()
        print(INTERRUPTED, file=sys.stderr)
        _forget_interrupt()
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `scaleup run | head`: the reader left, nothing to report
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        from sim.cli.common import describe

        if debug:
            traceback.print_exc()
        if _interrupted(exc):  # e.g. a library that wraps Ctrl-C in its own error
            print(INTERRUPTED, file=sys.stderr)
            _forget_interrupt()
            return EXIT_INTERRUPTED
        status, line = describe(exc)
        print(f"scaleup: {line}", file=sys.stderr)
        return status


def _interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` was caused by Ctrl-C (pydantic, for one, wraps it while building)."""
    seen: set[int] = set()
    node: BaseException | None = exc
    while node is not None and id(node) not in seen:
        if isinstance(node, KeyboardInterrupt) or "KeyboardInterrupt" in str(node)[:2000]:
            return True
        seen.add(id(node))
        node = node.__cause__ or node.__context__
    return False


def _flush_stdout() -> None:
    try:
        sys.stdout.flush()
    except OSError as exc:
        if exc.filename is None:
            exc.filename = "standard output"
        raise


def _forget_interrupt() -> None:
    """Let the process exit with 130 after a KeyboardInterrupt that was caught here.

    CPython (3.11) marks a KeyboardInterrupt raised inside ``exec`` of a string (dataclasses
    and namedtuple do that while a module is imported) as unhandled even when it is caught
    later, and then ends the process by SIGINT at exit instead of with its exit status. The
    mark is cleared by the next ``exec`` of a string: this constant one.
    """
    exec("pass")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
