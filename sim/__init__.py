"""scaleup: a discrete-event simulator of a new car factory's ramp-up and its per-car economics.

    >>> from sim import load_scenario, simulate
    >>> result = simulate(load_scenario())          # the default scenario (Xiaomi SU7, 2024)
    >>> result.monthly, result.quarterly, result.summary

Names are imported on first use, so ``scaleup validate`` and error messages stay quick.
"""

from __future__ import annotations

import importlib

# Nothing is imported here but importlib (already loaded by the interpreter): `python -m sim`
# imports this package before it can install its Ctrl-C handling (sim.__main__), so this file
# must take no time. Hence no `typing` import: the constant below is what typing would give.
TYPE_CHECKING = False

_EXPORTS = {
    "DEFAULT_SCENARIO": "sim.config.load",
    "load_scenario": "sim.config.load",
    "scenario_from_dict": "sim.config.load",
    "Scenario": "sim.config.schema",
    "ConfigError": "sim.errors",
    "EnvironmentFailure": "sim.errors",
    "read_run": "sim.io.rundir",
    "load_sweep": "sim.experiments.plan",
    "run_sweep": "sim.experiments.api",
    "read_sweep": "sim.experiments.api",
    "load_analysis": "sim.analysis.plan",
    "run_sensitivity": "sim.analysis.api",
    "read_sensitivity": "sim.analysis.api",
    "Result": "sim.model.result",
    "simulate": "sim.model.simulate",
}
__all__ = [
    "DEFAULT_SCENARIO",
    "ConfigError",
    "EnvironmentFailure",
    "Result",
    "Scenario",
    "load_analysis",
    "load_scenario",
    "load_sweep",
    "read_run",
    "read_sensitivity",
    "read_sweep",
    "run_sensitivity",
    "run_sweep",
    "scenario_from_dict",
    "simulate",
]

if TYPE_CHECKING:  # pragma: no cover
    from sim.analysis.api import read_sensitivity, run_sensitivity
    from sim.analysis.plan import load_analysis
    from sim.config.load import DEFAULT_SCENARIO, load_scenario, scenario_from_dict
    from sim.config.schema import Scenario
    from sim.errors import ConfigError, EnvironmentFailure
    from sim.experiments.api import read_sweep, run_sweep
    from sim.experiments.plan import load_sweep
    from sim.io.rundir import read_run
    from sim.model.result import Result
    from sim.model.simulate import simulate


def __getattr__(name: str) -> object:
    if name == "__version__":  # read on first use: `python -m sim` imports nothing heavy first
        from sim.version import package_version

        return package_version()
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
