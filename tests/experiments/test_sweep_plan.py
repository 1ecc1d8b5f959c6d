"""Expansion: variants x grid cells x sample draws x replications, numbered and seeded."""

from __future__ import annotations

import numpy as np
import pytest

from sim.config.load import read_scenario_data
from sim.errors import ConfigError
from sim.experiments import load_sweep, replication_seed
from sim.experiments.plan import build_plan
from sim.experiments.sample import draw
from sim.experiments.spec import SweepSpec, Variant, spec_from_dict


def test_counts_multiply(write_sweep, tiny):
    data = {
        **tiny,
        "replications": 4,
        "grid": {
            "factory.lines.phase1.ramp.months": [6, 8, 10],
            "costs.components.direct_labour.progress_ratio": {
                "start": 0.84,
                "stop": 0.88,
                "step": 0.02,
            },
        },
        "sample": {
            "method": "mc",
            "size": 5,
            "params": {"demand.q": {"dist": "uniform", "low": 0.04, "high": 0.08}},
        },
    }
    plan = load_sweep(write_sweep(data))
    assert (len(plan.variant_data), len(plan.grid_cells), len(plan.draws)) == (2, 9, 5)
    assert plan.n_points == 2 * 9 * 5
    assert plan.n_runs == 2 * 9 * 5 * 4
    assert plan.spec.grid["costs.components.direct_labour.progress_ratio"] == [0.84, 0.86, 0.88]


def test_point_order_variant_then_cell_then_draw(write_sweep, tiny):
    data = {
        **tiny,
        "grid": {"factory.lines.phase1.ramp.months": [6, 8]},
        "sample": {
            "size": 3,
            "params": {"demand.q": {"dist": "uniform", "low": 0.04, "high": 0.08}},
        },
    }
    plan = load_sweep(write_sweep(data))
    points = plan.points()
    assert [p.variant for p in points] == ["baseline"] * 6 + ["slow"] * 6
    assert [p.factors["factory.lines.phase1.ramp.months"] for p in points[:6]] == [6, 6, 6, 8, 8, 8]
    # the same draws in every variant and grid cell
    q = [p.factors["demand.q"] for p in points]
    assert q[:3] == q[3:6] == q[6:9] == q[9:12]
    assert plan.baseline_point(7) == 1  # slow, months 6, draw 1 -> baseline, months 6, draw 1


def test_no_variants_means_the_base(write_sweep):
    plan = load_sweep(write_sweep({"name": "plain", "base": "small.yaml", "replications": 2}))
    assert plan.spec.variant_names == ["base"]
    assert plan.n_runs == 2


def test_replication_seed_is_common_to_every_point():
    a, b = replication_seed(9, 3), replication_seed(9, 3)
    assert a.entropy == b.entropy == 9 and a.spawn_key == b.spawn_key == (3,)
    assert replication_seed(9, 4).spawn_key == (4,)


def test_grid_range_stop_is_included_and_integers_stay_integers():
    spec = spec_from_dict(
        {
            "base": "x.yaml",
            "name": "g",
            "grid": {
                "a.b": {"start": 4, "stop": 16, "step": 4},
                "c": {"start": 0.1, "stop": 0.3, "step": 0.1},
            },
        },
        "s.yaml",
    )
    assert spec.grid["a.b"] == [4, 8, 12, 16]
    assert all(isinstance(v, int) for v in spec.grid["a.b"])
    assert spec.grid["c"] == [0.1, 0.2, 0.3]


def test_latin_hypercube_puts_one_draw_in_each_stratum():
    sample = spec_from_dict(
        {
            "base": "x.yaml",
            "name": "s",
            "sample": {
                "method": "lhs",
                "size": 20,
                "params": {
                    "a": {"dist": "uniform", "low": 0, "high": 1},
                    "b": {"dist": "uniform", "low": 10, "high": 30},
                },
            },
        },
        "s.yaml",
    ).sample
    draws = draw(sample, master_seed=3)
    for key, low, high in (("a", 0, 1), ("b", 10, 30)):
        u = (np.array([d[key] for d in draws]) - low) / (high - low)
        assert sorted(np.floor(u * 20).astype(int)) == list(range(20))
    assert draw(sample, master_seed=3) == draws  # a pure function of the file
    assert draw(sample, master_seed=4) != draws


@pytest.mark.parametrize(
    ("dist", "check"),
    [
        (
            {"dist": "triangular", "low": 1, "mode": 2, "high": 5},
            lambda x: (x >= 1).all() and (x <= 5).all(),
        ),
        ({"dist": "lognormal", "median": 10, "sigma": 0.2}, lambda x: abs(np.median(x) - 10) < 0.3),
        ({"dist": "normal", "mean": 3, "sigma": 0.5}, lambda x: abs(x.mean() - 3) < 0.05),
    ],
)
def test_distributions(dist, check):
    sample = spec_from_dict(
        {"base": "x.yaml", "name": "s", "sample": {"size": 400, "params": {"a": dist}}}, "s.yaml"
    ).sample
    assert check(np.array([d["a"] for d in draw(sample, 1)]))


def test_discrete_follows_its_weights():
    sample = spec_from_dict(
        {
            "base": "x.yaml",
            "name": "s",
            "sample": {
                "size": 100,
                "params": {"a": {"dist": "discrete", "values": ["x", "y"], "weights": [3, 1]}},
            },
        },
        "s.yaml",
    ).sample
    values = [d["a"] for d in draw(sample, 1)]
    assert values.count("x") == 75 and values.count("y") == 25  # LHS: exact shares


def test_build_plan_from_typed_parts_equals_the_file(write_sweep, sweep_dir, tiny):
    from_file = load_sweep(write_sweep(tiny))
    spec = SweepSpec(
        name="tiny",
        base="small.yaml",
        master_seed=5,
        replications=3,
        baseline="baseline",
        variants={
            "baseline": Variant(),
            "slow": Variant(set_={"factory.lines.phase1.ramp.months": 14}),
        },
    )
    base = read_scenario_data(sweep_dir / "small.yaml")
    plan = build_plan(spec, base, source="<typed>", paths=from_file.paths)
    assert plan.variant_data == from_file.variant_data
    assert plan.variant_data["slow"]["factory"]["lines"]["phase1"]["ramp"]["months"] == 14
    assert plan.spec_hash == from_file.spec_hash
    assert plan.resolved() == from_file.resolved()
    assert base == read_scenario_data(sweep_dir / "small.yaml")  # the caller's mapping is kept


def test_build_plan_checks_what_load_sweep_checks(sweep_dir):
    base = read_scenario_data(sweep_dir / "small.yaml")
    bad_override = SweepSpec(
        name="t", base="small.yaml", variants={"v": Variant(set_={"demand.qq": 1})}
    )
    with pytest.raises(ConfigError) as err:
        build_plan(bad_override, base, source="<typed>")
    assert (err.value.source, err.value.field) == ("<typed>", "variants.v.set.demand.qq")
    invalid = SweepSpec(name="t", base="small.yaml", grid={"horizon_months": [12, -1]})
    with pytest.raises(ConfigError, match="horizon_months=-1"):
        build_plan(invalid, base, source="<typed>")
    no_baseline = SweepSpec(name="t", base="small.yaml", baseline="x", variants={"v": Variant()})
    with pytest.raises(ConfigError, match="'x' is not a variant") as err:
        build_plan(no_baseline, base, source="<typed>")
    assert err.value.field == "baseline"


def test_build_plan_needs_each_own_scenario_and_no_other(sweep_dir):
    base = read_scenario_data(sweep_dir / "small.yaml")
    own = SweepSpec(name="t", base="small.yaml", variants={"v": Variant(scenario="other.yaml")})
    with pytest.raises(ValueError, match="exactly the variants"):
        build_plan(own, base, source="<typed>")
    plan = build_plan(own, base, source="<typed>", variant_scenarios={"v": base})
    assert plan.variant_data["v"] == base
    with pytest.raises(ValueError, match="exactly the variants"):
        build_plan(SweepSpec(name="t", base="b"), base, source="<t>", variant_scenarios={"v": base})
