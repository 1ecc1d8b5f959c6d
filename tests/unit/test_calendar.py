"""The run's calendar (sim.core.calendar)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from sim.core.calendar import Calendar, add_months


def test_days_in_month_over_a_leap_year():
    cal = Calendar(dt.date(2024, 1, 1), 14)
    expected = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 28]
    np.testing.assert_array_equal(cal.days_in_month, expected)
    assert cal.n_days == 366 + 31 + 28
    assert cal.month_start_day[0] == 0 and cal.month_start_day[2] == 31 + 29


def test_february_of_a_common_year():
    assert Calendar(dt.date(2023, 2, 1), 1).days_in_month.tolist() == [28]
    assert Calendar(dt.date(2100, 2, 1), 1).days_in_month.tolist() == [28]  # not a leap year
    assert Calendar(dt.date(2000, 2, 1), 1).days_in_month.tolist() == [29]


def test_labels_and_quarters_across_a_year_end():
    cal = Calendar(dt.date(2024, 11, 1), 6)
    assert cal.labels == ["2024-11", "2024-12", "2025-01", "2025-02", "2025-03", "2025-04"]
    assert cal.quarter_labels == ["2024Q4", "2024Q4", "2025Q1", "2025Q1", "2025Q1", "2025Q2"]
    assert cal.label_of(2) == "2025-01"
    assert cal.label_of(None) is None


def test_day_month_and_weekday():
    cal = Calendar(dt.date(2024, 1, 1), 2)  # 1 Jan 2024 was a Monday
    assert cal.day_month[0] == 0 and cal.day_month[30] == 0 and cal.day_month[31] == 1
    assert cal.day_month.size == 60
    assert cal.weekday[:8].tolist() == [0, 1, 2, 3, 4, 5, 6, 0]
    assert Calendar(dt.date(2024, 4, 1), 1).weekday[0] == 0  # 1 Apr 2024, a Monday
    assert Calendar(dt.date(2024, 3, 1), 1).weekday[0] == 4  # 1 Mar 2024, a Friday


def test_day_and_month_of_dates_before_and_after_the_start():
    cal = Calendar(dt.date(2024, 4, 1), 60)
    assert cal.day_of(dt.date(2024, 4, 1)) == 0
    assert cal.day_of(dt.date(2024, 3, 31)) == -1
    assert cal.day_of(dt.date(2025, 4, 1)) == 365
    assert cal.month_of(dt.date(2023, 6, 15)) == -10
    assert cal.month_of(dt.date(2025, 7, 31)) == 15


def test_add_months():
    assert add_months(dt.date(2024, 11, 1), 2) == dt.date(2025, 1, 1)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 1)  # always the first
    assert add_months(dt.date(2024, 3, 1), -3) == dt.date(2023, 12, 1)
