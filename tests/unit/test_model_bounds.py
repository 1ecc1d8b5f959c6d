"""Values past the schema's bounds: the model neither hangs, nor explodes, nor lies.

The schema refuses these values; the scenarios here are built past it (``model_copy`` does not
validate) so that the model's own guarantees are tested: bounded events and arrays, no crash,
and books with a NaN or inf are an error, never a result.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import load_scenario, simulate
from sim.config.schema import ConstantDemand
from sim.errors import EXIT_BAD_INPUT, ConfigError
from sim.model import simulate as simulate_module


@pytest.fixture(scope="module")
def base():
    return load_scenario()


def with_factory(sc, **changes):
    return sc.model_copy(update={"factory": sc.factory.model_copy(update=changes)})


def with_availability(sc, mtbf_hours, mttr_hours):
    lines = {
        name: line.model_copy(
            update={
                "availability": line.availability.model_copy(
                    update={"mtbf_hours": mtbf_hours, "mttr_hours": mttr_hours}
                )
            }
        )
        for name, line in sc.factory.lines.items()
    }
    return with_factory(sc, lines=lines)


def disruptions(sc, **changes):
    return with_factory(
        sc, random_disruptions=sc.factory.random_disruptions.model_copy(update=changes)
    )


def assert_sound(result, months):
    assert len(result.monthly) == months
    flows = result.monthly[["orders", "production", "deliveries", "revenue", "cumulative_cash"]]
    assert np.isfinite(flows.to_numpy()).all()


@pytest.mark.parametrize("mode", ["stochastic", "deterministic"])
def test_a_billion_disruptions_a_year_schedule_no_event(base, mode):
    sc = disruptions(base, rate_per_year=1e9)
    result = simulate(sc, seed=1, mode=mode)
    assert result.events == result.calendar.n_days + 1  # the plant's days and its start only
    assert_sound(result, sc.horizon_months)
    assert result.columns["production"].sum() < 1.0  # supply is cut to nothing


def test_disruptions_lasting_for_ever_are_drawn_in_one_go(base):
    sc = disruptions(base, rate_per_year=300.0, mean_days=1e6)
    result = simulate(sc, seed=1, mode="stochastic")
    assert result.events == result.calendar.n_days + 1
    assert_sound(result, sc.horizon_months)


def test_the_default_s_disruptions_are_still_events(base):
    result = simulate(base, seed=7, mode="stochastic")
    assert result.events > result.calendar.n_days + 1


@pytest.mark.parametrize(("mtbf", "mttr"), [(0.0005, 0.0005), (1e-300, 2.0), (1e-300, 1e-300)])
def test_breakdowns_many_times_a_second_run_in_bounded_memory(base, monkeypatch, mtbf, mttr):
    sizes = []
    real = simulate_module.downtime_share

    def noted(rng, n_days, mtbf_days, mttr_days):
        share = real(rng, n_days, mtbf_days, mttr_days)
        sizes.append(share.size)
        return share

    monkeypatch.setattr(simulate_module, "downtime_share", noted)
    sc = with_availability(base, mtbf, mttr)
    result = simulate(sc, seed=1, mode="stochastic")
    assert sizes == [result.calendar.n_days] * len(sc.factory.lines)
    assert_sound(result, sc.horizon_months)


@pytest.mark.parametrize("mode", ["stochastic", "deterministic"])
@pytest.mark.parametrize("market", [1e18, 1e300])
def test_huge_markets_run_to_the_horizon(base, mode, market):
    sc = base.model_copy(update={"demand": base.demand.model_copy(update={"market_size": market})})
    result = simulate(sc, seed=1, mode=mode)
    assert_sound(result, sc.horizon_months)
    assert result.columns["orders"][0] > 1e15  # the market is there, and counted


@pytest.mark.parametrize("mode", ["stochastic", "deterministic"])
def test_huge_constant_demand_runs_to_the_horizon(base, mode):
    demand = ConstantDemand.model_construct(kind="constant", orders_per_month=1e18)
    sc = base.model_copy(update={"demand": demand})
    result = simulate(sc, seed=1, mode=mode)
    assert_sound(result, sc.horizon_months)
    assert result.columns["orders"][1] == pytest.approx(1e18, rel=1e-6)


@pytest.mark.parametrize("mode", ["stochastic", "deterministic"])
def test_books_that_overflow_are_bad_input_not_a_result(base, mode):
    asp = base.price.asp_usd.model_copy(update={"base": 1e308})
    sc = base.model_copy(update={"price": base.price.model_copy(update={"asp_usd": asp})})
    with pytest.raises(ConfigError) as err:
        simulate(sc, seed=1, mode=mode)
    assert err.value.exit_status == EXIT_BAD_INPUT
    assert err.value.source == base.name and err.value.field == "revenue"
    assert "not finite (NaN/inf) from 2024-04" in err.value.message


def test_a_failing_plant_is_raised_not_swallowed(base, monkeypatch):
    def broken(demand, month, cumulative):
        if month == 3:
            raise RuntimeError("intake broke")
        return 1000.0

    monkeypatch.setattr(simulate_module, "expected_intake", broken)
    with pytest.raises(RuntimeError, match="intake broke"):
        simulate(base, mode="deterministic")
