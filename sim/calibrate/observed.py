"""The observed CSV: one row per reported period, read through the one safe reader and checked
whole before any fit runs.

A file has a ``period`` column (``2024Q2`` or ``2024-05``) and any of :data:`METRICS`, plus an
optional ``fx`` column (units of the file's currency per unit of the scenario's, e.g. 7.17 RMB
per USD) by which its money columns are divided, and an optional ``product`` column: a row naming
a product is that product's figures, a row without one (an empty cell, or no column) the
scenario's totals. Empty cells are allowed. Every problem is one
:class:`~sim.errors.ConfigError` naming the file, the row's period (or line) and the column.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim import limits
from sim.config.reader import decode, read_bytes
from sim.config.strict import suggest
from sim.core.calendar import Calendar, add_months, parse_month, quarter_label
from sim.errors import ConfigError

VOLUMES = ("deliveries", "production")
"""Counts of cars: compared as relative errors, never negative."""
MONEY = ("revenue", "asp", "gross_profit", "operating_profit", "operating_profit_per_car")
"""Money (the scenario's currency after ``fx``): compared as relative errors."""
MARGINS = ("gross_margin",)
"""Fractions of revenue (0.154, never 15.4): compared in percentage points."""
METRICS = (*VOLUMES, *MONEY, *MARGINS)
"""Every metric an observed file may give; each is a column of the model's monthly and
quarterly tables (:class:`sim.model.result.Result`)."""
FX = "fx"
PERIOD = "period"
PRODUCT = "product"
TOTAL = ""
"""The ``product`` of a row of totals (all products together)."""
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    """A reported period: a calendar quarter or a month."""

    label: str
    """``2024Q2`` or ``2024-05``."""
    kind: str
    """``quarter`` or ``month``."""
    months: tuple[str, ...]
    """The ``YYYY-MM`` months it covers."""


def parse_period(text: str) -> Period:
    """``2024Q2`` or ``2024-05`` as a :class:`Period`; ``ValueError`` for anything else."""
    text = text.strip()
    if m := _QUARTER.match(text):
        first = parse_month(f"{m.group(1)}-{(int(m.group(2)) - 1) * 3 + 1:02d}")
        months = tuple(
            f"{d.year:04d}-{d.month:02d}" for d in (add_months(first, i) for i in range(3))
        )
        return Period(text, "quarter", months)
    if _MONTH.match(text) and 1 <= int(text[5:]) <= 12:
        return Period(text, "month", (text,))
    raise ValueError(
        f"unknown period format {text!r}; expected a quarter like 2024Q2 or a month like 2024-05"
    )


@dataclass(frozen=True)
class Observed:
    """The reported figures, tidy: one row per period and metric given (money already in the
    scenario's currency)."""

    source: str
    table: pd.DataFrame
    """Columns ``period``, ``kind`` (quarter or month), ``product`` (:data:`TOTAL` for the
    totals), ``metric``, ``value``. A table without ``product`` is all totals."""
    periods: tuple[Period, ...]
    """Every period of the file, once, in file order."""
    named: tuple[tuple[str, str], ...] = ()
    """``(period, product)`` of every row naming a product, in file order (its cells may all be
    empty): what :func:`check_products` checks."""

    def until(self, label: str | None) -> Observed:
        """The periods up to and including ``label`` (the training data); all when None."""
        if label is None:
            return self
        last = _last_month(parse_period(label))
        return self._keep(tuple(p for p in self.periods if _last_month(p) <= last))

    def after(self, label: str) -> Observed:
        """The periods after ``label`` (the held-out data)."""
        last = _last_month(parse_period(label))
        return self._keep(tuple(p for p in self.periods if _last_month(p) > last))

    def _keep(self, keep: tuple[Period, ...]) -> Observed:
        names = {p.label for p in keep}
        named = tuple(n for n in self.named if n[0] in names)
        return Observed(self.source, self.table[self.table["period"].isin(names)], keep, named)

    def value(self, period: str, metric: str, product: str = TOTAL) -> float | None:
        """The figure given for ``period`` and ``metric`` (of ``product``; the totals by
        default), None when the file gives none."""
        t = self.table
        rows = t[(t["period"] == period) & (t["metric"] == metric) & (products(t) == product)]
        return None if rows.empty else float(rows["value"].iloc[0])


def products(table: pd.DataFrame) -> np.ndarray:
    """The ``product`` of each row of an observed table (or of a table made from one), as text:
    :data:`TOTAL` for the totals and for every row of a table without the column."""
    if PRODUCT not in table.columns:
        return np.full(len(table), TOTAL, dtype=object)
    return table[PRODUCT].fillna(TOTAL).astype(str).to_numpy(dtype=object)


def labels(table: pd.DataFrame) -> dict[str, np.ndarray]:
    """The columns that name a row of an output table made from ``table``: ``period``, and
    ``product`` when any row is a product's (so a file of totals keeps its tables as they
    were)."""
    out = {PERIOD: table[PERIOD].to_numpy()}
    named = products(table)
    if (named != TOTAL).any():
        out[PRODUCT] = named
    return out


def _last_month(period: Period) -> str:
    return period.months[-1]


def read_observed(path: str | Path, fx: float | None = None, source: str | None = None) -> Observed:
    """Read and check an observed file (see the module); ``fx`` applies to rows without their
    own ``fx`` cell."""
    source = source or str(path)
    text = decode(read_bytes(path, source), source)
    return parse_observed(text, source, fx)


def parse_observed(text: str, source: str, fx: float | None = None) -> Observed:
    """The checks of :func:`read_observed` on text already read."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise ConfigError(
            source, None, "the file is empty: expected a header with period and metrics"
        )
    try:
        rows = list(csv.reader(io.StringIO("\n".join(lines))))
    except csv.Error as exc:
        raise ConfigError(source, None, f"not a CSV file ({exc})") from None
    header = [h.strip() for h in rows[0]]
    _check_header(header, source)
    body = rows[1:]
    if not body:
        raise ConfigError(source, None, "no data rows: give at least one period")
    if len(body) > limits.MAX_LIST_ITEMS:
        raise ConfigError(source, None, f"more than {limits.MAX_LIST_ITEMS:,} rows")
    records: list[dict[str, object]] = []
    periods: dict[str, Period] = {}
    named: list[tuple[str, str]] = []
    seen: dict[tuple[str, str], str] = {}
    for number, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise ConfigError(
                source, f"line {number}", f"{len(row)} cells for {len(header)} columns"
            )
        cells = dict(zip(header, (c.strip() for c in row), strict=True))
        try:
            period = parse_period(cells[PERIOD])
        except ValueError as exc:
            raise ConfigError(source, f"line {number}: period", str(exc)) from None
        product = cells.get(PRODUCT, TOTAL)
        for month in period.months:
            if (product, month) in seen:
                first = seen[product, month]
                what = "duplicated period" if first == period.label else f"overlaps {first}"
                of = f" for product {_shown(product)}" if product else ""
                raise ConfigError(source, f"{period.label}: period", f"{what}{of} (line {number})")
            seen[product, month] = period.label
        periods.setdefault(period.label, period)
        if product:
            named.append((period.label, product))
        rate = _fx(cells, fx, source, period.label)
        for metric in METRICS:
            if cells.get(metric, "") == "":
                continue
            value = _number(cells[metric], source, f"{period.label}: {metric}")
            _check_value(metric, value, source, f"{period.label}: {metric}")
            if metric in MONEY:
                value /= rate
            records.append(
                {
                    "period": period.label,
                    "kind": period.kind,
                    "product": product,
                    "metric": metric,
                    "value": value,
                }
            )
    if not records:
        raise ConfigError(source, None, "no values: every metric cell is empty")
    table = pd.DataFrame.from_records(
        records, columns=["period", "kind", "product", "metric", "value"]
    )
    return Observed(source, table, tuple(periods.values()), tuple(named))


def _check_header(header: list[str], source: str) -> None:
    if PERIOD not in header:
        raise ConfigError(source, PERIOD, f"missing column (the header has: {', '.join(header)})")
    allowed = (PERIOD, PRODUCT, FX, *METRICS)
    for name in header:
        if name not in allowed:
            hint = suggest(name, allowed)
            raise ConfigError(source, name, f"unknown column{hint}; allowed: {', '.join(allowed)}")
    dup = next((h for h in header if header.count(h) > 1), None)
    if dup:
        raise ConfigError(source, dup, "column given twice")
    if not any(h in METRICS for h in header):
        raise ConfigError(source, None, f"no metric column; expected any of {', '.join(METRICS)}")


def _number(text: str, source: str, field: str) -> float:
    try:
        value = float(text.replace("_", ""))
    except ValueError:
        shown = text if len(text) <= 40 else f"{text[:37]}..."
        raise ConfigError(source, field, f"expected a number (got {shown!r})") from None
    if not math.isfinite(value):
        raise ConfigError(source, field, f"must be a finite number (got {text!r})")
    return value


def _check_value(metric: str, value: float, source: str, field: str) -> None:
    if metric in VOLUMES and value < 0:
        raise ConfigError(source, field, f"a count of cars cannot be negative (got {value:g})")
    if metric == "asp" and value <= 0:
        raise ConfigError(source, field, f"a price must be above 0 (got {value:g})")
    if metric in MARGINS and not -1.0 <= value <= 1.0:
        raise ConfigError(
            source,
            field,
            f"a fraction of revenue (0.154 for 15.4 %), not a percent (got {value:g})",
        )


def _shown(text: str) -> str:
    """A cell as quoted text, cut to 40 characters (one line whatever it holds)."""
    return repr(text if len(text) <= 40 else f"{text[:37]}...")


def _fx(cells: dict[str, str], fx: float | None, source: str, period: str) -> float:
    text = cells.get(FX, "")
    rate = _number(text, source, f"{period}: {FX}") if text else fx
    if rate is None:
        return 1.0
    if rate <= 0:
        raise ConfigError(
            source, f"{period}: {FX}", f"an exchange rate must be above 0 (got {rate:g})"
        )
    return float(rate)


def check_horizon(observed: Observed, calendar: Calendar, scenario: str) -> None:
    """Refuse a period the model's books do not cover: months after the horizon, or before the
    quarter the scenario starts in (a first quarter that starts before the run is compared with
    the run's months of it)."""
    first = quarter_label(calendar.start)
    labels = set(calendar.labels)
    for period in observed.periods:
        out = [m for m in period.months if m not in labels]
        inside_first = period.kind == "quarter" and period.label == first
        if out and not (inside_first and all(m < calendar.labels[0] for m in out)):
            raise ConfigError(
                observed.source,
                f"{period.label}: period",
                f"outside the horizon of {scenario} ({calendar.labels[0]} to "
                f"{calendar.labels[-1]})",
            )


def check_products(observed: Observed, names: Sequence[str], scenario: str) -> None:
    """Refuse a row naming a product the scenario does not have (``names``: its line-up)."""
    for period, product in observed.named:
        if product not in names:
            raise ConfigError(
                observed.source,
                f"{period}: {PRODUCT}",
                f"unknown product {_shown(product)}{suggest(product, names)}; the products of "
                f"{scenario} are {', '.join(names)} (an empty cell means their totals)",
            )
