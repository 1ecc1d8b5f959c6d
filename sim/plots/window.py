"""Which months a run's figures show, and whether the per-car figures go by quarter."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sim.core.calendar import month_label, parse_month, shift_label


@dataclass(frozen=True)
class Window:
    """Months ``first`` to ``last`` (``YYYY-MM``, inclusive; None: the run's own ends), and
    ``quarterly``: per-car figures by calendar quarter."""

    first: str | None = None
    last: str | None = None
    quarterly: bool = False

    def __post_init__(self) -> None:
        for name, label in (("first", self.first), ("last", self.last)):
            if label is not None:
                try:
                    day = parse_month(label)
                except ValueError:
                    raise ValueError(f"{label!r} is not a month (write YYYY-MM)") from None
                object.__setattr__(self, name, month_label(day))
        if self.first and self.last and self.first > self.last:
            raise ValueError(f"starts {self.first}, after its end {self.last}")

    def check(self, start: str, end: str) -> None:
        """ValueError if the window shows no month of a run from ``start`` to ``end``."""
        lo, hi = max(self.first or start, start), min(self.last or end, end)
        if lo > hi:
            raise ValueError(f"shows no month of the run ({start} to {end})")

    def months(self, table: pd.DataFrame) -> pd.DataFrame:
        """The rows of a monthly table inside the window."""
        month = table["month"].astype(str)
        keep = pd.Series(True, index=table.index)
        if self.first:
            keep &= month >= self.first
        if self.last:
            keep &= month <= self.last
        if not keep.any():
            raise ValueError(f"no month of the table between {self.first} and {self.last}")
        return table[keep].reset_index(drop=True)

    def quarters(self, quarterly: pd.DataFrame) -> pd.DataFrame:
        """A quarterly table (``period`` ``2024Q2``, ``months``) inside the window, with a
        ``month`` column: each quarter drawn at its middle month (its only month if shorter)."""
        table = quarterly.copy()
        first = [_first_month(p) for p in table["period"].astype(str)]
        table.insert(0, "month", [shift_label(m, 1) for m in first])
        return self.months(table)


def _first_month(period: str) -> str:
    """``2024Q2`` -> ``2024-04``."""
    year, quarter = period.split("Q")
    return f"{int(year):04d}-{3 * int(quarter) - 2:02d}"
