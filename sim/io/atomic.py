"""Atomic files: a reader (or a crash) never sees a half-written file.

Temporary files are named ``.NAME.PID.TOKEN.tmp`` beside their target and created with the
usual permissions (``0666`` less the umask); :func:`remove_stale` removes those of dead
processes. Folders are staged and swapped by :mod:`sim.io.folder`.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

TEMP_SUFFIXES = ("tmp", "staging", "old")
"""Suffixes of the temporary files and folders scaleup leaves beside a target while writing."""


def temp_name(target: Path, suffix: str) -> Path:
    """``.NAME.PID.TOKEN.SUFFIX`` beside ``target``: unique, and it says whose it is."""
    return target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.{suffix}")


def _pattern(name: str) -> re.Pattern[str]:
    suffixes = "|".join(TEMP_SUFFIXES)
    return re.compile(rf"^\.{re.escape(name)}\.(\d+)(?:\.[0-9a-f]{{8}})?\.({suffixes})$")


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def remove_stale(target: Path) -> list[Path]:
    """Remove the leftovers of writers of ``target`` that died (``kill -9``): only names of our
    pattern (:func:`temp_name`, or ``.NAME.PID.old``) whose process is gone. Returns them."""
    pattern, removed = _pattern(target.name), []
    try:
        siblings = list(target.parent.iterdir())
    except OSError:
        return removed
    for p in siblings:
        m = pattern.match(p.name)
        if not m or int(m.group(1)) == os.getpid() or pid_alive(int(m.group(1))):
            continue
        with contextlib.suppress(OSError):
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            else:
                p.unlink()
            removed.append(p)
    return removed


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one step."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(path, "tmp")
    os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
    try:
        yield tmp
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
