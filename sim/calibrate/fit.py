"""Bounded weighted least squares on the deterministic model, standard errors from the Jacobian,
and the flags of what the data cannot identify.

Parameters are fitted in unit coordinates ``z = (value - low) / (high - low)`` so that every
direction has the same scale. A residual is the model's miss on one reported figure: the
relative error in percent for volumes and money, the miss in percentage points for margins,
times the metric's weight, divided by the error scale (one standard error). The covariance is
``s^2 (J^T J)^-1`` at the optimum, ``s = 1`` when the error scale is given, ``s^2 = SSR /
(values - parameters)`` when it is estimated.

Identifiability: the singular values of the scaled Jacobian ``J`` show the directions the data
do not pin; a parameter loading on such a direction (or with no effect at all) is reported as
not identified, kept at its starting value and left out of a refit of the others, rather than
returned at an arbitrary value. Pairs with ``|correlation| > 0.95`` are flagged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

from sim.calibrate.observed import MARGINS, labels

FLAT_RATIO = 1e-3
"""A singular value below this share of the largest marks a direction the data do not pin
(``J^T J`` then has a condition number above 1e6)."""
LOADING = 0.3
"""A parameter whose component on a flat direction exceeds this is not identified."""
MAX_CORRELATION = 0.95
"""Pairs of fitted parameters correlated beyond this are flagged."""
DIFF_STEP = 1e-3
"""Finite-difference step in unit coordinates (0.1 % of each parameter's range)."""
AT_BOUND = 1e-4
"""A fitted value this close to a bound (in unit coordinates) is reported as at the bound."""


@dataclass(frozen=True)
class FitResult:
    """What the fit found: per parameter, per observed value, and the flags."""

    parameters: pd.DataFrame
    """One row per parameter: ``path, value, se, low_interval, high_interval, low, high, start,
    identified, at_bound, note``."""
    residuals: pd.DataFrame
    """One row per observed value: ``period, metric, observed, fitted, error, unit, weight,
    residual``; ``product`` after ``period`` when any value is a product's (empty for the
    totals)."""
    flags: list[str]
    """What the data cannot identify, in words."""
    covariance: np.ndarray
    """Covariance of the identified parameters (their order in ``parameters``), in their units."""
    correlation: np.ndarray
    singular_values: np.ndarray
    """Of the scaled Jacobian of every parameter, largest first (zeros past the data's count)."""
    interval: float
    evaluations: int
    dof: int
    """Values minus identified parameters."""
    scale: float
    """``s``: 1 when the error scale is given, else estimated from the residuals."""
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def values(self) -> dict[str, float]:
        return dict(zip(self.parameters["path"], self.parameters["value"], strict=True))

    @property
    def identified(self) -> list[str]:
        return list(self.parameters.loc[self.parameters["identified"], "path"])


def errors(observed: np.ndarray, model: np.ndarray, metrics: np.ndarray) -> np.ndarray:
    """The miss on each value: percentage points for margins, percent of the observed value
    (at least 1 in its unit) for everything else."""
    margin = np.isin(metrics, MARGINS)
    relative = 100.0 * (model - observed) / np.maximum(np.abs(observed), 1.0)
    return np.where(margin, 100.0 * (model - observed), relative)


def fit(
    predict: Callable[[np.ndarray], np.ndarray],
    table: pd.DataFrame,
    bounds: Mapping[str, tuple[float, float]],
    start: Mapping[str, float],
    weights: Mapping[str, float],
    error_scale: float | None,
    interval: float = 0.8,
) -> FitResult:
    """Fit ``predict(values) -> model value per row of table`` to ``table['value']``.

    ``error_scale`` None: estimated from the residuals. Parameters the data cannot identify are
    kept at ``start``.
    """
    paths = list(bounds)
    low = np.array([bounds[p][0] for p in paths], dtype=float)
    high = np.array([bounds[p][1] for p in paths], dtype=float)
    width = high - low
    z0 = np.clip((np.array([start[p] for p in paths]) - low) / width, 0.0, 1.0)
    w = np.array([weights.get(m, 1.0) for m in table["metric"]], dtype=float)
    keep = w > 0
    obs = table["value"].to_numpy(dtype=float)
    metrics = table["metric"].to_numpy()
    scale_in = error_scale or 1.0
    calls = [0]

    def residuals(z_free: np.ndarray, free: np.ndarray, z_all: np.ndarray) -> np.ndarray:
        z = z_all.copy()
        z[free] = z_free
        calls[0] += 1
        got = predict(low + z * width)
        r = w * errors(obs, got, metrics) / scale_in
        return np.where(np.isfinite(r), r, 1e6)[keep]

    free = np.ones(len(paths), dtype=bool)
    z = z0.copy()
    flags: list[str] = []
    singular = np.zeros(len(paths))
    jac = np.zeros((int(keep.sum()), len(paths)))
    for attempt in range(2):
        if free.any():
            sol = optimize.least_squares(
                residuals,
                z[free],
                args=(free, z),
                bounds=(0.0, 1.0),
                diff_step=DIFF_STEP,
                method="trf",
                x_scale=1.0,
            )
            z[free] = sol.x
            jac = np.zeros((int(keep.sum()), len(paths)))
            jac[:, free] = sol.jac
        if attempt == 1:
            break
        singular, lost, words = _identify(jac, paths)
        flags += words
        if not lost.any():
            break
        free &= ~lost
        z[lost] = z0[lost]
    r = residuals(z[free], free, z)
    n_values, n_free = int(keep.sum()), int(free.sum())
    dof = n_values - n_free
    if error_scale is None:
        s = float(np.sqrt(np.sum(r**2) / dof)) if dof > 0 else float("nan")
        if dof <= 0:
            flags.append(
                f"{n_values} values for {n_free} parameters: no residual left to estimate "
                "the error scale"
            )
    else:
        s = 1.0
    cov_z, corr = _covariance(jac[:, free], s)
    cov = cov_z * np.outer(width[free], width[free])
    se = np.full(len(paths), np.nan)
    se[free] = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    q = (
        stats.t.ppf(0.5 + interval / 2, dof)
        if error_scale is None and dof > 0
        else stats.norm.ppf(0.5 + interval / 2)
    )
    values = low + z * width
    at_bound = free & ((z < AT_BOUND) | (z > 1 - AT_BOUND))
    names = [p for p, f in zip(paths, free, strict=True) if f]
    flags += _correlated(names, corr)
    flags += [
        f"{p}: at a bound of the fit; its interval is unreliable"
        for p, b in zip(paths, at_bound, strict=True)
        if b
    ]
    parameters = pd.DataFrame(
        {
            "path": paths,
            "value": values,
            "se": se,
            "low_interval": np.where(free, np.clip(values - q * se, low, high), low),
            "high_interval": np.where(free, np.clip(values + q * se, low, high), high),
            "low": low,
            "high": high,
            "start": low + z0 * width,
            "identified": free,
            "at_bound": at_bound,
        }
    )
    fitted = predict(values)
    residual_table = pd.DataFrame(
        {
            **labels(table),
            "metric": metrics,
            "observed": obs,
            "fitted": fitted,
            "error": errors(obs, fitted, metrics),
            "unit": np.where(np.isin(metrics, MARGINS), "points", "percent"),
            "weight": w,
            "residual": w * errors(obs, fitted, metrics) / scale_in,
        }
    )
    return FitResult(
        parameters=parameters,
        residuals=residual_table,
        flags=flags,
        covariance=cov,
        correlation=corr,
        singular_values=singular,
        interval=interval,
        evaluations=calls[0],
        dof=dof,
        scale=s,
    )


def _identify(jac: np.ndarray, paths: list[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Singular values (padded with zeros to one per parameter), the parameters not identified,
    and why, in words."""
    p = len(paths)
    _, s, vt = (
        np.linalg.svd(jac, full_matrices=True) if jac.size else (None, np.zeros(0), np.eye(p))
    )
    s = np.concatenate([s, np.zeros(p - len(s))])
    top = s[0] if s.size and s[0] > 0 else 0.0
    flat = s <= FLAT_RATIO * top if top > 0 else np.ones(p, dtype=bool)
    lost = np.zeros(p, dtype=bool)
    words: list[str] = []
    none = np.linalg.norm(jac, axis=0) <= 1e-9 * max(top, 1e-300)
    for j in np.flatnonzero(none):
        words.append(
            f"{paths[j]}: no effect on the reported figures; not identified, kept at its "
            "starting value"
        )
        lost[j] = True
    if top > 0:
        cond = (top / s[-1]) ** 2 if s[-1] > 0 else float("inf")
        if flat.any():
            words.append(
                f"J^T J is near-singular (condition number {cond:.3g}): {int(flat.sum())} "
                "flat direction(s)"
            )
    for k in np.flatnonzero(flat):
        v = vt[k]
        loaded = [j for j in np.flatnonzero(np.abs(v) > LOADING) if not none[j]]
        if loaded:
            combo = " and ".join(paths[j] for j in loaded)
            words.append(
                f"{combo}: not identified (the data fix at most a combination of them); "
                "kept at their starting values"
            )
            lost[loaded] = True
    return s, lost, words


def _covariance(jac: np.ndarray, s: float) -> tuple[np.ndarray, np.ndarray]:
    k = jac.shape[1]
    if k == 0:
        return np.zeros((0, 0)), np.zeros((0, 0))
    jtj = jac.T @ jac
    cov = np.linalg.pinv(jtj) * (s**2 if np.isfinite(s) else np.nan)
    d = np.sqrt(np.clip(np.diag(cov), 1e-300, None))
    corr = cov / np.outer(d, d)
    return cov, corr


def _correlated(names: list[str], corr: np.ndarray) -> list[str]:
    out = []
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            if np.isfinite(corr[i, j]) and abs(corr[i, j]) > MAX_CORRELATION:
                out.append(
                    f"{names[i]} and {names[j]}: correlation {corr[i, j]:+.2f}; weakly "
                    "identified apart"
                )
    return out
