"""CSV files carry numbers at the precision of their unit; Parquet keeps full precision."""

from __future__ import annotations

import csv
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.config.load import DEFAULT_SCENARIO, load_scenario
from sim.core.format import CSV_DECIMALS, CSV_SIGNIFICANT, csv_precision
from sim.core.outputs import UNITS, unit_of
from sim.io.rundir import write_run
from sim.model.simulate import simulate


def test_values_round_by_their_units_unit_by_hand():
    frame = pd.DataFrame(
        {
            "orders": [91659.01377530157, -0.001, np.nan],  # cars: hundredths, no "-0.0"
            "revenue": [393985857.23044664, 0.125, 2.5],  # USD: cents
            "gross_margin": [0.21958643142638698, 0.9999999, 1.0],  # fraction: 6 digits
            "breakeven_mean_index_reached": [17.0, 3.333333, np.nan],  # months
            "costs.components.battery.progress_ratio": [0.123456789, 1.0, 2.0],  # an input
            "runs": [1, 2, 3],
            "month": ["2024-01", "2024-02", "2024-03"],
        }
    )
    before = frame.copy()
    out = csv_precision(frame)
    pd.testing.assert_frame_equal(frame, before)  # the frame itself is untouched
    text = out.to_csv(index=False).splitlines()
    assert text[1] == "91659.01,393985857.23,0.219586,17.0,0.123456789,1,2024-01"
    # 0.9999999 would read 1 at 6 digits: a shortfall keeps its full precision
    assert text[2] == "0.0,0.12,0.9999999,3.33,1.0,2,2024-02"
    assert text[3] == ",2.5,1.0,,2.0,3,2024-03"


def test_every_unit_a_column_can_have_is_known_and_has_a_precision_or_is_a_label():
    labels = {"YYYY-MM", "YYYYQn", "id", "name", "runs"}
    assert set(CSV_DECIMALS) | set(CSV_SIGNIFICANT) | labels == set(UNITS)


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_hundredths_are_the_nearest_and_print_short(value):
    frame = pd.DataFrame({"deliveries": [value]})
    rounded = csv_precision(frame)["deliveries"].iloc[0]
    assert abs(rounded - value) <= 0.005 + 1e-9 * abs(value)
    text = frame.pipe(csv_precision).to_csv(index=False).splitlines()[1]
    assert len(text.split(".")[1]) <= 2 if "." in text else True


@given(st.floats(min_value=-1.0, max_value=1.0, allow_nan=False))
def test_fractions_keep_six_digits_and_never_round_onto_zero_or_one(value):
    rounded = csv_precision(pd.DataFrame({"p_breakeven": [value]}))["p_breakeven"].iloc[0]
    if float(f"{value:.6g}") in (0.0, 1.0, -1.0):  # would read 0 or 1: kept as it is
        assert rounded == value
    else:
        assert abs(rounded - value) <= half_sixth_digit(value) * (1 + 1e-9)
        assert significant_digits(str(float(rounded))) <= 6


def significant_digits(text: str) -> int:
    """Significant digits a number is written with: ``-0.0012340`` and ``1.234e-43`` have 4."""
    mantissa = text.lower().split("e")[0].lstrip("-").replace(".", "")
    return len(mantissa.lstrip("0").rstrip("0"))


def half_sixth_digit(value: float) -> float:
    """Half a unit of the sixth significant digit of ``value``."""
    return 0.5 * 10.0 ** (math.floor(math.log10(abs(value))) - 5) if value else 0.0


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """The default scenario's run folder: deterministic, so counts carry fractions."""
    out = tmp_path_factory.mktemp("csv") / "run"
    write_run(simulate(load_scenario(DEFAULT_SCENARIO)), out)
    return out


def decimals_of(text: str) -> int:
    return len(text.split(".")[1]) if "." in text and "e" not in text.lower() else 0


@pytest.mark.parametrize("name", ["monthly.csv", "quarterly.csv"])
def test_no_value_in_a_run_csv_has_more_than_its_units_precision(folder, name):
    with open(folder / name, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows
    for column in rows[0]:
        unit = unit_of(column)
        assert unit in UNITS, f"{name}: {column} has no unit (add it to COLUMN_UNITS)"
        for row in rows:
            text = row[column]
            if unit in CSV_DECIMALS and text:
                assert decimals_of(text) <= CSV_DECIMALS[unit], (column, text)
            if unit in CSV_SIGNIFICANT and text:
                assert significant_digits(text) <= CSV_SIGNIFICANT[unit], (column, text)
    fractional = [row["production"] for row in rows if decimals_of(row["production"]) == 2]
    assert fractional, "a deterministic run carries fractional cars, kept to hundredths"


def test_monthly_csv_matches_the_parquet_to_the_rounding(folder):
    text = pd.read_csv(folder / "monthly.csv")
    full = pd.read_parquet(folder / "monthly.parquet")
    assert list(text.columns) == list(full.columns)
    for column in full.columns:
        unit = unit_of(column)
        if unit in CSV_DECIMALS:
            tolerance = 0.5 * 10.0 ** -CSV_DECIMALS[unit]
            diff = (text[column] - full[column]).abs()
            assert (diff.dropna() <= tolerance * (1 + 1e-9) + 1e-9 * full[column].abs()).all()
            assert (text[column].isna() == full[column].isna()).all(), column
        elif unit in CSV_SIGNIFICANT:
            pairs = zip(text[column].dropna(), full[column].dropna(), strict=True)
            for got, exact in pairs:
                assert abs(got - exact) <= half_sixth_digit(exact) * (1 + 1e-9), column
        else:
            assert (text[column].astype(str) == full[column].astype(str)).all(), column
    # full precision is still there in the parquet: not all of it is whole hundredths
    production = full["production"].to_numpy()
    assert np.abs(production * 100 - np.round(production * 100)).max() > 0.01
    assert math.isclose(text["production"].sum(), production.sum(), abs_tol=0.005 * len(full))
