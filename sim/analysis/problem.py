"""The inputs of a sensitivity analysis as one SALib problem: names, bounds and their order.

Defined once here and used by both parts: the one-at-a-time sweep varies each input to the
ends of its bounds in this order, and the Sobol part samples the box of the bounds (a Saltelli
sweep whose params are these, in this order) and analyses the outputs against this problem, so
column ``j`` of the design, input ``j`` of SALib's indices and row ``j`` of the tables are the
same input by construction, not by convention.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.analysis.spec import SensitivitySpec
from sim.experiments.spec import Uniform


@dataclass(frozen=True)
class Problem:
    """Each input's dotted path and its ``(low, high)``, in the sensitivity file's order."""

    names: tuple[str, ...]
    bounds: tuple[tuple[float, float], ...]
    """``(low, high)`` per input; the Sobol part samples uniformly between them."""

    def __post_init__(self) -> None:
        if len(self.names) != len(self.bounds):
            raise ValueError(f"{len(self.names)} names for {len(self.bounds)} bounds")
        if len(set(self.names)) != len(self.names):
            raise ValueError("input names repeat")

    @classmethod
    def of(cls, spec: SensitivitySpec) -> Problem:
        """The problem of a sensitivity file: its inputs in file order."""
        return cls(
            names=tuple(spec.inputs),
            bounds=tuple((item.low, item.high) for item in spec.inputs.values()),
        )

    def __len__(self) -> int:
        return len(self.names)

    def items(self) -> list[tuple[str, float, float]]:
        """``(path, low, high)`` per input, in order."""
        return [
            (name, low, high) for name, (low, high) in zip(self.names, self.bounds, strict=True)
        ]

    def salib(self) -> dict[str, Any]:
        """The problem as SALib takes it (``num_vars``, ``names``, ``bounds``)."""
        return {
            "num_vars": len(self.names),
            "names": list(self.names),
            "bounds": [[low, high] for low, high in self.bounds],
        }

    def uniform_params(self) -> dict[str, Uniform]:
        """The params of the Saltelli sweep: each input uniform over its bounds, in order."""
        return {
            name: Uniform(dist="uniform", low=low, high=high) for name, low, high in self.items()
        }
