"""One SALib problem for both parts, and the two sweeps built as typed plans in memory."""

from __future__ import annotations

import pytest

from sim.analysis import load_analysis, run_sensitivity
from sim.analysis.oat import BASE, oat_sweep, variant_names
from sim.analysis.problem import Problem
from sim.analysis.sobol import sobol_sweep
from sim.analysis.spec import spec_from_dict
from sim.config import load as config_load
from sim.config import reader as config_reader
from sim.errors import ConfigError
from sim.experiments import load_sweep, run_sweep
from sim.experiments.sample import saltelli_problem


def test_the_problem_is_the_file_order_and_bounds(work):
    path = work / "spec.yaml"  # not alphabetical: the file's order must survive
    path.write_text(
        "name: tiny\n"
        "inputs:\n"
        "  price.asp_usd.base: {low: 25000, high: 32000}\n"
        "  opex.sga_per_month_usd.base: {low: 20000000, high: 50000000}\n",
        encoding="utf-8",
    )
    problem = load_analysis(work / "tiny.yaml", path).problem
    assert problem.names == ("price.asp_usd.base", "opex.sga_per_month_usd.base")
    assert problem.salib() == {
        "num_vars": 2,
        "names": ["price.asp_usd.base", "opex.sga_per_month_usd.base"],
        "bounds": [[25_000.0, 32_000.0], [20_000_000.0, 50_000_000.0]],
    }


def test_both_sweeps_use_the_one_problem(work, write_spec):
    analysis = load_analysis(work / "tiny.yaml", write_spec())
    problem = analysis.problem
    oat, sobol = oat_sweep(analysis), sobol_sweep(analysis)
    names = variant_names(list(problem.names))
    for path, low, high in problem.items():  # OAT: each input at the ends of its bounds
        assert oat.spec.variants[names[path][0]].set_ == {path: low}
        assert oat.spec.variants[names[path][1]].set_ == {path: high}
    assert oat.spec.variant_names == [BASE, *(n for pair in names.values() for n in pair)]
    # Sobol: the engine samples the very problem the analysis later hands to SALib
    assert saltelli_problem(sobol.spec.sample) == problem.salib()


def test_the_sweeps_are_built_without_reading_a_file(work, write_spec, monkeypatch):
    analysis = load_analysis(work / "tiny.yaml", write_spec())

    def no_reading(*args, **kwargs):
        raise AssertionError("a sweep plan read a file")

    monkeypatch.setattr("sim.experiments.plan.read_scenario_data", no_reading)
    monkeypatch.setattr("sim.experiments.plan.read_document", no_reading)
    monkeypatch.setattr(config_load, "read_scenario_data", no_reading)
    monkeypatch.setattr(config_reader, "read_document", no_reading)
    oat, sobol = oat_sweep(analysis), sobol_sweep(analysis)
    assert oat.source == f"{analysis.source} (oat)" and oat.name == "tiny-oat"
    assert sobol.source == f"{analysis.source} (sobol)" and sobol.name == "tiny-sobol"
    assert oat.variant_data[BASE] == analysis.scenario_data
    assert oat.paths == {"base": str(analysis.scenario_path)}
    assert (oat.n_runs, sobol.n_runs) == (1 + 2 * 2, 8 * (2 + 2))


def test_the_typed_plans_equal_the_sweep_files_they_stand_for(work, write_spec, tmp_path):
    analysis = load_analysis(work / "tiny.yaml", write_spec())
    for plan in (oat_sweep(analysis), sobol_sweep(analysis)):
        data = plan.spec.model_dump(mode="json", by_alias=True, exclude_none=True)
        from_mapping = load_sweep(data, base_dir=tmp_path)
        assert from_mapping.variant_data == plan.variant_data
        assert from_mapping.spec_hash == plan.spec_hash  # a resumed folder stays compatible
        assert [p.factors for p in from_mapping.points()] == [p.factors for p in plan.points()]


def test_problem_refuses_mismatched_parts():
    with pytest.raises(ValueError, match="2 names for 1 bounds"):
        Problem(("a", "b"), ((0.0, 1.0),))
    with pytest.raises(ValueError, match="repeat"):
        Problem(("a", "a"), ((0.0, 1.0), (0.0, 1.0)))


def test_too_many_inputs_for_the_oat_sweep_is_bad_input():
    inputs = {f"x.p{i}": {"low": 0, "high": 1} for i in range(5_000)}
    with pytest.raises(ConfigError) as err:
        spec_from_dict({"name": "wide", "inputs": inputs, "sobol": {"size": 2}}, "wide.yaml")
    assert (err.value.source, err.value.field) == ("wide.yaml", "inputs")
    assert "at most 4,999 inputs" in err.value.message


def test_options_are_keyword_only(work, write_spec):
    with pytest.raises(TypeError):
        run_sensitivity(work / "tiny.yaml", write_spec())  # the spec must be named
    with pytest.raises(TypeError):
        run_sweep(work / "tiny.yaml", "serial")
    assert not (work / "outputs").exists()


def test_default_labels_keep_the_product_of_a_product_path():
    from sim.analysis.spec import default_label

    assert default_label("factory.lines.phase1.ramp.months") == "phase1 ramp months"
    assert default_label("products.suv.trims.max.price_usd.base") == "suv trims max price usd"
    assert (
        default_label("products.suv.costs.components.body_and_parts.first_unit_usd")
        == "suv body and parts first unit usd"
    )
    assert default_label("trims.max.price_usd.base") == "trims max price usd"
