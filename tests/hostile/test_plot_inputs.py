"""`scaleup plot` on a folder with a truncated file: one line naming the file, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli_checks import assert_bad_input, cli

RUN_FILES = ["monthly.parquet", "summary.json"]
SWEEP_FILES = [
    "manifest.json",
    "sweep.yaml",
    "runs.parquet",
    "points.csv",
    "comparison.csv",
    "bands.parquet",
]


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    assert len(data) > 8
    path.write_bytes(data[: len(data) // 2])


def test_plot_of_the_intact_folders_works(work: Path, run_folder: Path, sweep_folder: Path) -> None:
    for folder in (run_folder, sweep_folder):
        proc = cli(["plot", folder, "--out", "figs"], work)
        assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("name", RUN_FILES)
def test_a_truncated_file_in_a_run_folder(work: Path, run_folder: Path, name: str) -> None:
    _truncate(run_folder / name)
    assert_bad_input(["plot", run_folder, "--out", "figs"], work, mentions=[name])


@pytest.mark.parametrize("name", SWEEP_FILES)
def test_a_truncated_file_in_a_sweep_folder(work: Path, sweep_folder: Path, name: str) -> None:
    _truncate(sweep_folder / name)
    assert_bad_input(["plot", sweep_folder, "--out", "figs"], work, mentions=[name])
