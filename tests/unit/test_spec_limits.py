"""Sweep and sensitivity files: every value bounded when it is checked, runs counted, not built."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
import yaml

from sim import limits
from sim.analysis.spec import spec_from_dict as sensitivity_from_dict
from sim.config.load import DEFAULT_SCENARIO
from sim.errors import ConfigError
from sim.experiments.plan import GridCells, load_sweep
from sim.experiments.spec import spec_from_dict

BASE = {"name": "s", "base": "x.yaml", "mode": "deterministic"}


def refused(data, *words: str, field: str | None = "?") -> ConfigError:
    with pytest.raises(ConfigError) as info:
        spec_from_dict({**BASE, **data}, "sweep.yaml")
    assert info.value.source == "sweep.yaml"
    if field != "?":
        assert info.value.field == field
    for word in words:
        assert word in info.value.message, info.value.message
    return info.value


def test_a_huge_grid_is_refused_from_the_axis_sizes_alone():
    axis = [float(i) for i in range(100)]  # five axes of 100: 10**10 cells
    grid = {f"a.p{i}": axis for i in range(5)}
    tracemalloc.start()
    err = refused({"grid": grid}, "10,000,000,000 runs", f"{limits.MAX_RUNS:,}", field=None)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "10,000,000,000 grid cells" in err.message
    assert peak < 50_000_000  # nothing was built (one cell list would take terabytes)


def test_runs_multiply_variants_cells_draws_and_replications():
    data = {
        "mode": "stochastic",
        "variants": {"a": {}, "b": {}},
        "grid": {"x.y": [1, 2, 3]},
        "sample": {"size": 10, "params": {"x.z": {"dist": "uniform", "low": 0, "high": 1}}},
        "replications": limits.MAX_RUNS // 60 + 1,
    }
    err = refused(data, "2 variants x 3 grid cells x 10 draws")
    data["replications"] = limits.MAX_RUNS // 60
    assert spec_from_dict({**BASE, **data}, "s").n_runs == 60 * (limits.MAX_RUNS // 60)
    assert err.field is None


def test_a_long_grid_range_is_refused_before_its_values_are_made():
    refused({"grid": {"x.y": {"start": 0, "stop": 1e300, "step": 1}}}, "use a larger step")
    refused({"grid": {"x.y": {"start": 0, "stop": limits.MAX_LIST_ITEMS, "step": 1}}}, "more than")
    ok = {"x.y": {"start": 1, "stop": limits.MAX_LIST_ITEMS, "step": 1}}
    assert spec_from_dict({**BASE, "grid": ok}, "s").grid_size == limits.MAX_LIST_ITEMS


def test_discrete_values_are_bounded_in_length():
    values = list(range(limits.MAX_LIST_ITEMS + 1))
    params = {"x.y": {"dist": "discrete", "values": values}}
    refused({"sample": {"size": 2, "params": params}}, "at most", field="sample.params.x.y.values")


def test_discrete_values_are_bounded_in_nodes_even_from_a_mapping():
    shared = [[0] * 1000] * 1000  # 10**6 values in a few KB: an alias bomb built in Python
    params = {"x.y": {"dist": "discrete", "values": [shared, shared]}}
    refused({"sample": {"size": 2, "params": params}}, "more than")


def test_an_alias_bomb_in_a_sweep_file_is_refused_by_validation(tmp_path):
    lines = ["name: b", "base: x.yaml", "l0: &l0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 9)]
    lines += ["sample:", "  size: 2", "  params:", "    x.y: {dist: discrete, values: *l8}"]
    (tmp_path / "b.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="more than"):
        load_sweep(tmp_path / "b.yaml")


def test_a_sample_of_ten_million_is_checked_without_drawing(tmp_path):
    (tmp_path / "base.yaml").write_text(f"extends: {DEFAULT_SCENARIO}\n", encoding="utf-8")
    sweep = {
        "name": "big",
        "base": "base.yaml",
        "sample": {
            "method": "mc",
            "size": limits.MAX_RUNS,
            "params": {"demand.q": {"dist": "uniform", "low": 0.3, "high": 0.4}},
        },
    }
    path = tmp_path / "big.yaml"
    path.write_text(yaml.safe_dump(sweep), encoding="utf-8")
    tracemalloc.start()
    plan = load_sweep(path)
    assert plan.n_runs == limits.MAX_RUNS
    assert plan.resolved()["counts"]["draws"] == limits.MAX_RUNS
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 100_000_000  # the draws alone would take gigabytes
    assert "draws" not in vars(plan)  # drawn only when the runs need them


def test_a_small_sample_is_drawn_when_used(tmp_path):
    (tmp_path / "base.yaml").write_text(f"extends: {DEFAULT_SCENARIO}\n", encoding="utf-8")
    params = {"demand.q": {"dist": "discrete", "values": [0.3, 0.4]}}
    plan = load_sweep(
        {**BASE, "base": "base.yaml", "sample": {"size": 3, "params": params}}, base_dir=tmp_path
    )
    assert len(plan.draws) == 3 and {d["demand.q"] for d in plan.draws} <= {0.3, 0.4}


def test_grid_cells_are_made_in_order_on_demand():
    cells = GridCells({"a": [1, 2], "b": ["x", "y", "z"]})
    assert len(cells) == 6
    assert list(cells) == [
        {"a": a, "b": b} for a in (1, 2) for b in ("x", "y", "z")
    ]  # the last path fastest, as itertools.product
    assert cells[-1] == {"a": 2, "b": "z"}
    with pytest.raises(IndexError):
        cells[6]
    huge = GridCells({f"p{i}": list(range(100)) for i in range(10)})
    assert huge.size == 10**20 and huge[10**20 - 1] == {f"p{i}": 99 for i in range(10)}


def test_saltelli_draws_use_the_run_limit():
    params = {f"x.p{i}": {"dist": "uniform", "low": 0, "high": 1} for i in range(8)}
    size = 2**20  # 2**20 x (8 + 2) draws
    refused(
        {"sample": {"method": "saltelli", "size": size, "params": params}},
        f"{limits.MAX_RUNS:,}",
        field="sample.size",
    )


@pytest.mark.parametrize("name", [".", ".."])
def test_a_sweep_name_must_be_a_folder_of_its_own(name):
    refused({"name": name}, "not a folder name", field="name")


def test_an_unknown_key_of_a_distribution_suggests_from_that_distribution():
    params = {"x.y": {"dist": "normal", "mean": 1, "sigmma": 2}}
    err = refused({"sample": {"size": 2, "params": params}}, "did you mean 'sigma'")
    assert err.field == "sample.params.x.y.sigmma"


def test_a_sensitivity_spec_counts_its_runs_before_building():
    inputs = {"demand.q": {"low": 0.1, "high": 0.9}}
    with pytest.raises(ConfigError) as info:
        sensitivity_from_dict({"name": "a", "inputs": inputs, "sobol": {"size": 2**60}}, "s.yaml")
    assert info.value.field == "sobol.size"
    too_many = {f"p{i}": {"low": 0, "high": 1} for i in range(limits.MAX_LIST_ITEMS + 1)}
    with pytest.raises(ConfigError) as info:
        sensitivity_from_dict({"name": "a", "inputs": too_many}, "s.yaml")
    assert info.value.field == "inputs"


def test_a_sensitivity_name_must_be_a_folder_of_its_own():
    inputs = {"demand.q": {"low": 0.1, "high": 0.9}}
    with pytest.raises(ConfigError) as info:
        sensitivity_from_dict({"name": "..", "inputs": inputs}, "s.yaml")
    assert info.value.field == "name"


def test_the_default_files_still_validate():
    root = Path(DEFAULT_SCENARIO).parents[1] / "configs" / "sweeps"
    for path in sorted(root.glob("*.yaml")):
        assert load_sweep(path).n_runs >= 1
