"""Trims and their mix, month by month (pure).

A product without trims is one implicit trim named after nothing (``""``) at the product's
``price.asp_usd``, its ``battery_kwh`` and cost factors of 1. With trims, each month has a share
per trim (``mix.shares``, then the dated ``changes``); the month's list price is the
share-weighted price, and a cost component's factor per car is the share-weighted factor (times
the battery size for a component priced per kWh).
"""

from __future__ import annotations

import numpy as np

from sim.config.schema import Product, WrightCost
from sim.core.calendar import Calendar, schedule_by_month

PLAIN = ""
"""The trim name of a product without trims."""


def trim_names(product: Product) -> list[str]:
    return list(product.trims) or [PLAIN]


def shares(product: Product, cal: Calendar) -> np.ndarray:
    """Share of each trim (columns, in :func:`trim_names` order) per month (rows)."""
    names = trim_names(product)
    out = np.zeros((cal.months, len(names)))
    mix = product.mix
    if mix is None:  # no trims, or one trim
        out[:, 0] = 1.0
        return out
    steps = [(None, mix.shares), *sorted(mix.changes.items())]
    for date, values in steps:
        row = np.array([values.get(n, 0.0) for n in names])
        row = row / row.sum()  # sums to 1 within 1e-6: make it exact
        out[0 if date is None else max(cal.month_of(date), 0) :] = row
    return out


def trim_prices(product: Product, cal: Calendar) -> np.ndarray:
    """Price per car of each trim (columns) per month (rows)."""
    if not product.trims:
        return schedule_by_month(product.price.asp_usd, cal)[:, None]
    return np.column_stack([schedule_by_month(t.price_usd, cal) for t in product.trims.values()])


def list_price(product: Product, cal: Calendar) -> np.ndarray:
    """The month's share-weighted list price (the product's ASP without trims)."""
    if not product.trims:
        return schedule_by_month(product.price.asp_usd, cal)
    return (shares(product, cal) * trim_prices(product, cal)).sum(axis=1)


def battery_kwh(product: Product, trim: str) -> float:
    """kWh of one car of ``trim`` (its own, else the product's)."""
    t = product.trims.get(trim)
    return product.battery_kwh if t is None or t.battery_kwh is None else t.battery_kwh


def battery_sizes(product: Product) -> np.ndarray:
    """kWh per car of each trim."""
    return np.array([battery_kwh(product, t) for t in trim_names(product)])


def trim_factor(product: Product, trim: str, component: str) -> float:
    """One car of ``trim``: the factor on a component's curve (times its kWh when priced per
    kWh)."""
    comp = product.costs.components[component]
    t = product.trims.get(trim)
    factor = 1.0 if t is None else t.cost_factors.get(component, 1.0)
    if isinstance(comp, WrightCost) and comp.experience == "battery_kwh":
        factor *= battery_kwh(product, trim)
    return factor


def per_car_factor(product: Product, component: str, share_rows: np.ndarray) -> np.ndarray:
    """Per row of trim shares: the share-weighted :func:`trim_factor`."""
    return share_rows @ np.array([trim_factor(product, t, component) for t in trim_names(product)])


def elasticity_factor(product: Product, cal: Calendar, launch_month: int) -> np.ndarray:
    """Per month: ``(price / launch price) ^ elasticity``, the multiplier on order intake."""
    e = product.price.elasticity
    if e == 0:
        return np.ones(cal.months)
    price = list_price(product, cal)
    ref = price[min(max(launch_month, 0), cal.months - 1)]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(ref > 0, price / ref, 1.0)
    return np.where(ratio > 0, ratio, 1.0) ** e
