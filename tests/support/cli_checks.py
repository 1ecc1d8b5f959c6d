"""Run ``python -m sim`` as a user would and check what it said and what it left behind.

The standard for bad input (issue 7): exit status 2, exactly one non-empty line on stderr that
starts with ``scaleup: error:``, no traceback, and nothing written. :func:`assert_bad_input`
checks all of it; :func:`snapshot` and :func:`assert_untouched` check that a user's files are
still there, byte for byte.
"""

from __future__ import annotations

import hashlib
import os
import resource
import stat
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

Arg = str | bytes | os.PathLike
Snapshot = dict[str, str]
"""Relative path -> ``"dir"``, ``"link:<target>"``, the SHA-256 of a regular file's bytes, or
``"special"`` (a FIFO or device: never read, it could block)."""

PREFIX = "scaleup: error:"
MEMORY_CAP_BYTES = 2 * 1024**3
"""Address-space cap for runs fed hostile values: a healthy run needs well under 1 GiB."""

LEFTOVER_SUFFIXES = (".staging", ".old", ".tmp")


def _argv(args: Sequence[Arg]) -> list[str | bytes]:
    return [a if isinstance(a, str | bytes) else os.fspath(a) for a in args]


def _capped(limit: int | None) -> Callable[[], None] | None:
    if limit is None:
        return None

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def cli_env() -> dict[str, str]:
    return {**os.environ, "MPLBACKEND": "Agg", "PYTHONIOENCODING": "utf-8"}


def cli(
    args: Sequence[Arg],
    cwd: Path,
    *,
    timeout: float = 60,
    memory_cap: int | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python -m sim ARGS`` in ``cwd``; a hang raises ``TimeoutExpired`` (the test fails)."""
    return subprocess.run(
        [sys.executable, "-m", "sim", *_argv(args)],
        cwd=cwd,
        env=cli_env(),
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
        preexec_fn=_capped(memory_cap),
    )


def popen(args: Sequence[Arg], cwd: Path, **kwargs) -> subprocess.Popen[str]:
    """Start ``python -m sim ARGS`` in ``cwd`` without waiting (for signals and races)."""
    return subprocess.Popen(
        [sys.executable, "-m", "sim", *_argv(args)],
        cwd=cwd,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        encoding="utf-8",
        errors="replace",
        **kwargs,
    )


def stderr_lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in (proc.stderr or "").splitlines() if line.strip()]


def describe(proc: subprocess.CompletedProcess[str]) -> str:
    return f"exit {proc.returncode}\n--- stderr ---\n{proc.stderr}\n--- stdout ---\n{proc.stdout}"


def assert_no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    text = (proc.stderr or "") + (proc.stdout or "")
    assert "Traceback" not in text, describe(proc)


def assert_one_line(
    proc: subprocess.CompletedProcess[str],
    status: int | Iterable[int],
    *,
    prefix: str = PREFIX,
    mentions: Iterable[str] = (),
) -> str:
    """Exit ``status`` (or one of them), one stderr line starting with ``prefix``; that line."""
    allowed = {status} if isinstance(status, int) else set(status)
    assert proc.returncode in allowed, describe(proc)
    assert_no_traceback(proc)
    lines = stderr_lines(proc)
    assert len(lines) == 1, describe(proc)
    assert lines[0].startswith(prefix), describe(proc)
    for word in mentions:
        assert word in lines[0], f"{word!r} not in the message\n{describe(proc)}"
    return lines[0]


def snapshot(root: Path) -> Snapshot:
    """Everything under ``root`` (hidden files included), by relative path."""
    found: Snapshot = {}
    if not root.exists() and not root.is_symlink():
        return found
    if not root.is_dir():
        return {".": hashlib.sha256(root.read_bytes()).hexdigest() if root.is_file() else "special"}
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        for name in (*dirnames, *filenames):
            path = here / name
            key = str(path.relative_to(root))
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                found[key] = f"link:{os.readlink(path)}"
            elif stat.S_ISDIR(mode):
                found[key] = "dir"
            elif stat.S_ISREG(mode):
                found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                found[key] = "special"
    return found


def assert_untouched(root: Path, before: Snapshot) -> None:
    """``root`` holds exactly what :func:`snapshot` saw: nothing lost, changed or added."""
    after = snapshot(root)
    lost = sorted(set(before) - set(after))
    added = sorted(set(after) - set(before))
    changed = sorted(k for k in set(before) & set(after) if before[k] != after[k])
    assert not (lost or added or changed), (
        f"{root}: lost {lost[:10]}, added {added[:10]}, changed {changed[:10]}"
    )


def assert_bad_input(
    args: Sequence[Arg],
    cwd: Path,
    *,
    watch: Iterable[Path] | None = None,
    mentions: Iterable[str] = (),
    timeout: float = 30,
    memory_cap: int | None = MEMORY_CAP_BYTES,
) -> str:
    """Bad input: exit 2, one line, no traceback, every watched folder untouched; the line."""
    folders = [cwd] if watch is None else list(watch)
    before = [snapshot(f) for f in folders]
    proc = cli(args, cwd, timeout=timeout, memory_cap=memory_cap)
    line = assert_one_line(proc, 2, mentions=mentions)
    for folder, snap in zip(folders, before, strict=True):
        assert_untouched(folder, snap)
    return line


def leftovers(folder: Path) -> list[str]:
    """Temporary names a writer may leave beside its target (``.NAME.XXXX.staging`` ...)."""
    if not folder.is_dir():
        return []
    return sorted(
        p.name
        for p in folder.iterdir()
        if p.name.startswith(".") and p.name.endswith(LEFTOVER_SUFFIXES)
    )
