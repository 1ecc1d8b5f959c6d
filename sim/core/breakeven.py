"""Break-even metrics from the monthly table. "Not reached" is ``None``, never an error."""

from __future__ import annotations

import numpy as np

from sim.core.books import MIN_CARS


def first_true(mask: np.ndarray) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else None


def first_sustained(mask: np.ndarray, months: int) -> int | None:
    """First month that starts a run of ``months`` consecutive True months within the horizon."""
    mask = np.asarray(mask, dtype=bool)
    if months <= 1:
        return first_true(mask)
    if mask.size < months:
        return None
    runs = np.convolve(mask.astype(int), np.ones(months, dtype=int), mode="valid")
    return first_true(runs == months)


def breakeven_indices(cols: dict[str, np.ndarray], sustain_months: int) -> dict[str, object]:
    """Month indices (0 = the start month) of each break-even, and the capital needed."""
    delivered = cols["deliveries"] >= MIN_CARS
    per_car_ok = delivered & (cols["operating_profit_per_car"] >= 0)
    cash = cols["cumulative_cash"]
    trough = int(np.argmin(cash))
    deficit = float(max(0.0, -cash[trough]))
    if deficit == 0.0:
        payback = 0
    else:
        after = first_true(cash[trough:] >= 0)
        payback = None if after is None else trough + after
    op = first_true(per_car_ok)
    loss = delivered & (cols["operating_profit_per_car"] < 0)
    return {
        "gross_profit": first_true(delivered & (cols["gross_profit"] >= 0)),
        "operating_per_car": op,
        "operating_per_car_sustained": first_sustained(per_car_ok, sustain_months),
        "cash_payback": payback,
        "peak_cash_deficit": deficit,
        "peak_cash_deficit_month": trough if deficit > 0 else None,
        "cumulative_deliveries_at_breakeven": (
            None if op is None else float(cols["cumulative_deliveries"][op])
        ),
        **relapse(loss, op),
    }


def relapse(loss: np.ndarray, first: int | None) -> dict[str, object]:
    """What follows the first break-even month ``first``, from ``loss`` (True in the months that
    deliver cars at an operating loss per car; months without deliveries are neither).

    ``relapse``: first month back below zero after ``first``; ``months_below_zero``: how many
    months after ``first`` are below zero; ``holds``: none is (the break-even holds to the
    horizon); ``profitable_from``: first month from which no month to the horizon is below zero
    (None if the last month is). All None without a break-even.
    """
    if first is None:
        return {"relapse": None, "months_below_zero": None, "holds": None, "profitable_from": None}
    after = np.flatnonzero(np.asarray(loss, dtype=bool)[first + 1 :]) + first + 1
    if after.size == 0:
        return {"relapse": None, "months_below_zero": 0, "holds": True, "profitable_from": first}
    last = int(after[-1])
    return {
        "relapse": int(after[0]),
        "months_below_zero": int(after.size),
        "holds": False,
        "profitable_from": last + 1 if last + 1 < len(loss) else None,
    }
