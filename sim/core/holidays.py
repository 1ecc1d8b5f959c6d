"""Plant calendars: rule-based public holidays and dated shutdowns, as days a line is closed.

The ``CN`` rules are a planner's assumptions, written from rules known in 2024, not the State
Council's yearly schedules (which also move weekend working days around and are published a year
at a time):

* ``new_year``: 1 January;
* ``spring_festival``: eight days, from the eve of the lunar new year to its sixth day;
* ``labour_day``: 1-5 May;
* ``national_day``: 1-7 October (the golden week).

The lunar new year is the day, in Beijing time (UTC+8), of the new moon that falls between
21 January and 20 February; new moons come from the mean lunation with the main periodic terms
of J. Meeus, *Astronomical Algorithms* (2nd ed., 1998), ch. 49 (good to a minute or two, so a
new moon within minutes of Beijing midnight could land on the wrong day; the tests check
2020-2040 against the published dates).
"""

from __future__ import annotations

import datetime as dt
import math
from functools import cache

import numpy as np

from sim.config.schema import PlantCalendar
from sim.core.calendar import Calendar

JD_ORDINAL = 1721424.5
"""Julian day of 0001-01-01 00:00 UT minus one day: ``date.fromordinal(floor(jd - JD_ORDINAL))``."""
BEIJING_HOURS = 8.0
DELTA_T_DAYS = 70.0 / 86_400
"""Terrestrial minus universal time, about 69-70 s in the 2020s (a minute either way is noise)."""

# (coefficient, multiplier of E, M, M', F, Omega): Meeus table 49.A, new moon
_TERMS = (
    (-0.40720, 0, 0, 1, 0, 0),
    (0.17241, 1, 1, 0, 0, 0),
    (0.01608, 0, 0, 2, 0, 0),
    (0.01039, 0, 0, 0, 2, 0),
    (0.00739, 1, -1, 1, 0, 0),
    (-0.00514, 1, 1, 1, 0, 0),
    (0.00208, 2, 2, 0, 0, 0),
    (-0.00111, 0, 0, 1, -2, 0),
    (-0.00057, 0, 0, 1, 2, 0),
    (0.00056, 1, 1, 2, 0, 0),
    (-0.00042, 0, 0, 3, 0, 0),
    (0.00042, 1, 1, 0, 2, 0),
    (0.00038, 1, 1, 0, -2, 0),
    (-0.00024, 1, -1, 2, 0, 0),
    (-0.00017, 0, 0, 0, 0, 1),
    (-0.00007, 0, 2, 1, 0, 0),
    (0.00004, 0, 0, 2, -2, 0),
    (0.00004, 0, 3, 0, 0, 0),
    (0.00003, 0, 1, 1, -2, 0),
    (0.00003, 0, 0, 2, 2, 0),
    (-0.00003, 0, 1, 1, 2, 0),
    (0.00003, 0, -1, 1, 2, 0),
    (-0.00002, 0, -1, 1, -2, 0),
    (-0.00002, 0, 1, 3, 0, 0),
    (0.00002, 0, 0, 4, 0, 0),
)


def new_moon_jde(k: int) -> float:
    """Julian ephemeris day of new moon number ``k`` (0 = 6 January 2000), Meeus ch. 49."""
    t = k / 1236.85
    jde = (
        2451550.09766
        + 29.530588861 * k
        + 0.00015437 * t**2
        - 0.000000150 * t**3
        + 0.00000000073 * t**4
    )
    e = 1 - 0.002516 * t - 0.0000074 * t**2
    m = math.radians(2.5534 + 29.10535670 * k - 0.0000014 * t**2 - 0.00000011 * t**3)
    mp = math.radians(
        201.5643 + 385.81693528 * k + 0.0107582 * t**2 + 0.00001238 * t**3 - 0.000000058 * t**4
    )
    f = math.radians(
        160.7108 + 390.67050284 * k - 0.0016118 * t**2 - 0.00000227 * t**3 + 0.000000011 * t**4
    )
    om = math.radians(124.7746 - 1.56375588 * k + 0.0020672 * t**2 + 0.00000215 * t**3)
    for coef, pe, cm, cmp, cf, co in _TERMS:
        jde += coef * e**pe * math.sin(cm * m + cmp * mp + cf * f + co * om)
    return jde


def beijing_date(jde: float) -> dt.date:
    """The calendar date in Beijing (UTC+8) of a Julian ephemeris day."""
    local = jde - DELTA_T_DAYS + BEIJING_HOURS / 24
    return dt.date.fromordinal(math.floor(local - JD_ORDINAL))


@cache
def lunar_new_year(year: int) -> dt.date:
    """The day of the new moon between 21 January and 20 February of ``year`` (Beijing time)."""
    k = math.floor((year - 2000) * 12.3685)
    lo, hi = dt.date(year, 1, 21), dt.date(year, 2, 20)
    for j in range(k - 1, k + 4):
        day = beijing_date(new_moon_jde(j))
        if lo <= day <= hi:
            return day
    raise ValueError(f"no new moon between 21 January and 20 February {year}")  # cannot happen


def cn_holidays(year: int) -> dict[str, list[dt.date]]:
    """The ``CN`` rule holidays of one year, by rule name."""
    lny = lunar_new_year(year)
    return {
        "new_year": [dt.date(year, 1, 1)],
        "spring_festival": [lny + dt.timedelta(days=i) for i in range(-1, 7)],
        "labour_day": [dt.date(year, 5, d) for d in range(1, 6)],
        "national_day": [dt.date(year, 10, d) for d in range(1, 8)],
    }


def closed_days(cal: Calendar, plant: PlantCalendar) -> np.ndarray:
    """True on each day of the run on which the plant's calendar closes it."""
    closed = np.zeros(cal.n_days, dtype=bool)
    if plant.country == "CN":
        days = [
            cal.day_of(day)
            for year in range(cal.start.year, cal.month_first[-1].year + 1)
            for rule, dates in cn_holidays(year).items()
            if rule not in plant.work_through
            for day in dates
        ]
        index = np.asarray(days, dtype=np.int64)
        closed[index[(index >= 0) & (index < cal.n_days)]] = True
    for shut in plant.shutdowns.values():
        d0 = cal.day_of(shut.start)
        lo, hi = max(d0, 0), min(d0 + shut.days, cal.n_days)
        if lo < hi:
            closed[lo:hi] = True
    return closed
