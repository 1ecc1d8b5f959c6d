"""``scaleup calibrate`` end to end: the example, a backtest on synthetic quarters whose truth is
known, and deliveries driving the ramp."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sim.calibrate import calibrate
from sim.calibrate.observed import read_observed
from sim.calibrate.problem import model_values
from sim.config.load import (
    DEFAULT_SCENARIO,
    PACKAGE_ROOT,
    apply_overrides,
    load_scenario,
    read_scenario_data,
    scenario_from_dict,
)
from sim.model.simulate import simulate

EXAMPLE = PACKAGE_ROOT / "configs" / "calibration" / "xiaomi_su7.yaml"


def test_example_runs_and_writes_a_loadable_scenario(tmp_path):
    out = tmp_path / "cal"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim",
            "calibrate",
            str(EXAMPLE),
            "--out",
            str(out),
            "--draws",
            "20",
            "--workers",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "not identified" in proc.stdout  # R&D and SG&A from one operating result
    scenario = load_scenario(out / "scenario.yaml")
    assert scenario.opex.rnd_per_month_usd.base == 70e6  # kept at the scenario's value
    text = (out / "scenario.yaml").read_text()
    assert "# fitted: 80 % interval" in text and "2024Q2" in text
    for name in (
        "parameters.csv",
        "residuals.csv",
        "fit.json",
        "forecast_by_quarter.csv",
        "figures",
    ):
        assert (out / name).exists(), name


def _quarters(tmp_path: Path, truth: dict[str, float], quarters: list[str], noise: float) -> Path:
    data = apply_overrides(read_scenario_data(DEFAULT_SCENARIO), truth)
    q = simulate(scenario_from_dict(data), mode="deterministic").quarterly.set_index("period")
    rng = np.random.default_rng(3)
    lines = ["period,deliveries,gross_margin,operating_profit"]
    for p in quarters:
        d, g, o = (
            q.at[p, m] * (1 + noise * rng.standard_normal())
            for m in ("deliveries", "gross_margin", "operating_profit")
        )
        lines.append(f"{p},{d:.0f},{g:.4f},{o:.0f}")
    path = tmp_path / "obs.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def _spec(tmp_path: Path, deliveries: str = "model") -> Path:
    spec = tmp_path / "cal.yaml"
    spec.write_text(
        f"scenario: {DEFAULT_SCENARIO.as_posix()}\nobserved: obs.csv\ndeliveries: {deliveries}\n"
        "parameters:\n"
        "  costs.components.body_and_parts.first_unit_usd: {low: 12000, high: 20000}\n"
        "  opex.rnd_per_month_usd.base: {low: 4.0e7, high: 1.0e8}\n"
        "error_scale: 2\nforecast: {draws: 40, seed: 1}\n"
    )
    return spec


TRUTH = {
    "costs.components.body_and_parts.first_unit_usd": 15_000.0,
    "opex.rnd_per_month_usd.base": 60e6,
}


def test_backtest_on_synthetic_quarters_scores_the_held_out_ones(tmp_path):
    _quarters(tmp_path, TRUTH, ["2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2"], 0.01)
    res = calibrate(
        _spec(tmp_path), train_until="2024Q4", out=tmp_path / "o", executor="serial", figures=False
    )
    assert set(res.fit.residuals["period"]) == {"2024Q2", "2024Q3", "2024Q4"}
    bt = res.backtest
    assert set(bt["period"]) == {"2025Q1", "2025Q2"}
    assert bt["error"].abs().max() < 10  # the truth is inside the model family: small misses
    assert bt["inside"].notna().all()
    p = res.fit.parameters.set_index("path")
    for path, true in TRUTH.items():
        assert p.at[path, "low_interval"] <= true <= p.at[path, "high_interval"]
    assert (tmp_path / "o" / "backtest.csv").exists()


def test_observed_deliveries_drive_the_ramp(tmp_path):
    truth = {"factory.lines.phase1.ramp.initial_share": 0.6, **TRUTH}
    _quarters(tmp_path, truth, ["2024Q2", "2024Q3"], 0.0)
    res = calibrate(_spec(tmp_path, "observed"), out=tmp_path / "o", draws=0, figures=False)
    assert res.ramp_miss is not None and res.ramp_miss < 1e-3
    written = load_scenario(tmp_path / "o" / "scenario.yaml")
    assert written.factory.lines["phase1"].ramp.kind == "table"
    obs = read_observed(tmp_path / "obs.csv")
    rows = obs.table[obs.table["metric"] == "deliveries"]
    got = model_values(simulate(written, mode="deterministic"), rows)
    assert got == pytest.approx(rows["value"].to_numpy(), rel=2e-3)
    p = res.fit.parameters.set_index("path")
    assert p.at["opex.rnd_per_month_usd.base", "value"] == pytest.approx(60e6, rel=0.02)
