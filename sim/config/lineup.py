"""The scenario's line-up: every product under one shape, the first one included.

A scenario describes its first product with its own top-level fields (``launch``, ``demand``,
``price``, ``costs``...) and any further ones under ``products``. :func:`lineup` gives all of
them as :class:`~sim.config.schema.Product` objects, first product first, so the model and the
books never ask which form a product was written in.
"""

from __future__ import annotations

import datetime as dt

from sim.config.schema import Product, Scenario

_CACHE: dict[int, tuple[Scenario, dict[str, Product]]] = {}


def lineup(sc: Scenario) -> dict[str, Product]:
    """Products by name, the first (the scenario's own fields) first."""
    hit = _CACHE.get(id(sc))
    if hit is not None and hit[0] is sc:
        return hit[1]
    first = Product.model_construct(
        launch=sc.launch,
        demand=sc.demand,
        patience=sc.patience,
        price=sc.price,
        costs=sc.costs,
        trims=sc.trims,
        mix=sc.mix,
        battery_kwh=sc.battery_kwh,
        initial_experience_units=sc.factory.initial_experience_units,
    )
    out = {sc.product: first, **sc.products}
    if len(_CACHE) > 64:
        _CACHE.clear()
    _CACHE[id(sc)] = (sc, out)
    return out


def launch_date(sc: Scenario, product: Product) -> dt.date:
    """The day a product launches (the run's start when its launch names no date)."""
    return product.launch.day(sc.start)


def needs_lineup_plant(sc: Scenario) -> bool:
    """More than one product, a launch after the start, or a reservation pool: the plant's
    line-up process; otherwise its single-product one (the same numbers, faster)."""
    if sc.products:
        return True
    la = sc.launch
    return la.day(sc.start) > sc.start or la.reservations_from is not None


def products_of_line(sc: Scenario, line_products: list[str] | None) -> list[str]:
    """The products a line builds, in line-up order."""
    names = list(lineup(sc))
    return names if line_products is None else [n for n in names if n in line_products]


def notes(sc: Scenario) -> list[str]:
    """What a valid scenario does that its author may not expect, one line each (``scaleup
    validate`` and ``scaleup run`` print them): a product launched after the horizon."""
    months = sc.start.year * 12 + sc.start.month - 1 + sc.horizon_months - 1
    last = f"{months // 12:04d}-{months % 12 + 1:02d}"
    out = []
    for name, product in lineup(sc).items():
        day = launch_date(sc, product)
        if f"{day.year:04d}-{day.month:02d}" > last:
            where = "launch.date" if name == sc.product else f"products.{name}.launch.date"
            opens = product.launch.reservations_from
            takes = opens is not None and f"{opens.year:04d}-{opens.month:02d}" <= last
            out.append(
                f"{where}: {name} launches {day.isoformat()}, after the horizon (last month "
                f"{last}): it builds no cars in this run{' (it takes reservations)' * takes}"
            )
    return out
