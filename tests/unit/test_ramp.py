"""Ramp curves against their closed forms (sim.core.ramp)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.config.schema import Line, LinearRamp, LogisticRamp, StepRamp, TableRamp
from sim.core.calendar import Calendar
from sim.core.capacity import line_capacity
from sim.core.ramp import calendar_months_since, logistic_fraction, ramp_share

MONTH = 365.25 / 12  # days in an average month: ramp durations are in these


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


@pytest.mark.parametrize("steepness", [0.5, 4.0, 8.0, 20.0, 50.0])
def test_logistic_fraction_hits_both_ends_and_the_middle(steepness):
    g = logistic_fraction(np.array([0.0, 0.5, 1.0]), steepness)
    assert g[0] == 0.0
    assert g[1] == pytest.approx(0.5, abs=1e-12)
    assert g[2] == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("x", [0.1, 0.25, 0.8])
def test_logistic_fraction_matches_the_normalised_sigmoid(x):
    k = 8.0
    lo, hi = sigmoid(-k / 2), sigmoid(k / 2)
    expected = (sigmoid(k * (x - 0.5)) - lo) / (hi - lo)
    assert logistic_fraction(np.array([x]), k)[0] == pytest.approx(expected, rel=1e-12)


def test_logistic_ramp_initial_at_zero_peak_at_T_midpoint_between():
    ramp = LogisticRamp(kind="logistic", months=8, initial_share=0.85, peak_share=1.6)
    span = 8 * MONTH
    s = ramp_share(ramp, np.array([0.0, span / 2, span, 2 * span, 1e5]))
    assert s[0] == 0.85
    assert s[1] == pytest.approx((0.85 + 1.6) / 2, rel=1e-12)
    assert s[2] == pytest.approx(1.6, rel=1e-12)
    assert s[3] == pytest.approx(1.6, rel=1e-12)  # holds after the ramp
    assert s[4] == pytest.approx(1.6, rel=1e-12)


@pytest.mark.parametrize(("initial", "peak"), [(0.0, 1.0), (0.2, 1.0), (0.85, 1.6), (0.0, 3.0)])
def test_logistic_ramp_is_monotone(initial, peak):
    ramp = LogisticRamp(kind="logistic", months=6, initial_share=initial, peak_share=peak)
    s = ramp_share(ramp, np.linspace(0, 12 * MONTH, 2001))
    assert np.all(np.diff(s) >= -1e-15)
    assert s.min() >= initial - 1e-15 and s.max() <= peak + 1e-12


def test_linear_ramp():
    ramp = LinearRamp(kind="linear", months=10, initial_share=0.2, peak_share=1.2)
    span = 10 * MONTH
    s = ramp_share(ramp, np.array([0.0, span / 4, span / 2, span, 3 * span]))
    np.testing.assert_allclose(s, [0.2, 0.2 + 0.25, 0.7, 1.2, 1.2], rtol=1e-12)


def test_step_ramp_jumps_at_T():
    ramp = StepRamp(kind="step", months=2, initial_share=0.3, peak_share=1.5)
    span = 2 * MONTH
    s = ramp_share(ramp, np.array([0.0, span - 0.5, span, span + 100]))
    np.testing.assert_array_equal(s, [0.3, 0.3, 1.5, 1.5])


def test_step_ramp_of_zero_months_is_peak_from_day_zero():
    ramp = StepRamp(kind="step", months=0, initial_share=0.0, peak_share=1.0)
    np.testing.assert_array_equal(ramp_share(ramp, np.arange(5.0)), np.ones(5))


def test_a_table_ramp_steps_on_the_first_of_each_calendar_month():
    ramp = TableRamp(kind="table", shares=[0.1, 0.5, 0.9])
    # a line starting on 1 Jan 2024: January (31 days) is days 0-30, February (29: a leap
    # year) days 31-59, March from day 60; average months would have stepped at day 30.44
    t = np.array([0.0, 30.0, 31.0, 59.0, 60.0, 1000.0])
    s = ramp_share(ramp, t, start=dt.date(2024, 1, 1))
    np.testing.assert_array_equal(s, [0.1, 0.1, 0.5, 0.5, 0.9, 0.9])


def test_a_line_starting_mid_month_has_its_first_share_to_that_months_end():
    ramp = TableRamp(kind="table", shares=[0.1, 0.5, 0.9])
    # 20 March: the first share for 20-31 March (days 0-11), the second for April (12-41),
    # the third from 1 May (day 42) on
    t = np.array([-1.0, 0.0, 11.0, 11.9, 12.0, 41.0, 42.0, 400.0])
    s = ramp_share(ramp, t, start=dt.date(2024, 3, 20))
    np.testing.assert_array_equal(s, [0.0, 0.1, 0.1, 0.1, 0.5, 0.5, 0.9, 0.9])


def test_calendar_months_since_crosses_the_year():
    start = dt.date(2024, 12, 31)  # 31 Dec, 1 Jan, 31 Jan, 1 Feb, 31 Dec 2025, the day before
    t = np.array([0.0, 1.0, 31.0, 32.0, 365.0, -1.0])
    np.testing.assert_array_equal(calendar_months_since(start, t), [0, 1, 1, 2, 12, 0])
    assert calendar_months_since(dt.date(2024, 12, 1), np.array([-1.0]))[0] == -1


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31)),
    shares=st.lists(st.floats(0, 3), min_size=1, max_size=30),
    day=st.integers(0, 3000),
)
def test_a_table_share_is_the_share_of_the_days_calendar_month(start, shares, day):
    on = start + dt.timedelta(days=day)
    months = (on.year * 12 + on.month) - (start.year * 12 + start.month)
    expected = shares[min(months, len(shares) - 1)]
    ramp = TableRamp(kind="table", shares=shares)
    assert ramp_share(ramp, np.array([float(day)]), start=start)[0] == expected


def test_a_table_ramp_needs_the_lines_start():
    with pytest.raises(ValueError, match="calendar month"):
        ramp_share(TableRamp(kind="table", shares=[1.0]), np.arange(3.0))


def test_line_capacity_of_a_table_ramp_by_calendar_month():
    # 100 cars a day on every day at share 1; the line starts on 15 Feb 2024 (a leap year)
    line = Line.model_validate(
        {
            "start": "2024-02-15",
            "capacity_per_year": 36_525,
            "working_days_per_week": 7,
            "ramp": {"kind": "table", "shares": [0.2, 0.6, 1.0]},
        }
    )
    cal = Calendar(dt.date(2024, 1, 1), 4)
    monthly = np.add.reduceat(line_capacity(line, cal), cal.month_start_day[:-1])
    # Jan: nothing; Feb: 15-29 = 15 days at 20; Mar: 31 days at 60; Apr: 30 days at 100
    np.testing.assert_allclose(monthly, [0.0, 15 * 20, 31 * 60, 30 * 100], rtol=1e-12)


@pytest.mark.parametrize(
    "ramp",
    [
        LogisticRamp(kind="logistic", months=3, initial_share=0.5),
        LinearRamp(kind="linear", months=3, initial_share=0.5),
        StepRamp(kind="step", months=0, initial_share=0.5),
        TableRamp(kind="table", shares=[0.7, 1.0]),
    ],
    ids=["logistic", "linear", "step", "table"],
)
def test_every_ramp_is_zero_before_the_start(ramp):
    s = ramp_share(ramp, np.array([-400.0, -1.0, -1e-9, 0.0]), start=dt.date(2024, 1, 1))
    np.testing.assert_array_equal(s[:3], [0.0, 0.0, 0.0])
    assert s[3] > 0
