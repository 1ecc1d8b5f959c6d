"""The run's calendar: a day clock (day 0 = the first of the start month) closed per month."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np

DAYS_PER_MONTH = 365.25 / 12  # average month, used where a duration is given in months
DAYS_PER_YEAR = 365.25


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after ``day``'s month (negative: before it).

    The one place that does month arithmetic; labels go through :func:`month_label`.
    """
    y, m = divmod(day.month - 1 + months, 12)
    return dt.date(day.year + y, m + 1, 1)


def months_between(first: dt.date, day: dt.date) -> int:
    """Whole months from ``first``'s month to ``day``'s (negative when ``day`` is earlier)."""
    return (day.year - first.year) * 12 + day.month - first.month


def month_label(day: dt.date) -> str:
    """``YYYY-MM`` of the month holding ``day``."""
    return f"{day.year:04d}-{day.month:02d}"


def quarter_label(day: dt.date) -> str:
    """``YYYYQn`` of the calendar quarter holding ``day``."""
    return f"{day.year:04d}Q{(day.month - 1) // 3 + 1}"


def parse_month(label: str) -> dt.date:
    """The first day of the month labelled ``YYYY-MM`` (``ValueError`` for anything else)."""
    if len(label) != 7 or label[4] != "-" or not (label[:4] + label[5:]).isdigit():
        raise ValueError(f"not a YYYY-MM month: {label!r}")
    return dt.date(int(label[:4]), int(label[5:]), 1)


def shift_label(label: str, months: int) -> str:
    """``YYYY-MM`` plus ``months`` months, as a ``YYYY-MM`` label."""
    return month_label(add_months(parse_month(label), months))


@dataclass(frozen=True)
class Calendar:
    start: dt.date
    months: int

    @cached_property
    def month_first(self) -> list[dt.date]:
        """First day of each month, plus the day after the horizon."""
        return [add_months(self.start, m) for m in range(self.months + 1)]

    @cached_property
    def month_start_day(self) -> np.ndarray:
        """Day index of each month's first day; the last entry is the number of days."""
        firsts = np.datetime64(self.start, "M") + np.arange(self.months + 1)
        return (firsts.astype("datetime64[D]") - np.datetime64(self.start, "D")).astype(np.int64)

    @property
    def n_days(self) -> int:
        return int(self.month_start_day[-1])

    @cached_property
    def days_in_month(self) -> np.ndarray:
        return np.diff(self.month_start_day)

    @cached_property
    def day_month(self) -> np.ndarray:
        """Month index of each day."""
        return np.repeat(np.arange(self.months), self.days_in_month)

    @cached_property
    def weekday(self) -> np.ndarray:
        """0 = Monday ... 6 = Sunday, for each day."""
        return (np.arange(self.n_days) + self.start.weekday()) % 7

    @cached_property
    def labels(self) -> list[str]:
        """``YYYY-MM`` per month."""
        return [month_label(d) for d in self.month_first[:-1]]

    @cached_property
    def quarter_labels(self) -> list[str]:
        """``YYYYQn`` per month."""
        return [quarter_label(d) for d in self.month_first[:-1]]

    def day_of(self, date: dt.date) -> int:
        """Day index of a date (negative before the start)."""
        return (date - self.start).days

    def month_of(self, date: dt.date) -> int:
        """Month index of a date's month (negative before the start)."""
        return months_between(self.start, date)

    def label_of(self, month: int | None) -> str | None:
        return None if month is None else self.labels[month]


def month_sums(daily: np.ndarray, cal: Calendar) -> np.ndarray:
    """A daily flow summed per month."""
    return np.add.reduceat(daily, cal.month_start_day[:-1])


def month_ends(cumulative: np.ndarray, cal: Calendar) -> np.ndarray:
    """A running total (one value per day) at each month's last day."""
    return cumulative[cal.month_start_day[1:] - 1]


def schedule_by_month(schedule, cal: Calendar) -> np.ndarray:
    """A dated schedule (``base`` then ``changes``, each holding until the next) per month."""
    return dated_values(schedule.base, schedule.changes, cal)


def dated_values(base: float, changes, cal: Calendar) -> np.ndarray:
    """``base`` per month, then each dated change (``{date: value}``) from its month on."""
    values = np.full(cal.months, base, dtype=float)
    for date in sorted(changes):
        values[max(cal.month_of(date), 0) :] = changes[date]
    return values
