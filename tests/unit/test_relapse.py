"""What follows the first break-even (sim.core.breakeven.relapse), on small arrays by hand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.core.breakeven import breakeven_indices, relapse

T, F = True, False


@pytest.mark.parametrize(
    ("loss", "first", "expected"),
    [
        # no break-even: nothing to say
        ([T, T, T], None, (None, None, None, None)),
        # break-even in month 1, never lost again
        ([T, F, F, F], 1, (None, 0, True, 1)),
        # lost in month 3 only: one month below zero, profitable from month 4
        ([T, F, F, T, F], 1, (3, 1, False, 4)),
        # lost in months 2 and 4, and again in the last month: never profitable to the end
        ([T, F, T, F, T, F, T], 1, (2, 3, False, None)),
        # the month of the break-even itself is not "after" it
        ([F, F, F], 0, (None, 0, True, 0)),
    ],
)
def test_relapse_by_hand(loss, first, expected):
    out = relapse(np.array(loss, dtype=bool), first)
    keys = ("relapse", "months_below_zero", "holds", "profitable_from")
    assert tuple(out[k] for k in keys) == expected


def test_the_default_shape_in_breakeven_indices():
    """Per car -9k, 30, -400, -1k, 200, 300, -500, 800 with deliveries each month, except
    month 5 (none delivered: not a loss, whatever its per-car value reads)."""
    per_car = np.array([-9000.0, 30.0, -400.0, -1000.0, 200.0, -300.0, -500.0, 800.0])
    deliveries = np.array([10.0, 20.0, 20.0, 20.0, 30.0, 0.0, 30.0, 30.0])
    cols = {
        "deliveries": deliveries,
        "operating_profit_per_car": per_car,
        "gross_profit": np.ones(8),
        "cumulative_cash": np.linspace(-5.0, 2.0, 8),
        "cumulative_deliveries": np.cumsum(deliveries),
    }
    be = breakeven_indices(cols, 2)
    assert be["operating_per_car"] == 1
    assert be["operating_per_car_sustained"] is None  # 200 then a month without deliveries
    assert (be["relapse"], be["months_below_zero"], be["holds"]) == (2, 3, False)
    assert be["profitable_from"] == 7


@given(st.lists(st.booleans(), min_size=1, max_size=40), st.data())
def test_relapse_invariants(loss, data):
    first = data.draw(st.integers(0, len(loss) - 1))
    mask = np.array(loss, dtype=bool)
    out = relapse(mask, first)
    assert out["months_below_zero"] == int(mask[first + 1 :].sum())
    assert out["holds"] == (out["months_below_zero"] == 0)
    if out["profitable_from"] is not None:
        assert not mask[max(out["profitable_from"], first + 1) :].any()
        assert out["profitable_from"] >= first
    else:
        assert mask[-1] and len(mask) - 1 > first
