"""Atomic files and folders (sim.io.atomic)."""

from __future__ import annotations

import os
import stat

import pytest

from sim.io.atomic import atomic_path, atomic_write_bytes, atomic_write_text, remove_stale


class Boom(Exception):
    pass


def test_atomic_write_text_creates_and_replaces_leaving_no_temp_files(tmp_path):
    target = tmp_path / "sub" / "a.txt"
    atomic_write_text(target, "first")
    atomic_write_text(target, "second")
    assert target.read_text(encoding="utf-8") == "second"
    assert sorted(p.name for p in target.parent.iterdir()) == ["a.txt"]


def test_atomic_write_bytes(tmp_path):
    target = tmp_path / "b.bin"
    atomic_write_bytes(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert [p.name for p in tmp_path.iterdir()] == ["b.bin"]


def test_atomic_path_keeps_the_old_file_when_the_body_raises(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(Boom), atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise Boom
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_atomic_path_creates_nothing_when_the_body_raises(tmp_path):
    with pytest.raises(Boom), atomic_path(tmp_path / "new.txt"):
        raise Boom
    assert list(tmp_path.iterdir()) == []


def test_atomic_files_get_the_usual_permissions(tmp_path):
    old = os.umask(0o027)
    try:
        atomic_write_text(tmp_path / "a.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o640  # 0666 & ~0027


def test_remove_stale_removes_only_dead_writers_leftovers_of_our_pattern(tmp_path):
    target = tmp_path / "run"
    dead = _dead_pid()
    ours = [
        tmp_path / f".run.{dead}.0a1b2c3d.staging",
        tmp_path / f".run.{dead}.0a1b2c3d.old",
        tmp_path / f".run.{dead}.old",  # the name of earlier versions
    ]
    for p in ours:
        p.mkdir()
        (p / "monthly.csv").write_text("x", encoding="utf-8")
    (tmp_path / f".run.{dead}.0a1b2c3d.tmp").write_text("x", encoding="utf-8")
    keep = [
        tmp_path / f".run.{os.getpid()}.0a1b2c3d.staging",  # alive: being written
        tmp_path / f".other.{dead}.0a1b2c3d.staging",  # another target's
        tmp_path / f".run.{dead}.notes",  # not our pattern
        tmp_path / "run.old",
    ]
    for p in keep:
        p.mkdir()
    removed = remove_stale(target)
    assert len(removed) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in keep)


def _dead_pid() -> int:
    """A pid no process has: a child that exited and was reaped."""
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(proc.stdout)
