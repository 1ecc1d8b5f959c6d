"""``scaleup run`` and ``scaleup validate`` end to end, and the run folder they write."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

import sim.io.rundir as rundir
from sim import load_scenario, simulate
from sim.config.load import DEFAULT_SCENARIO

CONFIGS = DEFAULT_SCENARIO.parent
SCENARIO_FILES = sorted(
    p
    for p in CONFIGS.rglob("*.yaml")
    if not {"sweeps", "sensitivity", "calibration", "observed"} & set(p.relative_to(CONFIGS).parts)
)
MONTHLY_COLUMNS = [
    "month",
    "orders",
    "cancellations",
    "backlog",
    "capacity",
    "production",
    "deliveries",
    "inventory",
    "asp",
    "revenue",
    "cogs",
    "gross_profit",
    "gross_margin",
    "opex",
    "operating_profit",
    "operating_profit_per_car",
    "cumulative_deliveries",
    "cumulative_cash",
]
BREAKEVEN_MONTHS = (
    "gross_profit",
    "operating_per_car",
    "operating_per_car_sustained",
    "cash_payback",
)


def ok(proc):
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory, cli):
    """The default scenario run once through ``scaleup run CONFIG --out DIR``, figures included."""
    out = tmp_path_factory.mktemp("cli") / "run"
    ok(cli(["run", DEFAULT_SCENARIO, "--out", out], entry="scaleup"))
    return out


def test_run_folder_holds_config_tables_summary_and_figures(run_dir):
    for name in ("config.yaml", "monthly.csv", "monthly.parquet", "quarterly.csv", "summary.json"):
        assert (run_dir / name).is_file(), name
    figures = {p.name for p in (run_dir / "figures").glob("*.png")}
    assert figures == {"per_car_profit.png", "operations.png", "unit_cost.png", "cash.png"}
    for png in (run_dir / "figures").glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [p for p in run_dir.parent.iterdir() if p.name.startswith(".")]  # no leftovers


def test_monthly_csv_columns_and_length(run_dir):
    monthly = pd.read_csv(run_dir / "monthly.csv")
    assert set(MONTHLY_COLUMNS) <= set(monthly.columns)
    assert len(monthly) == load_scenario().horizon_months
    assert monthly["month"].iloc[0] == f"{load_scenario().start:%Y-%m}"
    parquet = pd.read_parquet(run_dir / "monthly.parquet")
    assert list(parquet.columns) == list(monthly.columns)
    # the CSV prints money to cents; the parquet keeps full precision
    np.testing.assert_allclose(parquet["revenue"], monthly["revenue"], rtol=0, atol=0.005)


def test_summary_breakeven_keys(run_dir):
    be = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))["breakeven"]
    for key in BREAKEVEN_MONTHS:
        assert be[key] is None or re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", be[key]), (key, be[key])
    assert isinstance(be["peak_cash_deficit"], int | float) and be["peak_cash_deficit"] >= 0


def test_quarterly_csv_rolls_up_the_monthly_one(run_dir):
    monthly = pd.read_parquet(run_dir / "monthly.parquet")
    quarterly = pd.read_csv(run_dir / "quarterly.csv")
    sums = monthly.groupby("quarter", sort=False)["deliveries"].sum()
    # the CSV prints cars to hundredths
    np.testing.assert_allclose(quarterly["deliveries"], sums.to_numpy(), rtol=0, atol=0.005)


def test_resolved_config_reloads_and_reruns_to_the_same_table(run_dir):
    written = pd.read_parquet(run_dir / "monthly.parquet")
    rerun = simulate(load_scenario(run_dir / "config.yaml")).monthly
    original = simulate(load_scenario(DEFAULT_SCENARIO)).monthly
    assert rerun.equals(original)
    np.testing.assert_array_equal(rerun["operating_profit"].to_numpy(), written["operating_profit"])


def test_resolved_config_of_a_seeded_run_reruns_to_the_same_table(tmp_path, cli):
    # desmod's rule: the run folder holds the config as run. After `--seed 7` the run was
    # stochastic with seed 7, so loading config.yaml and running it must give the same table.
    ok(cli(["run", DEFAULT_SCENARIO, "--seed", "7", "--no-figures", "--out", tmp_path / "r"]))
    written = pd.read_parquet(tmp_path / "r" / "monthly.parquet")
    rerun = simulate(load_scenario(tmp_path / "r" / "config.yaml")).monthly
    np.testing.assert_array_equal(rerun["orders"].to_numpy(), written["orders"].to_numpy())


def test_python_dash_m_sim_equals_the_scaleup_script(run_dir, tmp_path, cli):
    ok(cli(["run", DEFAULT_SCENARIO, "--no-figures", "--out", tmp_path / "m"]))
    for name in ("monthly.csv", "quarterly.csv", "summary.json", "config.yaml"):
        assert (tmp_path / "m" / name).read_bytes() == (run_dir / name).read_bytes(), name


def test_set_changes_the_result(run_dir, tmp_path, cli):
    args = ["run", DEFAULT_SCENARIO, "--set", "price.asp_usd.base=45000", "--no-figures"]
    ok(cli([*args, "--out", tmp_path / "s"]))
    base = pd.read_parquet(run_dir / "monthly.parquet")
    changed = pd.read_parquet(tmp_path / "s" / "monthly.parquet")
    assert (changed["asp"] == 45_000).all()
    np.testing.assert_allclose(changed["revenue"], changed["deliveries"] * 45_000, rtol=1e-12)
    assert not np.allclose(changed["revenue"], base["revenue"])
    assert load_scenario(tmp_path / "s" / "config.yaml").price.asp_usd.base == 45_000


def test_seed_runs_stochastically_and_repeats_exactly(run_dir, tmp_path, cli):
    for folder in ("a", "b"):
        ok(
            cli(
                [
                    "run",
                    DEFAULT_SCENARIO,
                    "--seed",
                    "11",
                    "--no-figures",
                    "--out",
                    tmp_path / folder,
                ]
            )
        )
    summary = json.loads((tmp_path / "a" / "summary.json").read_text(encoding="utf-8"))
    assert summary["mode"] == "stochastic" and summary["seed"] == 11
    a = (tmp_path / "a" / "monthly.csv").read_bytes()
    assert a == (tmp_path / "b" / "monthly.csv").read_bytes()
    assert a != (run_dir / "monthly.csv").read_bytes()  # not the deterministic table
    monthly = pd.read_csv(tmp_path / "a" / "monthly.csv")
    np.testing.assert_array_equal(monthly["orders"], np.round(monthly["orders"]))


def test_default_scenario_when_config_is_omitted(run_dir, tmp_path, cli):
    ok(cli(["run", "--no-figures", "--out", "here"], cwd=tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["here"]
    summary = json.loads((tmp_path / "here" / "summary.json").read_text(encoding="utf-8"))
    assert summary["scenario"] == load_scenario().name
    assert (tmp_path / "here" / "monthly.csv").read_bytes() == (
        run_dir / "monthly.csv"
    ).read_bytes()


def test_validate_every_scenario_file(cli):
    assert DEFAULT_SCENARIO in SCENARIO_FILES
    proc = ok(cli(["validate", *SCENARIO_FILES], entry="scaleup"))
    lines = proc.stdout.splitlines()
    assert len(lines) == len(SCENARIO_FILES)
    assert all(line.startswith("ok: ") for line in lines)


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: str(p.relative_to(CONFIGS)))
@pytest.mark.parametrize("mode", ["deterministic", "stochastic"])
def test_every_scenario_file_runs(path, mode):
    sc = load_scenario(path)
    r = simulate(sc, 3, mode=mode)
    c = r.columns
    assert len(r.monthly) == sc.horizon_months
    accounted = np.cumsum(c["deliveries"]) + np.cumsum(c["cancellations"]) + c["backlog"]
    np.testing.assert_allclose(accounted, np.cumsum(c["orders"]), rtol=1e-9)
    assert c["deliveries"].sum() > 0
    json.dumps(r.summary)  # the summary is plain JSON


class Boom(Exception):
    pass


def fail_in_figures(*args, **kwargs):
    raise Boom("disk full")


def test_a_failed_write_leaves_no_run_folder(tiny_run, tmp_path):
    result = tiny_run({"launch.preorders": 500})
    with pytest.raises(Boom):
        rundir.write_run(result, tmp_path / "run", extra=fail_in_figures)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_keeps_the_previous_run(tiny_run, tmp_path, monkeypatch):
    target = tmp_path / "run"
    rundir.write_run(tiny_run({"launch.preorders": 500}), target)
    before = {p.name: p.read_bytes() for p in target.iterdir()}

    def fail_in_parquet(*args, **kwargs):
        raise Boom("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", fail_in_parquet)
    with pytest.raises(Boom):
        rundir.write_run(tiny_run({"launch.preorders": 900}), target)
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["run"]
