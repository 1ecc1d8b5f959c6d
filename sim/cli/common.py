"""Small helpers shared by sub-commands (formatting, override parsing)."""

from __future__ import annotations

import math
from typing import Any

from sim.config.load import parse_assignment


def overrides_from(pairs: list[str] | None) -> dict[str, Any]:
    return dict(parse_assignment(p) for p in pairs or [])


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


def money(value: float | None) -> str:
    """USD in a human scale: $1.16bn, $251.0M, $9,116."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    sign = "-" if value < 0 else ""
    v = abs(value)
    if v >= 1e9:
        return f"{sign}${v / 1e9:.2f}bn"
    if v >= 1e6:
        return f"{sign}${v / 1e6:.1f}M"
    return f"{sign}${v:,.0f}"


def month_or_never(label: str | None) -> str:
    return label if label else "not within horizon"
