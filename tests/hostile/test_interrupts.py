"""Interruptions and races: Ctrl-C, kill -9, concurrent writers, and the modes files get."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import TINY_SWEEP, write_yaml
from support.cli_checks import cli, cli_env, leftovers, popen

RUN = ["run", "small.yaml", "--no-figures"]


@pytest.mark.parametrize("delay_s", [0.1, 0.4, 1.0])
def test_ctrl_c_early_is_exit_130_without_a_traceback(work: Path, delay_s: float) -> None:
    write_yaml(work / "long.yaml", {**TINY_SWEEP, "name": "long", "replications": 500})
    proc = popen(["sweep", "long.yaml", "--executor", "serial", "--no-figures", "--quiet"], work)
    time.sleep(delay_s)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, f"exit {proc.returncode}\n{err}"
    assert "Traceback" not in err + out, err
    assert len([line for line in err.splitlines() if line.strip()]) <= 1, err


def test_kill_9_during_run_leaves_nothing_once_run_again(work: Path) -> None:
    (work / "outputs").mkdir()
    proc = popen(["run", "small.yaml", "--out", "outputs/small"], work)  # with figures: slower
    deadline = time.monotonic() + 30
    while proc.poll() is None and time.monotonic() < deadline:
        if any(n.endswith(".staging") for n in os.listdir(work / "outputs")):
            break
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the run ended before the kill"
    again = cli(RUN, work)
    assert again.returncode == 0, again.stderr
    assert leftovers(work / "outputs") == []
    assert (work / "outputs" / "small" / "summary.json").is_file()


def test_ten_concurrent_runs_into_one_folder_all_succeed(work: Path) -> None:
    procs = [
        popen([*RUN, "--out", "same", "--set", f"launch.preorders={80_000 + i}"], work)
        for i in range(10)
    ]
    results = [(p, *p.communicate(timeout=120)) for p in procs]
    for proc, _, err in results:
        assert proc.returncode == 0, err
        assert "Traceback" not in err
    assert leftovers(work) == []
    files = {p.name for p in (work / "same").iterdir()}
    assert {"config.yaml", "monthly.csv", "monthly.parquet", "quarterly.csv"} <= files
    assert "summary.json" in files
    # never a mix: the tables and the config come from one and the same run
    config = (work / "same" / "config.yaml").read_text(encoding="utf-8")
    orders = pd.read_csv(work / "same" / "monthly.csv")["orders"].iloc[0]
    preorders = int(yaml.safe_load(config)["launch"]["preorders"])
    reference = cli(
        [*RUN, "--out", "ref", "--set", f"launch.preorders={preorders}"], work, timeout=60
    )
    assert reference.returncode == 0, reference.stderr
    assert pd.read_csv(work / "ref" / "monthly.csv")["orders"].iloc[0] == orders


def _modes(folder: Path) -> dict[str, int]:
    return {
        str(p.relative_to(folder)): stat.S_IMODE(p.stat().st_mode)
        for p in [folder, *folder.rglob("*")]
    }


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_folders_and_files_follow_the_umask(work: Path, command: str) -> None:
    args = RUN if command == "run" else ["sweep", "tiny_sweep.yaml", "--executor", "serial"]
    args = (
        [*args, "--no-figures", "--out", "made"] if command == "sweep" else [*args, "--out", "made"]
    )
    done = subprocess.run(
        ["python", "-m", "sim", *args],
        cwd=work,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=lambda: os.umask(0o022),
    )
    assert done.returncode == 0, done.stderr
    for name, mode in _modes(work / "made").items():
        is_dir = (work / "made" / name).is_dir()
        assert mode == (0o755 if is_dir else 0o644), f"{name}: {oct(mode)}"
