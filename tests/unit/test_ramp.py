"""Ramp curves against their closed forms (sim.core.ramp)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.config.schema import LinearRamp, LogisticRamp, StepRamp, TableRamp
from sim.core.ramp import logistic_fraction, ramp_share

MONTH = 365.25 / 12  # days in an average month: ramp durations are in these


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


@pytest.mark.parametrize("steepness", [0.5, 4.0, 8.0, 20.0, 50.0])
def test_logistic_fraction_hits_both_ends_and_the_middle(steepness):
    g = logistic_fraction(np.array([0.0, 0.5, 1.0]), steepness)
    assert g[0] == 0.0
    assert g[1] == pytest.approx(0.5, abs=1e-12)
    assert g[2] == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("x", [0.1, 0.25, 0.8])
def test_logistic_fraction_matches_the_normalised_sigmoid(x):
    k = 8.0
    lo, hi = sigmoid(-k / 2), sigmoid(k / 2)
    expected = (sigmoid(k * (x - 0.5)) - lo) / (hi - lo)
    assert logistic_fraction(np.array([x]), k)[0] == pytest.approx(expected, rel=1e-12)


def test_logistic_ramp_initial_at_zero_peak_at_T_midpoint_between():
    ramp = LogisticRamp(kind="logistic", months=8, initial_share=0.85, peak_share=1.6)
    span = 8 * MONTH
    s = ramp_share(ramp, np.array([0.0, span / 2, span, 2 * span, 1e5]))
    assert s[0] == 0.85
    assert s[1] == pytest.approx((0.85 + 1.6) / 2, rel=1e-12)
    assert s[2] == pytest.approx(1.6, rel=1e-12)
    assert s[3] == pytest.approx(1.6, rel=1e-12)  # holds after the ramp
    assert s[4] == pytest.approx(1.6, rel=1e-12)


@pytest.mark.parametrize(("initial", "peak"), [(0.0, 1.0), (0.2, 1.0), (0.85, 1.6), (0.0, 3.0)])
def test_logistic_ramp_is_monotone(initial, peak):
    ramp = LogisticRamp(kind="logistic", months=6, initial_share=initial, peak_share=peak)
    s = ramp_share(ramp, np.linspace(0, 12 * MONTH, 2001))
    assert np.all(np.diff(s) >= -1e-15)
    assert s.min() >= initial - 1e-15 and s.max() <= peak + 1e-12


def test_linear_ramp():
    ramp = LinearRamp(kind="linear", months=10, initial_share=0.2, peak_share=1.2)
    span = 10 * MONTH
    s = ramp_share(ramp, np.array([0.0, span / 4, span / 2, span, 3 * span]))
    np.testing.assert_allclose(s, [0.2, 0.2 + 0.25, 0.7, 1.2, 1.2], rtol=1e-12)


def test_step_ramp_jumps_at_T():
    ramp = StepRamp(kind="step", months=2, initial_share=0.3, peak_share=1.5)
    span = 2 * MONTH
    s = ramp_share(ramp, np.array([0.0, span - 0.5, span, span + 100]))
    np.testing.assert_array_equal(s, [0.3, 0.3, 1.5, 1.5])


def test_step_ramp_of_zero_months_is_peak_from_day_zero():
    ramp = StepRamp(kind="step", months=0, initial_share=0.0, peak_share=1.0)
    np.testing.assert_array_equal(ramp_share(ramp, np.arange(5.0)), np.ones(5))


def test_table_ramp_indexes_average_months_and_holds_the_last_value():
    ramp = TableRamp(kind="table", shares=[0.1, 0.5, 0.9])
    # month k of the line covers days [k * 30.4375, (k + 1) * 30.4375)
    t = np.array([0.0, 30.0, 30.4375, 31.0, 2 * MONTH - 0.01, 2 * MONTH, 90.0, 1000.0])
    np.testing.assert_array_equal(ramp_share(ramp, t), [0.1, 0.1, 0.5, 0.5, 0.5, 0.9, 0.9, 0.9])


@pytest.mark.parametrize(
    "ramp",
    [
        LogisticRamp(kind="logistic", months=3, initial_share=0.5),
        LinearRamp(kind="linear", months=3, initial_share=0.5),
        StepRamp(kind="step", months=0, initial_share=0.5),
        TableRamp(kind="table", shares=[0.7, 1.0]),
    ],
    ids=["logistic", "linear", "step", "table"],
)
def test_every_ramp_is_zero_before_the_start(ramp):
    s = ramp_share(ramp, np.array([-400.0, -1.0, -1e-9, 0.0]))
    np.testing.assert_array_equal(s[:3], [0.0, 0.0, 0.0])
    assert s[3] > 0
