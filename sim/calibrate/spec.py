"""The calibration file kind (``configs/calibration/*.yaml``), on the :class:`Strict` base.

A calibration names a scenario, an observed file, the parameters to fit (dotted paths with
bounds), the weight of each metric, the bootstrap and the forecast; the command line may
override ``train_until``, ``deliveries`` and ``bootstrap``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator

from sim import limits
from sim.calibrate.observed import METRICS, parse_period
from sim.config.reader import read_document
from sim.config.strict import Name, Strict, validate
from sim.errors import ConfigError

MAX_PARAMETERS = 50
"""Most parameters one calibration fits (the Jacobian costs one model run per parameter)."""


def _period(value: str | None) -> str | None:
    if value is not None:
        parse_period(value)  # ValueError -> one line naming the field
    return value


Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class Parameter(Strict):
    """One scenario value to fit, by dotted path, within bounds."""

    low: Annotated[float, Field(allow_inf_nan=False)]
    """Lowest value the fit may take, in the unit of the field."""
    high: Annotated[float, Field(allow_inf_nan=False)]
    """Highest value the fit may take (above ``low``)."""
    start: Annotated[float, Field(allow_inf_nan=False)] | None = None
    """Where the fit starts; default: the scenario's value, moved inside the bounds."""

    @model_validator(mode="after")
    def _ordered(self) -> Parameter:
        if not self.high > self.low:
            raise ValueError(f"high ({self.high:g}) must be above low ({self.low:g})")
        if self.start is not None and not self.low <= self.start <= self.high:
            raise ValueError(
                f"start ({self.start:g}) must lie within [{self.low:g}, {self.high:g}]"
            )
        return self


class Forecast(Strict):
    """The Monte Carlo over the fitted parameters' uncertainty, run through the sweep engine."""

    draws: Annotated[int, Field(ge=0, le=100_000)] = 1000
    """Parameter sets drawn (0: no forecast). Identified parameters are drawn from the fit's
    normal approximation, clipped to their bounds; parameters the data cannot identify are
    drawn uniformly between their bounds."""
    seed: Annotated[int, Field(ge=0, le=limits.MAX_SEED)] = 0
    """Seed of the draws (and of the stochastic runs when ``stochastic``)."""
    stochastic: bool = False
    """Also draw the model's own randomness (orders, breakdowns, disruptions) in every run."""
    interval: Annotated[float, Field(gt=0, lt=1)] = 0.8
    """Central probability of the reported intervals (0.8: P10 to P90)."""


class CalibrationSpec(Strict):
    """One calibration: a scenario, what was reported, what to fit and the forecast."""

    name: Name
    """Name of the calibration; results go to ``outputs/<name>/``."""
    description: str = ""
    """Free text, kept with the results."""
    scenario: str
    """Scenario file, relative to the calibration file."""
    observed: str
    """Observed CSV (``period`` and any metrics), relative to the calibration file."""
    fx: Positive | None = None
    """Units of the observed file's currency per unit of the scenario's (7.17 for RMB per USD);
    its money columns are divided by it. A row's own ``fx`` cell wins."""
    parameters: Annotated[dict[str, Parameter], Field(min_length=1, max_length=MAX_PARAMETERS)]
    """The values to fit by dotted path into the scenario, each with its bounds."""
    weights: dict[Literal[METRICS], Annotated[float, Field(ge=0, allow_inf_nan=False)]] = Field(  # type: ignore[valid-type]
        default_factory=dict
    )
    """Weight of each metric's residuals (default 1; 0 leaves a metric out). A residual is the
    relative error in percent for volumes and money, the miss in percentage points for margins."""
    error_scale: Positive | Literal["estimate"] = 5.0
    """One standard error of a weight-1 residual (percent or points): 5 means a model missing a
    reported figure by 5 % is one standard error off. ``estimate``: from the residuals (needs more
    values than fitted parameters)."""
    deliveries: Literal["model", "observed"] = "model"
    """``observed``: the phase ramps are worked back from the reported deliveries, so costs and
    overheads are fitted without the ramp; ``model``: the scenario's ramp (fit its parameters)."""
    train_until: Annotated[str | None, AfterValidator(_period)] = None
    """Fit on the periods up to and including this one and score the rest; none: fit on all."""
    bootstrap: Annotated[int, Field(ge=0, le=limits.MAX_BOOTSTRAP)] = 0
    """Replicates of a bootstrap interval per identified parameter, beside the Jacobian's (0:
    none). Each refits on the fitted figures plus resampled residuals (drawn from the error
    scale when fewer than 5 figures are left over the parameters); seeded by
    ``forecast.seed``."""
    forecast: Forecast = Forecast()
    """The forecast settings."""


def load_spec(
    path: str | Path, overrides: dict[str, Any] | None = None
) -> tuple[CalibrationSpec, Path]:
    """The calibration file at ``path`` (with ``overrides`` of its top-level keys), and the folder
    its relative paths start from."""
    path = Path(path)
    doc = read_document(path)
    data = dict(doc.data)
    data.setdefault("name", path.stem)
    for key, value in (overrides or {}).items():
        if value is not None:
            data[key] = value
    spec = validate(CalibrationSpec, data, str(path), doc.line_of)
    for dotted in spec.parameters:
        if not dotted or any(not part for part in dotted.split(".")):
            raise ConfigError(
                str(path), f"parameters.{dotted}", "not a dotted path into the scenario"
            )
    return spec, path.parent
