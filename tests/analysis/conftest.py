"""A tiny scenario whose break-even and capital are worked out by hand, and its spec.

100 cars a day (3,100 in January, 2,900 in February 2024, ...), 100,000 firm preorders (so every
car is delivered in the month it is built), parts USD 20,000 a car, price USD 30,000 until
2024-04 and 35,000 from then, SG&A USD 40 M a month. Operating profit per car: January
(3,100 x 10,000 - 40 M) / 3,100 < 0 up to March, then (3,000 x 15,000 - 40 M) / 3,000 > 0:
break-even (held 3 months) in 2024-04, month index 3; peak cash deficit 9 + 11 + 9 = USD 29 M.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

CHANGES = {
    "launch.preorders": 100_000,
    "price.asp_usd": {"base": 30_000, "changes": {"2024-04": 35_000}},
    "opex.sga_per_month_usd.base": 40_000_000,
}

# SG&A low: every month profitable (break-even month 0, no deficit); high: never within the
# 6 months. ASP (until 2024-04) low and high: break-even stays at month 3, the deficit moves.
SPEC: dict[str, Any] = {
    "name": "tiny",
    "inputs": {
        "opex.sga_per_month_usd.base": {"low": 20_000_000, "high": 50_000_000, "label": "SG&A"},
        "price.asp_usd.base": {"low": 25_000, "high": 32_000, "label": "ASP"},
    },
    "sobol": {"size": 8, "seed": 3, "resamples": 100},
}


@pytest.fixture
def spec() -> dict[str, Any]:
    """A fresh copy of :data:`SPEC` to change."""
    return copy.deepcopy(SPEC)


@pytest.fixture
def work(tmp_path: Path, tiny_scenario_dict) -> Path:
    """A folder holding ``tiny.yaml`` (the hand-checked scenario)."""
    data = tiny_scenario_dict(CHANGES)
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return tmp_path


@pytest.fixture
def write_spec(work: Path) -> Callable[..., Path]:
    """``write_spec(data, name="spec.yaml")``: write a sensitivity file beside ``tiny.yaml``."""

    def write(data: dict[str, Any] | None = None, name: str = "spec.yaml") -> Path:
        path = work / name
        path.write_text(yaml.safe_dump(SPEC if data is None else data), encoding="utf-8")
        return path

    return write
