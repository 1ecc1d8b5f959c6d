"""The aggregates against hand computation from the runs table, and the bands against runs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.core.outputs import NEVER
from sim.experiments import run_sweep
from sim.experiments.aggregate import row_quantile

BE = "breakeven_operating_per_car_sustained_index"


@pytest.fixture
def result(tiny, write_sweep, sweep_dir):
    tiny["replications"] = 12
    tiny["outputs"] = {"full_monthly": True}
    return run_sweep(write_sweep(tiny), executor="serial", out=sweep_dir / "out", progress=False)


def _months(runs: pd.DataFrame, point: int) -> np.ndarray:
    """Break-even month indices of a point's runs, +inf where not within the horizon."""
    values = runs.loc[runs["point_id"] == point, BE].astype("Float64").to_numpy(na_value=np.inf)
    return values.astype(float)


def test_the_tiny_sweep_mixes_reached_and_not_reached(result):
    m = _months(result.runs, 0)
    assert np.isinf(m).any() and np.isfinite(m).any()  # so the censoring is exercised


def test_points_by_hand(result):
    runs, points = result.runs, result.points
    for point in (0, 1):
        m = _months(runs, point)
        row = points.loc[points["point_id"] == point].iloc[0]
        assert row["runs"] == 12 and row["failed"] == 0
        assert row["p_breakeven"] == pytest.approx(np.isfinite(m).mean())
        for q in (10, 50, 90):
            hand = np.quantile(m, q / 100, method="inverted_cdf")
            assert row[f"breakeven_p{q}_index"] == hand
            label = (
                NEVER
                if np.isinf(hand)
                else f"{2024 + (3 + int(hand)) // 12}-{(3 + int(hand)) % 12 + 1:02d}"
            )
            assert row[f"breakeven_p{q}"] == label
        reached = m[np.isfinite(m)]
        half = stats.t.ppf(0.975, reached.size - 1) * reached.std(ddof=1) / np.sqrt(reached.size)
        assert row["breakeven_mean_index_reached"] == pytest.approx(reached.mean())
        assert row["breakeven_ci95_low_index_reached"] == pytest.approx(reached.mean() - half)
        assert row["breakeven_ci95_high_index_reached"] == pytest.approx(reached.mean() + half)
        capital = runs.loc[runs["point_id"] == point, "peak_cash_deficit"].to_numpy()
        assert row["capital_needed_p50"] == pytest.approx(np.quantile(capital, 0.5))
        assert row["capital_needed_p90"] == pytest.approx(np.quantile(capital, 0.9))


def test_paired_comparison_by_hand(result):
    base, slow = _months(result.runs, 0), _months(result.runs, 1)
    cmp = result.comparison.set_index("variant")
    assert np.isnan(cmp.loc["baseline", "p_before_baseline"])
    assert cmp.loc["slow", "p_before_baseline"] == pytest.approx(np.mean(slow < base))


def test_bands_by_hand(result, sweep_dir):
    monthly = pd.read_parquet(sweep_dir / "out" / "monthly.parquet")
    bands = result.bands
    assert set(bands["metric"]) >= {
        "operating_profit_per_car",
        "cumulative_cash",
        "deliveries",
        "production",
        "backlog",
        "gross_margin",
    }
    for metric in ("operating_profit_per_car", "cumulative_cash", "deliveries"):
        one = monthly[monthly["point_id"] == 1].pivot(
            index="month", columns="run_id", values=metric
        )
        band = bands[(bands["point_id"] == 1) & (bands["metric"] == metric)].set_index("month")
        assert list(band.index) == list(one.index)
        values = one.to_numpy().astype(np.float32).astype(float)  # bands keep float32 months
        for q in (10, 50, 90):
            hand = np.nanquantile(values, q / 100, axis=1)
            np.testing.assert_allclose(band[f"p{q}"], hand, rtol=1e-9, atol=1e-6)
        np.testing.assert_allclose(band["mean"], np.nanmean(values, axis=1), rtol=1e-9)


def test_row_quantile_matches_numpy():
    rng = np.random.default_rng(0)
    m = rng.integers(0, 30, size=(50, 17)).astype(float)
    censored = np.where(rng.random(m.shape) < 0.2, np.inf, m)
    for matrix, method in ((censored, "inverted_cdf"), (m, "linear")):
        matrix = np.where(rng.random(m.shape) < 0.1, np.nan, matrix)
        for q in (0.1, 0.5, 0.9):
            hand = [np.quantile(r[~np.isnan(r)], q, method=method) for r in matrix]
            np.testing.assert_allclose(row_quantile(matrix, q, method), hand, rtol=1e-12)


def test_holds_and_milestones_by_hand(result):
    """p_holds: share of a point's runs whose first break-even holds to the horizon; each
    milestone's P10/P50/P90 month over the runs (never = later than any month)."""
    runs, points = result.runs, result.points
    assert "milestone_deliveries_100k_index" in runs  # the default milestone
    for point in (0, 1):
        mine = runs[runs["point_id"] == point]
        row = points.loc[points["point_id"] == point].iloc[0]
        assert row["p_holds"] == pytest.approx(mine["breakeven_holds"].eq(True).mean())
        assert row["breakeven_runs_reached"] == np.isfinite(_months(runs, point)).sum()
        months = mine["milestone_deliveries_100k_index"].astype("Float64")
        months = months.to_numpy(na_value=np.inf).astype(float)
        for q in (10, 50, 90):
            hand = np.quantile(months, q / 100, method="inverted_cdf")
            assert row[f"milestone_deliveries_100k_p{q}_index"] == hand
    # a run holds exactly when no month after its first break-even is below zero
    ok = runs[runs["breakeven_operating_per_car_index"].notna()]
    assert (ok["breakeven_holds"] == (ok["months_below_zero_after_breakeven"] == 0)).all()
    assert (
        runs.loc[runs["breakeven_operating_per_car_index"].isna(), "breakeven_holds"].isna().all()
    )
