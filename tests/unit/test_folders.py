"""The results-folder lifecycle (sim.io.folder, sim.io.staged): what may be replaced, races,
leftovers, permissions and OS errors. Data-loss cases check the user's bytes are all still there."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from sim.errors import ConfigError, EnvironmentFailure
from sim.io import staged
from sim.io.folder import claim, kind_of, read_manifest
from sim.io.rundir import read_run, write_run
from sim.io.staged import write_staged


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def result(tiny_run):
    return tiny_run({"launch.preorders": 500})


def test_a_run_folder_is_marked_as_ours_and_replaced(result, tmp_path):
    out = tmp_path / "run"
    write_run(result, out)
    manifest = read_manifest(out)
    assert manifest["kind"] == "run" and manifest["status"] == "complete"
    assert manifest["files"] == sorted(
        ["config.yaml", "monthly.csv", "monthly.parquet", "quarterly.csv", "summary.json"]
    )
    (out / "monthly.csv").write_text("stale", encoding="utf-8")
    write_run(result, out)
    assert (out / "monthly.csv").read_text(encoding="utf-8") != "stale"
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def _foreign(tmp_path: Path) -> Path:
    mine = tmp_path / "mine"
    (mine / "sub").mkdir(parents=True)
    (mine / "notes.txt").write_bytes(b"keep me\n")
    (mine / "sub" / "data.bin").write_bytes(bytes(range(256)))
    return mine


def test_a_foreign_folder_is_refused_and_kept_byte_for_byte(result, tmp_path):
    mine = _foreign(tmp_path)
    before = snapshot(mine)
    with pytest.raises(ConfigError, match="scaleup did not write it"):
        write_run(result, mine)
    assert snapshot(mine) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]  # no staging left


def test_a_plain_file_is_refused_and_kept(result, tmp_path):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"%PDF-1.4 user data")
    with pytest.raises(ConfigError, match="exists and is not a folder"):
        write_run(result, target)
    assert target.read_bytes() == b"%PDF-1.4 user data"


@pytest.mark.parametrize("kind", ["sweep", "sensitivity"])
def test_a_sweep_or_sensitivity_folder_is_not_replaced_by_a_run(result, tmp_path, kind):
    other = tmp_path / "other"
    other.mkdir()
    (other / "manifest.json").write_text(json.dumps({"kind": kind, "status": "complete"}))
    (other / "runs.parquet").write_bytes(b"PAR1 results")
    before = snapshot(other)
    with pytest.raises(ConfigError, match=f"holds {kind} results"):
        write_run(result, other)
    assert snapshot(other) == before


def test_user_files_inside_a_run_folder_are_not_deleted(result, tmp_path):
    out = tmp_path / "run"
    write_run(result, out)
    (out / "my_notes.txt").write_text("analysis notes", encoding="utf-8")
    before = snapshot(out)
    with pytest.raises(ConfigError, match="holds files scaleup did not write"):
        write_run(result, out)
    assert snapshot(out) == before


def test_an_empty_folder_may_be_used_and_a_legacy_run_folder_replaced(result, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    write_run(result, empty)
    assert kind_of(empty) == "run"
    legacy = tmp_path / "legacy"  # a run folder written before manifests
    legacy.mkdir()
    for name in ("config.yaml", "monthly.csv", "summary.json"):
        (legacy / name).write_text("old", encoding="utf-8")
    assert kind_of(legacy) == "run"
    write_run(result, legacy)
    assert read_manifest(legacy)["kind"] == "run"


@pytest.mark.parametrize("name", [".", "..", "sub/.", "sub/..", "./"])
def test_dot_names_are_refused(result, tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "keep.txt").write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError, match="must be named"):
        write_run(result, name)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt", "sub"]


def test_the_current_folder_its_ancestors_and_the_root_are_refused(result, tmp_path, monkeypatch):
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    for target in (work, tmp_path / "a", Path(work.anchor), Path("../b")):
        with pytest.raises(ConfigError, match="current folder"):
            write_run(result, target)
    assert list(work.iterdir()) == []


def test_folders_and_files_get_the_usual_permissions(result, tmp_path):
    old = os.umask(0o022)
    try:
        write_run(result, tmp_path / "run", extra=lambda stage: (stage / "figures").mkdir())
    finally:
        os.umask(old)
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)  # noqa: E731
    assert mode(tmp_path / "run") == 0o755 and mode(tmp_path / "run" / "figures") == 0o755
    assert {mode(p) for p in (tmp_path / "run").glob("*.*")} == {0o644}


def _dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(done.stdout)


def test_leftovers_of_a_killed_writer_are_removed_on_the_next_write(result, tmp_path):
    dead = _dead_pid()
    stale = [tmp_path / f".run.{dead}.0123abcd.staging", tmp_path / f".run.{dead}.old"]
    alive = tmp_path / f".run.{os.getpid() + 0}.89abcdef.staging"
    for p in [*stale, alive]:
        p.mkdir()
        (p / "monthly.csv").write_text("partial", encoding="utf-8")
    user = tmp_path / ".run.backup"  # not our pattern
    user.mkdir()
    write_run(result, tmp_path / "run")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted([alive.name, user.name, "run"])  # our own process is alive


def _fail_with(code: int):
    def fill(stage: Path) -> None:
        (stage / "half.csv").write_text("half", encoding="utf-8")
        raise OSError(code, os.strerror(code), str(stage / "half.csv"))

    return fill


def test_a_full_disk_is_an_environment_failure_and_keeps_the_previous_folder(result, tmp_path):
    out = tmp_path / "run"
    write_run(result, out)
    before = snapshot(out)
    with pytest.raises(EnvironmentFailure, match="no space left") as info:
        write_staged(out, "run", {}, _fail_with(errno.ENOSPC))
    assert info.value.exit_status == 1 and "\n" not in str(info.value)
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_a_folder_that_cannot_be_written_is_bad_input_naming_the_path(result, tmp_path):
    with pytest.raises(ConfigError, match="permission denied") as info:
        write_staged(tmp_path / "run", "run", {}, _fail_with(errno.EACCES))
    assert info.value.exit_status == 2 and "half.csv" in str(info.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_bad_input(result, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir(mode=0o555)
    with pytest.raises(ConfigError, match="permission denied"):
        write_run(result, ro / "run")


def test_a_non_utf8_folder_name_works_for_runs_and_is_refused_for_sweeps(result, tmp_path):
    name = os.fsdecode(b"caf\xe9")
    out = write_run(result, tmp_path / name)
    assert read_run(out).summary["breakeven"] == result.summary["breakeven"]
    json.dumps(read_manifest(out))
    with pytest.raises(ConfigError, match="not valid UTF-8") as info:
        claim(tmp_path / (name + "-sweep"), "sweep", "h", resume=False)
    assert "caf\\xe9" in str(info.value)
    str(info.value).encode("utf-8")  # printable


def test_a_concurrent_swap_that_leaves_a_foreign_folder_is_refused(result, tmp_path, monkeypatch):
    """If a user's folder appears at the target between the check and the swap, it is put
    back untouched."""
    out = tmp_path / "run"
    real = staged._swap

    def user_moves_in(stage, folder, kind):
        _foreign(tmp_path).rename(folder)
        return real(stage, folder, kind)

    monkeypatch.setattr(staged, "_swap", user_moves_in)
    with pytest.raises(ConfigError):
        write_run(result, out)
    assert snapshot(out) == {"notes.txt": b"keep me\n", "sub/data.bin": bytes(range(256))}
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


CONCURRENT = """
import sys
from sim.cli.main import main
sys.exit(main(["run", "--no-figures", "--set", f"price.asp_usd.base={sys.argv[1]}",
               "--out", sys.argv[2]]))
"""


def test_ten_concurrent_runs_into_one_folder_all_succeed_and_never_mix(tmp_path):
    out = tmp_path / "same"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CONCURRENT, str(30_000 + i), str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(10)
    ]
    errors = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 10, errors
    assert [p.name for p in tmp_path.iterdir()] == ["same"]  # no staging or .old left
    run = read_run(out)
    asp = run.config["price"]["asp_usd"]["base"]
    assert 30_000 <= asp < 30_010
    assert (run.monthly["asp"] == asp).all()  # the tables are the config's: not a mix
