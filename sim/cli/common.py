"""Small helpers shared by sub-commands (error lines, shared options, override parsing).

Numbers are written by :mod:`sim.core.format`; month labels and "never" by :mod:`sim.core.outputs`.

Kept light to import: :func:`describe` must work even when a heavy import is what failed.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sim.errors import EXIT_BAD_INPUT, EXIT_FAILED, ScaleupError

MAX_LINE = 600  # characters of an error line; the rest is cut ("...")

# Errors on a path that the user gave: bad input. Any other OSError is the environment's.
PATH_ERRNOS = frozenset(
    {
        errno.EACCES,
        errno.EPERM,
        errno.EROFS,
        errno.ENOENT,
        errno.ENOTDIR,
        errno.EISDIR,
        errno.EEXIST,
        errno.ENAMETOOLONG,
        errno.ELOOP,
    }
)
FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})

# The CLI flag behind each executor option named in the library's messages.
EXECUTOR_FLAGS = {
    "the executor": "--executor",
    "the number of workers": "--workers",
    "the scheduler address": "--scheduler",
}


def one_line(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_LINE else text[: MAX_LINE - 3] + "..."


def describe(exc: BaseException) -> tuple[int, str]:
    """The exit status of ``exc`` and its one line (to follow ``scaleup: ``)."""
    if isinstance(exc, ScaleupError):
        hint = " (pass --resume)" if getattr(exc, "resumable", False) else ""
        return exc.exit_status, one_line(f"error: {exc}{hint}")
    if isinstance(exc, MemoryError):
        return EXIT_FAILED, "error: out of memory"
    if isinstance(exc, OSError) and exc.errno is not None:
        return _os_error(exc)
    return EXIT_FAILED, one_line(
        f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)"
    )


def _os_error(exc: OSError) -> tuple[int, str]:
    what = exc.strerror or os.strerror(exc.errno or 0)
    name = exc.filename
    where = f"{os.fsdecode(name)}: " if name is not None else ""
    if exc.errno in FULL_ERRNOS:
        return EXIT_FAILED, one_line(f"error: {where}the disk is full ({what})")
    status = EXIT_BAD_INPUT if name is not None and exc.errno in PATH_ERRNOS else EXIT_FAILED
    return status, one_line(f"error: {where}{what}")


@contextmanager
def executor_flags() -> Iterator[None]:
    """Name the CLI flag (``--scheduler``...) in an error about an executor option."""
    try:
        yield
    except ScaleupError as exc:
        flag = EXECUTOR_FLAGS.get(exc.source)
        if flag is None:
            raise
        named = f"{flag} {exc.field}" if exc.field else flag
        raise type(exc)(named, None, exc.message) from exc


def worker_lost(exc: Any, out: str | None) -> str:
    """The line for a worker that died mid-way: what is kept, and that ``--resume`` finishes.

    Counts come from the error when the library filled them in, else from the chunks found in
    the results folder ``out`` (those of its ``oat``/``sobol`` parts for a sensitivity)."""
    folder = exc.folder if exc.folder is not None else out
    done = exc.done
    if done is None and folder is not None:
        from pathlib import Path

        from sim.experiments.store import done_ranges

        parts = [Path(folder), Path(folder) / "oat", Path(folder) / "sobol"]
        done = sum(b - a + 1 for part in parts for a, b in done_ranges(part))
    if done is None:
        kept = "the runs that finished are kept in the results folder"
    else:
        total = f" of {exc.total:,}" if exc.total is not None else ""
        where = f" in {folder}" if folder is not None else " in the results folder"
        kept = f"{done:,}{total} runs finished and are kept{where}"
    return one_line(f"error: {exc}; {kept}; run the same command with --resume to finish the rest")


def overrides_from(pairs: list[str] | None) -> dict[str, Any]:
    from sim.config.load import parse_assignment

    return dict(parse_assignment(p, source="--set") for p in pairs or [])


def add_executor_args(p) -> None:
    """``--executor``, ``--workers`` and ``--scheduler`` (``sweep`` and ``sensitivity``)."""
    p.add_argument(
        "--executor",
        choices=("serial", "processes", "dask"),
        help="where runs execute (default: processes; dask when --scheduler is given)",
    )
    p.add_argument("--workers", type=int, help="processes or local Dask workers (default: CPUs)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://host:8786")


def add_figure_args(p) -> None:
    """``--no-figures``, ``--svg`` and ``--quiet`` (``sweep`` and ``sensitivity``)."""
    p.add_argument("--no-figures", action="store_true", help="skip the figures")
    p.add_argument("--svg", action="store_true", help="also save figures as SVG")
    p.add_argument("--quiet", action="store_true", help="no progress output")


def executor_of(args) -> str:
    return args.executor or ("dask" if args.scheduler else "processes")
