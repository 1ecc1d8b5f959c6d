"""Product costs of a line-up: each product's cars cost by its learning curves, first in,
first out.

Each product's cars leave the plant in build order (its pilot stock first), so the cost of the
cars it has delivered by any time is ``F(x)``, the cost of its first ``x`` cars. How ``F`` is
built depends on what a component's experience counts:

* ``product`` (the single-product case): ``F(x) = C(E - S + x) - C(E - S)`` with ``C`` the
  curve's total cost, ``E`` the product's pilot builds and ``S`` its pilot stock, exactly as
  when the model held one product;
* ``plant`` or ``battery_kwh``: the experience grows with every product's builds (cars, or kWh
  of battery). A day's builds move the experience from ``X`` to ``X + B`` (``B`` the day's
  cars, or kWh, of all products) and cost ``C(X + B) - C(X)``; each product takes its share of
  that (its cars, or its kWh, over ``B``). ``F`` is then the running sum of a product's daily
  costs, linear within a day;
* a decline cost prices each car at its build day.

Trim cost factors (and, for a per-kWh component, the trims' battery sizes) weigh a day's cars
by the month's mix of builds; dated ``steps`` add to every car built from their date (a car's
cost never below zero). Without any of these (one product, no trims, no steps) the numbers are
exactly the single-product ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config.schema import DeclineCost, Product, WrightCost
from sim.core.calendar import DAYS_PER_YEAR, Calendar, dated_values, month_ends
from sim.core.learning import decline_cost, effective_rates, total_cost, unit_cost_of
from sim.core.mix import battery_sizes, per_car_factor


@dataclass(frozen=True)
class ProductCosts:
    """Per component: cost of each month's deliveries and daily purchases; stock values."""

    delivered: dict[str, np.ndarray]
    """Product cost of the cars delivered in each month (FIFO), per component."""
    purchases: dict[str, np.ndarray]
    """Cumulative cost of the cars built in the run by each day boundary (length n_days + 1)."""
    inventory_value: np.ndarray
    """Cars built (or pilot stock) and not delivered at each month end."""
    in_transit_value: np.ndarray
    """The part of it allocated to orders and on its way."""
    opening_inventory: float
    """The pilot stock's product cost at the start."""


def step_by_day(comp: WrightCost | DeclineCost, cal: Calendar) -> np.ndarray | None:
    """The summed dated steps in force on each day (None without steps)."""
    if not comp.steps:
        return None
    dates = sorted(comp.steps)
    running = np.cumsum([comp.steps[d] for d in dates])
    return dated_values(0.0, dict(zip(dates, running, strict=True)), cal)[cal.day_month]


@dataclass(frozen=True)
class Experience:
    """Plant-wide experience for components shared across products."""

    cars: np.ndarray
    """Cars of every product built before each day (n_days), pilot builds included: the
    first product's from the start, each other's from its launch day."""
    kwh: np.ndarray
    """kWh of battery built before each day (n_days), pilot builds included likewise."""
    cars_per_day: np.ndarray
    kwh_per_day: np.ndarray
    shared: bool = True
    """More than one product builds: ``plant`` experience is not one product's own."""


def by_day(rows: np.ndarray, cal: Calendar) -> np.ndarray:
    """Rows per month, or already per day, as rows per day."""
    return rows if len(rows) == cal.n_days else rows[cal.day_month]


def plant_experience(
    products: dict[str, Product],
    production: dict[str, np.ndarray],
    build_shares: dict[str, np.ndarray],
    cal: Calendar,
    shared: bool = True,
    launch_days: dict[str, int] | None = None,
) -> Experience:
    """The plant's experience from the ``products`` that build within the run (``shared``:
    more than one of them); a product's pilot builds join it on its ``launch_days`` day (the
    start when not given)."""
    cars = np.zeros(cal.n_days)
    kwh = np.zeros(cal.n_days)
    cars_pilot = np.zeros(cal.n_days)
    kwh_pilot = np.zeros(cal.n_days)
    for name, prod in products.items():
        size = _kwh_per_car(prod, build_shares[name], cal)
        cars += production[name]
        kwh += production[name] * size
        day = min(max((launch_days or {}).get(name, 0), 0), cal.n_days - 1)
        cars_pilot[day] += prod.initial_experience_units
        kwh_pilot[day] += prod.initial_experience_units * float(size[day])
    before = np.concatenate(([0.0], np.cumsum(cars)[:-1]))
    kwh_before = np.concatenate(([0.0], np.cumsum(kwh)[:-1]))
    return Experience(
        cars=before + np.cumsum(cars_pilot),
        kwh=kwh_before + np.cumsum(kwh_pilot),
        cars_per_day=cars,
        kwh_per_day=kwh,
        shared=shared,
    )


def product_costs(
    product: Product,
    cal: Calendar,
    production: np.ndarray,
    deliveries: np.ndarray,
    allocated: np.ndarray,
    opening_stock: float,
    build_shares: np.ndarray,
    plant: Experience | None,
) -> ProductCosts:
    """One product's costs by first in, first out: its pilot stock, then its cars in build
    order. ``plant`` is None when the product is the only one (``plant`` experience is then
    the product's own)."""
    experience = product.initial_experience_units
    stock = opening_stock
    cum_prod = np.concatenate(([0.0], np.cumsum(production)))
    out_by = {  # FIFO positions of the month-end stocks
        "deliv": month_ends(np.cumsum(deliveries), cal),
        "alloc": month_ends(np.cumsum(allocated), cal),
        "made": stock + month_ends(cum_prod[1:], cal),
    }
    positions = np.concatenate(([0.0], stock + cum_prod))
    years = (np.arange(cal.n_days) + 0.5) / DAYS_PER_YEAR
    delivered, purchases = {}, {}
    inventory, in_transit, opening = np.zeros(cal.months), np.zeros(cal.months), 0.0
    for name, comp in product.costs.components.items():
        factor_m = per_car_factor(product, name, build_shares)  # per month (or day)
        plain = bool(np.all(factor_m == 1.0))
        steps = step_by_day(comp, cal)
        basis = _basis(comp, plant)
        if basis == "product" and plain and steps is None:
            base = total_cost(experience - stock, comp)
            pilot = float(total_cost(experience, comp) - base)
            built = total_cost(experience + cum_prod, comp) - base - pilot
            at = {k: total_cost(experience - stock + v, comp) - base for k, v in out_by.items()}
        else:
            factor = by_day(factor_m, cal)  # per car built that day (kWh in, per kWh)
            mu0 = float(factor_m[0])
            if isinstance(comp, DeclineCost):
                daily = production * decline_cost(years, comp) * factor
                pilot = stock * float(decline_cost(0.0, comp)) * mu0
            elif basis == "product":
                daily = np.diff(total_cost(experience + cum_prod, comp)) * factor
                lost = total_cost(experience - stock, comp)
                pilot = float(total_cost(experience, comp) - lost) * mu0
            else:  # the day's cost of every product's builds, this product's share of it
                if basis == "plant":
                    begin, per_day, unit0 = plant.cars, plant.cars_per_day, 1.0
                else:  # battery_kwh: the curve counts kWh, the factor holds this car's kWh
                    begin, per_day = plant.kwh, plant.kwh_per_day
                    unit0 = float(_kwh_per_car(product, build_shares, cal)[0])
                with np.errstate(divide="ignore", invalid="ignore"):
                    share = np.where(per_day > 0, production / per_day, 0.0)
                day_cost = total_cost(begin + per_day, comp) - total_cost(begin, comp)
                daily = share * day_cost * factor
                lost = total_cost(begin[0] - stock * unit0, comp)
                pilot = float(total_cost(begin[0], comp) - lost) * mu0 / (unit0 or 1.0)
            if steps is not None:  # a step never takes a car's cost below zero
                daily = np.maximum(daily + production * steps * factor, 0.0)
            built = np.concatenate(([0.0], np.cumsum(daily)))
            values = np.concatenate(([0.0], pilot + built))
            at = {k: np.interp(v, positions, values) for k, v in out_by.items()}
        delivered[name] = np.diff(at["deliv"], prepend=0.0)
        purchases[name] = built
        inventory += at["made"] - at["deliv"]
        in_transit += at["alloc"] - at["deliv"]
        opening += pilot
    return ProductCosts(delivered, purchases, inventory, in_transit, opening)


def _basis(comp: WrightCost | DeclineCost, plant: Experience | None) -> str:
    """What a component's cost follows: ``product``, ``plant`` or ``battery_kwh`` experience,
    or ``time`` (a decline cost); ``plant`` is the product's own when it builds alone."""
    basis = comp.experience if isinstance(comp, WrightCost) else "time"
    return "product" if basis == "plant" and (plant is None or not plant.shared) else basis


def cost_rates(
    product: Product,
    cal: Calendar,
    production: np.ndarray,
    build_shares: np.ndarray,
    plant: Experience | None,
    first_day: int,
) -> dict[str, dict[str, float | None]]:
    """Per component, the cost of the product's first car in the run (on its launch day,
    ``first_day``) and its last (at the run's end), and the effective change per doubling and
    per year (:func:`sim.core.learning.effective_rates`), at the experience its curve counts,
    with the trim factors (the kWh per car for a per-kWh curve) and the steps in force then.
    The arguments are :func:`product_costs`'s."""
    out = {}
    for name, comp in product.costs.components.items():
        factor = by_day(per_car_factor(product, name, build_shares), cal)
        args = (_basis(comp, plant), production, build_shares, factor, step_by_day(comp, cal))
        out[name] = _rates(product, comp, *args, plant, first_day, cal)
    return out


def _rates(product, comp, basis, production, build_shares, factor, steps, plant, first_day, cal):
    """One component's :func:`cost_rates`."""
    first_day, last_day = min(max(first_day, 0), cal.n_days - 1), cal.n_days - 1
    if basis == "plant":
        first = float(plant.cars[first_day]) + 1.0
        last = float(plant.cars[last_day] + plant.cars_per_day[last_day])
    elif basis == "battery_kwh":
        first = float(plant.kwh[first_day] + _kwh_per_car(product, build_shares, cal)[first_day])
        last = float(plant.kwh[last_day] + plant.kwh_per_day[last_day])
    else:  # the product's own cars (a decline cost reads only the years)
        first = product.initial_experience_units + 1.0
        last = product.initial_experience_units + float(production.sum())
    last = max(last, first)
    y_first, y_last = first_day / DAYS_PER_YEAR, cal.n_days / DAYS_PER_YEAR
    costs = []
    for day, n, years in ((first_day, first, y_first), (last_day, last, y_last)):
        cost = unit_cost_of(comp, n, years) + (0.0 if steps is None else float(steps[day]))
        costs.append(max(cost, 0.0) * float(factor[day]))
    return effective_rates(*costs, first, last, y_last - y_first)


def _kwh_per_car(product: Product, build_shares: np.ndarray, cal: Calendar) -> np.ndarray:
    """The build mix's kWh per car, by day."""
    return by_day(build_shares @ battery_sizes(product), cal)
