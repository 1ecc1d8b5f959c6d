"""Figures of a run or a sweep: pure functions of the result tables returning matplotlib Figures.

>>> from sim import load_scenario, simulate
>>> from sim.plots import per_car_profit, save_figure
>>> r = simulate(load_scenario())
>>> save_figure(per_car_profit(r.monthly, r.summary["breakeven"]), "figs/per_car")

A line-up (``Result.products_monthly``): :func:`deliveries_by_product`,
:func:`unit_cost_by_product`. Sweeps (tables of :func:`sim.experiments.read_sweep`):
:func:`profit_bands`, :func:`fan_chart`, :func:`breakeven_distribution`,
:func:`breakeven_heatmap`; sensitivity: :func:`tornado`, :func:`sobol_indices`.
"""

from sim.plots.run import (
    cash,
    deliveries_by_product,
    operations,
    per_car_profit,
    unit_cost,
    unit_cost_by_product,
)
from sim.plots.save import save_figure
from sim.plots.sensitivity import breakeven_heatmap, sobol_indices, tornado
from sim.plots.sweep import breakeven_distribution, fan_chart, profit_bands

__all__ = [
    "breakeven_distribution",
    "breakeven_heatmap",
    "cash",
    "deliveries_by_product",
    "fan_chart",
    "operations",
    "per_car_profit",
    "profit_bands",
    "save_figure",
    "sobol_indices",
    "tornado",
    "unit_cost",
    "unit_cost_by_product",
]
