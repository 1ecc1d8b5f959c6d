"""Physical flows of tiny deterministic scenarios, checked against hand computations.

Every scenario is the ``tiny`` one from conftest (unless changed): 2024-01 start, one line making
exactly 100 cars a day, 7 days a week, from day 0; no randomness, yield 1, no buffer.
2024 months: Jan days 0-30, Feb 31-59 (leap year), Mar 60-90, Apr 91-120, May 121-151.
"""

from __future__ import annotations

import numpy as np
import pytest


def test_launch_burst_built_at_capacity_and_delivered_after_the_lag(tiny_run):
    r = tiny_run({"launch.preorders": 5000, "factory.logistics_lag_days": 7, "horizon_months": 3})
    c = r.columns
    # 5000 cars at 100 a day: built on days 0-49 -> January 31 days, February the other 19
    np.testing.assert_allclose(c["orders"], [5000, 0, 0])
    np.testing.assert_allclose(c["capacity"], [31 * 100, 29 * 100, 31 * 100])
    np.testing.assert_allclose(c["production"], [31 * 100, 19 * 100, 0])
    # delivered 7 days later: days 7-56 -> January days 7-30 (24), February days 31-56 (26)
    np.testing.assert_allclose(c["deliveries"], [24 * 100, 26 * 100, 0])
    # backlog = orders not yet delivered: waiting (not built) + in transit (built, 7 days' worth)
    np.testing.assert_allclose(c["waiting"], [5000 - 3100, 0, 0])
    np.testing.assert_allclose(c["in_transit"], [7 * 100, 0, 0])
    np.testing.assert_allclose(c["backlog"], [5000 - 2400, 0, 0])
    np.testing.assert_allclose(c["cumulative_deliveries"], [2400, 5000, 5000])
    np.testing.assert_allclose(c["inventory"], [0, 0, 0])


def test_backlog_with_steady_demand_clears_in_april(tiny_run):
    # 50 new orders a day (table by month: 31, 29, 31, 30, 31 days x 50) on top of 5000 at launch
    table = [31 * 50, 29 * 50, 31 * 50, 30 * 50, 31 * 50]
    r = tiny_run(
        {
            "launch.preorders": 5000,
            "demand": {"kind": "table", "orders_per_month": table},
            "factory.logistics_lag_days": 7,
            "horizon_months": 5,
        }
    )
    c = r.columns
    # The queue shrinks by 100 - 50 a day: after day d it is 5000 - 50 (d + 1), empty after
    # day 99 (9 April). From day 100 on the plant makes the day's 50 orders.
    np.testing.assert_allclose(c["waiting"], [5000 - 50 * 31, 5000 - 50 * 60, 5000 - 50 * 91, 0, 0])
    assert int(np.flatnonzero(c["waiting"] == 0)[0]) == 3  # cleared in April
    np.testing.assert_allclose(
        c["production"], [3100, 2900, 3100, 9 * 100 + 21 * 50, 31 * 50], rtol=1e-12
    )
    # deliveries on day t are the cars built on day t - 7
    jan = 24 * 100  # built days 0-23
    feb = 29 * 100  # built days 24-52
    mar = 31 * 100  # built days 53-83
    apr = 16 * 100 + 14 * 50  # built days 84-99 at 100, days 100-113 at 50
    may = 7 * 50 + 24 * 50  # built days 114-144 at 50
    np.testing.assert_allclose(c["deliveries"], [jan, feb, mar, apr, may], rtol=1e-12)
    orders = np.array(table, dtype=float)
    orders[0] += 5000
    np.testing.assert_allclose(c["orders"], orders, rtol=1e-12)
    backlog = np.cumsum(orders) - np.cumsum([jan, feb, mar, apr, may])
    np.testing.assert_allclose(c["backlog"], backlog, rtol=1e-12)
    np.testing.assert_allclose(c["backlog"], [4150, 2700, 1150, 350, 350], rtol=1e-12)
    np.testing.assert_allclose(c["in_transit"][3:], [7 * 50, 7 * 50], rtol=1e-12)


def test_five_day_line_builds_nothing_at_weekends(tiny_run):
    # 1 Jan 2024 is a Monday; a 5-day line makes 36525 / (5 * 365.25 / 7) = 140 cars a weekday
    r = tiny_run(
        {"launch.preorders": 1e6, "factory.lines.l1.working_days_per_week": 5, "horizon_months": 1}
    )
    weekdays_in_january_2024 = 23
    assert r.columns["production"][0] == pytest.approx(weekdays_in_january_2024 * 140, rel=1e-12)
    built = r.operations.production
    assert (built[r.calendar.weekday >= 5] == 0).all()


def test_availability_and_yield_scale_output_in_deterministic_mode(tiny_run):
    # MTBF 98 h, MTTR 2 h -> available 98 %; yield 0.9 flat -> 100 * 0.98 * 0.9 = 88.2 a day
    r = tiny_run(
        {
            "launch.preorders": 1e6,
            "factory.lines.l1.availability": {"mtbf_hours": 98, "mttr_hours": 2},
            "factory.yield": {"initial": 0.9, "mature": 0.9},
            "horizon_months": 2,
        }
    )
    np.testing.assert_allclose(r.columns["production"], [31 * 88.2, 29 * 88.2], rtol=1e-12)
    np.testing.assert_allclose(r.columns["capacity"], [3100, 2900], rtol=1e-12)  # nameplate


def test_finished_goods_buffer_is_built_ahead_of_orders(tiny_run):
    # no orders at all; the plant fills a 250-car buffer on days 0-2 (100, 100, 50) and stops
    r = tiny_run({"factory.finished_goods_target": 250, "horizon_months": 2})
    np.testing.assert_allclose(r.columns["production"], [250, 0])
    np.testing.assert_allclose(r.columns["inventory"], [250, 250])
    np.testing.assert_allclose(r.operations.production[:4], [100, 100, 50, 0])
    np.testing.assert_allclose(r.columns["deliveries"], [0, 0])


def test_cancellations_of_a_waiting_launch_backlog_in_closed_form(tiny_run):
    # 10 000 launch orders wait for a line that starts on 16 April (day 106); grace 2 weeks;
    # 5 % a month cancel afterwards: a daily hazard h = 1 - 0.95^(12 / 365.25).
    B, G, r = 10_000, 2, 0.05
    h = 1 - (1 - r) ** (12 / 365.25)
    res = tiny_run(
        {
            "launch.preorders": B,
            "patience": {"grace_weeks": G, "monthly_cancel_rate": r},
            "factory.lines.l1.start": "2024-04-16",
            "horizon_months": 4,
        }
    )
    c = res.columns
    # after t days the backlog is B (1 - h)^(t - 7 G): month ends at t = 31, 60, 91 days
    survivors = [B * (1 - h) ** (t - G * 7) for t in (31, 60, 91)]
    np.testing.assert_allclose(c["waiting"][:3], survivors, rtol=1e-9)
    np.testing.assert_allclose(c["backlog"][:3], survivors, rtol=1e-9)
    lost = np.diff(np.concatenate(([B], survivors)))
    np.testing.assert_allclose(c["cancellations"][:3], -lost, rtol=1e-9)
    # nobody cancels within the grace period: the first 14 days are clean
    assert (res.operations.cancellations[: G * 7] == 0).all()
    assert res.operations.cancellations[G * 7] == pytest.approx(B * h, rel=1e-12)
    # the line makes 100 a day on 16-30 April (days 106-120), from a queue still above 8000
    assert c["production"][3] == pytest.approx(15 * 100, rel=1e-12)
    assert (c["production"][:3] == 0).all()


def test_mean_wait_of_deliveries_by_hand(tiny_run):
    # 5000 launch orders on day 0, 100 built a day, 7 days to the customer: the cars delivered on
    # day t have waited t days. January deliveries: days 7-30; February: days 31-56.
    r = tiny_run({"launch.preorders": 5000, "factory.logistics_lag_days": 7, "horizon_months": 3})
    c = r.columns
    assert c["avg_wait_days"][0] == pytest.approx(sum(range(7, 31)) / 24)  # 18.5
    assert c["avg_wait_days"][1] == pytest.approx(sum(range(31, 57)) / 26)  # 43.5
    assert np.isnan(c["avg_wait_days"][2])
    # P90: the 22nd of 24 equal January days (2200 >= 0.9 * 2400 cars), 24th of 26 in February
    assert c["p90_wait_days"][0] == 7 + 21
    assert c["p90_wait_days"][1] == 31 + 23


def test_bass_intake_after_the_first_month_follows_the_cumulative_orders(tiny_run):
    p, q, M = 0.01, 0.3, 100_000
    r = tiny_run(
        {
            "launch.preorders": 4000,
            "launch.firm_share": 0.75,
            "demand": {"kind": "bass", "p": p, "q": q, "market_size": M},
            "horizon_months": 3,
        }
    )
    o = r.columns["orders"]
    assert r.operations.orders[0] - r.operations.orders[1] == pytest.approx(4000 * 0.75)
    n1 = o[0]
    assert o[1] == pytest.approx((p + q * n1 / M) * (M - n1), rel=1e-12)
    n2 = o[0] + o[1]
    assert o[2] == pytest.approx((p + q * n2 / M) * (M - n2), rel=1e-12)


def test_stochastic_cancellations_average_to_the_closed_form(tiny_run):
    # each waiting order survives each exposed day with probability 1 - h, independently:
    # after 91 days the survivors of B are Binomial(B, (1 - h)^(91 - 14))
    B, r = 10_000, 0.05
    h = 1 - (1 - r) ** (12 / 365.25)
    p = (1 - h) ** (91 - 14)
    changes = {
        "launch.preorders": B,
        "patience": {"grace_weeks": 2, "monthly_cancel_rate": r},
        "factory.lines.l1.start": "2025-01",  # never starts within the horizon
        "horizon_months": 3,
    }
    survivors = np.array(
        [tiny_run(changes, seed=s, mode="stochastic").columns["backlog"][-1] for s in range(40)]
    )
    sd = (B * p * (1 - p)) ** 0.5
    assert abs(survivors.mean() - B * p) < 4 * sd / len(survivors) ** 0.5
    assert 0.5 * sd < survivors.std() < 1.5 * sd


def test_stochastic_breakdowns_average_to_the_availability(tiny_run):
    # MTBF 80 h, MTTR 2 h: on average the line is up 80/82 of the time
    changes = {
        "launch.preorders": 1e6,
        "factory.lines.l1.availability": {"mtbf_hours": 80, "mttr_hours": 2},
        "horizon_months": 3,
    }
    made = np.array(
        [
            tiny_run(changes, seed=s, mode="stochastic").columns["production"].sum()
            for s in range(40)
        ]
    )
    expected = 91 * 100 * 80 / 82
    assert abs(made.mean() - expected) < 4 * made.std(ddof=1) / len(made) ** 0.5 + 1
    assert made.std() > 0
