"""Expected order intake per month (Bass 1969 diffusion, a constant rate, or a table)."""

from __future__ import annotations

from sim.config.schema import BassDemand, ConstantDemand, Demand, TableDemand


def bass_next(p: float, q: float, market: float, cumulative: float) -> float:
    """Discrete Bass: adopters next month = (p + q N/M) (M - N), within [0, M - N].

    The cap matters only for extreme coefficients (p + q N/M above 1), where the discrete step
    would otherwise overshoot the market.
    """
    remaining = market - cumulative
    if remaining <= 0:
        return 0.0
    return min((p + q * cumulative / market) * remaining, remaining)


def expected_intake(demand: Demand, month: int, cumulative_orders: float) -> float:
    """Mean orders in month ``month`` (0 = the start month) given the orders taken so far."""
    if isinstance(demand, ConstantDemand):
        return demand.orders_per_month
    if isinstance(demand, TableDemand):
        table = demand.orders_per_month
        return table[min(month, len(table) - 1)]
    if isinstance(demand, BassDemand):
        return bass_next(demand.p, demand.q, demand.market_size, cumulative_orders)
    raise TypeError(f"unknown demand {demand!r}")  # pragma: no cover
