"""Experiments at scale: variants, grids and samples, replicated with common random numbers.

>>> from sim.experiments import load_sweep, run_sweep
>>> plan = load_sweep("configs/sweeps/ramps.yaml")      # checked; nothing runs or is written
>>> res = run_sweep(plan, executor="processes")          # or "serial", or "dask"
>>> res.comparison, res.points, res.runs, res.bands

Importing this package starts nothing (no pool, no cluster, no Dask import).
"""

from sim.experiments.api import SweepResult, read_sweep, run_sweep
from sim.experiments.plan import SweepPlan, load_sweep, replication_seed
from sim.experiments.runner import Task, run_task

__all__ = [
    "SweepPlan",
    "SweepResult",
    "Task",
    "load_sweep",
    "read_sweep",
    "replication_seed",
    "run_sweep",
    "run_task",
]
