"""Break-even helpers (sim.core.breakeven)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core.breakeven import breakeven_indices, first_sustained, first_true

T, F = True, False


@pytest.mark.parametrize(
    ("mask", "expected"),
    [([], None), ([F, F], None), ([T], 0), ([F, F, T, F, T], 2)],
)
def test_first_true(mask, expected):
    assert first_true(np.array(mask, dtype=bool)) == expected


@pytest.mark.parametrize(
    ("mask", "months", "expected"),
    [
        ([F, T, T, T], 3, 1),
        ([T, F, T, T, T, F], 3, 2),
        ([F, T, F, T, T], 3, None),  # the run at the end is shorter than 3: not reached
        ([F, F, F, T, T], 3, None),
        ([T, T], 3, None),  # the horizon itself is shorter than the run asked for
        ([], 3, None),
        ([T, T, T], 3, 0),  # a run that ends exactly at the horizon counts
        ([F, T, F], 1, 1),  # one month = first_true
        ([F, F, T], 0, 2),
    ],
)
def test_first_sustained(mask, months, expected):
    assert first_sustained(np.array(mask, dtype=bool), months) == expected


def cols(deliveries, op, gross, cash) -> dict[str, np.ndarray]:
    deliveries = np.asarray(deliveries, dtype=float)
    op = np.asarray(op, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_car = np.where(deliveries > 0, op / deliveries, np.nan)
    return {
        "deliveries": deliveries,
        "operating_profit_per_car": per_car,
        "gross_profit": np.asarray(gross, dtype=float),
        "cumulative_cash": np.cumsum(cash, dtype=float),
        "cumulative_deliveries": np.cumsum(deliveries),
    }


def test_breakeven_indices_by_hand():
    c = cols(
        deliveries=[0, 10, 20, 30, 40, 50],
        op=[-5, -3, 1, -1, 2, 3],
        gross=[1, -1, 2, 3, 4, 5],
        cash=[-10, -5, 4, 6, 3, 9],  # cumulative -10, -15, -11, -5, -2, 7
    )
    idx = breakeven_indices(c, sustain_months=2)
    assert idx["gross_profit"] == 2  # month 0 has no deliveries
    assert idx["operating_per_car"] == 2
    assert idx["operating_per_car_sustained"] == 4
    assert idx["peak_cash_deficit"] == 15.0
    assert idx["peak_cash_deficit_month"] == 1
    assert idx["cash_payback"] == 5
    assert idx["cumulative_deliveries_at_breakeven"] == 30.0


def test_breakeven_never_reached_is_none():
    c = cols(deliveries=[0, 5, 5], op=[-1, -1, -1], gross=[-1, -1, -1], cash=[-1, -1, 0.5])
    idx = breakeven_indices(c, sustain_months=3)
    assert idx["gross_profit"] is None
    assert idx["operating_per_car"] is None
    assert idx["operating_per_car_sustained"] is None
    assert idx["cash_payback"] is None  # cumulative -1, -2, -1.5
    assert idx["cumulative_deliveries_at_breakeven"] is None


def test_cash_never_below_zero_pays_back_at_once():
    c = cols(deliveries=[1, 1], op=[1, 1], gross=[1, 1], cash=[0.0, 2.0])
    idx = breakeven_indices(c, sustain_months=1)
    assert idx["peak_cash_deficit"] == 0.0
    assert idx["peak_cash_deficit_month"] is None
    assert idx["cash_payback"] == 0
