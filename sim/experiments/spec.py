"""The sweep file: typed, validated, frozen, like a scenario file.

A sweep names a base scenario and any mix of ``variants`` (named sets of overrides), a ``grid``
(full factorial over dotted paths) and a ``sample`` (distributions per dotted path), each point
run ``replications`` times. Only the *shape* is checked here; :mod:`sim.experiments.plan` checks
that every path exists in the scenario and every grid value makes a valid scenario.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_serializer, model_validator

from sim import limits
from sim.config.strict import Locate, Name, Strict, validate
from sim.errors import ConfigError

FORBIDDEN_PATHS = {"seed": "seeds come from master_seed", "mode": "set the sweep's mode"}
"""Top-level scenario keys a sweep may not set per point, and why."""


Finite = Annotated[float, Field(allow_inf_nan=False)]
Seed = Annotated[int, Field(ge=0, le=limits.MAX_SEED)]


def _items(min_length: int = 0) -> Any:
    return Field(min_length=min_length, max_length=limits.MAX_LIST_ITEMS)


# --------------------------------------------------------------------------- distributions
class Uniform(Strict):
    """Every value between ``low`` and ``high`` equally likely."""

    dist: Literal["uniform"]
    """Selects the uniform distribution."""
    low: Finite
    """Lowest value, in the unit of the field varied."""
    high: Finite
    """Highest value (above ``low``)."""

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self


class Normal(Strict):
    """The normal (Gaussian) distribution; the draws are not truncated."""

    dist: Literal["normal"]
    """Selects the normal distribution."""
    mean: Finite
    """Mean, in the unit of the field varied."""
    sigma: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    """Standard deviation, in the unit of the value."""


class Triangular(Strict):
    """The triangular distribution from ``low`` to ``high``, peaking at ``mode``."""

    dist: Literal["triangular"]
    """Selects the triangular distribution."""
    low: Finite
    """Lowest value, in the unit of the field varied."""
    mode: Finite
    """Most likely value (``low <= mode <= high``)."""
    high: Finite
    """Highest value (above ``low``)."""

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(
                "need low <= mode <= high and low < high "
                f"(got {self.low}, {self.mode}, {self.high})"
            )
        return self


class LogNormal(Strict):
    """The log-normal distribution: the value's natural logarithm is normal."""

    dist: Literal["lognormal"]
    """Selects the log-normal distribution."""
    median: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    """Median, in the unit of the field varied."""
    sigma: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    """Standard deviation of the value's natural logarithm."""


class Discrete(Strict):
    """One of a list of values."""

    dist: Literal["discrete"]
    """Selects a list of values."""
    values: Annotated[list[Any], _items(1)]
    """The values to draw from (each a value the field accepts)."""
    weights: (
        Annotated[list[Annotated[float, Field(ge=0, allow_inf_nan=False)]], _items()] | None
    ) = None
    """Relative weights (any positive total); equal weights when omitted."""

    @model_validator(mode="after")
    def _weights(self) -> Discrete:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(
                    f"{len(self.weights)} weights for {len(self.values)} values; give one each"
                )
            if not sum(self.weights) > 0:
                raise ValueError("weights must not all be zero")
        return self


Distribution = Annotated[
    Uniform | Normal | Triangular | LogNormal | Discrete, Field(discriminator="dist")
]


# --------------------------------------------------------------------------- the sweep
class GridRange(Strict):
    """``start`` to ``stop`` (included when reached) in steps of ``step``."""

    start: Finite
    """First value."""
    stop: Finite
    """Last value, included when a whole number of steps reaches it (not below ``start``)."""
    step: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    """Step between values."""

    @model_validator(mode="after")
    def _ordered(self) -> GridRange:
        if self.stop < self.start:
            raise ValueError(f"stop ({self.stop}) is below start ({self.start}): an empty grid")
        if self.count > limits.MAX_LIST_ITEMS:
            raise ValueError(f"more than {limits.MAX_LIST_ITEMS:,} values; use a larger step")
        return self

    @property
    def count(self) -> float:
        """Number of values (counted, not built; infinite for an overflowing range)."""
        span = (self.stop - self.start) / self.step
        return math.floor(span + 1e-9) + 1 if math.isfinite(span) else math.inf

    def values(self) -> list[float | int]:
        count = int(self.count)
        whole = all(float(v).is_integer() for v in (self.start, self.step))
        out = [self.start + i * self.step for i in range(count)]
        return [round(v) if whole else float(f"{v:.12g}") for v in out]


def _none_is_empty(value: object) -> object:
    return {} if value is None else value


class Variant(Strict):
    """A named set of overrides of the base scenario (or of another scenario file)."""

    scenario: str | None = None
    """Scenario file (relative to the sweep file) to use instead of ``base``."""
    set_: Annotated[dict[str, Any], Field(alias="set"), _items()] = Field(default_factory=dict)
    """Overrides by dotted path, applied to the variant's scenario."""
    description: str = ""
    """Free text about the variant."""


class Sample(Strict):
    """Random draws of scenario values, each draw one point."""

    method: Literal["lhs", "mc", "saltelli"] = "lhs"
    """Latin hypercube (``lhs``), plain Monte Carlo (``mc``), or ``saltelli``: SALib's Sobol'
    sequence with Saltelli's cross-sampling (``SALib.sample.sobol.sample``, no second-order
    terms), the design of Sobol indices; uniform params only."""
    size: Annotated[int, Field(ge=1, le=limits.MAX_RUNS)]
    """Number of draws (each a point, crossed with every variant and grid cell); for
    ``saltelli`` the base sample N, a power of 2, giving N * (params + 2) draws."""
    params: Annotated[dict[str, Distribution], _items(1)]
    """A distribution per dotted path into the scenario, by ``dist``."""
    seed: Seed | None = None
    """Seed of the draws (default: from ``master_seed``); ``saltelli`` passes it to SALib."""

    @property
    def draws(self) -> int:
        """Number of draws: ``size``, or N * (params + 2) for ``saltelli`` (in SALib's order)."""
        return self.size * (len(self.params) + 2) if self.method == "saltelli" else self.size

    @model_serializer(mode="wrap")
    def _without_unset_seed(self, handler: Any) -> Any:
        # An unset seed is left out, so sweep files written before it existed keep their hash.
        out = handler(self)
        if isinstance(out, dict) and self.seed is None:
            out.pop("seed", None)
        return out


class Outputs(Strict):
    """What a sweep keeps besides its tables."""

    full_monthly: bool = False
    """Also keep every run's full monthly table (``monthly.parquet``); bands only otherwise."""
    bands_by: Literal["point", "variant"] = "point"
    """Quantile bands per point, or pooled over all points of a variant (grid and sample)."""


class SweepSpec(Strict):
    """One sweep file: a base scenario, its variants, a grid and a sample."""

    name: Name
    """Name of the sweep; results go to ``outputs/<name>/``."""
    description: str = ""
    """Free text, kept with the results."""
    base: str
    """Base scenario file, relative to the sweep file."""
    mode: Literal["stochastic", "deterministic"] = "stochastic"
    """Mode of every run, in place of the scenarios' own: ``stochastic`` (random draws) or
    ``deterministic`` (every random quantity at its expectation; then 1 replication)."""
    master_seed: Seed = 0
    """Seed every run's random numbers come from: replication k of every point gets the same
    streams (common random numbers)."""
    replications: Annotated[int, Field(ge=1, le=limits.MAX_RUNS)] = 1
    """Runs per point, each with its own seed."""
    baseline: str | None = None
    """Variant the others are compared with (paired by replication); default: the first."""
    variants: Annotated[
        dict[str, Annotated[Variant, BeforeValidator(_none_is_empty)]], _items()
    ] = Field(default_factory=dict)
    """Named sets of overrides (letters, digits, ``_`` and ``-``); ``name: {}`` is the base
    itself; none: the base alone."""
    grid: Annotated[dict[str, Annotated[list[Any], _items(1)]], _items()] = Field(
        default_factory=dict
    )
    """Values per dotted path, a list or a range ``{start, stop, step}``: the full factorial,
    applied after each variant's own overrides."""
    sample: Sample | None = None
    """Random draws, each one point; none when left out."""
    outputs: Outputs = Outputs()
    """What is kept besides the tables."""

    @property
    def variant_names(self) -> list[str]:
        """The variants in file order (``base`` alone when the file names none)."""
        return list(self.variants) or ["base"]

    @property
    def baseline_name(self) -> str:
        return self.baseline or self.variant_names[0]

    @property
    def grid_size(self) -> int:
        """Number of grid cells: the product of the axes' sizes (1 without a grid)."""
        return math.prod(len(v) for v in self.grid.values())

    @property
    def draw_count(self) -> int:
        """Number of sample draws (1 without a sample), counted, not drawn."""
        return self.sample.draws if self.sample is not None else 1

    @property
    def n_runs(self) -> int:
        """Variants x grid cells x draws x replications, counted before anything is built."""
        return len(self.variant_names) * self.grid_size * self.draw_count * self.replications


# --------------------------------------------------------------------------- errors
def spec_from_dict(data: Mapping[str, Any], source: str, locate: Locate | None = None) -> SweepSpec:
    """Validate a sweep mapping; the first problem becomes a one-line :class:`ConfigError`.

    Grid ranges (``{start, stop, step}``) are expanded to lists first.
    """
    data = dict(data)
    grid = data.get("grid")
    if isinstance(grid, Mapping) and len(grid) <= limits.MAX_LIST_ITEMS:
        data["grid"] = {path: _grid_values(path, v, source) for path, v in grid.items()}
    spec = validate(SweepSpec, data, source, locate)
    check_rules(spec, source)
    return spec


def check_rules(spec: SweepSpec, source: str) -> None:
    """Rules across fields, each blamed on one field."""
    for name in spec.variants:
        if not str(name).replace("_", "a").replace("-", "a").isalnum():
            raise ConfigError(source, f"variants.{name}", "name must be letters, digits, _ and -")
    if spec.baseline is not None and spec.baseline not in spec.variants:
        have = ", ".join(spec.variants) or "no variants"
        raise ConfigError(source, "baseline", f"{spec.baseline!r} is not a variant (have: {have})")
    if spec.mode == "deterministic" and spec.replications != 1:
        raise ConfigError(
            source, "replications", "a deterministic sweep has 1 replication (all would be equal)"
        )
    sampled = list(spec.sample.params) if spec.sample else []
    if spec.sample is not None and spec.sample.method == "saltelli":
        _check_saltelli(spec.sample, source)
    _check_runs(spec, source)
    for path in [*spec.grid, *sampled]:
        where = "grid" if path in spec.grid else "sample.params"
        if path in spec.grid and path in sampled:
            raise ConfigError(source, f"sample.params.{path}", "also in grid; vary it in one")
        top = str(path).split(".")[0]
        if top in FORBIDDEN_PATHS:
            raise ConfigError(source, f"{where}.{path}", f"cannot vary: {FORBIDDEN_PATHS[top]}")


def _check_saltelli(sample: Sample, source: str) -> None:
    for path, dist in sample.params.items():
        if not isinstance(dist, Uniform):
            raise ConfigError(
                source,
                f"sample.params.{path}.dist",
                f"method saltelli takes only uniform params (SALib's Sobol design spans a box "
                f"between low and high), got {dist.dist!r}",
            )
    n = sample.size
    if n < 2 or n & (n - 1):
        raise ConfigError(
            source,
            "sample.size",
            f"method saltelli needs a power of 2 (the base sample N of the Sobol sequence), "
            f"got {n}",
        )
    if sample.draws > limits.MAX_RUNS:
        raise ConfigError(
            source,
            "sample.size",
            f"{n} x ({len(sample.params)} params + 2) = {sample.draws:,} draws; at most "
            f"{limits.MAX_RUNS:,}",
        )


def _check_runs(spec: SweepSpec, source: str) -> None:
    """The run count, from the sizes alone (nothing is built or drawn to count it)."""
    if spec.n_runs > limits.MAX_RUNS:
        parts = [
            _count(len(spec.variant_names), "variant"),
            _count(spec.grid_size, "grid cell"),
            _count(spec.draw_count, "draw"),
            _count(spec.replications, "replication"),
        ]
        raise ConfigError(
            source,
            None,
            f"{spec.n_runs:,} runs ({' x '.join(parts)}); the limit is {limits.MAX_RUNS:,}",
        )


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'s' * (n != 1)}"


def _grid_values(path: str, value: Any, source: str) -> Any:
    if isinstance(value, list):
        if not value:
            raise ConfigError(source, f"grid.{path}", "empty grid: give at least one value")
        return value  # its length and contents are bounded by the schema
    if isinstance(value, Mapping):
        try:
            return validate(GridRange, dict(value), source).values()
        except ConfigError as err:
            field = f"grid.{path}" + (f".{err.field}" if err.field else "")
            raise ConfigError(source, field, err.message) from None
    raise ConfigError(
        source, f"grid.{path}", "expected a list of values or a range {start, stop, step}"
    )
