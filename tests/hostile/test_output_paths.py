"""Hostile output paths for run, sweep, sensitivity and plot: one line, nothing lost (issue 7)."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SERIAL
from support.cli_checks import (
    assert_bad_input,
    assert_no_traceback,
    assert_one_line,
    assert_untouched,
    cli,
    leftovers,
    snapshot,
    stderr_lines,
)

COMMANDS = {
    "run": ["run", "small.yaml", "--no-figures"],
    "sweep": ["sweep", "tiny_sweep.yaml", *SERIAL],
    "sensitivity": ["sensitivity", "small.yaml", "--spec", "tiny_sens.yaml", "--no-sobol", *SERIAL],
    "plot": ["plot", "outputs/small"],
}
"""Each command's arguments but ``--out`` (``plot`` draws the run folder ``outputs/small``)."""


@pytest.fixture(params=sorted(COMMANDS))
def command(request: pytest.FixtureRequest, run_folder: Path) -> list[str]:
    """The arguments of one command; ``work`` holds the run folder that ``plot`` reads."""
    return COMMANDS[request.param]


@pytest.mark.parametrize("name", ["run", "sweep", "sensitivity"])
def test_out_dot_is_refused_and_the_folder_kept(work: Path, run_folder: Path, name: str) -> None:
    assert_bad_input([*COMMANDS[name], "--out", "."], work)


def test_plot_out_dot_draws_there_or_says_why(work: Path, run_folder: Path) -> None:
    before = snapshot(work)
    proc = cli([*COMMANDS["plot"], "--out", "."], work)
    assert_no_traceback(proc)
    if proc.returncode == 2:
        assert_one_line(proc, 2)
        assert_untouched(work, before)
    else:
        assert proc.returncode == 0, proc.stderr
        after = snapshot(work)
        assert {k: after[k] for k in before} == before  # only figures added
        assert any(k.endswith(".png") for k in set(after) - set(before))


def test_out_an_existing_file_is_refused(work: Path, command: list[str]) -> None:
    (work / "report.pdf").write_bytes(b"%PDF-1.4 the user's report\n")
    line = assert_bad_input([*command, "--out", "report.pdf"], work)
    assert "report.pdf" in line


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """``folder`` made unwritable: mode 555, and immutable when we are root (who ignores 555)."""
    folder.chmod(0o555)
    immutable = False
    try:
        if os.access(folder, os.W_OK):  # root: permissions are not enforced
            done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False)
            immutable = done.returncode == 0
            probe = folder / ".probe"
            try:
                probe.touch()
            except OSError:
                pass
            else:
                probe.unlink()
                pytest.skip("cannot make a folder unwritable here (root, no chattr +i)")
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=False)
        folder.chmod(0o755)


def test_out_in_a_read_only_folder_is_one_line(work: Path, command: list[str]) -> None:
    locked = work / "locked"
    locked.mkdir()
    (locked / "keep.txt").write_text("keep\n", encoding="utf-8")
    before = snapshot(work)
    with read_only(locked):
        proc = cli([*command, "--out", "locked/out"], work)
    assert_one_line(proc, (1, 2))
    assert_untouched(work, before)


def test_out_whose_bytes_are_not_utf8(work: Path, command: list[str]) -> None:
    target = b"out-\xff\xfe"
    proc = cli([*command, "--out", target], work)
    assert_no_traceback(proc)
    if proc.returncode == 0:
        assert os.path.isdir(os.path.join(os.fsencode(work), target))
    else:
        assert_one_line(proc, 2)
        assert not os.path.exists(os.path.join(os.fsencode(work), target))


@contextlib.contextmanager
def tiny_disk(mount_point: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` at ``mount_point`` (needs root); skips the test when it cannot."""
    mount_point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill: {done.stderr.decode(errors='replace')}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_a_full_disk_is_one_line_and_leaves_nothing_half_written(
    work: Path, command: list[str]
) -> None:
    with tiny_disk(work / "disk", "16k") as disk:
        (disk / "earlier.txt").write_text("already here\n", encoding="utf-8")
        before = snapshot(disk)
        proc = cli([*command, "--out", "disk/out"], work)
        assert_one_line(proc, 1)
        assert "disk" in stderr_lines(proc)[0] or "space" in stderr_lines(proc)[0]
        assert leftovers(disk) == []
        after = snapshot(disk)
        assert {k: after.get(k) for k in before} == before
        assert not (disk / "out" / "summary.json").exists()
