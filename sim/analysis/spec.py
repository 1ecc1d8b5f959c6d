"""The sensitivity file: typed, validated, frozen, like a scenario or sweep file.

It names the inputs to vary (dotted paths into the scenario, each with a ``low`` and a ``high``
value), how to run the one-at-a-time analysis (``oat``) and the Sobol analysis (``sobol``).
Only the *shape* is checked here; :mod:`sim.analysis.plan` checks every path against the
scenario and that every low and high value makes a valid scenario.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from sim import limits
from sim.config.strict import Locate, Name, Strict, validate
from sim.errors import ConfigError
from sim.limits import MAX_SOBOL_RUNS

METRICS = ("breakeven", "capital")
"""``breakeven``: month index of the primary break-even; ``capital``: peak cash deficit, USD."""

PARTS = ("oat", "sobol")
"""The analysis' two sweeps, named ``<name>-oat`` and ``<name>-sobol``."""

Seed = Annotated[int, Field(ge=0, le=limits.MAX_SEED)]
Finite = Annotated[float, Field(allow_inf_nan=False)]
Mode = Literal["deterministic", "stochastic"]


class Input(Strict):
    """A scenario value varied between ``low`` and ``high``; its base is the scenario's own."""

    low: Finite
    """Low value, in the unit of the scenario field; the scenario's own value must lie between
    ``low`` and ``high``."""
    high: Finite
    """High value (above ``low``)."""
    label: str = ""
    """Name on the figures and tables (default: from the dotted path)."""

    @model_validator(mode="after")
    def _ordered(self) -> Input:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        return self


class Runs(Strict):
    """How each point of an analysis is run."""

    mode: Mode = "deterministic"
    """``deterministic``: every random quantity at its expectation, one run per point;
    ``stochastic``: ``replications`` seeded runs per point."""
    replications: Annotated[int, Field(ge=1, le=100_000)] = 1
    """Runs per point (1 when deterministic); one at a time takes their median, Sobol their
    mean."""
    master_seed: Seed = 0
    """Seed every stochastic run's random numbers come from (common random numbers across
    points)."""

    @model_validator(mode="after")
    def _one_if_deterministic(self) -> Runs:
        if self.mode == "deterministic" and self.replications != 1:
            raise ValueError("a deterministic analysis has 1 replication (all would be equal)")
        return self


class Oat(Runs):
    """One at a time: the base scenario, then each input at its low and at its high value."""


class Sobol(Runs):
    """Sobol indices from SALib's Saltelli design over the box of the inputs' ranges."""

    size: Annotated[int, Field(ge=2, le=limits.MAX_RUNS)] = 1024
    """SALib's base sample N (a power of 2): N * (inputs + 2) points."""
    seed: Seed = 2024
    """Seed of SALib's sampler (scrambled Sobol sequence) and of its bootstrap."""
    metrics: Annotated[list[Literal["breakeven", "capital"]], Field(min_length=1)] = Field(
        default_factory=lambda: list(METRICS)
    )
    """Outputs to compute indices for: ``breakeven`` (the sustained break-even's month index,
    censored at the horizon) and ``capital`` (the peak cash deficit, USD)."""
    resamples: Annotated[int, Field(ge=10, le=100_000)] = 1000
    """Bootstrap resamples for the 95 % confidence intervals."""

    @model_validator(mode="after")
    def _shape(self) -> Sobol:
        n = self.size
        if n & (n - 1):
            raise ValueError(f"size must be a power of 2 (SALib's Sobol sequence), got {n}")
        if len(set(self.metrics)) != len(self.metrics):
            raise ValueError(f"metrics repeat: {self.metrics}")
        return self


class SensitivitySpec(Strict):
    """One sensitivity file: the inputs to vary and how to run both analyses."""

    name: Name
    """Name of the analysis; results go to ``outputs/<name>/``."""
    description: str = ""
    """Free text, kept with the results."""
    inputs: Annotated[dict[str, Input], Field(min_length=1, max_length=limits.MAX_LIST_ITEMS)]
    """``low``/``high`` per dotted path; the base value is the scenario's own."""
    oat: Oat = Oat()
    """The one-at-a-time analysis (the tornado)."""
    sobol: Sobol = Sobol()
    """The Sobol analysis."""

    def label(self, path: str) -> str:
        return self.inputs[path].label or default_label(path)


def default_label(path: str) -> str:
    """``factory.lines.phase1.ramp.months`` -> ``phase1 ramp months``; a product's path keeps
    the product's name (``products.suv.trims.max.price_usd.base`` -> ``suv trims max price
    usd``)."""
    generic = {"factory", "lines", "costs", "components", "base"}
    given = path.split(".")
    product = []
    if len(given) > 2 and given[0] == "products":
        product, given = [given[1]], given[2:]
    parts = [p for p in given if p not in generic] or given
    return " ".join(product + parts[-3:]).replace("_", " ")


# --------------------------------------------------------------------------- checking
def spec_from_dict(
    data: Mapping[str, Any], source: str, locate: Locate | None = None
) -> SensitivitySpec:
    """Validate a sensitivity mapping; the first problem becomes a one-line ConfigError.

    The run counts are checked from the sizes alone, before anything is built.
    """
    spec = validate(SensitivitySpec, dict(data), source, locate)
    longest = limits.MAX_NAME_CHARS - 1 - max(len(part) for part in PARTS)
    if len(spec.name) > longest:
        raise ConfigError(
            source,
            "name",
            f"at most {longest} characters (the sweeps are named <name>-oat and <name>-sobol), "
            f"got {len(spec.name)}",
        )
    most_inputs = (limits.MAX_LIST_ITEMS - 1) // 2
    if len(spec.inputs) > most_inputs:
        raise ConfigError(
            source,
            "inputs",
            f"{len(spec.inputs):,} inputs is too many for the one-at-a-time sweep (2 variants "
            f"each and the base; at most {most_inputs:,} inputs)",
        )
    runs = spec.sobol.size * (len(spec.inputs) + 2) * spec.sobol.replications
    if runs > MAX_SOBOL_RUNS:
        raise ConfigError(
            source, "sobol.size", f"{runs:,} Sobol runs is too many (at most {MAX_SOBOL_RUNS:,})"
        )
    oat_runs = (2 * len(spec.inputs) + 1) * spec.oat.replications
    if oat_runs > limits.MAX_RUNS:
        raise ConfigError(
            source,
            "oat.replications",
            f"{oat_runs:,} one-at-a-time runs is too many (at most {limits.MAX_RUNS:,})",
        )
    return spec
