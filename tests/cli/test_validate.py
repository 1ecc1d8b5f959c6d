"""``scaleup validate``: every file checked, errors on stderr, one exit status over all of them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from sim.config.load import DEFAULT_SCENARIO

ROOT = DEFAULT_SCENARIO.parents[1]
SPEC = ROOT / "configs" / "sensitivity" / "xiaomi_su7.yaml"
SWEEP = ROOT / "configs" / "sweeps" / "ramps.yaml"


def validate(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sim", "validate", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_every_file_is_checked_and_errors_go_to_stderr(tmp_path):
    (tmp_path / "syntax.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    (tmp_path / "binary.yaml").write_bytes(b"\xff\xfe\x00\x81 not text")
    files = ["syntax.yaml", str(DEFAULT_SCENARIO), "binary.yaml", str(SWEEP), "missing.yaml"]
    proc = validate(tmp_path, *files, str(SPEC))
    assert proc.returncode == 2
    ok = proc.stdout.splitlines()
    assert [line.split(" ")[1] for line in ok] == [str(DEFAULT_SCENARIO), str(SWEEP), str(SPEC)]
    errors = proc.stderr.splitlines()
    assert len(errors) == 3, proc.stderr
    for line, name in zip(errors, ["syntax.yaml", "binary.yaml", "missing.yaml"], strict=True):
        assert line.startswith(f"scaleup: error: {name}: "), line
    assert "Traceback" not in proc.stderr


def test_all_good_is_exit_0_with_nothing_on_stderr(tmp_path):
    proc = validate(tmp_path, str(DEFAULT_SCENARIO), str(SWEEP))
    assert (proc.returncode, proc.stderr) == (0, "")
    assert len(proc.stdout.splitlines()) == 2


def test_a_file_that_crashes_the_check_is_reported_and_the_rest_checked(tmp_path):
    """An unexpected exception for one file: one line for that file, status 1 (not bad
    input), and the files after it are still checked."""
    code = "\n".join(
        [
            "import sys",
            "import sim.cli.validate as v",
            "real = v.check",
            "def check(path, scenario):",
            "    if path == 'crash.yaml':",
            "        raise ZeroDivisionError('division by zero')",
            "    return real(path, scenario)",
            "v.check = check",
            "from sim.__main__ import entry",
            "sys.exit(entry())",
        ]
    )
    args = ["validate", "crash.yaml", str(DEFAULT_SCENARIO)]
    cmd = [sys.executable, "-c", code, *args]
    proc = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr == (
        "scaleup: crash.yaml: internal error: ZeroDivisionError: division by zero "
        "(run with --debug for the traceback)\n"
    )
    assert proc.stdout.startswith(f"ok: {DEFAULT_SCENARIO} ")


def test_scenario_option_checks_a_sensitivity_file_against_that_scenario(tmp_path):
    """Phase-1 ramp of 16 months lies outside the spec's 5..14: fine on the default scenario,
    bad input on this one."""
    slow = {
        "extends": str(DEFAULT_SCENARIO),
        "name": "slow",
        "factory": {"lines": {"phase1": {"ramp": {"months": 16}}}},
    }
    (tmp_path / "slow.yaml").write_text(yaml.safe_dump(slow), encoding="utf-8")
    default = validate(tmp_path, str(SPEC))
    assert default.returncode == 0
    assert "checked on the default scenario" in default.stdout
    on_slow = validate(tmp_path, "--scenario", "slow.yaml", str(SPEC))
    assert on_slow.returncode == 2
    assert on_slow.stderr.startswith(f"scaleup: error: {SPEC}: inputs.factory.lines.phase1")
    assert on_slow.stderr.count("\n") == 1
    assert on_slow.stdout == ""
