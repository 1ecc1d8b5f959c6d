"""``scaleup sensitivity``: bad input (exit 2, one line, nothing written), end to end, resume."""

from __future__ import annotations

import copy
import json

import pandas as pd
import pytest

from sim.analysis import run_sensitivity
from sim.cli.main import main
from sim.experiments.store import chunk_files

# name: (change to the tiny spec, field named in the message, words in the message)
CASES = {
    "unknown_path": (
        {"inputs.demand.qq": {"low": 0, "high": 1}},
        "inputs.demand.qq",
        "no key 'qq' under demand",
    ),
    "low_not_below_high": (
        {"inputs.price.asp_usd.base": {"low": 32_000, "high": 25_000}},
        "inputs.price.asp_usd.base",
        "must be below high",
    ),
    "low_makes_an_invalid_scenario": (
        {"inputs.patience.monthly_cancel_rate": {"low": -0.1, "high": 0.1}},
        "inputs.patience.monthly_cancel_rate.low",
        "makes an invalid scenario",
    ),
    "base_outside_the_range": (
        {"inputs.price.asp_usd.base": {"low": 31_000, "high": 32_000}},
        "inputs.price.asp_usd.base",
        "outside low..high",
    ),
    "not_a_number": (
        {"inputs.demand": {"low": 0, "high": 1}},
        "inputs.demand",
        "not a number",
    ),
    "seed_is_not_an_input": ({"inputs.seed": {"low": 0, "high": 1}}, "inputs.seed", "cannot vary"),
    "unknown_key": ({"sobl": {}}, "sobl", "did you mean 'sobol'"),
    "size_not_a_power_of_2": ({"sobol": {"size": 12}}, "sobol", "power of 2"),
    "deterministic_replications": (
        {"oat": {"replications": 3}},
        "oat",
        "1 replication",
    ),
    "no_inputs": ({"inputs": {}}, "inputs", "must not be empty"),
    "name_too_long_for_its_sweeps": ({"name": "n" * 95}, "name", "at most 94 characters"),
}


def _apply(spec: dict, change: dict) -> dict:
    data = copy.deepcopy(spec)
    for key, value in change.items():
        if key.startswith("inputs."):
            data["inputs"][key.removeprefix("inputs.")] = value
        else:
            data[key] = value
    return data


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_spec_exits_2_with_one_line_and_writes_nothing(
    case, spec, write_spec, work, monkeypatch, capsys
):
    change, field, words = CASES[case]
    path = write_spec(_apply(spec, change))
    before = sorted(p.name for p in work.iterdir())
    monkeypatch.chdir(work)
    status = main(["sensitivity", "tiny.yaml", "--spec", str(path), "--executor", "serial"])
    out, err = capsys.readouterr()
    assert status == 2
    assert err.count("\n") == 1, err
    assert err.startswith(f"scaleup: error: {path}: {field}: "), err
    assert words in err
    assert out == ""
    assert sorted(p.name for p in work.iterdir()) == before  # no outputs/


@pytest.mark.parametrize(
    ("args", "start"),
    [
        (["--spec", "nowhere.yaml"], "scaleup: error: nowhere.yaml: file not found"),
        ([], "scaleup: error: tiny.yaml: no sensitivity file for this scenario"),
        (["--spec", "spec.yaml", "--workers", "0"], "scaleup: error: --workers"),
    ],
)
def test_missing_spec_and_bad_options_exit_2(args, start, write_spec, work, monkeypatch, capsys):
    write_spec()
    monkeypatch.chdir(work)
    assert main(["sensitivity", "tiny.yaml", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(start) and err.count("\n") == 1, err
    assert not (work / "outputs").exists()


def test_end_to_end(write_spec, work, monkeypatch, capsys):
    write_spec()
    monkeypatch.chdir(work)
    assert main(["sensitivity", "tiny.yaml", "--spec", "spec.yaml", "--executor", "serial"]) == 0
    out = capsys.readouterr().out
    folder = work / "outputs" / "tiny"
    for name in ("oat.csv", "sobol.csv", "manifest.json", "sensitivity.yaml"):
        assert (folder / name).is_file(), name
    figures = sorted(p.name for p in (folder / "figures").glob("*.png"))
    assert figures == [
        "sobol_breakeven.png",
        "sobol_capital.png",
        "tornado_breakeven.png",
        "tornado_capital.png",
    ]
    assert (folder / "oat" / "runs.parquet").is_file()
    assert (folder / "sobol" / "runs.parquet").is_file()
    # the tornado ranking: break-even as YYYY-MM or "not within horizon", capital in USD
    line = next(x for x in out.splitlines() if x.startswith("SG&A "))
    assert "$20.0M -> $50.0M" in line and "2024-01 / not within horizon" in line
    assert "$0 / $72.5M" in line
    assert "Base: break-even 2024-04, capital needed $29.0M" in out
    assert "break-even not within the horizon in" in out and "S1" in out and "+-" in out
    # again without --resume: a finished folder is replaced
    assert main(["sensitivity", "tiny.yaml", "--spec", "spec.yaml", "--executor", "serial"]) == 0
    assert "replacing the previous results" in capsys.readouterr().err


class Stop(Exception):
    pass


def test_resume_gives_identical_tables(write_spec, work, capsys):
    spec = write_spec()
    args = {"config": work / "tiny.yaml", "spec": spec, "executor": "serial"}
    whole = run_sensitivity(**args, out=work / "whole", progress=False)

    def stop_in_sobol(done: int, total: int) -> None:
        if total == 32 and done >= 12:
            raise Stop

    out = work / "cut"
    with pytest.raises(Stop):
        run_sensitivity(**args, out=out, progress=stop_in_sobol)
    assert json.loads((out / "manifest.json").read_text())["status"] == "interrupted"
    assert main(["sensitivity", str(args["config"]), "--spec", str(spec), "--out", str(out)]) == 2
    assert "(pass --resume)" in capsys.readouterr().err
    again = run_sensitivity(**args, out=out, resume=True, progress=False)
    assert again.sobol_sweep.executed == 32 - 12 and again.oat_sweep.executed == 0
    for name in ("oat.csv", "sobol.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(whole.folder / name), pd.read_csv(out / name))

    # a finished analysis that lost some Sobol chunks: --resume runs only those
    for _, _, path in chunk_files(out / "sobol")[1:3]:
        path.unlink()
    fixed = run_sensitivity(**args, out=out, resume=True, progress=False)
    assert fixed.sobol_sweep.executed == 8
    pd.testing.assert_frame_equal(whole.sobol, fixed.sobol)
    pd.testing.assert_frame_equal(whole.oat, fixed.oat)
    pd.testing.assert_frame_equal(whole.sobol_sweep.runs, fixed.sobol_sweep.runs)


def test_resume_refuses_a_changed_spec(spec, write_spec, work):
    path = write_spec()
    run_sensitivity(
        work / "tiny.yaml", spec=path, executor="serial", out=work / "o", progress=False
    )
    spec["sobol"]["seed"] = 4
    write_spec(spec)
    with pytest.raises(Exception, match="the analysis changed"):
        run_sensitivity(
            work / "tiny.yaml", spec=path, executor="serial", out=work / "o", resume=True
        )


def test_failed_runs_exit_1_and_the_folder_is_replaced_next_time(
    write_spec, work, monkeypatch, capsys
):
    from sim.experiments import runner

    real = runner.simulate

    def fragile(scenario, seed, mode):
        if scenario.opex.sga_per_month_usd.base > 45e6:
            raise RuntimeError("boom")
        return real(scenario, seed, mode=mode)

    monkeypatch.setattr(runner, "simulate", fragile)
    write_spec()
    monkeypatch.chdir(work)
    args = ["sensitivity", "tiny.yaml", "--spec", "spec.yaml", "--executor", "serial", "--quiet"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.startswith("scaleup: 1 of 5 runs of tiny-oat failed") and "boom" in err, err
    folder = work / "outputs" / "tiny"
    assert json.loads((folder / "manifest.json").read_text())["status"] == "failed"
    assert not (folder / "oat.csv").exists()
    monkeypatch.setattr(runner, "simulate", real)
    assert main(args) == 0
