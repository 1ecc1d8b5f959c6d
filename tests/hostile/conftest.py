"""Hostile-input suite (issue 7): the real command line in a subprocess, in a tmp folder.

Every folder starts as a copy of the repository's ``configs/`` plus a 12-month scenario
(``small.yaml``), a four-run sweep (``tiny_sweep.yaml``) and a one-input sensitivity spec
(``tiny_sens.yaml``), so each command takes about a second.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

TESTS = Path(__file__).resolve().parents[1]
if str(TESTS) not in sys.path:  # `support` lives in tests/, which has no __init__.py
    sys.path.insert(0, str(TESTS))

from support.cli_checks import cli  # noqa: E402

REPO_CONFIGS = TESTS.parent / "configs"

SMALL: dict[str, Any] = {
    "extends": "configs/xiaomi_su7.yaml",
    "name": "small",
    "horizon_months": 12,
}
"""The default scenario cut to 12 months."""

TINY_SWEEP: dict[str, Any] = {
    "name": "tiny_sweep",
    "base": "small.yaml",
    "mode": "stochastic",
    "master_seed": 5,
    "replications": 2,
    "baseline": "baseline",
    "variants": {
        "baseline": {},
        "slow": {"set": {"factory.lines.phase1.ramp.months": 14}},
    },
}
"""Two ramps, two replications: four runs."""

TINY_SENS: dict[str, Any] = {
    "name": "tiny_sens",
    "inputs": {"price.asp_usd.base": {"low": 30100, "high": 33500, "label": "ASP (USD)"}},
    "oat": {"mode": "deterministic"},
}
"""One input, one-at-a-time only (use with ``--no-sobol``): three runs."""

SERIAL = ("--executor", "serial", "--no-figures", "--quiet")


def write_yaml(path: Path, data: Any) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def populate(folder: Path) -> Path:
    shutil.copytree(REPO_CONFIGS, folder / "configs")
    write_yaml(folder / "small.yaml", SMALL)
    write_yaml(folder / "tiny_sweep.yaml", TINY_SWEEP)
    write_yaml(folder / "tiny_sens.yaml", TINY_SENS)
    return folder


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A fresh working folder (the command's cwd) holding configs/ and the tiny inputs."""
    return populate(tmp_path / "work")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once, copied by tests that change them: ``run/`` (a run folder), ``sweep/``."""
    folder = populate(tmp_path_factory.mktemp("built"))
    run = cli(["run", "small.yaml", "--no-figures", "--out", "run"], folder)
    assert run.returncode == 0, run.stderr
    sweep = cli(["sweep", "tiny_sweep.yaml", *SERIAL, "--out", "sweep"], folder)
    assert sweep.returncode == 0, sweep.stderr
    return folder


@pytest.fixture
def run_folder(built: Path, work: Path) -> Path:
    """A copy of a complete run folder, in ``work``."""
    return Path(shutil.copytree(built / "run", work / "outputs" / "small"))


@pytest.fixture
def sweep_folder(built: Path, work: Path) -> Path:
    """A copy of a complete sweep's results folder, in ``work``."""
    return Path(shutil.copytree(built / "sweep", work / "results"))
