"""Running the command line in a subprocess, as a user would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from sim.config.load import DEFAULT_SCENARIO

ROOT = DEFAULT_SCENARIO.parents[1]


def scaleup_executable() -> str:
    beside = Path(sys.executable).with_name("scaleup")
    # if it is missing (package not installed), the tests that use it fail and say so
    return str(beside) if beside.exists() else shutil.which("scaleup") or "scaleup"


ENTRY_POINTS = {
    "python -m sim": [sys.executable, "-m", "sim"],
    "scaleup": [scaleup_executable()],
}


@pytest.fixture(scope="session")
def cli() -> Callable[..., subprocess.CompletedProcess]:
    """``cli(args, cwd=..., entry="scaleup")``: run the command line, capture its output.

    ``entry`` is ``"python -m sim"`` (the default) or ``"scaleup"`` (the installed script).
    """

    def run(args, cwd: Path | None = None, entry: str = "python -m sim"):
        env = {**os.environ, "MPLBACKEND": "Agg"}
        cmd = [*ENTRY_POINTS[entry], *map(str, args)]
        return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=env, timeout=120)

    return run
