"""Helpers of the monthly books (sim.core.books)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from sim.config.schema import Schedule
from sim.core.books import Operations, check_finite, schedule_by_month, wait_stats
from sim.core.calendar import Calendar
from sim.errors import ConfigError


def test_schedule_by_month_with_dated_changes():
    cal = Calendar(dt.date(2024, 1, 1), 8)
    sched = Schedule.model_validate(
        # given out of order, one mid-month, one before the start, one after the horizon
        {
            "base": 1.0,
            "changes": {"2024-06": 3.0, "2024-03-15": 2.0, "2023-11": 0.5, "2025-01": 9.0},
        }
    )
    np.testing.assert_array_equal(
        schedule_by_month(sched, cal), [0.5, 0.5, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0]
    )


def test_schedule_without_changes_is_its_base():
    cal = Calendar(dt.date(2024, 1, 1), 3)
    np.testing.assert_array_equal(schedule_by_month(Schedule(base=7.0), cal), [7.0, 7.0, 7.0])


def operations(cal: Calendar, records: list[tuple[int, int, float]], lag: int) -> Operations:
    zeros = np.zeros(cal.n_days)
    rec = np.array(records, dtype=float).reshape(-1, 3)
    return Operations(
        orders=zeros,
        cancellations=zeros,
        capacity=zeros,
        production=zeros,
        allocated=zeros,
        waiting_end=np.zeros(cal.months),
        inventory_end=np.zeros(cal.months),
        alloc_day=rec[:, 0].astype(np.int64),
        alloc_order_day=rec[:, 1].astype(np.int64),
        alloc_count=rec[:, 2],
        logistics_lag_days=lag,
    )


def test_wait_stats_on_hand_built_allocations():
    cal = Calendar(dt.date(2024, 1, 1), 3)  # Jan 0-30, Feb 31-59, Mar 60-90
    lag = 3
    ops = operations(
        cal,
        [  # (allocation day, order day, cars); delivered on allocation day + 3
            (0, 0, 50),  # delivered day 3, wait 3
            (5, 4, 40),  # delivered day 8, wait 4
            (20, 9, 10),  # delivered day 23, wait 14
            (30, 18, 5),  # delivered day 33 (February), wait 15
            (40, 40, 0),  # no cars: ignored
            (89, 0, 99),  # delivered day 92, after the horizon: ignored
        ],
        lag,
    )
    mean, p90 = wait_stats(ops, cal)
    # January: 100 cars; waits 3 (50 cars), 4 (40), 14 (10)
    assert mean[0] == pytest.approx((50 * 3 + 40 * 4 + 10 * 14) / 100)
    assert p90[0] == 4  # 90 % of the month's cars have waited 4 days or less
    assert mean[1] == 15 and p90[1] == 15
    assert np.isnan(mean[2]) and np.isnan(p90[2])


def test_wait_stats_p90_is_the_upper_value_when_90_percent_falls_inside_it():
    cal = Calendar(dt.date(2024, 1, 1), 1)
    ops = operations(cal, [(0, 0, 89), (1, 0, 11)], lag=0)  # waits 0 (89 cars), 1 (11 cars)
    mean, p90 = wait_stats(ops, cal)
    assert mean[0] == pytest.approx(11 / 100)
    assert p90[0] == 1


def test_wait_stats_with_nothing_delivered_is_all_nan():
    cal = Calendar(dt.date(2024, 1, 1), 2)
    mean, p90 = wait_stats(operations(cal, [], lag=7), cal)
    assert np.isnan(mean).all() and np.isnan(p90).all()


def test_deliveries_are_allocations_shifted_by_the_lag():
    cal = Calendar(dt.date(2024, 1, 1), 1)
    ops = operations(cal, [], lag=2)
    allocated = np.arange(cal.n_days, dtype=float)
    ops = Operations(**{**ops.__dict__, "allocated": allocated})
    expected = np.concatenate(([0.0, 0.0], allocated[:-2]))
    np.testing.assert_array_equal(ops.deliveries, expected)


def _books(**changes):
    cal = Calendar(dt.date(2024, 11, 1), 3)
    cols = {
        "orders": np.array([1.0, 2.0, 3.0]),
        "revenue": np.array([10.0, 20.0, 30.0]),
        "gross_margin": np.array([np.nan, 0.5, 0.5]),
        "cumulative_cash": np.array([-1.0, -2.0, 5.0]),
    }
    cols.update({k: np.asarray(v, dtype=float) for k, v in changes.items()})
    return cal, cols


def test_finite_books_pass_and_undefined_ratios_may_be_nan():
    check_finite("s", *_books())


@pytest.mark.parametrize(
    ("changes", "field", "month"),
    [
        ({"revenue": [10.0, np.inf, np.nan]}, "revenue", "2024-12"),
        ({"orders": [np.nan, 1.0, 1.0], "revenue": [np.inf, 1, 1]}, "orders", "2024-11"),
        ({"gross_margin": [0.5, 0.5, -np.inf]}, "gross_margin", "2025-01"),  # never inf
        ({"cumulative_cash": [1e308, 1e308, -1e308]}, "cumulative_cash", "2024-12"),  # sums
    ],
)
def test_books_with_nan_or_inf_name_the_first_column_and_month(changes, field, month):
    with pytest.raises(ConfigError) as err:
        check_finite("s", *_books(**changes))
    assert (err.value.source, err.value.field) == ("s", field)
    assert err.value.message == (
        f"the books are not finite (NaN/inf) from {month}: an input is out of range"
    )
