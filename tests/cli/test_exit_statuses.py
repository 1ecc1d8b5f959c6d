"""One exit-status convention and one line on stderr, whatever goes wrong (no traceback).

0 done, 1 the work ran but failed (or the environment did), 2 bad input, 130 interrupted. The
failures a test cannot cause for real (a full disk, no memory, a bug) are raised by a stand-in
sub-command inside the real entry point (``sim.__main__.entry``) in a subprocess.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import sim

SIM_DIR = Path(sim.__file__).resolve().parent
HINT = "(run with --debug for the traceback)"


def raising(tmp_path: Path, raise_expr: str, *args: str) -> subprocess.CompletedProcess:
    """``scaleup validate x`` whose work raises ``raise_expr``, through the real entry point."""
    code = "\n".join(
        [
            "import errno, sys",
            "import sim.cli.validate as v",
            "from sim.errors import ConfigError, EnvironmentFailure",
            "def boom(args):",
            f"    raise {raise_expr}",
            "v.cmd_validate = boom",
            "from sim.__main__ import entry",
            "sys.exit(entry())",
        ]
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args, "validate", "x.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("raise_expr", "status", "line"),
    [
        ("ConfigError('a.yaml', 'f', 'bad')", 2, "scaleup: error: a.yaml: f: bad"),
        ("EnvironmentFailure('out', None, 'in use')", 1, "scaleup: error: out: in use"),
        ("KeyboardInterrupt()", 130, "scaleup: interrupted"),
        ("MemoryError()", 1, "scaleup: error: out of memory"),
        (
            "OSError(errno.ENOSPC, 'No space left on device', 'out/runs.parquet')",
            1,
            "scaleup: error: out/runs.parquet: the disk is full (No space left on device)",
        ),
        (
            "OSError(errno.EACCES, 'Permission denied', 'mine/out')",
            2,
            "scaleup: error: mine/out: Permission denied",
        ),
        (
            "OSError(errno.EROFS, 'Read-only file system', '/ro/out')",
            2,
            "scaleup: error: /ro/out: Read-only file system",
        ),
        ("OSError(errno.EIO, 'Input/output error')", 1, "scaleup: error: Input/output error"),
        (
            "ZeroDivisionError('division by zero')",
            1,
            f"scaleup: internal error: ZeroDivisionError: division by zero {HINT}",
        ),
        (
            "RuntimeError('two\\nlines')",
            1,
            f"scaleup: internal error: RuntimeError: two lines {HINT}",
        ),
    ],
)
def test_each_failure_is_one_line_and_its_status(tmp_path, raise_expr, status, line):
    proc = raising(tmp_path, raise_expr)
    assert (proc.returncode, proc.stderr) == (status, line + "\n")
    assert proc.stdout == ""


def test_debug_adds_the_traceback_and_keeps_the_status(tmp_path):
    proc = raising(tmp_path, "ZeroDivisionError('division by zero')", "--debug")
    assert proc.returncode == 1
    assert "Traceback (most recent call last)" in proc.stderr
    assert proc.stderr.splitlines()[-1].startswith("scaleup: internal error: ZeroDivisionError")


def test_bad_input_through_the_real_cli_is_exit_2_one_line(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "run", "missing.yaml", "--out", "out"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "missing.yaml" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_a_full_disk_under_stdout_is_exit_1_one_line(tmp_path):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    scenario = Path(sim.__file__).resolve().parents[1] / "configs" / "xiaomi_su7.yaml"
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "sim", "validate", str(scenario)],
            cwd=tmp_path,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "the disk is full" in proc.stderr, proc.stderr


def _before_the_project_ran(returncode: int, stderr: str) -> bool:
    """Whether SIGINT came before any line of ``sim`` ran, so that no code of ours could help.

    Before the interpreter installs its handler the signal kills the process silently (-2);
    during the interpreter's own start-up (``site`` and ``.pth`` files) Python prints a
    traceback in which no frame is ours, or only the module level of ``sim/__init__.py`` and
    ``sim/__main__.py`` (they run before the handler can be installed).
    """
    if returncode == -signal.SIGINT and stderr == "":
        return True
    frames = [line for line in stderr.splitlines() if line.lstrip().startswith("File ")]
    ours = [line for line in frames if str(SIM_DIR) in line]
    # the package's own two files at module level run before sim.__main__.entry can install
    # its handler (a few lines that import nothing slow): an interruption there is Python's
    first = ("__init__.py", "__main__.py")
    early = all(line.rstrip().endswith("in <module>") and any(f'{n}"' in line for n in first)
                for line in ours)  # fmt: skip
    return "Traceback" in stderr and early


def test_ctrl_c_while_starting_up_is_130_and_one_line(tmp_path):
    """Ctrl-C while modules are imported and the parser is built (the first fraction of a
    second of ``python -m sim run``): exit 130, one line, no traceback."""
    delays = [0.01, 0.03, 0.06, 0.1, 0.15, 0.2, 0.3]
    reached = 0
    while delays:
        delay = delays.pop(0)
        proc = subprocess.Popen(
            [sys.executable, "-m", "sim", "run", "--out", "out"],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "MPLBACKEND": "Agg"},
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        stderr = err.decode(errors="replace")
        if _before_the_project_ran(proc.returncode, stderr):
            if not delays and reached < 3 and delay < 2.0:  # a slow start (a loaded machine)
                delays.append(delay * 1.5)
            continue
        reached += 1
        assert (proc.returncode, stderr) == (130, "scaleup: interrupted\n"), (delay, stderr)
    assert reached >= 1  # some of them fell in the project's own start-up


def test_errno_table_names_path_errors_bad_input():
    from sim.cli.common import describe

    assert describe(OSError(errno.ENOENT, "No such file or directory", "x"))[0] == 2
    assert describe(OSError(errno.ENOENT, "No such file or directory"))[0] == 1  # no path given
    assert describe(OSError(errno.EDQUOT, "Disk quota exceeded", "x"))[0] == 1


def test_an_error_caused_by_ctrl_c_is_an_interruption():
    from sim.cli.main import _interrupted

    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as ctrl_c:
            raise ValueError("while building a schema") from ctrl_c
    except ValueError as wrapped:
        assert _interrupted(wrapped)
    # pydantic's SchemaError carries the interruption only in its text
    assert _interrupted(RuntimeError("Error building schema: KeyboardInterrupt()"))
    assert not _interrupted(ValueError("a plain failure"))
