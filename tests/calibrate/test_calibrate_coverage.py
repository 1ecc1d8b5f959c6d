"""Over 100 synthetic datasets the 80 % intervals cover the truth in 70-90 % of cases (slow: kept
out of the default run; ``pytest -m slow tests/calibrate``).

Two cases: the tiny scenario's price and parts cost from six months (the model nearly linear in
them), and the default scenario's ramp start, parts cost and R&D from four quarters (a ramp
share enters the figures nonlinearly). The noise is what the error scale says (relative for
volumes and money, in points for margins), so the Jacobian intervals should hold the truth 80 %
of the time; with 100 datasets and 2 or 3 parameters a
binomial count lies within 70-90 % with probability above 0.99.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.calibrate.observed import MARGINS, Observed
from sim.calibrate.problem import Problem
from sim.config.load import DEFAULT_SCENARIO, read_scenario_data
from tests.calibrate.test_calibrate_recovery import (
    BOUNDS,
    MONTHS,
    ORDERS,
    TRUTH,
    _fit,
    _observed,
)

DATASETS = 100

DEFAULT_TRUTH = {
    "factory.lines.phase1.ramp.initial_share": 0.8,
    "costs.components.body_and_parts.first_unit_usd": 15_000.0,
    "opex.rnd_per_month_usd.base": 60e6,
}
DEFAULT_BOUNDS = {
    "factory.lines.phase1.ramp.initial_share": (0.5, 1.0),
    "costs.components.body_and_parts.first_unit_usd": (12_000.0, 20_000.0),
    "opex.rnd_per_month_usd.base": (40e6, 100e6),
}
DEFAULT_START = {
    "factory.lines.phase1.ramp.initial_share": 0.9,
    "costs.components.body_and_parts.first_unit_usd": 16_000.0,
    "opex.rnd_per_month_usd.base": 70e6,
}


def _synthetic(data, truth, keys, noise, rng) -> Observed:
    """The model's figures at ``truth``, each missed by ``noise`` standard errors: relative for
    volumes and money, absolute (``noise`` is 100 * points) for margins."""
    template = _observed({k: 1.0 for k in keys})
    exact = Problem(data, list(truth), template, "synthetic").predict(list(truth.values()))
    e = noise * rng.standard_normal(len(exact))
    margin = np.isin([m for _, m in keys], MARGINS)
    noisy = np.where(margin, exact + e, exact * (1 + e))
    return _observed(dict(zip(keys, noisy, strict=True)))


def _coverage(data, truth, bounds, start, keys, noise, seed) -> tuple[int, int]:
    rng = np.random.default_rng(seed)
    covered, total = 0, 0
    for _ in range(DATASETS):
        obs = _synthetic(data, truth, keys, noise, rng)
        res = _fit(data, obs, bounds, start, 100 * noise)
        p = res.parameters.set_index("path")
        for path, true in truth.items():
            covered += bool(p.at[path, "low_interval"] <= true <= p.at[path, "high_interval"])
            total += 1
    return covered, total


@pytest.mark.slow
def test_tiny_scenario_intervals_cover_80_percent(tiny_scenario_dict):
    keys = [(m, k) for m in MONTHS for k in ("revenue", "gross_profit")]
    start = {"price.asp_usd.base": 25_000.0, "costs.components.parts.start_usd": 15_000.0}
    covered, total = _coverage(tiny_scenario_dict(ORDERS), TRUTH, BOUNDS, start, keys, 0.03, 100)
    assert total == 2 * DATASETS
    assert 0.70 <= covered / total <= 0.90, covered / total


@pytest.mark.slow
def test_default_scenario_intervals_cover_80_percent():
    quarters = ["2024Q2", "2024Q3", "2024Q4", "2025Q1"]
    keys = [(q, m) for q in quarters for m in ("deliveries", "gross_margin", "operating_profit")]
    covered, total = _coverage(
        read_scenario_data(DEFAULT_SCENARIO),
        DEFAULT_TRUTH,
        DEFAULT_BOUNDS,
        DEFAULT_START,
        keys,
        0.02,
        101,
    )
    assert total == 3 * DATASETS
    assert 0.70 <= covered / total <= 0.90, covered / total
