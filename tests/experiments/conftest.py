"""Tiny sweeps over an 18-month copy of the default scenario, written into tmp folders."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.config.load import DEFAULT_SCENARIO

ROOT = DEFAULT_SCENARIO.parents[1]
HORIZON = 18  # months: short runs, and some replications do not break even within it
DISRUPTIONS = {"rate_per_year": 4.0, "mean_days": 20, "output_cut": 0.5}

# Two ramps of phase 1, three replications each: 6 runs.
TINY: dict[str, Any] = {
    "name": "tiny",
    "base": "small.yaml",
    "master_seed": 5,
    "replications": 3,
    "baseline": "baseline",
    "variants": {
        "baseline": {},
        "slow": {"set": {"factory.lines.phase1.ramp.months": 14}},
    },
}


@pytest.fixture
def tiny() -> dict[str, Any]:
    """A fresh copy of :data:`TINY` to change."""
    return copy.deepcopy(TINY)


@pytest.fixture
def sweep_dir(tmp_path: Path) -> Path:
    """A folder holding ``small.yaml``: the default cut to 18 months, more supply disruptions."""
    base = {
        "extends": str(DEFAULT_SCENARIO),
        "name": "small",
        "horizon_months": HORIZON,
        # longer, more frequent supply disruptions: replications then differ by months
        "factory": {"random_disruptions": DISRUPTIONS},
    }
    (tmp_path / "small.yaml").write_text(yaml.safe_dump(base), encoding="utf-8")
    return tmp_path


@pytest.fixture
def write_sweep(sweep_dir: Path) -> Callable[..., Path]:
    """``write_sweep(data, name="tiny.yaml")``: write a sweep file beside ``small.yaml``."""

    def write(data: dict[str, Any] | None = None, name: str = "tiny.yaml") -> Path:
        path = sweep_dir / name
        path.write_text(yaml.safe_dump(TINY if data is None else data), encoding="utf-8")
        return path

    return write


def run_cli(args: list[Any], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -m sim ARGS`` in ``cwd``, output captured."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    cmd = [sys.executable, "-m", "sim", *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout)


@pytest.fixture
def cli() -> Callable[..., subprocess.CompletedProcess]:
    """``cli(args, cwd)``: run ``python -m sim ARGS`` as a user would, output captured."""
    return run_cli
