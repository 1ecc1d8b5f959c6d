"""One at a time: by hand on the tiny scenario, and the ``oat.csv`` contract."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis import load_analysis, oat_table, run_sensitivity
from sim.analysis.oat import OAT_COLUMNS, oat_sweep, variant_names
from sim.analysis.spec import spec_from_dict


def test_by_hand(work, write_spec):
    res = run_sensitivity(
        work / "tiny.yaml", spec=write_spec(), executor="serial", out=work / "out", sobol=False
    )
    t = res.oat.set_index("input")
    sga, asp = t.loc["opex.sga_per_month_usd.base"], t.loc["price.asp_usd.base"]
    # SG&A 20 M: (3,100 x 10,000 - 20 M) > 0 from January; 50 M: loss every month
    assert (sga["low"], sga["base"], sga["high"]) == (20e6, 40e6, 50e6)
    assert (sga["breakeven_low"], sga["breakeven_base"]) == (0, 3)
    assert math.isnan(sga["breakeven_high"])  # not within the horizon
    assert sga["capital_low"] == 0
    assert sga["capital_base"] == pytest.approx(9e6 + 11e6 + 9e6)
    # 50 M: 19 + 21 + 19 M, then 5, 3.5 and 5 M a month at 15,000 a car
    assert sga["capital_high"] == pytest.approx(19e6 + 21e6 + 19e6 + 5e6 + 3.5e6 + 5e6)
    # ASP until April 25,000 / 32,000: margin 5,000 / 12,000 a car in January to March
    assert (asp["breakeven_low"], asp["breakeven_high"]) == (3, 3)
    assert asp["capital_low"] == pytest.approx(3 * 40e6 - 9_100 * 5_000)
    assert asp["capital_high"] == pytest.approx(3 * 40e6 - 9_100 * 12_000)
    # the "not within horizon" side counts as the horizon (6 months) in the swing
    assert sga["swing_breakeven"] == 6 and asp["swing_breakeven"] == 0
    assert list(res.oat["input"]) == ["opex.sga_per_month_usd.base", "price.asp_usd.base"]
    assert res.manifest["oat_not_within_horizon"] == 1


def test_oat_csv_contract(work, write_spec):
    res = run_sensitivity(
        work / "tiny.yaml", spec=write_spec(), executor="serial", out=work / "out", sobol=False
    )
    csv = pd.read_csv(work / "out" / "oat.csv")
    assert list(csv.columns) == OAT_COLUMNS
    assert csv["label"].tolist() == ["SG&A", "ASP"]
    assert csv["breakeven_high"].isna().tolist() == [True, False]  # NaN: not within horizon
    pd.testing.assert_frame_equal(csv, res.oat, check_dtype=False)
    assert not (work / "out" / "sobol.csv").exists()


def _points(rows: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """A fake OAT sweep ``points`` table: variant -> (break-even P50 index, capital P50)."""
    return pd.DataFrame(
        {
            "variant": list(rows),
            "breakeven_p50_index": [v[0] for v in rows.values()],
            "capital_needed_p50": [v[1] for v in rows.values()],
        }
    )


def test_sorted_by_breakeven_swing_then_capital_swing(work, write_spec, spec):
    spec["inputs"]["price.asp_usd.changes.2024-04"] = {"low": 34_000, "high": 36_000}
    analysis = load_analysis(work / "tiny.yaml", write_spec(spec), sobol=False)
    names = variant_names(analysis.paths)
    sga, asp, change = (names[p] for p in analysis.paths)
    points = _points(
        {
            "base": (3, 29e6),
            sga[0]: (2, 20e6),  # swing 4 months, 60 M
            sga[1]: (np.inf, 80e6),  # median not within horizon: NaN, swing to month 6
            asp[0]: (5, 50e6),
            asp[1]: (1, 10e6),  # swing 4 months, 40 M
            change[0]: (1, 30e6),
            change[1]: (5, 28e6),  # swing 4 months, 2 M: after the ASP
        }
    )
    t = oat_table(analysis, points)
    assert t["input"].tolist() == [
        "opex.sga_per_month_usd.base",
        "price.asp_usd.base",
        "price.asp_usd.changes.2024-04",
    ]
    assert t["swing_breakeven"].tolist() == [4, 4, 4]
    assert math.isnan(t.loc[0, "breakeven_high"])
    assert t["label"].tolist()[2] == "asp usd changes 2024-04"  # default label from the path
    assert t.loc[2, "base"] == 35_000  # the scenario's own value, a dated change


def test_variant_names_pass_the_engine_rule(work, write_spec, spec):
    spec["inputs"]["price.asp_usd.changes.2024-04"] = {"low": 34_000, "high": 36_000}
    plan = oat_sweep(load_analysis(work / "tiny.yaml", write_spec(spec), sobol=False))
    assert plan.spec.variant_names[:3] == [
        "base",
        "opex_sga_per_month_usd_base-low",
        "opex_sga_per_month_usd_base-high",
    ]
    assert plan.n_runs == 1 + 2 * 3
    assert variant_names(["a.b_c", "a_b.c"]) == {
        "a.b_c": ("a_b_c-low", "a_b_c-high"),
        "a_b.c": ("a_b_c-1-low", "a_b_c-1-high"),
    }


def test_stochastic_oat_is_the_median_of_the_replications(work, write_spec, spec):
    spec["oat"] = {"mode": "stochastic", "replications": 3, "master_seed": 1}
    res = run_sensitivity(
        work / "tiny.yaml", spec=write_spec(spec), executor="serial", out=work / "o", sobol=False
    )
    runs = res.oat_sweep.runs
    assert len(runs) == 5 * 3
    base = runs[runs["variant"] == "base"]
    assert res.oat.loc[0, "capital_base"] == pytest.approx(base["peak_cash_deficit"].median())


def test_spec_defaults():
    spec = spec_from_dict({"name": "s", "inputs": {"demand.q": {"low": 0.03, "high": 0.1}}}, "s")
    assert (spec.oat.mode, spec.sobol.size, spec.sobol.metrics) == (
        "deterministic",
        1024,
        ["breakeven", "capital"],
    )
