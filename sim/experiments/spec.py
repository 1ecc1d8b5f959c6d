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

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_serializer,
    model_validator,
)

from sim.config.load import suggest
from sim.errors import ConfigError

FORBIDDEN_PATHS = {"seed": "seeds come from master_seed", "mode": "set the sweep's mode"}
"""Top-level scenario keys a sweep may not set per point, and why."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


Finite = Annotated[float, Field(allow_inf_nan=False)]


# --------------------------------------------------------------------------- distributions
class Uniform(Strict):
    dist: Literal["uniform"]
    low: Finite
    high: Finite

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self


class Normal(Strict):
    dist: Literal["normal"]
    mean: Finite
    sigma: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    """Standard deviation, in the unit of the value."""


class Triangular(Strict):
    dist: Literal["triangular"]
    low: Finite
    mode: Finite
    high: Finite

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(
                "need low <= mode <= high and low < high "
                f"(got {self.low}, {self.mode}, {self.high})"
            )
        return self


class LogNormal(Strict):
    dist: Literal["lognormal"]
    median: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    sigma: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    """Standard deviation of the value's natural logarithm."""


class Discrete(Strict):
    dist: Literal["discrete"]
    values: Annotated[list[Any], Field(min_length=1)]
    weights: list[Annotated[float, Field(ge=0, allow_inf_nan=False)]] | None = None
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
    stop: Finite
    step: Annotated[float, Field(gt=0, allow_inf_nan=False)]

    @model_validator(mode="after")
    def _ordered(self) -> GridRange:
        if self.stop < self.start:
            raise ValueError(f"stop ({self.stop}) is below start ({self.start}): an empty grid")
        if (self.stop - self.start) / self.step > 100_000:
            raise ValueError("more than 100,000 values; use a larger step")
        return self

    def values(self) -> list[float | int]:
        count = math.floor((self.stop - self.start) / self.step + 1e-9) + 1
        whole = all(float(v).is_integer() for v in (self.start, self.step))
        out = [self.start + i * self.step for i in range(count)]
        return [round(v) if whole else float(f"{v:.12g}") for v in out]


def _none_is_empty(value: object) -> object:
    return {} if value is None else value


class Variant(Strict):
    scenario: str | None = None
    """Scenario file (relative to the sweep file) to use instead of ``base``."""
    set_: Annotated[dict[str, Any], Field(alias="set")] = {}
    """Overrides by dotted path, applied to the variant's scenario."""
    description: str = ""


MAX_DRAWS = 10_000_000


class Sample(Strict):
    method: Literal["lhs", "mc", "saltelli"] = "lhs"
    """Latin hypercube (``lhs``), plain Monte Carlo (``mc``), or ``saltelli``: SALib's Sobol'
    sequence with Saltelli's cross-sampling (``SALib.sample.sobol.sample``, no second-order
    terms), the design of Sobol indices; uniform params only."""
    size: Annotated[int, Field(ge=1, le=MAX_DRAWS)]
    """Number of draws (each a point, crossed with every variant and grid cell); for
    ``saltelli`` the base sample N, a power of 2, giving N * (params + 2) draws."""
    params: Annotated[dict[str, Distribution], Field(min_length=1)]
    seed: Annotated[int, Field(ge=0)] | None = None
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
    full_monthly: bool = False
    """Also keep every run's full monthly table (``monthly.parquet``); bands only otherwise."""
    bands_by: Literal["point", "variant"] = "point"
    """Quantile bands per point, or pooled over all points of a variant (grid and sample)."""


class SweepSpec(Strict):
    name: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")]
    description: str = ""
    base: str
    """Base scenario file, relative to the sweep file."""
    mode: Literal["stochastic", "deterministic"] = "stochastic"
    master_seed: Annotated[int, Field(ge=0)] = 0
    replications: Annotated[int, Field(ge=1, le=10_000_000)] = 1
    baseline: str | None = None
    """Variant the others are compared with (paired by replication); default: the first."""
    variants: dict[str, Annotated[Variant, BeforeValidator(_none_is_empty)]] = {}
    grid: dict[str, Annotated[list[Any], Field(min_length=1)]] = {}
    """Values per dotted path (ranges are expanded to lists before validation)."""
    sample: Sample | None = None
    outputs: Outputs = Outputs()

    @property
    def variant_names(self) -> list[str]:
        """The variants in file order (``base`` alone when the file names none)."""
        return list(self.variants) or ["base"]

    @property
    def baseline_name(self) -> str:
        return self.baseline or self.variant_names[0]


# --------------------------------------------------------------------------- errors
def spec_from_dict(data: Mapping[str, Any], source: str) -> SweepSpec:
    """Validate a sweep mapping; the first problem becomes a one-line :class:`ConfigError`.

    Grid ranges (``{start, stop, step}``) are expanded to lists first.
    """
    data = dict(data)
    grid = data.get("grid")
    if isinstance(grid, Mapping):
        data["grid"] = {path: _grid_values(path, v, source) for path, v in grid.items()}
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        raise _error(exc, data, source) from None
    _check(spec, source)
    return spec


def _check(spec: SweepSpec, source: str) -> None:
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
    if sample.draws > MAX_DRAWS:
        raise ConfigError(
            source,
            "sample.size",
            f"{n} x ({len(sample.params)} params + 2) = {sample.draws:,} draws; at most "
            f"{MAX_DRAWS:,}",
        )


def _grid_values(path: str, value: Any, source: str) -> list[Any]:
    if isinstance(value, list):
        if not value:
            raise ConfigError(source, f"grid.{path}", "empty grid: give at least one value")
        return value
    if isinstance(value, Mapping):
        try:
            return GridRange.model_validate(dict(value)).values()
        except ValidationError as exc:
            err = _error(exc, value, source, GridRange)
            field = f"grid.{path}" + (f".{err.field}" if err.field else "")
            raise ConfigError(source, field, err.message) from None
    raise ConfigError(
        source, f"grid.{path}", "expected a list of values or a range {start, stop, step}"
    )


_DISTS: dict[str, type[Strict]] = {
    "uniform": Uniform,
    "normal": Normal,
    "triangular": Triangular,
    "lognormal": LogNormal,
    "discrete": Discrete,
}


def _error(
    exc: ValidationError, data: Mapping[str, Any], source: str, model: type = SweepSpec
) -> ConfigError:
    err = exc.errors(include_url=False)[0]
    loc: list[str] = []
    node: Any = data
    for part in err["loc"]:
        if (isinstance(node, Mapping) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        ):
            node = node[part]
        elif isinstance(node, Mapping) and node.get("dist") == part:
            continue  # the union tag pydantic inserts
        elif str(part).startswith("function-"):
            continue
        else:
            node = None
        loc.append(str(part))
    field = ".".join(loc) or None
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1], data, model)
        message = f"unknown key{suggest(loc[-1], allowed)}"
        if allowed:
            message += f"; allowed here: {', '.join(sorted(allowed))}"
    elif kind == "union_tag_invalid":
        ctx = err.get("ctx", {})
        message = f"unknown dist {ctx.get('tag')!r}; expected one of {ctx.get('expected_tags')}"
    elif kind == "union_tag_not_found":
        message = "missing 'dist' (one of uniform, normal, triangular, lognormal, discrete)"
    elif kind == "missing":
        message = "required field is missing"
    elif kind == "too_short":
        message = "must not be empty"
    else:
        msg = err["msg"].removeprefix("Value error, ")
        got = err.get("input")
        shown = "" if kind == "value_error" or isinstance(got, dict | list) else f" (got {got!r})"
        message = f"{msg}{shown}"
    return ConfigError(source, field, message)


def _allowed_keys(loc: list[str], data: Mapping[str, Any], model: type) -> set[str]:
    """Keys accepted at ``loc`` (for the 'did you mean' of an unknown key)."""
    if model is not SweepSpec:
        target: Any = model if not loc else None
    elif not loc:
        target = SweepSpec
    elif loc == ["outputs"]:
        target = Outputs
    elif loc == ["sample"]:
        target = Sample
    elif len(loc) == 2 and loc[0] == "variants":
        target = Variant
    elif len(loc) == 3 and loc[:2] == ["sample", "params"]:
        dist = ((data.get("sample") or {}).get("params") or {}).get(loc[2]) or {}
        target = _DISTS.get(dist.get("dist")) if isinstance(dist, Mapping) else None
    else:
        target = None
    if target is None:
        return set()
    return {info.alias or name for name, info in target.model_fields.items()}
