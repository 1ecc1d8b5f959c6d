"""Random counts of orders and cancellations, whatever their size.

NumPy draws Poisson and binomial counts only below about 9.2e18 (an int64) and a float cannot
count whole cars beyond 2^53 anyway. Above ``BIG_COUNT`` the count is drawn from the normal
approximation (mean and variance exact; relative spread below 1e-8, so the choice of
distribution cannot matter), rounded and kept within its support. Below, the NumPy draw is
used unchanged, so normal scenarios draw exactly what they always drew.
"""

from __future__ import annotations

import math

import numpy as np

BIG_COUNT = 2.0**53
"""Counts from here on are drawn from the normal approximation."""


def poisson_counts(rng: np.random.Generator, mean: float, size: int) -> np.ndarray:
    """``size`` Poisson(``mean``) counts (floats above ``BIG_COUNT``)."""
    if mean < BIG_COUNT:
        return rng.poisson(mean, size)
    z = rng.standard_normal(size)
    return np.maximum(np.round(mean + math.sqrt(mean) * z), 0.0)


def binomial_count(rng: np.random.Generator, n: float, p: float) -> float:
    """One Binomial(``n``, ``p``) count, for any ``n`` (normal approximation above BIG_COUNT)."""
    if n < BIG_COUNT:
        return float(rng.binomial(round(n), p))
    mean = n * p
    x = mean + math.sqrt(mean * (1.0 - p)) * float(rng.standard_normal())
    if math.isfinite(x):
        x = float(round(x))
    return min(max(x, 0.0), n)
