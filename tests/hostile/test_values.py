"""Values the schema might accept but the model cannot run, and calendar-invalid dates.

Each is bad input (exit 2, one line) or, if within the documented bounds, a run whose books are
finite; either way quickly and in bounded memory (issue 7).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from support.cli_checks import MEMORY_CAP_BYTES, assert_bad_input, assert_one_line, cli

BOOKS = [
    "production",
    "deliveries",
    "backlog",
    "revenue",
    "cogs",
    "gross_profit",
    "opex",
    "operating_profit",
    "cash_flow",
    "cumulative_cash",
]
"""Monthly columns that are never empty (per-car figures may be, in months without cars)."""

STOCHASTIC = ["--seed", "1"]
LINE = "factory.lines.phase1.availability"

HOSTILE = {
    "disruptions 1e9 a year": ["--set", "factory.random_disruptions.rate_per_year=1e9"],
    "mtbf 0.0005 h": ["--set", f"{LINE}.mtbf_hours=0.0005"],
    "mtbf and mttr 1e-9 h": [
        "--set",
        f"{LINE}.mtbf_hours=1e-9",
        "--set",
        f"{LINE}.mttr_hours=1e-9",
    ],
    "constant demand 1e18": [
        "--set",
        "demand.kind=constant",
        "--set",
        "demand.orders_per_month=1e18",
    ],
    "constant demand 1e300": [
        "--set",
        "demand.kind=constant",
        "--set",
        "demand.orders_per_month=1e300",
    ],
    "market 1e18": ["--set", "demand.market_size=1e18"],
    "market 1e300": ["--set", "demand.market_size=1e300"],
    "asp 1e308": ["--set", "price.asp_usd.base=1e308"],
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_an_extreme_value_is_refused_or_runs_with_finite_books(work: Path, case: str) -> None:
    # stochastic: draws breakdowns, disruptions and orders, where such values hurt most
    args = ["run", "small.yaml", "--no-figures", "--out", "out", *STOCHASTIC, *HOSTILE[case]]
    proc = cli(args, work, timeout=30, memory_cap=MEMORY_CAP_BYTES)
    if proc.returncode != 0:
        assert_one_line(proc, 2)
        assert not (work / "out").exists()
        return
    monthly = pd.read_csv(work / "out" / "monthly.csv")
    books = monthly[BOOKS].to_numpy(dtype=float)
    assert np.isfinite(books).all(), "a NaN or inf in the books reported as a success"
    be = json.loads((work / "out" / "summary.json").read_text(encoding="utf-8"))["breakeven"]
    assert math.isfinite(be["peak_cash_deficit"])


def test_an_asp_of_1e308_never_reports_capital_needed_zero(work: Path) -> None:
    proc = cli(["run", "small.yaml", "--no-figures", *HOSTILE["asp 1e308"]], work, timeout=30)
    assert "capital needed (peak deficit)    $0" not in proc.stdout or proc.returncode == 2


def test_a_calendar_invalid_date_in_a_file(work: Path) -> None:
    (work / "feb.yaml").write_text("extends: small.yaml\nstart: 2024-02-30\n", encoding="utf-8")
    line = assert_bad_input(["validate", "feb.yaml"], work, mentions=["feb.yaml", "2024-02-30"])
    assert "start" in line or "line 2" in line  # the field, or where it is


def test_a_calendar_invalid_date_as_a_changes_key(work: Path) -> None:
    text = "extends: small.yaml\nprice:\n  asp_usd:\n    base: 31900\n    changes:\n"
    (work / "feb.yaml").write_text(text + "      2024-02-30: 30000\n", encoding="utf-8")
    line = assert_bad_input(["validate", "feb.yaml"], work, mentions=["feb.yaml", "2024-02-30"])
    assert "changes" in line or "line 6" in line


@pytest.mark.parametrize(
    "assignment", ["start=2024-02-30", "opex.rnd_per_month_usd.changes.2024-02-30=1"]
)
def test_a_calendar_invalid_date_via_set(work: Path, assignment: str) -> None:
    line = assert_bad_input(["run", "small.yaml", "--no-figures", "--set", assignment], work)
    assert "2024-02-30" in line
