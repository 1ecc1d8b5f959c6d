"""The company around the car business: other segments, shared opex, interest and tax.

The car (EV) segment's operating result is the books' ``operating_profit`` (its part of the
shared opex included). The company's operating result adds the other segments' gross profit
and takes the rest of the shared opex; interest comes below it, then tax on the pre-tax result
after the losses carried forward from earlier months of the run (none is paid back).
"""

from __future__ import annotations

import numpy as np

from sim.config.schema import Company
from sim.core.calendar import Calendar, schedule_by_month


def income_tax(pretax: np.ndarray, rate: float) -> np.ndarray:
    """Tax per month with losses carried forward: a month's profit is taxed only once the
    losses before it are used up."""
    tax = np.zeros(pretax.size)
    if rate <= 0:
        return tax
    losses = 0.0
    for m, value in enumerate(pretax.tolist()):
        if value <= 0:
            losses += -value
            continue
        used = min(losses, value)
        losses -= used
        tax[m] = rate * (value - used)
    return tax


def company_columns(
    co: Company, cal: Calendar, ev_operating: np.ndarray, ev_shared: np.ndarray
) -> dict[str, np.ndarray]:
    """The company's monthly columns, from the car segment's operating result."""
    other = schedule_by_month(co.other_gross_profit_per_month_usd, cal)
    shared = schedule_by_month(co.shared_opex_per_month_usd, cal)
    rest = shared - ev_shared
    operating = ev_operating + other - rest
    interest = schedule_by_month(co.interest_per_month_usd, cal)
    pretax = operating - interest
    tax = income_tax(pretax, co.tax_rate)
    return {
        "company_other_gross_profit": other,
        "company_shared_opex": rest,
        "company_operating_profit": operating,
        "company_interest": interest,
        "company_pretax_profit": pretax,
        "company_tax": tax,
        "company_net_income": pretax - tax,
    }
