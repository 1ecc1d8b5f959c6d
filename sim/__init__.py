"""scaleup: a discrete-event simulator of a new car factory's ramp-up and its per-car economics.

>>> from sim import load_scenario, simulate
>>> result = simulate(load_scenario())          # the default scenario (Xiaomi SU7, 2024)
>>> result.monthly, result.quarterly, result.summary
"""

from sim.config.load import DEFAULT_SCENARIO, load_scenario, scenario_from_dict
from sim.config.schema import Scenario
from sim.errors import ConfigError
from sim.model.result import Result
from sim.model.simulate import simulate

__all__ = [
    "DEFAULT_SCENARIO",
    "ConfigError",
    "Result",
    "Scenario",
    "load_scenario",
    "scenario_from_dict",
    "simulate",
]
__version__ = "0.1.0"
