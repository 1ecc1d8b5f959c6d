"""Ramp curves: a line's output as a share of nameplate, by days since the line started.

Every curve is 0 before the start, ``initial_share`` at the start and ``peak_share`` once the
ramp is done. The logistic is normalised so that it hits both ends exactly:

    g(x) = (s(k (x - 1/2)) - s(-k/2)) / (s(k/2) - s(-k/2)),   s(z) = 1 / (1 + e^-z),
    share = initial + (peak - initial) g(t / T),   x = t / T clipped to [0, 1].
"""

from __future__ import annotations

import numpy as np

from sim.config.schema import LinearRamp, LogisticRamp, Ramp, StepRamp, TableRamp
from sim.core.calendar import DAYS_PER_MONTH


def _sigmoid(z: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def logistic_fraction(x: np.ndarray, steepness: float) -> np.ndarray:
    """Normalised S-curve on [0, 1]: 0 at 0, 1/2 at 1/2, 1 at 1."""
    x = np.clip(x, 0.0, 1.0)
    lo, hi = _sigmoid(-steepness / 2), _sigmoid(steepness / 2)
    return (_sigmoid(steepness * (x - 0.5)) - lo) / (hi - lo)


def ramp_share(ramp: Ramp, days_since_start: np.ndarray) -> np.ndarray:
    """Share of nameplate for each day (0 before the line starts)."""
    t = np.asarray(days_since_start, dtype=float)
    if isinstance(ramp, TableRamp):
        idx = np.clip(np.floor(t / DAYS_PER_MONTH).astype(np.int64), 0, len(ramp.shares) - 1)
        share = np.asarray(ramp.shares, dtype=float)[idx]
    else:
        span = ramp.months * DAYS_PER_MONTH
        if isinstance(ramp, LogisticRamp):
            frac = logistic_fraction(t / span, ramp.steepness)
        elif isinstance(ramp, LinearRamp):
            frac = np.clip(t / span, 0.0, 1.0)
        elif isinstance(ramp, StepRamp):
            frac = (t >= span).astype(float)
        else:  # pragma: no cover - the schema admits no other kind
            raise TypeError(f"unknown ramp {ramp!r}")
        share = ramp.initial_share + (ramp.peak_share - ramp.initial_share) * frac
    return np.where(t >= 0, share, 0.0)
