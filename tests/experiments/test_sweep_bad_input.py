"""Bad sweep input: exit 2, one line on stderr naming the sweep file and the field, no files."""

from __future__ import annotations

import copy

import pytest

from sim.cli.main import main
from sim.errors import ConfigError
from sim.experiments import load_sweep

UNIFORM = {"dist": "uniform", "low": 0.04, "high": 0.08}

# name: (change to the tiny sweep, field named in the message, words in the message)
CASES = {
    "unknown_path_in_variant": (
        {"variants.slow.set": {"factory.lines.phase9.ramp.months": 4}},
        "variants.slow.set.factory.lines.phase9.ramp.months",
        "no key",
    ),
    "unknown_path_in_grid": ({"grid": {"demand.qq": [0.1]}}, "grid.demand.qq", "no key"),
    "unknown_path_in_sample": (
        {"sample": {"size": 4, "params": {"demand.qq": UNIFORM}}},
        "sample.params.demand.qq",
        "no key",
    ),
    "empty_grid": ({"grid": {"demand.q": []}}, "grid.demand.q", "empty grid"),
    "empty_grid_range": (
        {"grid": {"demand.q": {"start": 0.1, "stop": 0.05, "step": 0.01}}},
        "grid.demand.q",
        "empty grid",
    ),
    "invalid_grid_value": (
        {"grid": {"costs.components.direct_labour.progress_ratio": [0.9, 1.5]}},
        "grid.costs.components.direct_labour.progress_ratio",
        "progress_ratio must be in (0, 1]",
    ),
    "low_above_high": (
        {
            "sample": {
                "size": 4,
                "params": {"demand.q": {"dist": "uniform", "low": 0.2, "high": 0.1}},
            }
        },
        "sample.params.demand.q",
        "must be below high",
    ),
    "negative_sigma": (
        {
            "sample": {
                "size": 4,
                "params": {"demand.q": {"dist": "normal", "mean": 0.06, "sigma": -0.01}},
            }
        },
        "sample.params.demand.q.sigma",
        "greater than 0",
    ),
    "unknown_distribution": (
        {"sample": {"size": 4, "params": {"demand.q": {"dist": "gamma", "k": 2}}}},
        "sample.params.demand.q.dist",  # the key whose value is wrong
        "unknown dist 'gamma'",
    ),
    "sample_size_0": (
        {"sample": {"size": 0, "params": {"demand.q": UNIFORM}}},
        "sample.size",
        "greater than or equal to 1",
    ),
    "missing_base": ({"base": "nowhere.yaml"}, "base", "scenario file not found: nowhere.yaml"),
    "unknown_top_key": ({"replication": 3}, "replication", "did you mean 'replications'"),
    "baseline_not_a_variant": ({"baseline": "fast"}, "baseline", "not a variant"),
    "seed_is_not_a_factor": ({"grid": {"seed": [1, 2]}}, "grid.seed", "master_seed"),
}


def _apply(tiny: dict, change: dict) -> dict:
    data = copy.deepcopy(tiny)
    for key, value in change.items():
        if key == "variants.slow.set":
            data["variants"]["slow"]["set"] = value
        else:
            data[key] = value
    return data


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_sweep_exits_2_with_one_line_and_writes_nothing(
    case, tiny, write_sweep, sweep_dir, monkeypatch, capsys
):
    change, field, words = CASES[case]
    path = write_sweep(_apply(tiny, change))
    before = sorted(p.name for p in sweep_dir.iterdir())
    monkeypatch.chdir(sweep_dir)
    status = main(["sweep", str(path), "--executor", "serial"])
    out, err = capsys.readouterr()
    assert status == 2
    assert err.count("\n") == 1, err
    assert err.startswith(f"scaleup: error: {path}: {field}: "), err
    assert words in err
    assert sorted(p.name for p in sweep_dir.iterdir()) == before  # no outputs/, no folder
    assert out == ""


def test_validate_accepts_and_rejects_sweep_files(tiny, write_sweep, capsys):
    good = write_sweep(tiny)
    bad = write_sweep(_apply(tiny, {"grid": {"demand.q": []}}), name="bad.yaml")
    assert main(["validate", str(good)]) == 0
    assert "ok:" in capsys.readouterr().out
    assert main(["validate", str(bad)]) == 2
    assert "grid.demand.q: empty grid" in capsys.readouterr().err


def test_the_error_is_a_config_error_from_the_api(tiny, write_sweep):
    path = write_sweep(_apply(tiny, {"sample": {"size": 0, "params": {"demand.q": UNIFORM}}}))
    with pytest.raises(ConfigError) as info:
        load_sweep(path)
    assert (info.value.source, info.value.field) == (str(path), "sample.size")


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--workers", "0"], "--workers"),
        (["--executor", "serial", "--scheduler", "tcp://127.0.0.1:1"], "--scheduler"),
    ],
)
def test_bad_options_exit_2(args, field, tiny, write_sweep, sweep_dir, monkeypatch, capsys):
    path = write_sweep(tiny)
    monkeypatch.chdir(sweep_dir)
    assert main(["sweep", str(path), *args]) == 2
    assert f"scaleup: error: {field}" in capsys.readouterr().err
    assert not (sweep_dir / "outputs").exists()
