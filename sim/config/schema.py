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
BatteryKwh = Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)]
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


def _product_name(name: str) -> str:
    """A product's name: ASCII letters, digits and underscores, at most MAX_NAME_CHARS (it is
    a dotted path's part, a column's value and a figure's label)."""
    text = str(name)
    if not (text.isascii() and text.replace("_", "a").isalnum()):
        raise ValueError(f"name {text!r} must be letters, digits and underscores (ASCII)")
    if len(text) > limits.MAX_NAME_CHARS:
        raise ValueError(f"name of {len(text):,} characters: at most {limits.MAX_NAME_CHARS}")
    return text


def _product_names(value: dict) -> dict:
    for name in value:
        _product_name(name)
    return value


ProductName = Annotated[str, AfterValidator(_product_name)]


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
    """Preorders taken at the launch event (cars); the firm ones arrive as orders on the launch
    day (day 0 of the run unless ``date`` is later; stochastic runs draw how many turn firm)."""
    firm_share: Share = 1.0
    """Share of preorders that become firm (locked) orders; the rest are lost."""
    deposit_usd: UsdPerCar = 0.0
    """Deposit per order (USD), taken in cash when the order is placed (launch firm orders and
    every later order), applied to the price at delivery; when the order cancels it is kept
    (breakage), or paid back with ``deposit_refundable``."""
    breakage: Literal["other_income", "revenue"] = "other_income"
    """Where a forfeited deposit (a cancelled order's) is recognised, in the month it cancels:
    ``other_income`` (below gross profit, in operating profit) or ``revenue`` (IFRS 15 breakage,
    in revenue and so in gross profit). Either way it leaves the deposit liability then."""
    deposit_refundable: bool = False
    """``true``: a cancelled order's deposit is paid back (cash leaves in the month it cancels,
    no breakage); ``false``: it is kept as breakage (see ``breakage``)."""
    date: Date | None = None
    """Day the product launches: its firm launch orders arrive, its order intake starts (in
    that month) and the plant may build it from then on; left out, the run's start. A date after
    the horizon is allowed (the product never launches within the run; ``validate`` says so)."""
    reservations_from: Date | None = None
    """When the launch orders were taken, if not all on the launch day: they are spread evenly
    over the days from this date to the day before ``date`` (the run's start if left out), and
    their age counts toward ``patience`` (an order older than the grace period may cancel before
    the first car; days before the run's start arrive on day 0, already aged). Left out, every
    launch order is placed on the launch day."""

    def day(self, start: dt.date) -> dt.date:
        """The launch day in a run starting on ``start`` (``date``, or the start)."""
        return start if self.date is None or self.date < start else self.date


class ConstantDemand(Strict):
    """The same expected order intake every month."""

    kind: Literal["constant"]
    """Selects a constant intake."""
    orders_per_month: Cars
    """Expected new orders per month (cars), from the product's launch month on (the run's
    start month unless ``launch.date`` is later), after the launch's preorders."""


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
    """Expected new orders (cars) per month, one value per month from the product's launch
    month (the run's start month unless ``launch.date`` is later); the last value holds
    afterwards."""


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
    products: Annotated[list[str], Field(min_length=1, max_length=limits.MAX_LIST_ITEMS)] | None = (
        None
    )
    """Products this line can build (by name); left out, every product. A product is built
    from its launch date on; a line shared by several splits its output by
    ``factory.allocation``."""


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


class Allocation(Strict):
    """How a line that builds more than one product splits its daily output among the products
    launched by then that still want cars."""

    policy: Literal["backlog", "priority", "shares"] = "backlog"
    """``backlog``: in proportion to what each product still wants (its waiting orders plus its
    finished-goods target, less its stock); ``priority``: in the order of ``order``, each taking
    what it wants before the next; ``shares``: by the fixed ``shares``, output a product does
    not want going to the others in proportion to theirs."""
    order: Annotated[list[str], Field(max_length=limits.MAX_LIST_ITEMS)] = Field(
        default_factory=list
    )
    """Products in priority order (``priority``): every product once."""
    shares: Annotated[dict[str, Share], Field(max_length=limits.MAX_LIST_ITEMS)] = Field(
        default_factory=dict
    )
    """Share of a shared line's output per product (``shares``; every product named, summing to
    1; among the products launched, the shares are renormalised)."""


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
    """Unsold cars the plant may build ahead of orders (build to order plus this buffer); with
    several products, of the first product (the others build to order)."""
    logistics_lag_days: Annotated[int, Field(ge=0, le=365)] = 7
    """Days from a car's allocation to an order at the plant to its delivery (and revenue)."""
    pilot_stock_units: Cars = 0.0
    """Pilot builds (part of ``initial_experience_units``) held as finished stock at the start:
    they are the first cars allocated, delivered after the logistics lag, and their product cost
    (paid before the start) is the opening inventory (cars); with several products, the first
    product's."""
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
    allocation: Allocation = Allocation()
    """How a line shared by several products splits its output."""

    @model_validator(mode="after")
    def _pilot_stock(self) -> Factory:
        if self.pilot_stock_units > self.initial_experience_units:
            raise ValueError("pilot_stock_units must not exceed initial_experience_units")
        return self


# --------------------------------------------------------------------------- costs
CostStep = Annotated[
    float, Field(ge=-limits.MAX_USD_PER_CAR, le=limits.MAX_USD_PER_CAR, allow_inf_nan=False)
]
CostSteps = Annotated[
    dict[Date, CostStep],
    BeforeValidator(_month_key_map),
    Field(max_length=limits.MAX_LIST_ITEMS),
]


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
    experience: Literal["product", "plant", "battery_kwh"] = "product"
    """What the curve's cumulative output counts: ``product`` (this product's cars, its
    pilot builds included), ``plant`` (cars of every product built at the plant, the pilot
    builds included) or ``battery_kwh`` (kWh of battery built into cars of every product: then
    ``first_unit_usd``, ``floor_usd`` and ``steps`` are USD per kWh, the first unit is the first
    kWh, and a car's cost is that times its trim's ``battery_kwh``)."""
    steps: CostSteps = Field(default_factory=dict)
    """Dated steps beside the curve, ``YYYY-MM: USD per car`` (per kWh for ``battery_kwh``): each
    is added to the cost of every car built from that date (a tariff: positive; a cheaper
    supplier: negative), and they add up; a car's cost never goes below zero."""

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
    steps: CostSteps = Field(default_factory=dict)
    """Dated steps beside the decline, ``YYYY-MM: USD per car``: each is added to the cost of
    every car built from that date (a tariff: positive; a cheaper supplier: negative), and they
    add up; a car's cost never goes below zero."""

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
    """The selling price (with trims, each trim's own; see ``trims``)."""

    asp_usd: PriceSchedule | None = None
    """Average selling price per delivered car (USD): a number, or ``base`` and dated
    ``changes``. Required without ``trims``; with them the price follows the mix and this must
    be left out."""
    elasticity: Annotated[float, Field(ge=-10, le=0, allow_inf_nan=False)] = 0.0
    """Price elasticity of order intake: each month's expected intake is multiplied by
    ``(price / launch price) ^ elasticity``, the price being the month's (mix-weighted) list
    price and the launch price the one of the launch month (0: price does not move intake;
    -1.5: a 10 % cut adds about 17 % orders)."""


class Trim(Strict):
    """A version of a product: its own price, battery and cost factors."""

    price_usd: PriceSchedule
    """Price per delivered car of this trim (USD): a number, or ``base`` and dated ``changes``."""
    battery_kwh: BatteryKwh | None = None
    """Battery size (kWh), for cost components whose ``experience`` is ``battery_kwh``; left
    out, the product's ``battery_kwh``."""
    cost_factors: Annotated[
        dict[str, Annotated[float, Field(ge=0, le=10, allow_inf_nan=False)]],
        Field(max_length=limits.MAX_LIST_ITEMS),
    ] = Field(default_factory=dict)
    """Per cost component, a factor on its cost for cars of this trim (``body_and_parts: 1.08``:
    8 % dearer); learning is shared with the other trims. Components not named: 1."""


Trims = Annotated[
    dict[str, Trim], Field(max_length=limits.MAX_LIST_ITEMS), AfterValidator(_names_are_identifiers)
]
MixShares = Annotated[dict[str, Share], Field(min_length=1, max_length=limits.MAX_LIST_ITEMS)]


def sums_to_one(where: str, shares: dict[str, float]) -> None:
    """Shares (a mix's, an allocation's) must sum to 1, within 1e-6."""
    total = sum(shares.values())
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"{where}: must sum to 1, got {total:.6g}")


class Mix(Strict):
    """The share of each trim, by month: ``shares`` from the start, then dated ``changes``."""

    basis: Literal["deliveries", "orders"] = "deliveries"
    """What the shares are of: ``deliveries`` (the cars built and delivered in a month are in
    that month's shares) or ``orders`` (each month's orders are in its shares, and deliveries
    follow the orders they fill, oldest first)."""
    shares: MixShares
    """Share of each trim (by name; they sum to 1) from the start."""
    changes: Annotated[
        dict[Date, MixShares],
        BeforeValidator(_month_key_map),
        Field(max_length=limits.MAX_LIST_ITEMS),
    ] = Field(default_factory=dict)
    """Dated changes, ``YYYY-MM: {trim: share, ...}`` (each set sums to 1), holding for the
    whole of its month until the next."""

    def dated(self) -> list[tuple[str, dict[str, float]]]:
        """Each set of shares with the field it is at: ``shares``, ``changes.<date>``..."""
        return [("shares", self.shares), *((f"changes.{d}", v) for d, v in self.changes.items())]

    @model_validator(mode="after")
    def _sum_to_one(self) -> Mix:
        for where, shares in self.dated():
            sums_to_one(where, shares)
        return self


def check_product(
    price: Price, costs: Costs, trims: dict[str, Trim], mix: Mix | None, battery_kwh: float
) -> None:
    """One product's own consistency: a price or trims (not both), a mix over its trims, cost
    factors naming its components, a battery for every car a ``battery_kwh`` component prices."""
    if trims and price.asp_usd is not None:
        raise ValueError("price.asp_usd: not with trims (each trim has its own price)")
    if not trims and price.asp_usd is None:
        raise ValueError(
            "price.asp_usd: required field is missing (or give trims, each with a price)"
        )
    if not trims and mix is not None:
        raise ValueError("mix: needs trims")
    if len(trims) > 1 and mix is None:
        raise ValueError(f"mix: required field is missing ({len(trims)} trims need their shares)")
    for where, shares in mix.dated() if mix is not None else ():
        for name in shares:
            if name not in trims:
                raise ValueError(f"mix.{where}: no trim {name!r} (trims: {', '.join(trims)})")
    for trim_name, trim in trims.items():
        for comp in trim.cost_factors:
            if comp not in costs.components:
                raise ValueError(
                    f"trims.{trim_name}.cost_factors: no cost component {comp!r}"
                    f" (components: {', '.join(costs.components)})"
                )
    per_kwh = [
        n for n, c in costs.components.items() if getattr(c, "experience", "") == ("battery_kwh")
    ]
    if per_kwh:
        sizes = [
            t.battery_kwh if t.battery_kwh is not None else battery_kwh for t in trims.values()
        ]
        if not sizes:
            sizes = [battery_kwh]
        if min(sizes) <= 0:
            raise ValueError(
                f"costs.components.{per_kwh[0]}: priced per kWh (experience battery_kwh): give"
                " battery_kwh (of the product, or of every trim)"
            )


class Product(Strict):
    """One product of the line-up: its launch, market, price, trims and costs."""

    launch: Launch = Launch()
    """Its launch: date, preorders, deposits."""
    demand: Demand
    """Order intake after its launch, by ``kind`` (months count from its launch month)."""
    patience: Patience = Patience()
    """When its waiting orders cancel."""
    price: Price = Price()
    """Its price (left out with ``trims``), and the price elasticity of its order intake."""
    costs: Costs
    """Its variable cost per car."""
    trims: Trims = Field(default_factory=dict)
    """Its trims, by name, each with a price, a battery and cost factors; none: one version."""
    mix: Mix | None = None
    """The share of each trim over time (required with more than one trim)."""
    battery_kwh: BatteryKwh = 0.0
    """Battery size (kWh) of a car without a trim of its own."""
    initial_experience_units: Experience = 0.0
    """Cars of this product built before its launch (pilot builds): where its ``product``
    learning curves begin (the first product's are ``factory.initial_experience_units``)."""

    @model_validator(mode="after")
    def _consistent(self) -> Product:
        check_product(self.price, self.costs, self.trims, self.mix, self.battery_kwh)
        return self


class Company(Strict):
    """The company around the car business: other segments and shared costs. The car (EV)
    segment's books stay the per-car ones; the company's operating result adds the rest."""

    other_gross_profit_per_month_usd: Schedule = Schedule(base=0.0)
    """Gross profit of the company's other segments (USD per month): a number, or ``base``
    and dated ``changes``."""
    shared_opex_per_month_usd: Schedule = Schedule(base=0.0)
    """Operating expenses shared by all segments (USD per month): head office, brand, group
    R&D."""
    ev_share_of_shared_opex: Share = 0.0
    """The share of ``shared_opex_per_month_usd`` the car segment carries (in its opex, so in
    its per-car result); the rest stays with the company."""
    interest_per_month_usd: Schedule = Schedule(base=0.0)
    """Net interest expense of the company (USD per month), below the operating result."""
    tax_rate: Share = 0.0
    """Income tax on the company's pre-tax result, after losses carried forward from earlier
    months of the run (no tax is paid back)."""


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
    product: ProductName = "car"
    """Name of the scenario's first product, the one its own ``launch``, ``demand``,
    ``patience``, ``price``, ``costs``, ``trims`` and ``mix`` describe."""
    launch: Launch = Launch()
    """The first product's launch."""
    demand: Demand
    """The first product's order intake after its launch, by ``kind``."""
    patience: Patience = Patience()
    """When the first product's waiting orders cancel."""
    factory: Factory
    """The plant."""
    price: Price = Price()
    """The first product's selling price (left out with ``trims``)."""
    costs: Costs
    """The first product's variable cost per car."""
    trims: Trims = Field(default_factory=dict)
    """The first product's trims, by name; none: one version."""
    mix: Mix | None = None
    """The share of each of the first product's trims over time."""
    battery_kwh: BatteryKwh = 0.0
    """Battery size (kWh) of a first-product car without a trim of its own."""
    products: Annotated[
        dict[str, Product],
        Field(max_length=limits.MAX_PRODUCTS - 1),
        AfterValidator(_product_names),
    ] = Field(default_factory=dict)
    """More products beside the first, by name, each with the same fields (``launch``,
    ``demand``, ``patience``, ``price``, ``costs``, ``trims``, ``mix``, ``battery_kwh``,
    ``initial_experience_units``)."""
    company: Company | None = None
    """The company around the car business (other segments, shared opex, interest, tax); left
    out, the books are the car business's alone."""
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
        components = dict(self.costs.components)
        for product in self.products.values():
            components.update(product.costs.components)
        for name in self.working_capital.payables_days_by_component:
            if name not in components:
                known = ", ".join(components)
                raise ValueError(
                    f"working_capital.payables_days_by_component: no cost component {name!r}"
                    f" (components: {known})"
                )
        return self

    @model_validator(mode="after")
    def _first_product(self) -> Scenario:
        check_product(self.price, self.costs, self.trims, self.mix, self.battery_kwh)
        if self.product in self.products:
            raise ValueError(
                f"products: {self.product!r} is the first product's name (field product)"
            )
        return self

    @model_validator(mode="after")
    def _reservations_before_launch(self) -> Scenario:
        launches = [
            ("", self.launch),
            *((f"products.{n}.", p.launch) for n, p in self.products.items()),
        ]
        for where, la in launches:
            opens = la.reservations_from
            if opens is None:
                continue
            day = la.day(self.start)
            if opens >= day:
                raise ValueError(
                    f"{where}launch.reservations_from: {opens.isoformat()} is not before the "
                    f"launch ({day.isoformat()}{'' if la.date else ', the run start'}): "
                    "reservations are taken before it"
                )
        return self

    @model_validator(mode="after")
    def _lines_name_products(self) -> Scenario:
        known = [self.product, *self.products]
        for line_name, line in self.factory.lines.items():
            for name in line.products or ():
                if name not in known:
                    raise ValueError(
                        f"factory.lines.{line_name}.products: no product {name!r}"
                        f" (products: {', '.join(known)})"
                    )
            if line.products and len(set(line.products)) != len(line.products):
                raise ValueError(f"factory.lines.{line_name}.products: names a product twice")
        for name in known:
            if not any(
                ln.products is None or name in ln.products for ln in self.factory.lines.values()
            ):
                raise ValueError(f"factory.lines: no line builds product {name!r}")
        al = self.factory.allocation
        where = "factory.allocation"
        if al.policy == "priority":
            if sorted(al.order) != sorted(known) or len(set(al.order)) != len(al.order):
                raise ValueError(
                    f"{where}.order: must name every product once (products: {', '.join(known)};"
                    f" got {', '.join(al.order) or 'none'})"
                )
        elif al.order:
            raise ValueError(f"{where}.order: only for policy priority")
        if al.policy == "shares":
            unknown = [n for n in al.shares if n not in known]
            if unknown:
                raise ValueError(f"{where}.shares: no product {unknown[0]!r}")
            missing = [n for n in known if n not in al.shares]
            if missing:
                raise ValueError(f"{where}.shares: no share for product {missing[0]!r}")
            sums_to_one(f"{where}.shares", al.shares)
        elif al.shares:
            raise ValueError(f"{where}.shares: only for policy shares")
        return self

    @model_validator(mode="after")
    def _calendar_fits(self) -> Scenario:
        last = self.start.year * 12 + self.start.month - 1 + self.horizon_months
        if last > 9999 * 12:
            raise ValueError("start plus horizon_months runs past the year 9999")
        return self
