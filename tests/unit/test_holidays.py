"""Plant calendars: the lunar new year, the CN rule holidays, shutdowns, and capacity."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from sim.config.schema import Line, PlantCalendar
from sim.core.calendar import Calendar
from sim.core.capacity import WEEKS_PER_YEAR, line_capacity
from sim.core.holidays import closed_days, cn_holidays, lunar_new_year

# Published lunar new year dates (Chinese calendar), 2020-2040
PUBLISHED = {
    2020: (1, 25), 2021: (2, 12), 2022: (2, 1), 2023: (1, 22), 2024: (2, 10), 2025: (1, 29),
    2026: (2, 17), 2027: (2, 6), 2028: (1, 26), 2029: (2, 13), 2030: (2, 3), 2031: (1, 23),
    2032: (2, 11), 2033: (1, 31), 2034: (2, 19), 2035: (2, 8), 2036: (1, 28), 2037: (2, 15),
    2038: (2, 4), 2039: (1, 24), 2040: (2, 12),
}  # fmt: skip


@pytest.mark.parametrize("year", sorted(PUBLISHED))
def test_lunar_new_year_matches_the_published_dates(year):
    assert lunar_new_year(year) == dt.date(year, *PUBLISHED[year])


def test_cn_rule_holidays_of_2024():
    h = cn_holidays(2024)
    assert h["new_year"] == [dt.date(2024, 1, 1)]
    # eve (9 Feb) to the sixth day (16 Feb): eight days
    assert h["spring_festival"][0] == dt.date(2024, 2, 9)
    assert h["spring_festival"][-1] == dt.date(2024, 2, 16)
    assert len(h["spring_festival"]) == 8
    assert h["labour_day"] == [dt.date(2024, 5, d) for d in range(1, 6)]
    assert h["national_day"] == [dt.date(2024, 10, d) for d in range(1, 8)]


def test_closed_days_of_a_cn_year_with_a_shutdown_and_a_holiday_worked_through():
    cal = Calendar(dt.date(2024, 1, 1), 12)
    plant = PlantCalendar(country="CN")
    closed = closed_days(cal, plant)
    assert closed.sum() == 1 + 8 + 5 + 7
    assert closed[cal.day_of(dt.date(2024, 10, 7))] and not closed[cal.day_of(dt.date(2024, 10, 8))]
    worked = PlantCalendar(
        country="CN",
        work_through=["national_day"],
        shutdowns={"summer": {"start": "2024-08-05", "days": 14}},
    )
    closed = closed_days(cal, worked)
    assert closed.sum() == 1 + 8 + 5 + 14
    assert closed[cal.day_of(dt.date(2024, 8, 18))] and not closed[cal.day_of(dt.date(2024, 8, 19))]
    # a shutdown reaching outside the horizon closes only the days inside it
    edge = PlantCalendar(shutdowns={"x": {"start": "2023-12-30", "days": 5}})
    assert closed_days(cal, edge).sum() == 3


def line(**changes) -> Line:
    spec = {
        "start": "2024-01",
        "capacity_per_year": 6 * WEEKS_PER_YEAR * 100,  # 100 cars a working day, 6 days a week
        "working_days_per_week": 6,
        "ramp": {"kind": "step", "months": 0, "initial_share": 1.0, "peak_share": 1.0},
    }
    return Line.model_validate(spec | changes)


def test_holidays_take_days_out_of_a_month_s_capacity():
    # October 2024: 1 October is a Tuesday; 4 Sundays (6, 13, 20, 27): 27 working days, of
    # which 1-7 October (6 working days: Sunday the 6th is off anyway) are National Day
    cal = Calendar(dt.date(2024, 10, 1), 1)
    assert line_capacity(line(), cal).sum() == pytest.approx(2700)
    cn = PlantCalendar(country="CN")
    assert line_capacity(line(), cal, cn).sum() == pytest.approx(2100)
    # a line's own calendar replaces the factory's
    own = line(calendar={"country": "none"})
    assert line_capacity(own, cal, cn).sum() == pytest.approx(2700)


def test_the_default_scenario_loses_labour_day_but_pays_its_fixed_cost():
    from sim import load_scenario, simulate

    sc = load_scenario()
    default_run = simulate(sc)
    assert sc.factory.calendar.country == "CN"
    free = sc.model_copy(
        update={"factory": sc.factory.model_copy(update={"calendar": PlantCalendar()})}
    )
    other = simulate(free)
    may = default_run.calendar.labels.index("2024-05")
    cap, cap_free = default_run.columns["capacity"], other.columns["capacity"]
    assert cap[may] < cap_free[may]
    june = may + 1  # no rule holiday in June
    assert cap[june] == pytest.approx(cap_free[june], rel=1e-12)
    np.testing.assert_array_equal(default_run.columns["cogs_fixed"], other.columns["cogs_fixed"])
