"""Small helpers shared by sub-commands (formatting, override parsing)."""

from __future__ import annotations

import math
from typing import Any

from sim.config.load import parse_assignment


def overrides_from(pairs: list[str] | None) -> dict[str, Any]:
    return dict(parse_assignment(p) for p in pairs or [])


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
