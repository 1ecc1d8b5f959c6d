"""The run's calendar (sim.core.calendar)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.core.calendar import (
    Calendar,
    add_months,
    month_label,
    months_between,
    parse_month,
    quarter_label,
    shift_label,
)


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


def test_add_months_across_many_years_and_back():
    assert add_months(dt.date(2024, 4, 1), 60) == dt.date(2029, 4, 1)
    assert add_months(dt.date(2024, 4, 15), -16) == dt.date(2022, 12, 1)
    assert add_months(dt.date(2024, 12, 1), 0) == dt.date(2024, 12, 1)


def test_month_and_quarter_labels():
    assert month_label(dt.date(2024, 4, 30)) == "2024-04"
    assert month_label(dt.date(987, 12, 1)) == "0987-12"
    assert quarter_label(dt.date(2024, 3, 31)) == "2024Q1"
    assert quarter_label(dt.date(2024, 4, 1)) == "2024Q2"
    assert quarter_label(dt.date(2024, 12, 1)) == "2024Q4"


def test_shift_label_is_label_plus_k_months():
    assert shift_label("2024-04", 0) == "2024-04"
    assert shift_label("2024-04", 8) == "2024-12"
    assert shift_label("2024-04", 9) == "2025-01"
    assert shift_label("2024-04", 59) == "2029-03"
    assert shift_label("2024-01", -1) == "2023-12"


@pytest.mark.parametrize("bad", ["2024-4", "2024/04", "24-04", "2024-13", "abcd-ef", "2024-04-01"])
def test_parse_month_refuses_what_is_not_a_month(bad):
    with pytest.raises(ValueError):
        parse_month(bad)


@given(st.dates(dt.date(1900, 1, 1), dt.date(2500, 12, 31)), st.integers(-1200, 1200))
def test_months_between_undoes_add_months(day, k):
    later = add_months(day, k)
    assert later.day == 1
    assert months_between(day, later) == k
    assert Calendar(day.replace(day=1), 1).month_of(later) == k
    assert shift_label(month_label(day), k) == month_label(later)


@given(st.dates(dt.date(1900, 1, 1), dt.date(2400, 12, 31)), st.integers(1, 600))
def test_month_start_days_are_the_firsts_of_the_months(start, months):
    cal = Calendar(start, months)
    expected = [(d - start).days for d in cal.month_first]
    assert cal.month_start_day.tolist() == expected
    assert cal.n_days == expected[-1]
