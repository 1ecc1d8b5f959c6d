"""Learning curves against closed forms and explicit sums (sim.core.learning)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.config.schema import DeclineCost, WrightCost
from sim.core.learning import decline_cost, exponent, marginal_cost, total_cost, unit_cost


def wright(pr: float, first: float = 1000.0, floor: float = 0.0, form: str = "unit") -> WrightCost:
    return WrightCost(
        kind="wright",
        first_unit_usd=first,
        floor_usd=floor,
        progress_ratio=pr,
        formulation=form,
    )


def explicit_sum(n: int, first: float, floor: float, pr: float) -> float:
    """sum_{k=1..n} max(floor, first k^log2(pr)), one car at a time."""
    b = math.log2(pr)
    return sum(max(floor, first * k**b) for k in range(1, n + 1))


def test_exponent():
    assert exponent(0.5) == -1.0
    assert exponent(1.0) == 0.0
    assert exponent(0.8) == pytest.approx(math.log(0.8) / math.log(2), rel=1e-15)


def test_wright_unit_cost_values():
    # every doubling multiplies the whole cost by the progress ratio, until the floor clips
    c = unit_cost(np.array([1, 2, 4, 8, 1024]), 10_000.0, 2_000.0, 0.8)
    expected = [10_000, 8_000, 6_400, 5_120]
    np.testing.assert_allclose(c[:4], expected, rtol=1e-12)
    assert 10_000 * 0.8**10 < 2_000 and c[4] == 2_000.0
    # n = 3: 10 000 * 3^log2(0.8) by hand
    assert unit_cost(3, 10_000.0, 2_000.0, 0.8) == pytest.approx(
        10_000 * 3 ** (math.log(0.8) / math.log(2)), rel=1e-12
    )


def test_unit_cost_below_one_car_reads_as_the_first_car():
    np.testing.assert_array_equal(unit_cost(np.array([0.0, 0.5, 1.0]), 500.0, 0.0, 0.7), 500.0)


@pytest.mark.parametrize("form", ["unit", "cumulative_average"])
def test_progress_ratio_one_is_flat(form):
    comp = wright(1.0, first=1234.0, floor=100.0, form=form)
    n = np.array([0.0, 0.5, 1.0, 2.0, 10.0, 1e6])
    np.testing.assert_allclose(unit_cost(n, 1234.0, 100.0, 1.0), 1234.0, rtol=1e-15)
    np.testing.assert_allclose(total_cost(n, comp), 1234.0 * n, rtol=1e-12)
    np.testing.assert_allclose(marginal_cost(n, comp), 1234.0, rtol=1e-15)


@pytest.mark.parametrize("form", ["unit", "cumulative_average"])
def test_total_cost_of_no_car_and_of_the_first_car(form):
    comp = wright(0.86, first=9_000.0, floor=600.0, form=form)
    assert total_cost(0.0, comp) == 0.0
    assert total_cost(1.0, comp) == pytest.approx(9_000.0, rel=1e-15)


@pytest.mark.parametrize("pr", [0.84, 0.86, 0.88, 0.92, 0.95, 0.99])
@pytest.mark.parametrize("floor", [0.0, 600.0])
def test_unit_total_within_0p1_percent_of_the_exact_sum_from_n_10(pr, floor):
    comp = wright(pr, first=9_000.0, floor=floor)
    for n in [10, 11, 17, 50, 100, 1000, 5000]:
        exact = explicit_sum(n, 9_000.0, floor, pr)
        assert float(total_cost(n, comp)) == pytest.approx(exact, rel=1e-3), n


def test_unit_total_within_0p1_percent_of_the_exact_sum_for_steep_progress_ratios():
    # learning.py promises "better than 0.1 % from N = 10 on" for any progress ratio in (0, 1];
    # 0.8 is Wright's own aircraft ratio (facts file), and the schema admits anything above 0.
    misses = []
    for pr in [0.5, 0.7, 0.8]:
        comp = wright(pr, first=9_000.0)
        for n in [10, 20, 50, 100, 1000]:
            exact = explicit_sum(n, 9_000.0, 0.0, pr)
            error = float(total_cost(n, comp)) / exact - 1.0
            if abs(error) > 1e-3:
                misses.append(f"pr={pr} N={n}: {error:+.3%}")
    assert not misses, "; ".join(misses)


def test_unit_total_is_continuous_and_increasing_in_n():
    comp = wright(0.8, first=1000.0, floor=50.0)
    n = np.linspace(0, 50, 5001)
    t = total_cost(n, comp)
    assert np.all(np.diff(t) > 0)
    assert np.max(np.abs(np.diff(t))) < 1000.0 * 0.011  # no jump anywhere (step 0.01 car)


@pytest.mark.parametrize("pr", [0.6, 0.8, 0.9, 1.0])
def test_cumulative_average_total_is_n_times_the_average_until_a_car_costs_the_floor(pr):
    comp = wright(pr, first=5_000.0, floor=1_000.0, form="cumulative_average")
    b = math.log2(pr)
    # one more car costs the slope (1+b) 5000 n^b; it meets the floor of 1,000 at m*
    m_star = (1_000.0 / ((1 + b) * 5_000.0)) ** (1 / b) if b else math.inf
    n = np.array([1.0, 2.0, 3.0, 10.0, 777.0, 1e5])
    on = np.minimum(n, m_star)
    expected = on * 5_000.0 * on**b + 1_000.0 * (n - on)
    np.testing.assert_allclose(total_cost(n, comp), expected, rtol=1e-13)
    below = n <= m_star  # up to m*: N times the curve's average c1 N^b
    np.testing.assert_allclose(
        total_cost(n[below], comp), n[below] * 5_000.0 * n[below] ** b, rtol=1e-13
    )


@pytest.mark.parametrize("pr", [0.7, 0.86, 0.95])
def test_unit_marginal_cost_is_the_step_of_the_total(pr):
    # the unit total is the midpoint rule beyond EXACT_UNITS: a step matches c(n) to 1e-3
    comp = wright(pr, first=9_000.0, floor=600.0)
    n = np.array([1_000.0, 10_000.0, 1e6])
    step = total_cost(n, comp) - total_cost(n - 1, comp)
    np.testing.assert_allclose(step, marginal_cost(n, comp), rtol=1e-3)


def test_cumulative_average_marginal_cost_by_hand():
    # progress ratio 0.8: 2^(1+b) = 1.6, 4^(1+b) = 2.56, 3^(1+b) = 3 * 0.8^log2(3)
    comp = wright(0.8, first=10_000.0, floor=2_000.0, form="cumulative_average")
    # (the floor of 2,000 is far: the average meets it after (1/5)^(1/b) ~ 149 cars)
    b1 = 3 * 0.8 ** math.log2(3)
    m = marginal_cost(np.array([0.5, 1.0, 2.0, 3.0, 4.0]), comp)
    expected = [10_000.0, 10_000.0, 10_000 * 0.6, 10_000 * (b1 - 1.6)]
    expected.append(10_000 * (2.56 - b1))
    np.testing.assert_allclose(m, expected, rtol=1e-12)
    # the first two cars cost 2 * c(2) = 2 * 8000 = 16,000: 10,000 + 6,000
    assert m[1] + m[2] == pytest.approx(16_000.0, rel=1e-12)


@pytest.mark.parametrize("pr", [0.6, 0.8, 0.95])
def test_cumulative_average_marginal_cost_is_the_exact_step_of_the_total(pr):
    # not the derivative of the total, which the old version returned (off by ~b/(2n))
    comp = wright(pr, first=9_000.0, floor=600.0, form="cumulative_average")
    n = np.array([2.0, 3.0, 10.0, 1_000.0, 1e5])
    step = total_cost(n, comp) - total_cost(n - 1, comp)
    np.testing.assert_allclose(marginal_cost(n, comp), step, rtol=1e-9)
    # past the floor every car costs the floor
    np.testing.assert_array_equal(marginal_cost(np.array([1e20, 1e30]), comp), 600.0)
    # with no floor, far out the step tends to the slope c1 (1+b) n^b (where n^(1+b) -
    # (n-1)^(1+b) written as a plain difference would have lost every digit)
    free = wright(pr, first=9_000.0, floor=0.0, form="cumulative_average")
    b = math.log2(pr)
    far = np.array([1e12, 1e30])
    np.testing.assert_allclose(marginal_cost(far, free), 9_000.0 * (1 + b) * far**b, rtol=1e-9)


def test_marginal_cost_falls_to_the_floor():
    comp = wright(0.8, first=9_000.0, floor=600.0)
    m = marginal_cost(np.array([1.0, 10.0, 1e3, 1e40]), comp)
    assert m[0] == pytest.approx(9_000.0, rel=1e-12)
    assert np.all(np.diff(m) < 0)
    assert m[-1] == pytest.approx(600.0, rel=1e-6)


def test_annual_decline_closed_form_with_floor():
    comp = DeclineCost(
        kind="annual_decline", start_usd=8_000, decline_per_year=0.08, floor_usd=5_000
    )
    years = np.array([-1.0, 0.0, 0.5, 1.0, 2.0, 200.0])
    # 8 % a year of the whole cost, clipped at the floor (reached after ln(5/8)/ln(0.92) years)
    expected = [8_000, 8_000, 8_000 * 0.92**0.5, 8_000 * 0.92, 8_000 * 0.92**2]
    got = decline_cost(years, comp)
    np.testing.assert_allclose(got[:5], expected, rtol=1e-12)
    assert got[5] == 5_000.0
    crossing = math.log(5 / 8) / math.log(0.92)
    assert decline_cost(crossing - 0.01, comp) > 5_000 == decline_cost(crossing + 0.01, comp)


def test_annual_decline_of_zero_is_flat():
    comp = DeclineCost(kind="annual_decline", start_usd=1_100)
    np.testing.assert_array_equal(decline_cost(np.array([0.0, 3.0, 50.0]), comp), 1_100.0)


def test_a_car_past_a_fractional_floor_unit_costs_the_floor():
    # c(n) = 1000 n^b with progress 0.375 (b = log2 0.375): c(2) = 375 is under the 500 floor,
    # so n* = 1.63 and car 2 on costs the floor: the first 3 cars cost 1000 + 2 x 500, and 2.5
    # cars 1000 + 1.5 x 500 (never a share of car 2 at 375)
    comp = WrightCost(kind="wright", first_unit_usd=1000, floor_usd=500, progress_ratio=0.375)
    assert total_cost(3.0, comp) == pytest.approx(2000.0)
    assert total_cost(2.5, comp) == pytest.approx(1750.0)
    assert total_cost(1.5, comp) == pytest.approx(1250.0)
