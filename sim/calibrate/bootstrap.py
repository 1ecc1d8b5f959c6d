"""A bootstrap interval per identified parameter, beside the Jacobian's.

Each replicate makes a new set of reported figures from the fitted ones and a new error per
figure, refits the identified parameters (the others stay where the fit kept them) from the
fitted values, and keeps the refitted values; the interval is the replicates' percentiles.

- **Residual** bootstrap when the fit left enough residuals to be a sample of the errors (at
  least :data:`MIN_DOF` more weighted figures than identified parameters): the errors are drawn
  with replacement from the fit's scaled residuals, inflated by ``sqrt(n / (n - p))`` for the
  degrees of freedom the fit used. With a given error scale this shows the misfit actually
  seen: an interval much wider or narrower than the Jacobian's says the scale is off.
- **Parametric** bootstrap when it did not (with as many figures as parameters the residuals
  are all zero; with one or two to spare they are a handful of near-zero numbers, and
  resampling them would give an interval of width near zero): the errors are drawn normal with
  the fit's error scale ``s``.

A figure is rebuilt from its error in the fit's own units: ``fitted - points / 100`` for
margins, ``fitted * (1 - percent / 100)`` for volumes and money (a miss of ``e`` percent of
the reported value, to first order).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import optimize

from sim.calibrate.fit import DIFF_STEP, FitResult, errors
from sim.calibrate.observed import MARGINS

SEED_TAG = 0x626F6F74  # "boot": the bootstrap's stream, apart from the forecast's
MIN_DOF = 5
"""Fewest residual degrees of freedom (figures less identified parameters) for a residual
bootstrap; below it the errors are drawn from the error scale instead."""


@dataclass(frozen=True)
class Bootstrap:
    """What the bootstrap found."""

    intervals: pd.DataFrame
    """One row per parameter: ``path, bootstrap_low, bootstrap_high`` (NaN when not
    identified)."""
    replicates: np.ndarray
    """The refitted values, one row per replicate, one column per identified parameter."""
    kind: str
    """``residual`` or ``parametric``."""
    failed: int
    """Replicates whose refit did not converge (left out of the percentiles)."""

    def summary(self) -> dict[str, object]:
        return {"replicates": len(self.replicates), "kind": self.kind, "failed": self.failed}


def bootstrap(
    predict: Callable[[np.ndarray], np.ndarray],
    table: pd.DataFrame,
    result: FitResult,
    weights: Mapping[str, float],
    error_scale: float | None,
    replicates: int,
    seed: int,
) -> Bootstrap | None:
    """``replicates`` refits of ``result`` (a fit of ``predict`` to ``table``); None when no
    parameter is identified or the fit has no error scale to draw from."""
    p = result.parameters
    free = p["identified"].to_numpy(dtype=bool)
    if replicates <= 0 or not free.any():
        return None
    low, high = p["low"].to_numpy(dtype=float), p["high"].to_numpy(dtype=float)
    width = high - low
    z_fit = (p["value"].to_numpy(dtype=float) - low) / width
    res = result.residuals
    metrics = res["metric"].to_numpy()
    fitted = res["fitted"].to_numpy(dtype=float)
    w = np.array([weights.get(m, 1.0) for m in metrics], dtype=float)
    keep = w > 0
    scale_in = error_scale or 1.0
    n, k = int(keep.sum()), int(free.sum())
    scaled = res["residual"].to_numpy(dtype=float)[keep]
    kind = "residual" if n - k >= MIN_DOF else "parametric"
    if kind == "parametric" and not np.isfinite(result.scale):
        return None
    margin = np.isin(metrics, MARGINS)
    rng = np.random.default_rng(np.random.SeedSequence([seed, SEED_TAG]))
    out = np.full((replicates, k), np.nan)
    failed = 0
    for b in range(replicates):
        if kind == "residual":
            drawn = rng.choice(scaled, size=n, replace=True) * np.sqrt(n / (n - k))
        else:
            drawn = rng.standard_normal(n) * result.scale
        error = np.zeros(len(fitted))  # a figure of weight 0 is kept at its fitted value
        error[keep] = drawn * scale_in / w[keep]
        obs = np.where(margin, fitted - error / 100.0, fitted * (1.0 - error / 100.0))

        def residuals(z_free: np.ndarray, obs: np.ndarray = obs) -> np.ndarray:
            z = z_fit.copy()
            z[free] = z_free
            r = w * errors(obs, predict(low + z * width), metrics) / scale_in
            return np.where(np.isfinite(r), r, 1e6)[keep]

        sol = optimize.least_squares(
            residuals, z_fit[free], bounds=(0.0, 1.0), diff_step=DIFF_STEP, method="trf"
        )
        if sol.status <= 0:
            failed += 1
            continue
        out[b] = low[free] + sol.x * width[free]
    ok = out[np.all(np.isfinite(out), axis=1)]
    lo_q, hi_q = 0.5 - result.interval / 2, 0.5 + result.interval / 2
    blow = np.full(len(p), np.nan)
    bhigh = np.full(len(p), np.nan)
    if len(ok):
        blow[free] = np.quantile(ok, lo_q, axis=0)
        bhigh[free] = np.quantile(ok, hi_q, axis=0)
    intervals = pd.DataFrame(
        {"path": p["path"].to_numpy(), "bootstrap_low": blow, "bootstrap_high": bhigh}
    )
    return Bootstrap(intervals, ok, kind, failed)


def with_bootstrap(result: FitResult, boot: Bootstrap | None) -> FitResult:
    """``result`` with the bootstrap's columns beside the Jacobian interval and its summary in
    ``extra['bootstrap']`` (unchanged when there is none)."""
    if boot is None:
        return result
    p = result.parameters.copy()
    at = list(p.columns).index("high_interval") + 1
    p.insert(at, "bootstrap_low", boot.intervals["bootstrap_low"].to_numpy())
    p.insert(at + 1, "bootstrap_high", boot.intervals["bootstrap_high"].to_numpy())
    return replace(result, parameters=p, extra={**result.extra, "bootstrap": boot.summary()})
