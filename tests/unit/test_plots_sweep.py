"""Figures of sweeps and sensitivity analyses: structure, labels and units, "never" shown.

Built on small synthetic tables and on two tiny real sweeps (17-month horizon, so some runs do
not break even within it).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
import yaml
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from sim.config.load import DEFAULT_SCENARIO
from sim.core.outputs import NEVER
from sim.plots import (
    breakeven_distribution,
    breakeven_heatmap,
    fan_chart,
    profit_bands,
    sobol_indices,
    tornado,
)
from sim.plots import sweep as sw

matplotlib.use("Agg")

HORIZON = 17  # months of the real sweeps: the default breaks even (sustained) around month 15
GRID_X, GRID_Y = "factory.lines.phase1.ramp.months", "costs.components.direct_labour.progress_ratio"


def texts(fig: Figure) -> list[str]:
    """Every piece of text drawn: titles, labels, ticks, annotations, legend entries."""
    fig.canvas.draw()  # tick labels exist once drawn
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def top_down(ax) -> list[str]:
    """The y tick labels from the top of the axes down."""
    ticks = sorted(ax.get_yticklabels(), key=lambda t: -t.get_position()[1])
    return [t.get_text() for t in ticks]


def joined(fig: Figure) -> str:
    return "\n".join(texts(fig))


def month(i: int, start: str = "2024-01") -> str:
    return str(np.datetime64(start, "M") + i)


# ---------------------------------------------------------------------------- synthetic tables


def bands_table(variants=("slow", "fast"), months: int = 12, pooled: bool = False) -> pd.DataFrame:
    """Per-car profit rises 500 USD a month (variant ``i`` 1,500 USD ahead); cash rises."""
    rows = []
    for pid, variant in enumerate(variants):
        for m in range(months):
            for metric, mid in (
                ("operating_profit_per_car", -3000.0 + 500 * m + 1500 * pid),
                ("cumulative_cash", -1e9 + 1.5e8 * m),
            ):
                rows.append(
                    {
                        "point_id": None if pooled else pid,
                        "variant": variant,
                        "month": month(m),
                        "metric": metric,
                        "p10": mid - 400,
                        "p50": mid,
                        "p90": mid + 400,
                        "mean": mid,
                        "runs": 10,
                    }
                )
    return pd.DataFrame(rows)


def comparison_table(p50=("2024-07", "2024-04"), p90=("2024-09", "2024-05")) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "point_id": [0, 1],
            "variant": ["slow", "fast"],
            "breakeven_p10": ["2024-06", "2024-03"],
            "breakeven_p50": list(p50),
            "breakeven_p90": list(p90),
        }
    )


def runs_table(never: int = 0, failed: int = 0, n: int = 20) -> pd.DataFrame:
    """Two variants of ``n`` runs; variant "slow" has ``never`` runs without break-even."""
    rng = np.random.default_rng(0)
    frames = []
    for pid, variant in enumerate(("slow", "fast")):
        index = pd.array(rng.integers(6, 12, n) - 3 * pid, dtype="Int32")
        status = ["ok"] * n
        if variant == "slow":
            index[:never] = pd.NA
            status[n - failed :] = ["failed"] * failed
        frames.append(
            pd.DataFrame(
                {
                    "run_id": np.arange(n) + pid * n,
                    "point_id": pid,
                    "variant": variant,
                    "status": status,
                    "start_month": "2024-01",
                    sw.BREAKEVEN_INDEX: index,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def points_table(never_cells=((1, 1),)) -> pd.DataFrame:
    """A 3 x 2 grid; cells (i, j) in ``never_cells`` never break even."""
    rows = []
    for i, x in enumerate((4, 8, 12)):
        for j, y in enumerate((0.8, 0.9)):
            idx = np.inf if (i, j) in never_cells else float(6 + 2 * i + 3 * j)
            label = NEVER if np.isinf(idx) else month(int(idx))
            rows.append(
                {
                    "point_id": len(rows),
                    "variant": "base",
                    GRID_X: x,
                    GRID_Y: y,
                    "breakeven_p50": label,
                    "breakeven_p50_index": idx,
                }
            )
    return pd.DataFrame(rows)


def oat_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "input": ["demand.q", "price.asp_usd.base", "opex.sga_per_month_usd.base"],
            "label": ["Demand q", "Price (USD)", "SG&A (USD per month)"],
            "low": [0.03, 27000.0, 40e6],
            "base": [0.06, 30000.0, 50e6],
            "high": [0.1, 33000.0, 60e6],
            "breakeven_low": [19.0, np.nan, 15.0],
            "breakeven_base": [18.0] * 3,
            "breakeven_high": [17.0, 10.0, 20.0],
            "capital_low": [1.3e9, 5e9, 1.0e9],
            "capital_base": [1.2e9] * 3,
            "capital_high": [1.1e9, 1.0e9, 1.4e9],
        }
    )


# ---------------------------------------------------------------------------- profit bands


def test_profit_bands_one_band_per_variant_with_breakeven_strip():
    fig = profit_bands(bands_table(), comparison_table(), title="Test bands")
    main, strip = fig.axes
    assert [ln.get_label() for ln in main.get_lines() if not ln.get_label().startswith("_")] == [
        "slow",
        "fast",
    ]
    assert len([c for c in main.collections if isinstance(c, PolyCollection)]) == 2
    assert any(list(ln.get_ydata()) == [0.0, 0.0] for ln in main.get_lines())  # zero line
    assert "USD" in main.get_ylabel() and strip.get_xlabel() == "Month"
    words = texts(fig)
    assert {"Test bands", "2024-07", "2024-04", "median break-even", "slow", "fast"} <= set(words)
    assert NEVER not in joined(fig)


def test_profit_bands_says_when_the_median_is_not_within_horizon():
    cmp = comparison_table(p50=(NEVER, "2024-04"), p90=(NEVER, NEVER))
    words = texts(profit_bands(bands_table(), cmp))
    assert NEVER in words  # slow: median never
    assert f"2024-04 (P90 {NEVER})" in words  # fast: the P90 only


def test_profit_bands_without_comparison_and_bad_groupings():
    fig = profit_bands(bands_table(pooled=True), by="variant")
    (ax,) = fig.axes
    assert ax.get_xlabel() == "Month"
    with pytest.raises(ValueError, match="pooled"):
        profit_bands(bands_table(pooled=True), by="point")
    with pytest.raises(ValueError, match="at most"):
        profit_bands(bands_table(variants=tuple("abcdefghi")))
    two_points = bands_table().assign(variant="same")
    with pytest.raises(ValueError, match="2 points"):
        profit_bands(two_points, by="variant")


# ---------------------------------------------------------------------------- fan chart


def test_fan_chart_one_panel_per_metric_with_units():
    fig = fan_chart(bands_table(pooled=True), variant="fast")
    assert len(fig.axes) == 2
    for ax in fig.axes:
        assert "USD" in ax.get_ylabel()
        assert any(isinstance(c, PolyCollection) for c in ax.collections)  # P10-P90 fan
    assert fig.axes[-1].get_xlabel() == "Month"
    assert "fast: median and P10\u2013P90 of 10 runs" in texts(fig)


def test_fan_chart_needs_one_group():
    with pytest.raises(ValueError, match="pass point= or variant="):
        fan_chart(bands_table())
    assert len(fan_chart(bands_table(), point=1, metrics=("cumulative_cash",)).axes) == 1


# ---------------------------------------------------------------------------- distribution


def test_breakeven_ecdf_shows_runs_not_within_horizon_and_counts_failures():
    fig = breakeven_distribution(runs_table(never=5, failed=2), horizon_months=24)
    ax, side = fig.axes
    words = joined(fig)
    assert f"slow (18 runs; 28 % {NEVER})" in words  # 5 of the 18 runs that did not fail
    assert "fast (20 runs)" in words
    assert "2 failed run(s) left out" in words and "after 2025-12" in words
    slow = ax.get_lines()[0]
    assert slow.get_ydata()[-1] == pytest.approx(13 / 18)  # the ECDF ends below 100 %
    heights = [p.get_height() for p in side.patches]
    assert heights == pytest.approx([5 / 18, 0.0])
    assert "%" in ax.get_ylabel() and ax.get_xlabel() == "Month"


def test_breakeven_histogram_and_bad_kind():
    fig = breakeven_distribution(runs_table(never=3), kind="hist", start="2024-01")
    assert NEVER in joined(fig)
    with pytest.raises(ValueError, match="kind"):
        breakeven_distribution(runs_table(), kind="violin")


# ---------------------------------------------------------------------------- heatmap


def test_heatmap_annotates_months_and_never():
    fig = breakeven_heatmap(points_table(), GRID_X, GRID_Y, title="Grid")
    ax = fig.axes[0]
    words = texts(fig)
    assert "never" in words and "2024-07" in words and f"never: {NEVER}" in words
    hatched = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_hatch()]
    assert len(hatched) == 1
    assert [t.get_text() for t in ax.get_xticklabels()] == ["4", "8", "12"]
    assert ax.get_xlabel() == "phase1 ramp months" and "progress ratio" in ax.get_ylabel()
    assert "Median break-even month" in fig.axes[1].get_ylabel()  # the colour bar


def test_heatmap_without_never_and_with_two_variants():
    fig = breakeven_heatmap(points_table(never_cells=()), GRID_X, GRID_Y)
    assert "never" not in texts(fig)
    two = pd.concat([points_table(), points_table().assign(variant="other")])
    with pytest.raises(ValueError, match="variant="):
        breakeven_heatmap(two, GRID_X, GRID_Y)
    assert breakeven_heatmap(two, GRID_X, GRID_Y, variant="other")
    twice = pd.concat([points_table(), points_table()])  # a grid with a sample: cells repeat
    with pytest.raises(ValueError, match="several points per grid cell"):
        breakeven_heatmap(twice, GRID_X, GRID_Y)


# ---------------------------------------------------------------------------- tornado, Sobol


def test_tornado_sorts_by_swing_and_marks_never():
    fig = tornado(oat_table(), "breakeven", horizon_months=24, start="2024-01")
    (ax,) = fig.axes
    rows = [text.split("\n")[0] for text in top_down(ax)]
    assert rows == ["Price (USD)", "SG&A (USD per month)", "Demand q"]  # largest swing on top
    words = joined(fig)
    assert f"$27,000: {NEVER}" in words and "base: 2025-07" in words
    assert "$40.0M" in words and "0.1" in words  # input values at the bar ends
    assert all(t.get_text()[:4].isdigit() for t in ax.get_xticklabels())  # YYYY-MM ticks
    assert any(p.get_hatch() for p in ax.patches)
    assert len(ax.patches) == 6  # a low and a high bar per input


def test_tornado_capital_in_usd():
    fig = tornado(oat_table(), "capital")
    assert "USD" in fig.axes[0].get_xlabel() and NEVER not in joined(fig)
    with pytest.raises(KeyError, match="cost_low"):
        tornado(oat_table(), "cost")


def test_sobol_bars_and_intervals():
    table = pd.DataFrame(
        {
            "input": ["a.x", "b.y"],
            "label": ["A", "B"],
            "S1": [0.1, 0.5],
            "S1_conf": [0.02, 0.05],
            "ST": [0.2, 0.6],
            "ST_conf": [0.03, 0.04],
        }
    )
    fig = sobol_indices(table)
    (ax,) = fig.axes
    assert top_down(ax) == ["B", "A"]  # largest total effect on top
    assert len(ax.patches) == 4 and len(ax.containers) == 4  # 2 bar sets, 2 error bar sets
    assert "95 % confidence interval" in joined(fig) and "variance" in ax.get_xlabel()


# ---------------------------------------------------------------------------- real sweeps


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> dict:
    """A 2-variant sweep (3 replications) and a 2 x 2 grid (2 replications) of HORIZON months."""
    from sim.experiments import run_sweep

    folder = tmp_path_factory.mktemp("sweeps")
    base = folder / "small.yaml"
    small = {"extends": str(DEFAULT_SCENARIO), "name": "small", "horizon_months": HORIZON}
    base.write_text(yaml.safe_dump(small))
    common = {"base": str(base), "master_seed": 5}
    variants = {
        "name": "tiny",
        "replications": 3,
        "baseline": "baseline",
        **common,
        "variants": {"baseline": {}, "slow": {"set": {GRID_X: 14}}},
    }
    grid = {
        "name": "grid",
        "replications": 2,
        **common,
        "grid": {GRID_X: [4, 14], GRID_Y: [0.8, 0.92]},
    }
    return {
        "variants": run_sweep(variants, executor="serial", out=folder / "v", progress=False),
        "grid": run_sweep(grid, executor="serial", out=folder / "g", progress=False),
    }


def test_real_sweep_figures(tiny):
    res = tiny["variants"]
    fig = profit_bands(res.bands, res.comparison)
    assert len(fig.axes) == 2
    words = joined(fig)
    assert all(month in words for month in res.comparison["breakeven_p50"])
    assert (NEVER in words) == (res.comparison["breakeven_p90"] == NEVER).any()
    assert len(fan_chart(res.bands, variant="slow").axes) == 2
    dist = breakeven_distribution(res.runs, horizon_months=HORIZON)
    never = res.runs[sw.BREAKEVEN_INDEX].isna().any()
    assert never  # the horizon is too short for some replications
    assert f"% {NEVER}" in joined(dist)


def test_real_grid_heatmap(tiny):
    res = tiny["grid"]
    fig = breakeven_heatmap(res.points, GRID_X, GRID_Y)
    words = texts(fig)
    assert ("never" in words) == bool(np.isinf(res.points["breakeven_p50_index"]).any())
    assert any(w[:4].isdigit() and w[4:5] == "-" for w in words)  # a YYYY-MM cell


def test_figures_are_saved(tmp_path: Path):
    from sim.plots import save_figure

    written = save_figure(tornado(oat_table()), tmp_path / "t", formats=("png", "svg"))
    assert [p.name for p in written] == ["t.png", "t.svg"] and all(
        p.stat().st_size for p in written
    )


def test_a_grid_names_its_fan_charts_by_factor_values(tiny):
    from sim.plots.sets import sweep_set

    res = tiny["grid"]
    tables = {"runs": res.runs, "points": res.points, "comparison": res.comparison,
              "bands": res.bands}  # fmt: skip
    figs, _ = sweep_set(tables, {"grid": {GRID_X: [4, 14], GRID_Y: [0.8, 0.92]}}, "grid")
    fans = sorted(name for name in figs if name.startswith("fan_"))
    x, y = GRID_X.split(".")[-1], GRID_Y.split(".")[-1]
    assert fans == sorted(f"fan_{x}_{a}_{y}_{b}" for a in (4, 14) for b in (0.8, 0.92))


def test_a_deterministic_sweep_draws_no_band():
    """Every run the same: P10 = P50 = P90, so no band, no P10-P90 legend, no median."""
    bands = bands_table()
    bands["p10"] = bands["p90"] = bands["p50"]
    fig = profit_bands(bands, comparison_table())
    words = joined(fig)
    assert "P10\u2013P90" not in words and "median" not in words
    assert not [c for c in fig.axes[0].collections if c.get_label() != "_nolegend_" and
                type(c).__name__ == "FillBetweenPolyCollection"]  # fmt: skip
    fan = fan_chart(bands, point=0)
    assert "every run the same" in fan.get_suptitle() and "P10" not in joined(fan)


def test_tiny_first_months_do_not_set_the_band_range():
    """Month 0 delivers 10 cars at -$1.5M a car; months 1-11 deliver 1,000 between -$2,500 and
    +$5,500 (variant "fast"): the range is theirs, the first month a triangle."""
    bands = bands_table()
    per_car = bands["metric"] == "operating_profit_per_car"
    first = per_car & (bands["month"] == month(0))
    bands.loc[first, ["p10", "p50", "p90"]] = [-1.5e6, -1.5e6, -1.5e6]
    volume = bands[per_car].assign(metric="deliveries", p10=1000.0, p50=1000.0, p90=1000.0)
    volume.loc[volume["month"] == month(0), ["p10", "p50", "p90"]] = 10.0
    fig = profit_bands(pd.concat([bands, volume], ignore_index=True))
    (ax,) = fig.axes
    kept = bands[per_car & ~first]
    lo, hi = kept["p10"].min(), kept["p90"].max()
    assert ax.get_ylim() == pytest.approx((lo - 0.08 * (hi - lo), hi + 0.08 * (hi - lo)))
    assert "2 medians off the scale" in ax.get_xlabel()
    assert "-\\$1.5M (2024-01)" in ax.get_xlabel()
