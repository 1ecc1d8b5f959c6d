"""Figures of a run: pure functions of the result tables returning matplotlib Figures.

>>> from sim import load_scenario, simulate
>>> from sim.plots import per_car_profit, save_figure
>>> r = simulate(load_scenario())
>>> save_figure(per_car_profit(r.monthly, r.summary["breakeven"]), "figs/per_car")
"""

from sim.plots.run import cash, operations, per_car_profit, unit_cost
from sim.plots.save import save_figure

__all__ = ["cash", "operations", "per_car_profit", "save_figure", "unit_cost"]
