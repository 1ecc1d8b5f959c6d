"""Hostile input files: read only regular files, bounded, one line each (issue 7)."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from support.cli_checks import assert_bad_input, assert_one_line, cli, stderr_lines

FIVE_MB = 5 * 1024 * 1024


def _commands_reading(name: str) -> dict[str, list[str]]:
    """Each command with ``name`` in the place of the file it reads."""
    return {
        "validate": ["validate", name],
        "run": ["run", name, "--no-figures"],
        "sweep": ["sweep", name, "--executor", "serial", "--no-figures", "--quiet"],
        "sensitivity": ["sensitivity", "small.yaml", "--spec", name, "--no-sobol"],
    }


@pytest.mark.parametrize("command", ["validate", "run", "sweep", "sensitivity"])
def test_a_fifo_is_refused_without_blocking(work: Path, command: str) -> None:
    os.mkfifo(work / "pipe.yaml")
    args = _commands_reading("pipe.yaml")[command]
    assert_bad_input(args, work, mentions=["pipe.yaml"], timeout=20)


@pytest.mark.parametrize("command", ["validate", "run", "sweep"])
def test_dev_zero_is_refused(work: Path, command: str) -> None:
    assert_bad_input(_commands_reading("/dev/zero")[command], work, timeout=20)


def test_extends_dev_zero_is_refused(work: Path) -> None:
    (work / "z.yaml").write_text("extends: /dev/zero\nname: z\n", encoding="utf-8")
    assert_bad_input(["validate", "z.yaml"], work, mentions=["/dev/zero"], timeout=20)


def test_a_file_over_the_size_cap_is_refused_quickly(work: Path) -> None:
    head = "extends: small.yaml\ndemand:\n  kind: table\n  orders_per_month: ["
    items = "1000, " * ((FIVE_MB - len(head)) // 6)
    (work / "big.yaml").write_text(head + items + "1000]\n", encoding="utf-8")
    assert (work / "big.yaml").stat().st_size > FIVE_MB - 16
    assert_bad_input(["run", "big.yaml", "--no-figures"], work, mentions=["big.yaml"], timeout=20)


NOT_UTF8 = {
    "random bytes": random.Random(7).randbytes(4096),
    "latin-1": "extends: small.yaml\ndescription: Société générale, usine à Pékin\n".encode(
        "latin-1"
    ),
}


@pytest.mark.parametrize("kind", sorted(NOT_UTF8))
def test_a_file_that_is_not_utf8_is_one_line(work: Path, kind: str) -> None:
    (work / "odd.yaml").write_bytes(NOT_UTF8[kind])
    assert_bad_input(["validate", "odd.yaml"], work, mentions=["odd.yaml"])


def test_utf16_with_a_bom_is_read_or_refused_in_one_line(work: Path) -> None:
    (work / "wide.yaml").write_bytes("extends: small.yaml\nname: wide\n".encode("utf-16"))
    proc = cli(["validate", "wide.yaml"], work)
    if proc.returncode != 0:
        assert_one_line(proc, 2, mentions=["wide.yaml"])


def test_ten_thousand_levels_of_nesting_are_refused(work: Path) -> None:
    (work / "deep.yaml").write_text("extends: small.yaml\nname: " + "[" * 10_000 + "\n")
    assert_bad_input(["validate", "deep.yaml"], work, mentions=["deep.yaml"])


def test_an_extends_chain_of_100_files_is_refused(work: Path) -> None:
    parent = "small.yaml"
    for i in range(100):
        name = f"chain{i:03d}.yaml"
        (work / name).write_text(f"extends: {parent}\n", encoding="utf-8")
        parent = name
    assert_bad_input(["validate", parent], work, mentions=["extends"])


def test_a_duplicate_key_is_an_error_naming_the_key_and_line(work: Path) -> None:
    (work / "dup.yaml").write_text(
        "extends: small.yaml\nhorizon_months: 12\nhorizon_months: 24\n", encoding="utf-8"
    )
    line = assert_bad_input(["validate", "dup.yaml"], work, mentions=["dup.yaml"])
    assert "horizon_months" in line and "3" in line


def test_a_nested_duplicate_in_a_sweep_file_is_an_error(work: Path) -> None:
    text = (work / "tiny_sweep.yaml").read_text(encoding="utf-8")
    text = text.replace("variants:\n", "variants:\n  slow:\n    set: {}\n", 1)
    (work / "dupsweep.yaml").write_text(text, encoding="utf-8")
    line = assert_bad_input(["validate", "dupsweep.yaml"], work, mentions=["dupsweep.yaml"])
    assert "slow" in line


def test_validate_checks_every_file_and_reports_on_stderr(work: Path) -> None:
    (work / "typo.yaml").write_text("extends: small.yaml\nhorizon_month: 12\n", encoding="utf-8")
    (work / "latin.yaml").write_bytes(NOT_UTF8["latin-1"])
    (work / "other.yaml").write_text("extends: small.yaml\nname: other\n", encoding="utf-8")
    files = ["small.yaml", "latin.yaml", "typo.yaml", "tiny_sweep.yaml", "other.yaml"]
    proc = cli(["validate", *files], work)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    errors = stderr_lines(proc)
    assert len(errors) == 2, proc.stderr
    assert all(line.startswith("scaleup: error:") for line in errors)
    assert any("latin.yaml" in e for e in errors) and any("typo.yaml" in e for e in errors)
    for good in ("small.yaml", "tiny_sweep.yaml", "other.yaml"):
        assert good in proc.stdout, proc.stdout
    assert "latin.yaml" not in proc.stdout and "typo.yaml" not in proc.stdout


def test_validate_of_good_files_only_is_exit_0_and_quiet_on_stderr(work: Path) -> None:
    proc = cli(["validate", "small.yaml", "tiny_sweep.yaml"], work)
    assert proc.returncode == 0, proc.stderr
    assert stderr_lines(proc) == []
