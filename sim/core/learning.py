"""Learning curves: unit cost as cumulative output grows (Wright 1936) or as time passes.

Wright's law, with a floor the cost never goes below:

    c(n) = floor + (c1 - floor) * n^b,    b = log2(progress_ratio).

Two readings of the same formula are offered, and a scenario picks one:

* ``unit`` (Crawford): c(n) is the cost of the n-th car. The cost of the first N cars is the sum
  of c(1..N): exact for the first 100 cars, then the midpoint rule
  ``S(N) = S(100) + ((N + 1/2)^(1+b) - (100.5)^(1+b)) / (1+b)``, which matches the sum to
  better than 0.1 % for any progress ratio (see the unit tests) and works for fractional N.
* ``cumulative_average`` (Wright's own): c(n) is the average cost of the first n cars, so the
  first N cost exactly ``N * c(N)``.

Costs of a batch are differences of these totals, so a month's cost is a pure function of the
cumulative counts at its ends.
"""

from __future__ import annotations

import math

import numpy as np

from sim.config.schema import DeclineCost, WrightCost


def exponent(progress_ratio: float) -> float:
    """Wright's exponent b = log2(progress_ratio) (0 for no learning)."""
    return math.log2(progress_ratio)


def unit_cost(n: np.ndarray | float, first_unit: float, floor: float, progress_ratio: float):
    """c(n) = floor + (c1 - floor) n^b for n >= 1 (n below 1 is read as 1)."""
    n = np.maximum(np.asarray(n, dtype=float), 1.0)
    return floor + (first_unit - floor) * n ** exponent(progress_ratio)


EXACT_UNITS = 100
"""Cars summed one by one before the midpoint rule takes over."""


def _sum_of_powers(n: np.ndarray, b: float) -> np.ndarray:
    """S(N) ~ sum_{k=1..N} k^b, continuous in N.

    Exact (the partial sum, plus a share of the next term for fractional N) up to
    ``EXACT_UNITS``; beyond, the midpoint rule ``integral from K+1/2 to N+1/2 of x^b dx`` adds
    the rest, whose error is negligible there whatever the progress ratio.
    """
    n = np.asarray(n, dtype=float)
    k = np.arange(1, EXACT_UNITS + 1, dtype=float)
    prefix = np.concatenate(([0.0], np.cumsum(k**b)))  # prefix[j] = sum of the first j terms
    whole = np.clip(np.floor(n), 0, EXACT_UNITS).astype(np.int64)
    head = prefix[whole] + (np.minimum(n, EXACT_UNITS) - whole) * (whole + 1.0) ** b
    far = np.maximum(n, EXACT_UNITS) + 0.5
    start = EXACT_UNITS + 0.5
    if abs(1.0 + b) < 1e-12:
        tail = np.log(far / start)
    else:
        tail = (far ** (1.0 + b) - start ** (1.0 + b)) / (1.0 + b)
    return head + tail


def total_cost(n: np.ndarray | float, comp: WrightCost) -> np.ndarray:
    """Cost of the first ``n`` cars under the component's formulation (0 at n = 0)."""
    n = np.maximum(np.asarray(n, dtype=float), 0.0)
    b = exponent(comp.progress_ratio)
    learn = comp.first_unit_usd - comp.floor_usd
    if comp.formulation == "cumulative_average":
        # N * (floor + learn * N^b), read with N^b = 1 below the first car
        return comp.floor_usd * n + learn * np.where(n >= 1.0, n ** (1.0 + b), n)
    return comp.floor_usd * n + learn * _sum_of_powers(n, b)


def marginal_cost(n: np.ndarray | float, comp: WrightCost) -> np.ndarray:
    """Cost of the n-th car (n below 1 is read as 1).

    ``unit``: c(n). ``cumulative_average``: the first n cars cost n c(n), so the n-th one costs
    ``n c(n) - (n - 1) c(n - 1) = floor + learn (n^(1+b) - (n-1)^(1+b))``, written as
    ``-learn n^(1+b) expm1((1+b) log1p(-1/n))`` so that it stays exact for large n.
    """
    n = np.maximum(np.asarray(n, dtype=float), 1.0)
    b = exponent(comp.progress_ratio)
    learn = comp.first_unit_usd - comp.floor_usd
    if comp.formulation == "cumulative_average":
        with np.errstate(divide="ignore"):  # log1p(-1) = -inf at n = 1: expm1 gives -1
            step = -(n ** (1.0 + b)) * np.expm1((1.0 + b) * np.log1p(-1.0 / n))
        return comp.floor_usd + learn * step
    return comp.floor_usd + learn * n**b


def decline_cost(years: np.ndarray | float, comp: DeclineCost) -> np.ndarray:
    """floor + (start - floor) (1 - rate)^years: a cost that falls with time, not with volume."""
    years = np.maximum(np.asarray(years, dtype=float), 0.0)
    return comp.floor_usd + (comp.start_usd - comp.floor_usd) * (1 - comp.decline_per_year) ** years
