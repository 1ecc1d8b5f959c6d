"""The one way a number reads (console and figures): money, counts, shares, input values."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.core.format import NA, count, input_value, money, percent, scale_of
from sim.plots.style import CountFormatter, PercentFormatter, UsdFormatter


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "$0"),
        (950, "$950"),
        (9_116.4, "$9,116"),
        (-9_116.4, "-$9,116"),
        (-0.4, "$0"),  # rounds to nothing: no sign on zero
        (999_999, "$999,999"),
        (1e6, "$1.0M"),
        (251.04e6, "$251.0M"),
        (-731.19e6, "-$731.2M"),  # the console's and the figures' former two spellings
        (1_164_185_853.9, "$1.16bn"),
        (-1.2e9, "-$1.20bn"),
        (None, NA),
        (float("nan"), NA),
        (float("inf"), NA),
    ],
)
def test_money(value, text):
    assert money(value) == text


def test_counts_read_as_money_without_the_dollar():
    assert count(91_659.01377530157) == "91,659"
    assert count(1_583_242.99) == "1.6M"
    assert count(float("nan")) == NA


@pytest.mark.parametrize(
    ("share", "decimals", "text"),
    [
        (0.0, 0, "0 %"),
        (1.0, 0, "100 %"),
        (0.42, 0, "42 %"),
        (0.995, 0, ">99 %"),  # a shortfall is never rounded away
        (0.004, 0, "<1 %"),
        (0.99, 0, "99 %"),
        (0.01, 0, "1 %"),
        (-0.25, 0, "-25 %"),
        (-0.004, 0, ">-1 %"),
        (0.154, 1, "15.4 %"),
        (0.9999, 1, ">99.9 %"),
        (0.0004, 1, "<0.1 %"),
        (None, 0, NA),
        (float("nan"), 0, NA),
    ],
)
def test_percent(share, decimals, text):
    assert percent(share, decimals) == text


@given(st.floats(min_value=0.0, max_value=1.0, exclude_min=True, exclude_max=True))
def test_a_share_strictly_inside_reads_neither_none_nor_all(share):
    assert percent(share) not in ("0 %", "100 %")


def _parse(text: str) -> float:
    """Money text back to a number."""
    m = re.fullmatch(r"(-?)\$([\d,.]+)(bn|M)?", text)
    assert m, text
    factor = {"bn": 1e9, "M": 1e6, None: 1.0}[m.group(3)]
    return (-1 if m.group(1) else 1) * float(m.group(2).replace(",", "")) * factor


@given(st.floats(min_value=-1e13, max_value=1e13, allow_nan=False))
def test_money_reads_back_within_half_its_last_digit(value):
    factor, _, decimals = scale_of(abs(value))
    half = 0.5 * 10.0**-decimals * factor
    assert math.isclose(_parse(money(value)), value, abs_tol=half * (1 + 1e-9))


@pytest.mark.parametrize(
    ("value", "path", "text"),
    [
        (27_000, "price.asp_usd", "$27,000"),
        (40e6, "costs.sga_usd_per_month", "$40.0M"),
        (1_500_000, "demand.market_size", "1,500,000"),
        (12_345.6, "demand.market_size", "12,346"),
        (0.86, "costs.components.battery.progress_ratio", "0.86"),
        (12, "factory.lines.phase1.ramp.months", "12"),
        ("logistic", "factory.lines.phase1.ramp.shape", "logistic"),
    ],
)
def test_input_values(value, path, text):
    assert input_value(value, path) == text


def test_axis_ticks_use_the_same_scales_and_signs():
    usd = UsdFormatter()
    assert usd.format_ticks([-1e9, -0.5e9, 0, 0.5e9]) == ["-$1.0bn", "-$0.5bn", "$0", "$0.5bn"]
    assert usd.format_ticks([-20_000, 0, 20_000]) == ["-$20,000", "$0", "$20,000"]
    assert usd.format_ticks([0, 2.5e6, 5e6]) == ["$0", "$2.5M", "$5.0M"]
    assert CountFormatter().format_ticks([0, 1e6, 2e6]) == ["0", "1M", "2M"]
    assert PercentFormatter().format_ticks([0, 0.5, 1.0]) == ["0 %", "50 %", "100 %"]
