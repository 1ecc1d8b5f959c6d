"""Typed, validated scenario objects.

A scenario file (YAML) becomes one frozen :class:`Scenario` at load time. Every model here
rejects unknown keys, and every value with a unit carries it in its name (``_usd``, ``_days``,
``_per_year``). Dates are written ``YYYY-MM`` (first of that month) or ``YYYY-MM-DD``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    field_validator,
    model_validator,
)

from sim import limits
from sim.config.strict import Name, Strict, show
from sim.limits import MAX_HORIZON_MONTHS


def _parse_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for fmt in ("%Y-%m-%d", "%Y-%m"):
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        if re.fullmatch(r"\d{4}-\d{1,2}(-\d{1,2})?", text):
            raise ValueError(f"not a calendar date: {text}")
    raise ValueError(f"not a date (write YYYY-MM or YYYY-MM-DD), got {show(value)}")


Date = Annotated[dt.date, BeforeValidator(_parse_date)]
PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegFloat = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Cars = Annotated[float, Field(ge=0, le=limits.MAX_CARS, allow_inf_nan=False)]
"""A count of cars (orders, a market, a stock)."""
Experience = Annotated[float, Field(ge=0, le=limits.MAX_EXPERIENCE_UNITS, allow_inf_nan=False)]
UsdPerCar = Annotated[float, Field(ge=0, le=limits.MAX_USD_PER_CAR, allow_inf_nan=False)]
UsdPerMonth = Annotated[float, Field(ge=0, le=limits.MAX_USD_PER_MONTH, allow_inf_nan=False)]
Months = Annotated[float, Field(gt=0, le=MAX_HORIZON_MONTHS, allow_inf_nan=False)]
Days = Annotated[float, Field(gt=0, le=limits.MAX_DAYS, allow_inf_nan=False)]
Seed = Annotated[int, Field(ge=0, le=limits.MAX_SEED)]


def _month_key_map(value: object) -> object:
    """Keys of dated maps may be YAML dates or strings; normalise them to dates."""
    if isinstance(value, dict):
        return {_parse_date(k): v for k, v in value.items()}
    return value


def _names_are_identifiers(value: dict) -> dict:
    for name in value:
        if not str(name).replace("_", "a").isalnum():
            raise ValueError(f"name {name!r} must be letters, digits and underscores")
    return value


# --------------------------------------------------------------------------- schedules
class Schedule(Strict):
    """A value per month: ``base`` from the start, then dated changes, each until the next."""

    base: UsdPerMonth
    changes: Annotated[
        dict[Date, UsdPerMonth],
        BeforeValidator(_month_key_map),
        Field(max_length=limits.MAX_LIST_ITEMS),
    ] = Field(default_factory=dict)


class PriceSchedule(Schedule):
    """A price per car per month: ``base`` from the start, then dated changes."""

    base: UsdPerCar
    changes: Annotated[
        dict[Date, UsdPerCar],
        BeforeValidator(_month_key_map),
        Field(max_length=limits.MAX_LIST_ITEMS),
    ] = Field(default_factory=dict)


# --------------------------------------------------------------------------- orders
class Launch(Strict):
    preorders: Annotated[float, Field(ge=0, le=1e8)] = 0.0
    """Preorders taken at the launch event (cars); they arrive on day 0 of the run."""
    firm_share: Share = 1.0
    """Share of preorders that become firm (locked, non-refundable) orders."""
    deposit_usd: UsdPerCar = 0.0
    """Deposit paid with each firm order, applied to the price at delivery, kept on cancellation."""
    breakage: Literal["other_income", "revenue"] = "other_income"
    """Where a forfeited deposit (a cancelled order's) is recognised, in the month it cancels:
    ``other_income`` (below gross profit, in operating profit) or ``revenue`` (IFRS 15 breakage,
    in revenue and so in gross profit). Either way it leaves the deposit liability then."""


class ConstantDemand(Strict):
    kind: Literal["constant"]
    orders_per_month: Cars


class BassDemand(Strict):
    kind: Literal["bass"]
    p: Annotated[float, Field(gt=0, le=1)]
    """Coefficient of innovation, per month."""
    q: Annotated[float, Field(ge=0, le=5)]
    """Coefficient of imitation, per month."""
    market_size: Annotated[float, Field(gt=0, le=limits.MAX_CARS, allow_inf_nan=False)]
    """Cars ever ordered over the model's life (launch firm orders included)."""


class TableDemand(Strict):
    kind: Literal["table"]
    orders_per_month: Annotated[list[Cars], Field(min_length=1, max_length=limits.MAX_LIST_ITEMS)]
    """One value per month from the start; the last value holds afterwards."""


Demand = Annotated[ConstantDemand | BassDemand | TableDemand, Field(discriminator="kind")]


class Patience(Strict):
    grace_weeks: Annotated[float, Field(ge=0, le=520)] = 8.0
    """Waiting orders never cancel in their first ``grace_weeks``."""
    monthly_cancel_rate: Annotated[float, Field(ge=0, lt=1)] = 0.0
    """After the grace period, the share of still-waiting orders that cancel per month."""


# --------------------------------------------------------------------------- factory
RampShare = Annotated[float, Field(ge=0, le=3)]
"""A share of nameplate; above 1 means overtime or extra shifts."""


class _ShapedRamp(Strict):
    """A ramp from ``initial_share`` at the line's start to ``peak_share`` after ``months``."""

    kind: str  # narrowed to one literal by each ramp (declared here so it is dumped first)
    months: Months
    """Months from the line's start until it reaches ``peak_share``."""
    initial_share: Share = 0.0
    peak_share: Annotated[float, Field(gt=0, le=3)] = 1.0
    """Output at the end of the ramp as a share of nameplate (above 1 = overtime, extra shifts)."""


class LogisticRamp(_ShapedRamp):
    kind: Literal["logistic"]
    steepness: Annotated[float, Field(ge=0.1, le=50)] = 8.0
    """How sharp the S is (0.1 is close to a straight line, 50 close to a step)."""


class LinearRamp(_ShapedRamp):
    kind: Literal["linear"]


class StepRamp(_ShapedRamp):
    kind: Literal["step"]
    months: Annotated[float, Field(ge=0, le=MAX_HORIZON_MONTHS, allow_inf_nan=False)]
    """Output stays at ``initial_share`` for ``months``, then jumps to ``peak_share``."""


class TableRamp(Strict):
    kind: Literal["table"]
    shares: Annotated[list[RampShare], Field(min_length=1, max_length=limits.MAX_LIST_ITEMS)]
    """Share of nameplate per month since the line's start; the last value holds afterwards."""


Ramp = Annotated[LogisticRamp | LinearRamp | StepRamp | TableRamp, Field(discriminator="kind")]


class Availability(Strict):
    mtbf_hours: Annotated[
        float, Field(ge=limits.MIN_MTBF_HOURS, le=limits.MAX_HOURS, allow_inf_nan=False)
    ] = 100.0
    """Mean time between breakdowns of the line (calendar hours)."""
    mttr_hours: Annotated[float, Field(ge=0, le=limits.MAX_HOURS, allow_inf_nan=False)] = 0.0
    """Mean time to repair (calendar hours)."""


class Capex(Strict):
    amount_usd: Annotated[float, Field(ge=0, le=limits.MAX_USD, allow_inf_nan=False)]
    date: Date
    """Month the cash goes out; before the run's start it is sunk (only its depreciation counts)."""
    depreciation_years: Annotated[float, Field(gt=0, le=limits.MAX_YEARS, allow_inf_nan=False)] = (
        10.0
    )


HOLIDAY_RULES = ("new_year", "spring_festival", "labour_day", "national_day")
"""Rule-based public holidays of the ``CN`` calendar (see :mod:`sim.core.holidays`)."""


class Shutdown(Strict):
    start: Date
    """First day the plant (or line) is closed."""
    days: Annotated[int, Field(ge=1, le=366)]
    """Calendar days closed, the first included."""


class PlantCalendar(Strict):
    """Days a line does not work on top of its weekly pattern: public holidays and shutdowns."""

    country: Literal["none", "CN"] = "none"
    """Rule-based public holidays: ``CN`` (New Year's Day, Spring Festival week from the lunar
    new year, Labour Day 1-5 May, National Day 1-7 Oct: planner rules, not official schedules)
    or ``none``."""
    work_through: Annotated[
        list[Literal["new_year", "spring_festival", "labour_day", "national_day"]],
        Field(max_length=len(HOLIDAY_RULES)),
    ] = Field(default_factory=list)
    """Holidays of the country's rules that this plant works through (names of the rules)."""
    shutdowns: Annotated[
        dict[str, Shutdown],
        Field(max_length=limits.MAX_LIST_ITEMS),
        AfterValidator(_names_are_identifiers),
    ] = Field(default_factory=dict)
    """Dated closures (a summer shutdown, retooling), named: ``{retool: {start: .., days: ..}}``."""


class Line(Strict):
    start: Date
    capacity_per_year: Annotated[float, Field(gt=0, le=limits.MAX_CARS, allow_inf_nan=False)]
    """Nameplate capacity, cars per year."""
    working_days_per_week: Annotated[int, Field(ge=1, le=7)] = 6
    ramp: Ramp
    availability: Availability = Availability()
    fixed_cost_per_month_usd: UsdPerMonth = 0.0
    """Plant overhead from the line's start (indirect labour, energy, maintenance)."""
    capex: Capex | None = None
    calendar: PlantCalendar | None = None
    """This line's own holidays and shutdowns, replacing the factory's calendar for it."""


class Yield(Strict):
    initial: Annotated[float, Field(gt=0, le=1)] = 1.0
    """First-pass yield of the first car."""
    mature: Annotated[float, Field(gt=0, le=1)] = 1.0
    halving_units: Annotated[
        float, Field(gt=0, le=limits.MAX_EXPERIENCE_UNITS, allow_inf_nan=False)
    ] = 10_000.0
    """Cumulative cars over which the gap to ``mature`` halves."""

    @model_validator(mode="after")
    def _ordered(self) -> Yield:
        if self.initial > self.mature:
            raise ValueError("initial yield must not exceed mature yield")
        return self


class Disruption(Strict):
    start: Date
    days: Days
    output_cut: Share
    """Share of output lost while it lasts."""


class RandomDisruptions(Strict):
    rate_per_year: Annotated[
        float, Field(ge=0, le=limits.MAX_DISRUPTIONS_PER_YEAR, allow_inf_nan=False)
    ] = 0.0
    mean_days: Days = 7.0
    output_cut: Share = 0.5


class Factory(Strict):
    lines: Annotated[
        dict[str, Line],
        Field(min_length=1, max_length=limits.MAX_LINES),
        AfterValidator(_names_are_identifiers),
    ]
    yield_: Yield = Field(default=Yield(), alias="yield")
    initial_experience_units: Experience = 0.0
    """Cars built before the run's start (pilot builds): where the learning curves begin."""
    finished_goods_target: Cars = 0.0
    """Unsold cars the plant may build ahead of orders (build to order plus this buffer)."""
    logistics_lag_days: Annotated[int, Field(ge=0, le=365)] = 7
    pilot_stock_units: Cars = 0.0
    """Pilot builds (part of ``initial_experience_units``) held as finished stock at the start:
    they are the first cars allocated, delivered after the logistics lag, and their product cost
    (paid before the start) is the opening inventory (cars)."""
    calendar: PlantCalendar = PlantCalendar()
    """Public holidays and shutdowns of every line (a line's own ``calendar`` replaces it)."""
    disruptions: Annotated[
        dict[str, Disruption],
        Field(max_length=limits.MAX_LIST_ITEMS),
        AfterValidator(_names_are_identifiers),
    ] = Field(default_factory=dict)
    random_disruptions: RandomDisruptions = RandomDisruptions()

    @model_validator(mode="after")
    def _pilot_stock(self) -> Factory:
        if self.pilot_stock_units > self.initial_experience_units:
            raise ValueError("pilot_stock_units must not exceed initial_experience_units")
        return self


# --------------------------------------------------------------------------- costs
class WrightCost(Strict):
    kind: Literal["wright"]
    first_unit_usd: Annotated[float, Field(gt=0, le=limits.MAX_USD_PER_CAR, allow_inf_nan=False)]
    floor_usd: UsdPerCar = 0.0
    progress_ratio: float
    """Cost multiplier per doubling of cumulative output, in (0, 1]."""
    formulation: Literal["unit", "cumulative_average"] = "unit"

    @field_validator("progress_ratio")
    @classmethod
    def _ratio(cls, v: float) -> float:
        if not (0 < v <= 1) or math.isnan(v):
            raise ValueError(f"progress_ratio must be in (0, 1], got {v}")
        return v

    @model_validator(mode="after")
    def _floor(self) -> WrightCost:
        if self.floor_usd > self.first_unit_usd:
            raise ValueError("floor_usd must not exceed first_unit_usd")
        if self.formulation == "cumulative_average" and self.progress_ratio <= 0.5:
            raise ValueError("the cumulative_average formulation needs progress_ratio above 0.5")
        return self


class DeclineCost(Strict):
    kind: Literal["annual_decline"]
    start_usd: Annotated[float, Field(gt=0, le=limits.MAX_USD_PER_CAR, allow_inf_nan=False)]
    """Cost per car at the run's start."""
    decline_per_year: Annotated[float, Field(ge=0, lt=1)] = 0.0
    floor_usd: UsdPerCar = 0.0

    @model_validator(mode="after")
    def _floor(self) -> DeclineCost:
        if self.floor_usd > self.start_usd:
            raise ValueError("floor_usd must not exceed start_usd")
        return self


CostComponent = Annotated[WrightCost | DeclineCost, Field(discriminator="kind")]


class Costs(Strict):
    components: Annotated[
        dict[str, CostComponent],
        Field(min_length=1, max_length=limits.MAX_LIST_ITEMS),
        AfterValidator(_names_are_identifiers),
    ]


class Opex(Strict):
    rnd_per_month_usd: Schedule = Schedule(base=0.0)
    sga_per_month_usd: Schedule = Schedule(base=0.0)
    selling_share_of_revenue: Annotated[float, Field(ge=0, lt=1)] = 0.0


class Price(Strict):
    asp_usd: PriceSchedule
    """Average selling price per delivered car."""


PayDays = Annotated[float, Field(ge=0, le=365, allow_inf_nan=False)]
"""Days between an event (a car built, a car delivered) and the cash it moves."""


class WorkingCapital(Strict):
    """Cash timing of the car business; every default keeps cash at the event (0 days)."""

    payables_days: PayDays = 0.0
    """Days after a car is built that its component costs are paid (supplier payables)."""
    payables_days_by_component: Annotated[
        dict[str, PayDays], Field(max_length=limits.MAX_LIST_ITEMS)
    ] = Field(default_factory=dict)
    """Per cost component, replacing ``payables_days`` (e.g. ``direct_labour: 0``: wages)."""
    receivables_days: PayDays = 0.0
    """Days after delivery that the price (less the deposit) is received; 0: prepaid."""


class Cash(Strict):
    pre_start_capex: Literal["sunk", "in_cash"] = "sunk"
    """Capex paid before the run's start: ``sunk`` (operating view: only its depreciation counts
    and cumulative cash starts at 0) or ``in_cash`` (investment view: paid in the first month,
    so the capital needed includes it)."""


class Breakeven(Strict):
    sustain_months: Annotated[int, Field(ge=1, le=60)] = 3


# --------------------------------------------------------------------------- scenario
class Scenario(Strict):
    name: Name
    description: str = ""
    currency: Literal["USD"] = "USD"
    start: Date
    horizon_months: Annotated[int, Field(ge=1, le=MAX_HORIZON_MONTHS)]
    mode: Literal["deterministic", "stochastic"] = "deterministic"
    seed: Seed = 0
    launch: Launch = Launch()
    demand: Demand
    patience: Patience = Patience()
    factory: Factory
    price: Price
    costs: Costs
    opex: Opex = Opex()
    breakeven: Breakeven = Breakeven()
    working_capital: WorkingCapital = WorkingCapital()
    """Supplier payables and customer receivables (deposits are under ``launch``)."""
    cash: Cash = Cash()
    """How capex paid before the start enters cash."""

    @field_validator("start")
    @classmethod
    def _first_of_month(cls, v: dt.date) -> dt.date:
        if v.day != 1:
            raise ValueError(f"start must be the first of a month (write YYYY-MM), got {v}")
        return v

    @model_validator(mode="after")
    def _payables_name_components(self) -> Scenario:
        for name in self.working_capital.payables_days_by_component:
            if name not in self.costs.components:
                known = ", ".join(self.costs.components)
                raise ValueError(
                    f"working_capital.payables_days_by_component: no cost component {name!r}"
                    f" (components: {known})"
                )
        return self

    @model_validator(mode="after")
    def _calendar_fits(self) -> Scenario:
        last = self.start.year * 12 + self.start.month - 1 + self.horizon_months
        if last > 9999 * 12:
            raise ValueError("start plus horizon_months runs past the year 9999")
        return self
