"""Atomic files and folders (sim.io.atomic)."""

from __future__ import annotations

import pytest

from sim.io.atomic import atomic_path, atomic_write_bytes, atomic_write_text, staged_dir


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


def test_staged_dir_replaces_the_whole_folder(tmp_path):
    target = tmp_path / "run"
    target.mkdir()
    (target / "stale.csv").write_text("old", encoding="utf-8")
    with staged_dir(target) as stage:
        assert stage != target and stage.parent == tmp_path
        assert list(stage.iterdir()) == []
        (stage / "monthly.csv").write_text("new", encoding="utf-8")
        assert (target / "stale.csv").exists()  # the old run stays until the swap
    assert sorted(p.name for p in target.iterdir()) == ["monthly.csv"]
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # no staging or .old folder left


def test_staged_dir_keeps_the_old_folder_when_the_body_raises(tmp_path):
    target = tmp_path / "run"
    target.mkdir()
    (target / "monthly.csv").write_text("old", encoding="utf-8")
    with pytest.raises(Boom), staged_dir(target) as stage:
        (stage / "monthly.csv").write_text("half", encoding="utf-8")
        raise Boom
    assert (target / "monthly.csv").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in target.iterdir()) == ["monthly.csv"]
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_staged_dir_leaves_nothing_when_a_first_run_fails(tmp_path):
    with pytest.raises(Boom), staged_dir(tmp_path / "out" / "run") as stage:
        (stage / "x").write_text("x", encoding="utf-8")
        raise Boom
    assert list((tmp_path / "out").iterdir()) == []
