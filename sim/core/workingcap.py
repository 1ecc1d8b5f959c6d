"""Working capital and the cash flow statement: pure functions of the daily flows.

Balances at each month end (USD):

* ``inventory_value``: product cost of the cars built (or held as pilot stock) and not yet
  delivered; ``in_transit_value`` is the part allocated to an order and on its way;
* ``payables``: component costs of the cars built in the last ``payables_days`` (per
  component), not yet paid to suppliers;
* ``receivables``: price less deposit of the cars delivered in the last ``receivables_days``;
* ``deposit_liability``: deposits held for orders not yet delivered nor cancelled, i.e.
  ``deposit x backlog`` (released at delivery, or as breakage when the order cancels).

``working_capital = inventory_value + receivables - payables - deposit_liability`` and the cash
flow splits into ``operating = operating_profit + depreciation``, ``working capital = minus the
rise in working capital`` and ``investing = -capex``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.config.schema import Scenario


def trailing_sum(cumulative: np.ndarray, ends: np.ndarray, days: float) -> np.ndarray:
    """Flow over the ``days`` before each time in ``ends``.

    ``cumulative[d]`` is the flow of days ``0..d-1`` (so ``cumulative[0] = 0``), spread evenly
    within each day; nothing flowed before day 0. ``days`` may be fractional.
    """
    grid = np.arange(cumulative.size, dtype=float)
    ends = np.asarray(ends, dtype=float)
    return cumulative[ends.astype(np.int64)] - np.interp(ends - days, grid, cumulative, left=0.0)


def payables(sc: Scenario, purchases: dict[str, np.ndarray], ends: np.ndarray) -> np.ndarray:
    """Supplier payables at each month end from each component's cumulative daily purchases."""
    wc = sc.working_capital
    out = np.zeros(ends.size)
    for name, cumulative in purchases.items():
        days = wc.payables_days_by_component.get(name, wc.payables_days)
        if days > 0:
            out += trailing_sum(cumulative, ends, days)
    return out


def receivables(
    sc: Scenario,
    deliveries_daily: np.ndarray,
    price_daily: np.ndarray,
    ends: np.ndarray,
    deposit: float,
) -> np.ndarray:
    """Receivables at each month end: price less deposit of the cars delivered lately."""
    days = sc.working_capital.receivables_days
    if days <= 0:
        return np.zeros(ends.size)
    due = deliveries_daily * np.maximum(price_daily - deposit, 0.0)
    return trailing_sum(np.concatenate(([0.0], np.cumsum(due))), ends, days)


def cash_flows(cols: dict[str, np.ndarray], opening_inventory: float) -> dict[str, np.ndarray]:
    """Net working capital, the three cash flows and cumulative cash, from the books' columns.

    ``opening_inventory`` is the value of the stock held at the start (0 when it is paid
    within the run).
    """
    wc = (
        cols["inventory_value"] + cols["receivables"] - cols["payables"] - cols["deposit_liability"]
    )
    operating = cols["operating_profit"] + cols["cogs_depreciation"]
    change = np.diff(wc, prepend=opening_inventory)
    investing = -cols["capex"]
    cash = operating - change + investing
    return {
        "working_capital": wc,
        "cash_flow_operating": operating,
        "cash_flow_working_capital": -change,
        "cash_flow_investing": investing,
        "cash_flow": cash,
        "cumulative_cash": np.cumsum(cash),
        "cumulative_cash_without_working_capital": np.cumsum(operating + investing),
    }


def capital_summary(cols: dict[str, np.ndarray]) -> dict[str, Any]:
    """Capital needed (minus the lowest cumulative cash, 0 if never below) with and without
    working capital, and the month index of each trough (None when cash never dips)."""
    out: dict[str, Any] = {}
    for key, column in (
        ("capital_needed", "cumulative_cash"),
        ("capital_needed_without_working_capital", "cumulative_cash_without_working_capital"),
    ):
        cash = cols[column]
        trough = int(np.argmin(cash))
        deficit = float(max(0.0, -cash[trough]))
        out[key] = deficit
        out[f"{key}_month"] = trough if deficit > 0 else None
    return out
