"""Learning curves: unit cost as cumulative output grows (Wright 1936) or as time passes.

Wright's law, with a floor the cost never goes below:

    c(n) = max(floor, c1 * n^b),    b = log2(progress_ratio).

The rate applies to the whole cost and the floor clips: every doubling of cumulative output
multiplies the cost by ``progress_ratio`` until it reaches the floor, where it stays. So a
progress ratio means what the literature means by it (the cost fall per doubling of the whole
item, e.g. 0.84-0.88 for automotive assembly) and can be set from it as cited; the same holds
for :func:`decline_cost`, whose rate is the fall per year of the whole cost. (The other reading,
"the rate applies to the part above the floor", makes a cited rate mean less than it says: a
ratio of 0.86 on a cost three times its floor lowers the whole cost by only 0.91 per doubling.)

Two readings of the same formula are offered, and a scenario picks one:

* ``unit`` (Crawford): c(n) is the cost of the n-th car. Up to the unit where the curve meets
  the floor, ``n* = (floor / c1)^(1/b)``, the first N cars cost ``c1 S(N)``, with ``S(N)`` the
  sum of k^b for k = 1..N: exact for the first 100 cars, then the midpoint rule
  ``S(N) = S(100) + ((N + 1/2)^(1+b) - (100.5)^(1+b)) / (1+b)``, which matches the sum to
  better than 0.1 % for any progress ratio (see the unit tests) and works for fractional N;
  every car after ``n*`` costs the floor: ``C(N) = c1 S(min(N, n*)) + floor max(N - n*, 0)``.
* ``cumulative_average`` (Wright's own): ``c1 n^b`` is the average cost of the first n cars,
  so the first N cost ``c1 N^(1+b)``, until the cost of one more car (the slope
  ``(1+b) c1 N^b``) reaches the floor at ``m* = (floor / ((1+b) c1))^(1/b)``; every car after
  that costs the floor: ``C(N) = c1 min(N, m*)^(1+b) + floor max(N - m*, 0)``. The floor clips
  the cost of a car, as in the ``unit`` reading, so a better progress ratio never makes a car
  dearer (clipping the *average* instead would make the n-th car's cost jump up to the floor
  where the average meets it, earlier for a better curve).

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
    """c(n) = max(floor, c1 n^b) for n >= 1 (n below 1 is read as 1)."""
    n = np.maximum(np.asarray(n, dtype=float), 1.0)
    return np.maximum(floor, first_unit * n ** exponent(progress_ratio))


def floor_unit(comp: WrightCost) -> float:
    """n* where c1 n^b meets the floor (``inf`` when it never does; 1 when c1 is the floor)."""
    b = exponent(comp.progress_ratio)
    if comp.floor_usd <= 0 or b == 0:
        return 1.0 if comp.floor_usd >= comp.first_unit_usd else math.inf
    log_star = math.log(comp.floor_usd / comp.first_unit_usd) / b
    return math.exp(log_star) if 0.0 < log_star < 700.0 else (1.0 if log_star <= 0 else math.inf)


def average_floor_unit(comp: WrightCost) -> float:
    """m*, where the cost of one more car under the cumulative-average curve, ``(1+b) c1 m^b``,
    meets the floor (``inf`` when it never does; 1 when the first car is already at it)."""
    b = exponent(comp.progress_ratio)
    slope = (1.0 + b) * comp.first_unit_usd
    if comp.floor_usd <= 0 or b == 0:
        return 1.0 if comp.floor_usd >= comp.first_unit_usd else math.inf
    if comp.floor_usd >= slope:
        return 1.0
    log_star = math.log(comp.floor_usd / slope) / b
    return math.exp(log_star) if log_star < 700.0 else math.inf


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
    c1, floor = comp.first_unit_usd, comp.floor_usd
    star = floor_unit(comp)
    if comp.formulation == "cumulative_average":
        # c1 N^(1+b) up to m* (read as c1 N below the first car), then the floor per car
        m_star = average_floor_unit(comp)
        on = np.minimum(n, m_star)
        curve = c1 * np.where(on >= 1.0, on, 1.0) ** b * on
        return curve + floor * (n - on)
    # cars summed one by one cost max(floor, c(k)): those past a fractional n* cost the floor
    # (a share of car ceil(n*) at c(ceil(n*)) < floor would make a better curve dearer)
    cut = math.floor(star) if star <= EXACT_UNITS else star
    learning = np.minimum(n, cut)
    return c1 * _sum_of_powers(learning, b) + floor * (n - learning)


def marginal_cost(n: np.ndarray | float, comp: WrightCost) -> np.ndarray:
    """Cost of the n-th car (n below 1 is read as 1).

    ``unit``: c(n). ``cumulative_average``: the first n cars cost n c(n), so the n-th one costs
    ``n c(n) - (n - 1) c(n - 1)``: on the curve ``c1 (n^(1+b) - (n-1)^(1+b))``, written as
    ``-c1 n^(1+b) expm1((1+b) log1p(-1/n))`` so that it stays exact for large n; the floor once
    both n - 1 and n are past ``m*``; the plain difference across ``m*``.
    """
    n = np.maximum(np.asarray(n, dtype=float), 1.0)
    b = exponent(comp.progress_ratio)
    if comp.formulation != "cumulative_average":
        return np.maximum(comp.floor_usd, comp.first_unit_usd * n**b)
    star = average_floor_unit(comp)
    with np.errstate(divide="ignore"):  # log1p(-1) = -inf at n = 1: expm1 gives -1
        step = -comp.first_unit_usd * n ** (1.0 + b) * np.expm1((1.0 + b) * np.log1p(-1.0 / n))
    across = total_cost(n, comp) - total_cost(n - 1.0, comp)
    return np.where(n <= star, step, np.where(n - 1.0 >= star, comp.floor_usd, across))


def decline_cost(years: np.ndarray | float, comp: DeclineCost) -> np.ndarray:
    """max(floor, start (1 - rate)^years): a cost that falls with time, not with volume."""
    years = np.maximum(np.asarray(years, dtype=float), 0.0)
    return np.maximum(comp.floor_usd, comp.start_usd * (1 - comp.decline_per_year) ** years)


def unit_cost_of(comp: WrightCost | DeclineCost, n: float, years: float) -> float:
    """The cost of one car: the n-th car of a Wright curve, or a car built ``years`` in."""
    if isinstance(comp, DeclineCost):
        return float(decline_cost(years, comp))
    return float(marginal_cost(n, comp))


def effective_rates(
    c_first: float, c_last: float, first: float, last: float, years: float
) -> dict[str, float | None]:
    """What a component's cost did over a run: the change per doubling and per year.

    ``c_first`` and ``c_last`` are the costs of the first and last car, built at experience
    ``first`` and ``last`` (counted in the curve's own units, pilot builds included) and
    ``years`` apart: ``(c_last / c_first)^(1/k) - 1`` with ``k`` the doublings
    ``log2(last / first)`` or the years. ``None`` when there is no span (no doubling, no time)
    or no cost. -0.14 per doubling is a progress ratio of 0.86.
    """
    out: dict[str, float | None] = {
        "unit_cost_first_usd": c_first,
        "unit_cost_last_usd": c_last,
        "per_doubling": None,
        "per_year": None,
    }
    if c_first <= 0 or c_last <= 0:
        return out
    ratio = c_last / c_first
    if first >= 1 and last > first:
        out["per_doubling"] = ratio ** (1.0 / math.log2(last / first)) - 1.0
    if years > 0:
        out["per_year"] = ratio ** (1.0 / years) - 1.0
    return out
