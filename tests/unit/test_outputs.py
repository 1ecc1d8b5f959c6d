"""The run's output vocabulary (sim.core.outputs): "never", month labels, the per-run record."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from sim.core.breakeven import breakeven_indices
from sim.core.calendar import Calendar
from sim.core.outputs import (
    BREAKEVENS,
    FINALS,
    NEVER,
    PRIMARY,
    RELAPSE,
    TOTALS,
    label_or_never,
    month_or_never,
    run_record,
)
from sim.experiments.runner import run_schema


@pytest.mark.parametrize(
    ("index", "label"),
    [
        (0, "2024-04"),
        (8, "2024-12"),
        (9, "2025-01"),
        (9.0, "2025-01"),
        (-4, "2023-12"),
        (None, NEVER),
        (float("nan"), NEVER),
        (float("inf"), NEVER),
    ],
)
def test_month_or_never(index, label):
    assert month_or_never("2024-04", index) == label


def test_label_or_never():
    assert label_or_never("2025-01") == "2025-01"
    assert label_or_never(None) == NEVER


def test_primary_is_a_breakeven_kind():
    assert PRIMARY in BREAKEVENS and PRIMARY == "operating_per_car_sustained"


def _columns() -> dict[str, np.ndarray]:
    """Four months from November 2024, numbers small enough to add up by hand."""
    deliveries = np.array([1_000.0, 40_000.0, 60_000.0, 10_000.0])
    out = {name: np.array([1.0, 2.0, 3.0, 4.0]) for name in TOTALS}  # each sums to 10
    out |= {
        "deliveries": deliveries,
        "cumulative_deliveries": np.cumsum(deliveries),  # 1k, 41k, 101k, 111k
        "operating_profit_per_car": np.array([-500.0, 10.0, 20.0, 30.0]),
        "gross_profit": np.array([-1.0, 5.0, 6.0, 7.0]),
        "cumulative_cash": np.array([-3e6, -5e6, -1e6, 2e6]),
        "cumulative_cash_without_working_capital": np.array([-2e6, -4e6, -1e6, 3e6]),
        "backlog": np.array([9.0, 8.0, 7.0, 6.0]),
    }
    return out


def test_the_record_by_hand():
    cols = _columns()
    cal = Calendar(dt.date(2024, 11, 1), 4)
    rec = run_record(cols, breakeven_indices(cols, 2), cal, events=77)
    assert (rec.start, rec.end, rec.horizon_months) == ("2024-11", "2025-02", 4)
    assert rec.breakeven_index == {
        "gross_profit": 1,
        "operating_per_car": 1,
        "operating_per_car_sustained": 1,  # held two months from December
        "cash_payback": 3,
    }
    assert rec.breakeven["cash_payback"] == "2025-02"
    assert (rec.peak_cash_deficit, rec.peak_cash_deficit_month) == (5e6, "2024-12")
    assert rec.capital["capital_needed_without_working_capital"] == 4e6
    assert rec.capital["capital_needed_month"] == "2024-12"
    assert rec.cumulative_deliveries_at_breakeven == 41_000.0
    assert rec.totals["revenue"] == 10.0 and rec.totals["deliveries"] == 111_000.0
    assert (rec.totals["final_cumulative_cash"], rec.totals["final_backlog"]) == (2e6, 6.0)
    assert rec.milestones == {"deliveries_100k": "2025-01"}
    assert rec.events == 77


def test_a_run_that_never_breaks_even():
    cols = _columns()
    cols["operating_profit_per_car"] = np.full(4, -1.0)
    cols["cumulative_cash"] = np.array([-1.0, -2.0, -3.0, -4.0])
    cols["cumulative_deliveries"] = np.full(4, 10.0)
    rec = run_record(cols, breakeven_indices(cols, 2), Calendar(dt.date(2024, 11, 1), 4), 0)
    assert rec.breakeven[PRIMARY] is None and rec.breakeven_index[PRIMARY] is None
    assert rec.cumulative_deliveries_at_breakeven is None
    assert rec.milestones == {"deliveries_100k": None}
    assert rec.flat()["breakeven_cash_payback"] is None


def test_the_flat_record_is_a_row_of_runs_parquet():
    cols = _columns()
    rec = run_record(cols, breakeven_indices(cols, 2), Calendar(dt.date(2024, 11, 1), 4), 5)
    flat = rec.flat()
    names = run_schema(["deliveries_100k"]).names
    assert list(flat) == [n for n in names if n not in ("run_id", "status", "error")]
    assert flat["milestone_deliveries_100k_index"] == 2
    assert flat["milestone_deliveries_100k"] == "2025-01"
    assert flat["total_capex"] == 10.0 and flat["final_backlog"] == 6.0
    assert flat[f"breakeven_{PRIMARY}_index"] == 1 and flat[f"breakeven_{PRIMARY}"] == "2024-12"


def test_summary_and_runs_row_come_from_one_record(tiny_run):
    result = tiny_run()
    s, flat = result.summary, result.record.flat()
    assert list(s)[:7] == [
        "scenario", "mode", "seed", "start", "end", "horizon_months", "currency",
    ]  # fmt: skip
    sections = result.record.summary_sections(result.scenario.breakeven.sustain_months)
    assert list(s)[7 : 7 + len(sections)] == list(sections)
    assert all(s[key] == value for key, value in sections.items())
    assert list(s["breakeven"]) == [
        *BREAKEVENS,
        "peak_cash_deficit",
        "peak_cash_deficit_month",
        "cumulative_deliveries_at_breakeven",
        "sustain_months",
        *RELAPSE,
    ]
    assert s["breakeven"]["relapse"] == flat["relapse"]
    assert s["breakeven"]["holds_to_horizon"] == flat["breakeven_holds"]
    for name, month in s["milestones"].items():
        assert flat[f"milestone_{name}"] == month
    assert list(s["totals"]) == [*TOTALS, *FINALS]
    for kind in BREAKEVENS:
        assert s["breakeven"][kind] == flat[f"breakeven_{kind}"]
    for name in TOTALS:
        assert s["totals"][name] == flat[f"total_{name}"]
        assert s["totals"][name] == float(result.columns[name].sum())
    assert s["start"] == flat["start_month"] and s["events"] == flat["events"]
    json.dumps(s, allow_nan=False)  # summary.json stays plain JSON


def test_the_record_tells_what_follows_the_first_breakeven():
    """Per car: -500, 10, 20, 30 from November 2024: break-even in December, never lost."""
    cols = _columns()
    rec = run_record(cols, breakeven_indices(cols, 2), Calendar(dt.date(2024, 11, 1), 4), 0)
    assert rec.relapse == {
        "holds_to_horizon": True,
        "relapse": None,
        "months_below_zero_after_breakeven": 0,
        "profitable_from": "2024-12",
    }
    summary = rec.summary_sections(2)["breakeven"]
    assert summary["holds_to_horizon"] is True and summary["profitable_from"] == "2024-12"
    flat = rec.flat()
    assert (flat["breakeven_holds"], flat["relapse_index"], flat["profitable_from_index"]) == (
        True, None, 1,
    )  # fmt: skip
    assert json.loads(json.dumps(rec.summary_sections(2)))["breakeven"] == summary


def test_a_relapse_in_the_record():
    """Per car: -500, 10, -20, 30: break-even in December, back below zero in January (one
    month below zero after it), profitable every month from February."""
    cols = _columns()
    cols["operating_profit_per_car"] = np.array([-500.0, 10.0, -20.0, 30.0])
    rec = run_record(cols, breakeven_indices(cols, 2), Calendar(dt.date(2024, 11, 1), 4), 0)
    assert rec.breakeven["operating_per_car"] == "2024-12"
    assert rec.relapse == {
        "holds_to_horizon": False,
        "relapse": "2025-01",
        "months_below_zero_after_breakeven": 1,
        "profitable_from": "2025-02",
    }
    assert rec.flat()["months_below_zero_after_breakeven"] == 1


def test_user_milestones_in_the_record():
    """Cumulative deliveries 1k, 41k, 101k, 111k; cash -3M, -5M, -1M, +2M (lowest in December)."""
    cols = _columns()
    cols["weekly_run_rate"] = np.array([100.0, 4_999.0, 5_000.0, 3_000.0])
    wanted = {
        "first_40k": ("cumulative_deliveries", 40_000.0),
        "run_rate_5k": ("weekly_run_rate", 5_000.0),
        "cash_back": ("cumulative_cash", 0.0),
        "cash_minus_4m": ("cumulative_cash", -4e6),  # counted from the trough: January, not Nov
        "never": ("cumulative_deliveries", 1e6),
    }
    rec = run_record(cols, breakeven_indices(cols, 2), Calendar(dt.date(2024, 11, 1), 4), 0, wanted)
    assert rec.milestones == {
        "first_40k": "2024-12",
        "run_rate_5k": "2025-01",
        "cash_back": "2025-02",
        "cash_minus_4m": "2025-01",
        "never": None,
    }
    assert rec.milestones_index["cash_back"] == 3 and rec.milestones_index["never"] is None
