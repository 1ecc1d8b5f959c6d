"""scaleup: a discrete-event simulator of a new car factory's ramp-up and its per-car economics.

    >>> from sim import load_scenario, simulate
    >>> result = simulate(load_scenario())          # the default scenario (Xiaomi SU7, 2024)
    >>> result.monthly, result.quarterly, result.summary

Names are imported on first use, so ``scaleup validate`` and error messages stay quick.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "DEFAULT_SCENARIO": "sim.config.load",
    "load_scenario": "sim.config.load",
    "scenario_from_dict": "sim.config.load",
    "Scenario": "sim.config.schema",
    "ConfigError": "sim.errors",
    "Result": "sim.model.result",
    "simulate": "sim.model.simulate",
}
__all__ = [
    "DEFAULT_SCENARIO",
    "ConfigError",
    "Result",
    "Scenario",
    "load_scenario",
    "scenario_from_dict",
    "simulate",
]

if TYPE_CHECKING:  # pragma: no cover
    from sim.config.load import DEFAULT_SCENARIO, load_scenario, scenario_from_dict
    from sim.config.schema import Scenario
    from sim.errors import ConfigError
    from sim.model.result import Result
    from sim.model.simulate import simulate


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
