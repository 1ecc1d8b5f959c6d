"""Sensitivity of the break-even month and the capital needed: one at a time and Sobol.

>>> from sim.analysis import load_analysis, run_sensitivity
>>> analysis = load_analysis()          # checked; nothing runs or is written
>>> res = run_sensitivity(executor="processes")
>>> res.oat, res.sobol                  # oat.csv and sobol.csv as DataFrames

Both analyses run through :mod:`sim.experiments` (same executors, same resumable store).
Importing this package starts nothing and does not import SALib.
"""

from sim.analysis.api import RunsFailed, SensitivityResult, read_sensitivity, run_sensitivity
from sim.analysis.oat import oat_table
from sim.analysis.plan import Analysis, load_analysis
from sim.analysis.sobol import model_outputs, sobol_table
from sim.analysis.spec import SensitivitySpec, spec_from_dict

__all__ = [
    "Analysis",
    "RunsFailed",
    "SensitivityResult",
    "SensitivitySpec",
    "load_analysis",
    "model_outputs",
    "oat_table",
    "read_sensitivity",
    "run_sensitivity",
    "sobol_table",
    "spec_from_dict",
]
