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


def parse_date(value: object) -> dt.date:
    """A date written ``YYYY-MM`` (first of that month) or ``YYYY-MM-DD``, or a YAML date."""
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


Date = Annotated[dt.date, BeforeValidator(parse_date)]
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
    """Keys of dated maps may be YAML dates or strings: each must be a calendar date, named once,
    and is kept as text (as written, or ``2025-07-01`` for a YAML date) so that a problem with its
    value names it as the user wrote it, never as a Python object."""
    if not isinstance(value, dict):
        return value
    out: dict[str, object] = {}
    seen: dict[dt.date, str] = {}
    for key, item in value.items():
        text = key.isoformat() if isinstance(key, dt.date) else str(key).strip()
        date = parse_date(key)
        if date in seen:
            raise ValueError(f"{seen[date]} and {text} are the same date")
        seen[date] = text
        out[text] = item
    return out


def _names_are_identifiers(value: dict) -> dict:
    for name in value:
        if not str(name).replace("_", "a").isalnum():
            raise ValueError(f"name {name!r} must be letters, digits and underscores")
    return value


# --------------------------------------------------------------------------- schedules
class Schedule(Strict):
    """A value per month: ``base`` from the start, then dated changes, each until the next. A
    plain number is a constant: ``52000`` is ``{base: 52000}``."""

    @model_validator(mode="before")
    @classmethod
    def _a_number_is_a_constant(cls, value: object) -> object:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return {"base": value}
        if not isinstance(value, dict | Schedule):
            raise ValueError(
                f"expected a number (the same every month) or a mapping with keys: base, changes"
                f" (got {show(value)})"
            )
        return value

    base: UsdPerMonth
    """Amount per month (USD) from the run's start until the first change."""
    changes: Annotated[
        dict[Date, UsdPerMonth],
        BeforeValidator(_month_key_map),
        Field(max_length=limits.MAX_LIST_ITEMS),
    ] = Field(default_factory=dict)
    """Dated changes, ``YYYY-MM: amount`` (USD per month): each holds for the whole of its month
    until the next change; a date before the run's start applies from the start."""


class PriceSchedule(Schedule):
    """A price per car per month: ``base`` from the start, then dated changes. A plain number is
    a constant price: ``52000`` is ``{base: 52000}``."""

    base: UsdPerCar
    """Price per car (USD) from the run's start until the first change."""
    changes: Annotated[
        dict[Date, UsdPerCar],
        BeforeValidator(_month_key_map),
        Field(max_length=limits.MAX_LIST_ITEMS),
    ] = Field(default_factory=dict)
    """Dated changes, ``YYYY-MM: price`` (USD per car): each holds for the whole of its month
    until the next change; a date before the run's start applies from the start."""


# --------------------------------------------------------------------------- orders
class Launch(Strict):
    """The launch event: preorders taken before the run, some of which become firm orders."""

    preorders: Annotated[float, Field(ge=0, le=1e8)] = 0.0
    """Preorders taken at the launch event (cars); the firm ones arrive as orders on day 0 of
    the run (stochastic runs draw how many turn firm)."""
    firm_share: Share = 1.0
    """Share of preorders that become firm (locked, non-refundable) orders; the rest are lost."""
    deposit_usd: UsdPerCar = 0.0
    """Deposit per order (USD), taken in cash when the order is placed (launch firm orders and
    every later order), applied to the price at delivery and kept when the order cancels."""
    breakage: Literal["other_income", "revenue"] = "other_income"
    """Where a forfeited deposit (a cancelled order's) is recognised, in the month it cancels:
    ``other_income`` (below gross profit, in operating profit) or ``revenue`` (IFRS 15 breakage,
    in revenue and so in gross profit). Either way it leaves the deposit liability then."""


class ConstantDemand(Strict):
    """The same expected order intake every month."""

    kind: Literal["constant"]
    """Selects a constant intake."""
    orders_per_month: Cars
    """Expected new orders per month (cars), from the start month on (after the launch's
    preorders)."""


class BassDemand(Strict):
    """Bass diffusion: orders next month = (p + q N / market_size) (market_size - N), where N is
    the number of cars ordered so far."""

    kind: Literal["bass"]
    """Selects Bass diffusion."""
    p: Annotated[float, Field(gt=0, le=1)]
    """Coefficient of innovation, per month: the share of the remaining market that orders in a
    month on its own."""
    q: Annotated[float, Field(ge=0, le=5)]
    """Coefficient of imitation, per month: the added share, in proportion to the share of the
    market that has already ordered."""
    market_size: Annotated[float, Field(gt=0, le=limits.MAX_CARS, allow_inf_nan=False)]
    """Cars ever ordered over the model's life (launch firm orders included)."""


class TableDemand(Strict):
    """Expected order intake given month by month."""

    kind: Literal["table"]
    """Selects an intake table."""
    orders_per_month: Annotated[list[Cars], Field(min_length=1, max_length=limits.MAX_LIST_ITEMS)]
    """Expected new orders (cars) per month, one value per month from the start month; the last
    value holds afterwards."""


Demand = Annotated[ConstantDemand | BassDemand | TableDemand, Field(discriminator="kind")]


class Patience(Strict):
    """When orders that are still waiting for a car cancel."""

    grace_weeks: Annotated[float, Field(ge=0, le=520)] = 8.0
    """Weeks after it is placed during which an order never cancels (rounded to whole days, at
    least one day)."""
    monthly_cancel_rate: Annotated[float, Field(ge=0, lt=1)] = 0.0
    """After the grace period, the share of still-waiting orders that cancel per month (applied
    as the equivalent constant daily rate)."""


# --------------------------------------------------------------------------- factory
RampShare = Annotated[float, Field(ge=0, le=3)]
"""A share of nameplate; above 1 means overtime or extra shifts."""


class _ShapedRamp(Strict):
    """A ramp from ``initial_share`` at the line's start to ``peak_share`` after ``months``."""

    kind: str  # narrowed to one literal by each ramp (declared here so it is dumped first)
    """The ramp's shape."""
    months: Months
    """Months from the line's start until it reaches ``peak_share`` (a month is 365.25 / 12
    days)."""
    initial_share: Share = 0.0
    """Output at the line's start as a share of nameplate."""
    peak_share: Annotated[float, Field(gt=0, le=3)] = 1.0
    """Output at the end of the ramp as a share of nameplate (above 1 = overtime, extra shifts)."""


class LogisticRamp(_ShapedRamp):
    """An S-curve from ``initial_share`` to ``peak_share``, steepest halfway through ``months``."""

    kind: Literal["logistic"]
    """Selects the S-curve."""
    steepness: Annotated[float, Field(ge=0.1, le=50)] = 8.0
    """How sharp the S is (0.1 is close to a straight line, 50 close to a step)."""


class LinearRamp(_ShapedRamp):
    """A straight line from ``initial_share`` to ``peak_share`` over ``months``."""

    kind: Literal["linear"]
    """Selects the straight line."""


class StepRamp(_ShapedRamp):
    """``initial_share`` for ``months``, then ``peak_share``."""

    kind: Literal["step"]
    """Selects the step."""
    months: Annotated[float, Field(ge=0, le=MAX_HORIZON_MONTHS, allow_inf_nan=False)]
    """Output stays at ``initial_share`` for ``months`` (a month is 365.25 / 12 days), then jumps
    to ``peak_share``; 0 means at ``peak_share`` from the start."""


class TableRamp(Strict):
    """The share of nameplate given calendar month by calendar month."""

    kind: Literal["table"]
    """Selects a table of shares."""
    shares: Annotated[list[RampShare], Field(min_length=1, max_length=limits.MAX_LIST_ITEMS)]
    """Share of nameplate per calendar month: the first for the month the line starts in (from
    its start day to that month's end: a line starting on 20 March has it for 12 days),
    the next for the whole following calendar month, and so on; the last value holds
    afterwards."""


Ramp = Annotated[LogisticRamp | LinearRamp | StepRamp | TableRamp, Field(discriminator="kind")]


class Availability(Strict):
    """Random breakdowns of a line: drawn in stochastic runs; deterministic runs lose the
    expected downtime share throughout."""

    mtbf_hours: Annotated[
        float, Field(ge=limits.MIN_MTBF_HOURS, le=limits.MAX_HOURS, allow_inf_nan=False)
    ] = 100.0
    """Mean time between breakdowns of the line (calendar hours from a repair to the next
    breakdown); the line is up mtbf / (mtbf + mttr) of the time."""
    mttr_hours: Annotated[float, Field(ge=0, le=limits.MAX_HOURS, allow_inf_nan=False)] = 0.0
    """Mean time to repair (calendar hours); 0 means the line never breaks down."""


class Capex(Strict):
    """Capital spending on a line: paid once, depreciated straight-line."""

    amount_usd: Annotated[float, Field(ge=0, le=limits.MAX_USD, allow_inf_nan=False)]
    """Capital spent (USD), paid in one go in the month of ``date``."""
    date: Date
    """Month the cash goes out; before the run's start it is sunk (only its depreciation counts)
    unless ``cash.pre_start_capex`` is ``in_cash``."""
    depreciation_years: Annotated[float, Field(gt=0, le=limits.MAX_YEARS, allow_inf_nan=False)] = (
        10.0
    )
    """Straight-line depreciation period (years), counted from the later of ``date`` and the
    line's start."""


HOLIDAY_RULES = ("new_year", "spring_festival", "labour_day", "national_day")
"""Rule-based public holidays of the ``CN`` calendar (see :mod:`sim.core.holidays`)."""


class Shutdown(Strict):
    """A dated closure of the plant or of a line."""

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
    """One production line of the plant."""

    start: Date
    """Day the line starts producing; its ramp and its fixed cost count from that day."""
    capacity_per_year: Annotated[float, Field(gt=0, le=limits.MAX_CARS, allow_inf_nan=False)]
    """Nameplate capacity, cars per year (at a ramp share of 1, before breakdowns and yield)."""
    working_days_per_week: Annotated[int, Field(ge=1, le=7)] = 6
    """Days a week the line works, Monday first (6: Monday to Saturday); the nameplate is spread
    over them."""
    ramp: Ramp
    """Output since the line's start as a share of nameplate, by ``kind``."""
    availability: Availability = Availability()
    """Random breakdowns and repairs of the line."""
    fixed_cost_per_month_usd: UsdPerMonth = 0.0
    """Plant overhead from the line's start (USD per month; indirect labour, energy,
    maintenance), prorated by day in the start month."""
    capex: Capex | None = None
    """Capital spending on the line; none when left out."""
    calendar: PlantCalendar | None = None
    """This line's own holidays and shutdowns, replacing the factory's calendar for it."""


class Yield(Strict):
    """First-pass yield, rising with cumulative output: the share of capacity that comes out as
    good cars."""

    initial: Annotated[float, Field(gt=0, le=1)] = 1.0
    """First-pass yield of the first car (at most ``mature``)."""
    mature: Annotated[float, Field(gt=0, le=1)] = 1.0
    """First-pass yield once learning is complete."""
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
    """A scheduled supply disruption."""

    start: Date
    """Day it begins (``YYYY-MM`` is the first of the month)."""
    days: Days
    """How long it lasts, in days (fractions allowed)."""
    output_cut: Share
    """Share of the plant's output (all lines) lost while it lasts."""


class RandomDisruptions(Strict):
    """Random supply disruptions: drawn in stochastic runs; deterministic runs cut output by
    their expected share throughout."""

    rate_per_year: Annotated[
        float, Field(ge=0, le=limits.MAX_DISRUPTIONS_PER_YEAR, allow_inf_nan=False)
    ] = 0.0
    """Mean number of disruptions per year (they arrive as a Poisson process); 0 means none."""
    mean_days: Days = 7.0
    """Mean length of a disruption, in days (exponentially distributed)."""
    output_cut: Share = 0.5
    """Share of the plant's output (all lines) lost while one lasts."""


class Factory(Strict):
    """The plant: its lines, yield learning, stock, logistics and disruptions."""

    lines: Annotated[
        dict[str, Line],
        Field(min_length=1, max_length=limits.MAX_LINES),
        AfterValidator(_names_are_identifiers),
    ]
    """The production lines, by name (letters, digits and underscores)."""
    yield_: Yield = Field(default=Yield(), alias="yield")
    """First-pass yield learning, shared by all lines."""
    initial_experience_units: Experience = 0.0
    """Cars built before the run's start (pilot builds): where the learning curves begin."""
    finished_goods_target: Cars = 0.0
    """Unsold cars the plant may build ahead of orders (build to order plus this buffer)."""
    logistics_lag_days: Annotated[int, Field(ge=0, le=365)] = 7
    """Days from a car's allocation to an order at the plant to its delivery (and revenue)."""
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
    """Scheduled supply disruptions, by name (letters, digits and underscores)."""
    random_disruptions: RandomDisruptions = RandomDisruptions()
    """Random supply disruptions."""

    @model_validator(mode="after")
    def _pilot_stock(self) -> Factory:
        if self.pilot_stock_units > self.initial_experience_units:
            raise ValueError("pilot_stock_units must not exceed initial_experience_units")
        return self


# --------------------------------------------------------------------------- costs
class WrightCost(Strict):
    """Wright's learning curve: each doubling of the cars built so far
    (``factory.initial_experience_units`` included) multiplies the cost by ``progress_ratio``
    until it reaches ``floor_usd``, where it stays."""

    kind: Literal["wright"]
    """Selects the learning curve."""
    first_unit_usd: Annotated[float, Field(gt=0, le=limits.MAX_USD_PER_CAR, allow_inf_nan=False)]
    """Cost of the first car (USD)."""
    floor_usd: UsdPerCar = 0.0
    """Cost per car (USD) where learning stops; at most ``first_unit_usd``."""
    progress_ratio: float
    """Cost multiplier per doubling of cumulative output, in (0, 1] (1: no learning; 0.86 cuts
    the cost by 14 % a doubling); above 0.5 for ``cumulative_average``."""
    formulation: Literal["unit", "cumulative_average"] = "unit"
    """``unit``: the curve gives each car's cost; ``cumulative_average``: it gives the average
    cost of all cars built so far, until one more car would cost less than the floor (from
    then on each car costs the floor)."""

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
    """A cost that falls with time, not with volume."""

    kind: Literal["annual_decline"]
    """Selects a yearly decline."""
    start_usd: Annotated[float, Field(gt=0, le=limits.MAX_USD_PER_CAR, allow_inf_nan=False)]
    """Cost per car at the run's start (USD)."""
    decline_per_year: Annotated[float, Field(ge=0, lt=1)] = 0.0
    """Share by which the cost falls per year, compounded (cost = start_usd (1 -
    decline_per_year) ^ years since the run's start) until it reaches ``floor_usd``."""
    floor_usd: UsdPerCar = 0.0
    """Cost per car (USD) it never goes below; at most ``start_usd``."""

    @model_validator(mode="after")
    def _floor(self) -> DeclineCost:
        if self.floor_usd > self.start_usd:
            raise ValueError("floor_usd must not exceed start_usd")
        return self


CostComponent = Annotated[WrightCost | DeclineCost, Field(discriminator="kind")]


class Costs(Strict):
    """Variable cost per car, by component."""

    components: Annotated[
        dict[str, CostComponent],
        Field(min_length=1, max_length=limits.MAX_LIST_ITEMS),
        AfterValidator(_names_are_identifiers),
    ]
    """Cost components by name (letters, digits and underscores), each by ``kind``; a car's
    variable cost is their sum."""


class Opex(Strict):
    """Operating expenses, below gross profit."""

    rnd_per_month_usd: Schedule = Schedule(base=0.0)
    """Research and development (USD per month): a number, or ``base`` and dated ``changes``."""
    sga_per_month_usd: Schedule = Schedule(base=0.0)
    """Selling, general and administrative expenses (USD per month): a number, or ``base`` and
    dated ``changes``."""
    selling_share_of_revenue: Annotated[float, Field(ge=0, lt=1)] = 0.0
    """Selling cost as a share of revenue, on top of ``sga_per_month_usd``."""


class Price(Strict):
    """The selling price."""

    asp_usd: PriceSchedule
    """Average selling price per delivered car (USD): a number, or ``base`` and dated
    ``changes``."""


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
    """How capex paid before the run's start enters cash."""

    pre_start_capex: Literal["sunk", "in_cash"] = "sunk"
    """Capex paid before the run's start: ``sunk`` (operating view: only its depreciation counts
    and cumulative cash starts at 0) or ``in_cash`` (investment view: paid in the first month,
    so the capital needed includes it)."""


class Breakeven(Strict):
    """How the sustained break-even is judged."""

    sustain_months: Annotated[int, Field(ge=1, le=60)] = 3
    """Months in a row operating profit per car must stay at or above zero for the sustained
    break-even (its month is the first of them)."""


MilestoneMetric = Literal[
    "cumulative_deliveries",
    "cumulative_production",
    "deliveries",
    "production",
    "weekly_run_rate",
    "cumulative_cash",
]
"""Monthly columns a milestone may watch (cars, cars per week, USD)."""


class Milestone(Strict):
    """A month worth naming: the first month a monthly column reaches a value."""

    metric: MilestoneMetric
    """The monthly column watched: ``cumulative_deliveries`` or ``cumulative_production``
    (cars), ``deliveries`` or ``production`` (cars in the month), ``weekly_run_rate`` (cars built
    per week in the month) or ``cumulative_cash`` (USD; counted from its lowest month, so
    ``at_least: 0`` is the month cumulative cash is back to zero)."""
    at_least: Annotated[float, Field(allow_inf_nan=False)]
    """The value to reach, in the unit of ``metric`` (e.g. ``100000`` cars, ``5000`` cars a
    week, ``0`` USD)."""


DEFAULT_MILESTONES = {"deliveries_100k": Milestone(metric="cumulative_deliveries", at_least=1e5)}
"""The milestone of a scenario that names none: the 100,000th delivery."""


# --------------------------------------------------------------------------- scenario
class Scenario(Strict):
    """One scenario file: a plan for the plant, its market and its costs."""

    name: Name
    """Name of the scenario; a run's folder is ``outputs/<name>/``."""
    description: str = ""
    """Free text, kept with the results."""
    currency: Literal["USD"] = "USD"
    """Currency of every money field (only ``USD``)."""
    start: Date
    """First month of the run (``YYYY-MM``; a full date must be the first of a month)."""
    horizon_months: Annotated[int, Field(ge=1, le=MAX_HORIZON_MONTHS)]
    """Number of months simulated from ``start``."""
    mode: Literal["deterministic", "stochastic"] = "deterministic"
    """``deterministic``: every random quantity at its expectation; ``stochastic``: random draws
    from ``seed``."""
    seed: Seed = 0
    """Seed of a stochastic run's random draws (a run may be given another)."""
    launch: Launch = Launch()
    """The launch event."""
    demand: Demand
    """Order intake after the launch, by ``kind``."""
    patience: Patience = Patience()
    """When waiting orders cancel."""
    factory: Factory
    """The plant."""
    price: Price
    """The selling price."""
    costs: Costs
    """Variable cost per car."""
    opex: Opex = Opex()
    """Operating expenses below gross profit."""
    breakeven: Breakeven = Breakeven()
    """How the sustained break-even is judged."""
    working_capital: WorkingCapital = WorkingCapital()
    """Supplier payables and customer receivables (deposits are under ``launch``)."""
    cash: Cash = Cash()
    """How capex paid before the start enters cash."""
    milestones: Annotated[
        dict[str, Milestone],
        Field(max_length=limits.MAX_LIST_ITEMS),
        AfterValidator(_names_are_identifiers),
    ] = Field(default_factory=lambda: dict(DEFAULT_MILESTONES))
    """Months to report, by name (letters, digits and underscores): ``{run_rate_5k: {metric:
    weekly_run_rate, at_least: 5000}}``; each is reported as the first month it is reached.
    Naming any replaces the default, the 100,000th delivery (``deliveries_100k``)."""

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
