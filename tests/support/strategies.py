"""Hypothesis strategies shared by the property tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

MODES = st.sampled_from(["deterministic", "stochastic"])
SEEDS = st.integers(0, 2**32 - 1)


def floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def month_label(start: dt.date, months: int, day: int = 1) -> str:
    """ISO date of ``day`` in the month ``months`` after ``start``'s."""
    y, m = divmod(start.month - 1 + months, 12)
    return dt.date(start.year + y, m + 1, day).isoformat()


@st.composite
def demands(
    draw, max_orders: float = 20_000, max_q: float = 1.0, max_market: float = 500_000
) -> dict[str, Any]:
    """A demand block of any kind: constant, a table of up to 6 months, or Bass."""
    kind = draw(st.sampled_from(["constant", "bass", "table"]))
    if kind == "constant":
        return {"kind": kind, "orders_per_month": draw(floats(0, max_orders))}
    if kind == "table":
        return {
            "kind": kind,
            "orders_per_month": draw(st.lists(floats(0, max_orders), min_size=1, max_size=6)),
        }
    return {
        "kind": kind,
        "p": draw(floats(0.001, 0.2)),
        "q": draw(floats(0, max_q)),
        "market_size": draw(floats(1_000, max_market)),
    }
