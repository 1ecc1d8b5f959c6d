"""Results folders written whole (run folders): staged beside the target, swapped in by rename.

``write_staged`` fills ``.NAME.PID.TOKEN.staging`` and renames it onto the target; a previous
folder is first renamed aside to a name of its own (``.NAME.PID.TOKEN.old``) and removed after,
so readers and crashes see the previous or the new folder, never a mix, and concurrent writers
of one target all succeed (the last rename wins). Leftovers of killed writers are removed on
the next write. Only a missing or empty folder, or one of ours of the same kind holding only
files it wrote, is replaced (the rules of :mod:`sim.io.folder`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.errors import ConfigError, EnvironmentFailure
from sim.io.atomic import remove_stale, temp_name
from sim.io.folder import FORMAT, MANIFEST, entries, kind_of, read_manifest, refusal, write_manifest
from sim.io.paths import check_output, os_error, shown

SWAP_TRIES = 50  # renames tried against concurrent writers of the same folder


def _replaceable(folder: Path, kind: str) -> bool:
    """True if ``folder`` is missing, empty, or ours of ``kind`` holding only what we wrote."""
    names = entries(folder)
    if not names:
        return True
    manifest = read_manifest(folder)
    if kind_of(folder, manifest) != kind:
        return False
    if manifest:  # a manifest lists the files written; anything else is the user's
        return set(names) <= {MANIFEST, *manifest.get("files", ())}
    return True


def check_writable(folder: str | os.PathLike[str], kind: str) -> Path:
    """``folder`` if a results folder of ``kind`` may be written there (nothing is changed):
    call it before long work so a refused path fails first. ConfigError otherwise."""
    folder = check_output(folder)
    _check_target(folder, kind)
    return folder


def _check_target(folder: Path, kind: str) -> None:
    if not _replaceable(folder, kind):
        if entries(folder) and kind_of(folder) == kind:
            raise ConfigError(
                shown(folder),
                None,
                f"holds files scaleup did not write beside a {kind}'s results; nothing was "
                "changed: move them, or choose another output folder",
            )
        raise refusal(folder, kind, kind_of(folder))


def write_staged(
    folder: str | os.PathLike[str], kind: str, manifest: dict[str, Any], fill: Callable[[Path], Any]
) -> Path:
    """Write a results folder of ``kind`` whole: ``fill(stage)`` writes its files into an
    empty staging folder, then it replaces ``folder`` in one rename.

    ``folder`` must be missing, empty, or a folder of this kind holding only files it wrote
    (else ConfigError, untouched). A failure leaves the previous folder as it was.
    """
    folder = check_writable(folder, kind)
    stage = None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(folder)
        stage = temp_name(folder, "staging")
        stage.mkdir()  # 0777 less the umask
        fill(stage)
        files = sorted(p.name for p in stage.iterdir())
        write_manifest(stage, {"kind": kind, "format": FORMAT, **manifest, "files": files})
        _swap(stage, folder, kind)
    except OSError as exc:
        raise os_error(exc, folder) from exc
    finally:
        if stage is not None and stage.exists():
            shutil.rmtree(stage, ignore_errors=True)
    return folder


def _swap(stage: Path, folder: Path, kind: str) -> None:
    """Rename ``stage`` onto ``folder``; a previous folder is first renamed aside (to a name of
    its own, so concurrent writers never collide) and removed after."""
    asides: list[Path] = []
    try:
        for _ in range(SWAP_TRIES):
            try:
                os.rename(stage, folder)  # also replaces an empty folder
                return
            except OSError as exc:
                if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                    raise
            aside = temp_name(folder, "old")
            try:
                os.rename(folder, aside)
            except FileNotFoundError:
                continue  # another writer moved it first
            asides.append(aside)
            if not _replaceable(aside, kind):  # changed since it was checked: put it back
                with contextlib.suppress(OSError):
                    os.rename(aside, folder)
                    asides.pop()
                _check_target(folder if folder.exists() else aside, kind)
        raise EnvironmentFailure(
            shown(folder), None, "other writers kept replacing this folder; try again"
        )
    finally:
        for aside in asides:
            shutil.rmtree(aside, ignore_errors=True)
