"""How a number reads: money, counts, shares and input values, one style for console and figures.

Money: ``$1.16bn``, ``$251.0M``, ``$9,116``, ``-$9,116`` (billions with two decimals, millions
with one, whole dollars with separators below a million). Counts read the same without the
dollar sign. Shares never round a shortfall away: 99.5 % reads ``>99 %``, 0.4 % ``<1 %``.
Missing values (``None``, NaN, inf) read ``n/a``. Axis ticks share the scale of their largest tick
(:func:`scale_of`) so an axis speaks one unit. CSV files carry numbers at the precision of their
unit (:func:`csv_precision`); Parquet files keep full precision.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from sim.core.outputs import COMPANY_TOTALS, label_or_never, unit_of

NA = "n/a"
"""What a missing number reads as."""
SCALES = ((1e9, "bn", 2), (1e6, "M", 1))
"""(factor, suffix, decimals) from the largest; below a million: whole numbers, no suffix."""


def _missing(value: Any) -> bool:
    return value is None or not math.isfinite(float(value))


def scale_of(magnitude: float) -> tuple[float, str, int]:
    """(factor, suffix, decimals) of the scale a number of this size is written in."""
    for factor, suffix, decimals in SCALES:
        if magnitude >= factor:
            return factor, suffix, decimals
    return 1.0, "", 0


def scaled(value: float, factor: float, suffix: str, decimals: int, unit: str = "") -> str:
    """``value`` in a given scale: sign first, then the unit (``-$1.2M``); zero reads ``$0``."""
    magnitude = abs(value) / factor
    if round(magnitude, decimals) == 0:
        return f"{unit}0"
    sign = "-" if value < 0 else ""
    return f"{sign}{unit}{magnitude:,.{decimals}f}{suffix}"


def money(value: float | None) -> str:
    """USD in a human scale: ``$1.16bn``, ``$251.0M``, ``$9,116``, ``-$9,116``; ``n/a``."""
    if _missing(value):
        return NA
    return scaled(float(value), *scale_of(abs(float(value))), unit="$")


def count(value: float | None) -> str:
    """A number of cars (or any count): ``1.16bn``, ``251.0M``, ``91,659``; ``n/a``."""
    if _missing(value):
        return NA
    return scaled(float(value), *scale_of(abs(float(value))))


def percent(share: float | None, decimals: int = 0) -> str:
    """A share (1.0 = 100 %) as ``42 %``; a value that would round onto 0 % or 100 % without
    being there reads ``<1 %`` or ``>99 %`` (with ``decimals``: ``<0.1 %``, ``>99.9 %``)."""
    if _missing(share):
        return NA
    p = float(share) * 100
    step = 10.0**-decimals
    if 0 < abs(p) < step:
        return f"<{step:.{decimals}f} %" if p > 0 else f">-{step:.{decimals}f} %"
    if 100 - step < p < 100:
        return f">{100 - step:.{decimals}f} %"
    if -100 < p < step - 100:
        return f"<-{100 - step:.{decimals}f} %"
    return f"{p:.{decimals}f} %"


def input_value(value: Any, path: str) -> str:
    """An input's value, by its dotted path: USD as :func:`money` (the path names ``usd``),
    large numbers with separators (``1,500,000``), others as short as they go (``0.86``)."""
    if isinstance(value, str):
        return value
    v = float(value)
    if "usd" in path.lower():
        return money(v)
    return f"{v:,.0f}" if abs(v) >= 10_000 else f"{v:g}"


def factor_value(value: Any) -> str:
    """A factor's value in a name or label: ``0.86``, ``12``, ``1.5e+06``, ``text``."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        return str(value)
    return f"{value:.4g}"


CSV_DECIMALS = {
    "cars": 2,
    "cars a week": 2,
    "days": 2,
    "months": 2,
    "USD": 2,
    "USD a car": 2,
}
"""Decimals a CSV file keeps, by unit (:data:`sim.core.outputs.UNITS`). Cars to hundredths, not
whole cars: a deterministic run carries expectations (12,350.65 cars), and whole cars would
break the stock-flow identities of a row (orders = deliveries + cancellations + change in
backlog) by up to a car a term and flatten a first month of a few cars; stochastic runs count
whole cars, which print whole. Money to the cent. Month indices to hundredths (a mean)."""
CSV_SIGNIFICANT = {"fraction": 6}
"""Significant digits a CSV file keeps, by unit; a share never rounds onto 0 or 1 (nor -1)
when it is not there: such a value keeps its full precision, as :func:`percent` shows ``>99 %``."""


def _decimals(values: pd.Series, decimals: int) -> pd.Series:
    """Rounded through text, so the file prints the short decimal (no ``0.30000000000000004``)."""
    return values.map(lambda v: float(f"{v:.{decimals}f}") + 0.0)  # + 0.0: no "-0.0"


def _significant(values: pd.Series, digits: int) -> pd.Series:
    rounded = values.map(lambda v: float(f"{v:.{digits}g}") + 0.0)
    shortfall = rounded.isin((0.0, 1.0, -1.0)) & (rounded != values) & values.notna()
    return rounded.where(~shortfall, values)


def csv_precision(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each float column rounded for a CSV file by its unit
    (:func:`sim.core.outputs.unit_of`): :data:`CSV_DECIMALS` or :data:`CSV_SIGNIFICANT`.
    Columns of no unit (a sweep's factor values: the user's inputs), integers and text are left
    as they are; NaN stays NaN. A copy: the frame itself is untouched."""
    out = frame.copy()
    for column in out.columns:
        if not pd.api.types.is_float_dtype(out[column]):
            continue
        unit = unit_of(str(column))
        if unit in CSV_DECIMALS:
            out[column] = _decimals(out[column], CSV_DECIMALS[unit])
        elif unit in CSV_SIGNIFICANT:
            out[column] = _significant(out[column], CSV_SIGNIFICANT[unit])
    return out


def product_rows(summary: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """``summary.json``'s ``products`` as rows of (what, one cell per product, in its order):
    the one place the console and the report word them."""
    products = summary.get("products") or {}
    held = f"... held {summary['breakeven']['sustain_months']} months"
    rows = [
        ("first delivery", lambda p: label_or_never(p["first_delivery"])),
        ("operating profit per car >= 0",
         lambda p: label_or_never(p["breakeven"]["operating_per_car"])),
        (held, lambda p: label_or_never(p["breakeven"]["operating_per_car_sustained"])),
        ("cars delivered", lambda p: count(p["totals"]["deliveries"])),
        ("operating profit", lambda p: money(p["totals"]["operating_profit"])),
    ]  # fmt: skip
    return [(what, [cell(p) for p in products.values()]) for what, cell in rows]


def company_rows(summary: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``summary.json``'s ``company`` totals as (what, USD) rows; none without a company."""
    totals = (summary.get("company") or {}).get("totals", {})
    return [(COMPANY_TOTALS.get(k, k.replace("_", " ")), money(v)) for k, v in totals.items()]
