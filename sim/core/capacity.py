"""Daily capacity of each line, before breakdowns, disruptions and yield (pure)."""

from __future__ import annotations

import numpy as np

from sim.config.schema import Factory, Line, PlantCalendar
from sim.core.calendar import DAYS_PER_YEAR, Calendar
from sim.core.holidays import closed_days
from sim.core.ramp import ramp_share

WEEKS_PER_YEAR = DAYS_PER_YEAR / 7


def line_capacity(
    line: Line, cal: Calendar, plant_calendar: PlantCalendar | None = None
) -> np.ndarray:
    """Cars per day: nameplate spread over the line's working days, times the ramp share.

    A line working ``w`` days a week makes ``capacity_per_year / (w * 52.18)`` cars on each
    working day (Monday first) at a ramp share of 1, so a full year of weeks gives the
    nameplate. Holidays and shutdowns (the line's own calendar, else ``plant_calendar``) close
    days without moving that daily rate: a closed day's output is lost, not made up.
    """
    days = np.arange(cal.n_days, dtype=float)
    share = ramp_share(line.ramp, days - cal.day_of(line.start), start=line.start)
    per_working_day = line.capacity_per_year / (line.working_days_per_week * WEEKS_PER_YEAR)
    working = cal.weekday < line.working_days_per_week
    plant = line.calendar or plant_calendar
    if plant is not None and (plant.country != "none" or plant.shutdowns):
        working = working & ~closed_days(cal, plant)
    return per_working_day * share * working


def expected_availability(line: Line) -> float:
    a = line.availability
    cycle = a.mtbf_hours + a.mttr_hours
    if cycle == float("inf"):  # both huge: the same ratio, without the overflow
        return 1.0 / (1.0 + a.mttr_hours / a.mtbf_hours)
    return a.mtbf_hours / cycle


def scheduled_supply(factory: Factory, cal: Calendar) -> list[float]:
    """Share of output that supply allows each day, from the scheduled disruptions."""
    supply = [1.0] * cal.n_days
    for dis in factory.disruptions.values():
        start = float(cal.day_of(dis.start))
        cut_spans(supply, start, start + dis.days, dis.output_cut)
    return supply


def cut_spans(supply: list[float], t0: float, t1: float, cut: float) -> None:
    """Cut ``supply`` by ``cut`` over the time span [t0, t1), pro rata for partial days."""
    first, last = max(int(np.floor(t0)), 0), min(int(np.ceil(t1)), len(supply))
    for d in range(first, last):
        overlap = min(d + 1.0, t1) - max(float(d), t0)
        if overlap > 0:
            supply[d] *= 1.0 - cut * overlap
