"""Daily capacity of a line and supply cuts (sim.core.capacity)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from sim.config.schema import Factory, Line
from sim.core.calendar import Calendar
from sim.core.capacity import cut_spans, expected_availability, line_capacity, scheduled_supply

STEP_AT_ONE = {"kind": "step", "months": 0, "initial_share": 1.0, "peak_share": 1.0}


def line(**kw) -> Line:
    data = {"start": "2024-01", "capacity_per_year": 36_525, "ramp": STEP_AT_ONE} | kw
    return Line.model_validate(data)


def test_a_seven_day_line_makes_a_365_25th_of_nameplate_every_day():
    cal = Calendar(dt.date(2024, 1, 1), 12)
    cap = line_capacity(line(working_days_per_week=7), cal)
    np.testing.assert_allclose(cap, 36_525 / 365.25, rtol=1e-12)  # 100 cars a day


@pytest.mark.parametrize("days", [5, 6])
def test_a_full_year_of_a_short_week_line_is_about_nameplate(days):
    cal = Calendar(dt.date(2023, 1, 1), 12)  # 365 days
    cap = line_capacity(
        line(start="2023-01", capacity_per_year=150_000, working_days_per_week=days), cal
    )
    # 365 days hold 52 weeks and a day: one working day more or less than 52.18 weeks' worth
    assert cap.sum() == pytest.approx(150_000, rel=0.01)
    on = cap > 0
    assert on.sum() in (52 * days, 52 * days + 1)
    np.testing.assert_allclose(cap[on], 150_000 / (days * 365.25 / 7), rtol=1e-12)


def test_a_five_day_line_rests_on_saturday_and_sunday():
    cal = Calendar(dt.date(2024, 1, 1), 1)  # Monday
    cap = line_capacity(line(working_days_per_week=5), cal)
    assert (cap[cal.weekday >= 5] == 0).all()
    assert (cap[cal.weekday < 5] > 0).all()


def test_capacity_is_zero_before_the_line_starts_and_follows_its_ramp():
    cal = Calendar(dt.date(2024, 1, 1), 3)
    ramp = {"kind": "linear", "months": 1, "initial_share": 0.5, "peak_share": 1.0}
    cap = line_capacity(line(start="2024-01-11", working_days_per_week=7, ramp=ramp), cal)
    assert (cap[:10] == 0).all()
    assert cap[10] == pytest.approx(50.0, rel=1e-12)  # initial share on its first day
    assert cap[-1] == pytest.approx(100.0, rel=1e-12)


def test_expected_availability():
    assert expected_availability(line(availability={"mtbf_hours": 80, "mttr_hours": 2})) == (
        pytest.approx(80 / 82)
    )
    assert expected_availability(line()) == 1.0


def test_cut_spans_pro_rata_for_partial_days():
    supply = [1.0] * 5
    cut_spans(supply, 1.5, 3.25, 0.4)
    # day 1: half a day cut by 40 %; day 2: a full day; day 3: a quarter of a day
    np.testing.assert_allclose(supply, [1.0, 1 - 0.2, 1 - 0.4, 1 - 0.1, 1.0], rtol=1e-12)


def test_cut_spans_clips_to_the_horizon():
    supply = [1.0] * 3
    cut_spans(supply, -2.0, 10.0, 1.0)
    assert supply == [0.0, 0.0, 0.0]


def test_scheduled_supply_from_dated_disruptions():
    fac = Factory.model_validate(
        {
            "lines": {"l1": line().model_dump()},
            "disruptions": {"flood": {"start": "2024-01-03", "days": 2, "output_cut": 0.5}},
        }
    )
    supply = scheduled_supply(fac, Calendar(dt.date(2024, 1, 1), 1))
    assert supply[:6] == [1.0, 1.0, 0.5, 0.5, 1.0, 1.0]
