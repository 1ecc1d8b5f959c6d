"""`scaleup run --out` must never delete what is not its own run folder (issue 7, data loss)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from support.cli_checks import assert_bad_input, cli, leftovers, snapshot


def _user_files(folder: Path) -> Path:
    (folder / "thesis").mkdir(parents=True)
    (folder / "thesis" / "chapter1.tex").write_text("\\chapter{Ramp-up}\n", encoding="utf-8")
    (folder / "photo.jpg").write_bytes(bytes(range(256)) * 4)
    (folder / ".hidden").write_text("keep me\n", encoding="utf-8")
    return folder


def test_run_refuses_a_folder_of_unrelated_files(work: Path) -> None:
    _user_files(work / "mine")
    line = assert_bad_input(["run", "small.yaml", "--no-figures", "--out", "mine"], work)
    assert "mine" in line


def test_run_refuses_a_plain_file(work: Path) -> None:
    (work / "notes.txt").write_text("do not lose this\n", encoding="utf-8")
    assert_bad_input(["run", "small.yaml", "--no-figures", "--out", "notes.txt"], work)
    assert (work / "notes.txt").read_text(encoding="utf-8") == "do not lose this\n"


def test_run_refuses_a_complete_sweeps_results(work: Path, sweep_folder: Path) -> None:
    assert (sweep_folder / "runs.parquet").is_file()
    assert_bad_input(["run", "small.yaml", "--no-figures", "--out", sweep_folder.name], work)


@pytest.mark.parametrize("name", [".", ".."])
def test_a_name_that_is_its_parent_or_above_is_bad_input(work: Path, name: str) -> None:
    _user_files(work / "outputs" / "earlier")
    line = assert_bad_input(["run", "small.yaml", "--no-figures", "--set", f"name={name}"], work)
    assert "name" in line


def test_run_replaces_its_own_run_folder(work: Path, run_folder: Path) -> None:
    before = snapshot(run_folder)
    done = cli(["run", "small.yaml", "--no-figures", "--set", "horizon_months=13"], work)
    assert done.returncode == 0, done.stderr
    assert snapshot(run_folder) != before
    assert len(pd.read_csv(run_folder / "monthly.csv")) == 13  # the new run, not the old one
    assert leftovers(run_folder.parent) == []
