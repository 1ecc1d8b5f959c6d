"""The one lifecycle of a results folder (run, sweep, sensitivity, calibration).

Every results folder holds a ``manifest.json`` naming its ``kind``, the ``spec_hash`` of what
was run, its ``status`` (``running``, ``interrupted``, ``failed``, ``complete``) and the
``format`` version. The rules, the same for every kind:

* a path that is not a folder, or a non-empty folder that is not one of ours *of that kind*,
  is refused (ConfigError) and left untouched; an empty folder may be used;
* a run folder is written whole into a staging folder beside it and swapped in by rename
  (:mod:`sim.io.staged`): readers and crashes see the previous or the new folder, never a
  mix, and concurrent writers all succeed;
* a sweep or sensitivity folder is filled in place (:func:`claim`) under an exclusive lock
  (a second writer gets :class:`sim.errors.EnvironmentFailure`); unfinished work is refused
  unless resumed with the same spec hash; finished (or failed) results are replaced; if the
  work stops on an exception the folder is marked ``interrupted``, never left ``running``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import ConfigError, EnvironmentFailure
from sim.io.atomic import atomic_write_text
from sim.io.paths import check_output, check_text, os_error, shown

MANIFEST = "manifest.json"
FORMAT = 1
"""Version of the folder layout, written into every manifest."""
KINDS = ("run", "sweep", "sensitivity", "calibration")
LEGACY_RUN = frozenset(
    {"config.yaml", "monthly.csv", "monthly.parquet", "quarterly.csv", "summary.json", "figures"}
)
"""A run folder written before manifests: only these names, ``summary.json`` among them."""
NOUNS = {"sensitivity": "analysis"}
"""How messages name a kind's work, where it differs from the kind."""


def now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The folder's manifest; None if it has none, ``{}`` if it cannot be read."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    atomic_write_text(folder / MANIFEST, json.dumps(manifest, indent=2, default=str) + "\n")


def kind_of(folder: Path, manifest: dict[str, Any] | None = None) -> str | None:
    """``run``, ``sweep``, ``sensitivity`` or ``calibration`` if scaleup wrote ``folder``."""
    manifest = read_manifest(folder) if manifest is None else manifest
    if manifest:
        if manifest.get("kind") in KINDS:
            return manifest["kind"]
        if manifest.get("analysis") == "sensitivity":  # written before ``kind``
            return "sensitivity"
        if "sweep" in manifest and "spec_hash" in manifest:
            return "sweep"
        return None
    try:
        names = {p.name for p in folder.iterdir()}
    except OSError:
        return None
    return "run" if "summary.json" in names and names <= LEGACY_RUN else None


def entries(folder: Path) -> list[str]:
    try:
        return [p.name for p in folder.iterdir()]
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise os_error(exc, folder) from None


def refusal(folder: Path, kind: str, found: str | None) -> ConfigError:
    what = f"holds {found} results" if found else "is not empty and scaleup did not write it"
    return ConfigError(
        shown(folder),
        None,
        f"{what}; a {kind} results folder may only replace its own kind: nothing was changed, "
        "choose another output folder",
    )


# ---------------------------------------------------------------- folders filled in place


class UnfinishedWork(ConfigError):
    """The folder holds unfinished work and resuming was not asked for (the command line may
    add the option that resumes)."""

    resumable = True


def text_digest(text: str) -> str:
    """The SHA-256 of a text file's UTF-8 bytes: the manifest keeps one per file written at
    the start, so a reader can tell a damaged (e.g. truncated) one."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def lock(folder: Path) -> int | None:
    """Hold an exclusive lock on ``folder`` (released by :func:`unlock` or when the process
    dies); EnvironmentFailure if another process holds it."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock
        return None
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise EnvironmentFailure(
            shown(folder),
            None,
            "in use: another scaleup command is writing here; wait for it, or choose another "
            "output folder",
        ) from None
    return fd


def unlock(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)


@dataclass
class Claim:
    """A results folder held (locked) for work in place; use it as a context manager."""

    folder: Path
    kind: str
    manifest: dict[str, Any] | None
    """The manifest found (None if the folder was new or empty)."""
    resuming: bool
    note: str
    fd: int | None = None
    created: bool = False
    begun: bool = False
    _clear: bool = field(default=False, repr=False)

    def begin(self, manifest: dict[str, Any], files: Iterable[tuple[str, str]] = ()) -> None:
        """Start the work: clear replaced results, write ``files`` (relative name, text) and a
        ``running`` manifest. On resume only the status changes."""
        try:
            if self.resuming and self.manifest:
                write_manifest(self.folder, self.manifest | {"status": "running"})
            else:
                if self._clear:
                    for child in self.folder.iterdir():
                        shutil.rmtree(child) if child.is_dir() else child.unlink()
                digests = {}
                for name, text in files:
                    atomic_write_text(self.folder / name, text)
                    digests[name] = text_digest(text)
                write_manifest(
                    self.folder,
                    {
                        "kind": self.kind,
                        "format": FORMAT,
                        **manifest,
                        "files": digests,
                        "status": "running",
                    },
                )
        except OSError as exc:
            raise os_error(exc, self.folder) from exc
        self.begun = True

    def update(self, **fields: Any) -> dict[str, Any]:
        """Merge ``fields`` into the manifest on disk; return it."""
        manifest = (read_manifest(self.folder) or {}) | fields
        try:
            write_manifest(self.folder, manifest)
        except OSError as exc:
            raise os_error(exc, self.folder) from exc
        return manifest

    def complete(self, **fields: Any) -> dict[str, Any]:
        return self.update(status="complete", completed_utc=now(), **fields)

    def __enter__(self) -> Claim:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is not None and self.begun:
                with contextlib.suppress(OSError):
                    current = read_manifest(self.folder) or {}
                    if current.get("status") == "running":
                        reason = f"{exc_type.__name__}: {exc}"[:500]
                        write_manifest(
                            self.folder, current | {"status": "interrupted", "error": reason}
                        )
            elif exc_type is not None and self.created:
                with contextlib.suppress(OSError):
                    self.folder.rmdir()  # still empty: as if never made
        finally:
            unlock(self.fd)
            self.fd = None


def claim(
    folder: str | os.PathLike[str],
    kind: str,
    spec_hash: str,
    resume: bool,
    unfinished: Callable[[Path, dict[str, Any]], str] | None = None,
) -> Claim:
    """Lock ``folder`` for a ``kind``'s work and decide what to do with what it holds.

    Nothing is changed yet (but an empty folder may be created): :meth:`Claim.begin` does it.
    ``unfinished(folder, manifest)`` describes unfinished work for the refusal message.
    Refused (ConfigError, untouched): not a folder; a non-empty folder that is not ours of this
    kind; unfinished work without ``resume``; resuming work whose spec hash changed.
    """
    folder = check_output(folder)
    check_text(folder)
    names = entries(folder)
    manifest = read_manifest(folder) if names else None
    if names and kind_of(folder, manifest) != kind:
        raise refusal(folder, kind, kind_of(folder, manifest))
    created = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = lock(folder)
    except OSError as exc:
        raise os_error(exc, folder) from exc
    state = Claim(folder, kind, manifest, False, "starting", fd, created)
    try:
        manifest = read_manifest(folder) if entries(folder) else None  # as of the lock
        state.manifest = manifest
        status = (manifest or {}).get("status")
        if manifest and resume:
            if manifest.get("spec_hash") != spec_hash:
                raise ConfigError(
                    shown(folder),
                    None,
                    f"the {NOUNS.get(kind, kind)} changed since this folder's run (spec "
                    f"{manifest.get('spec_hash')}, now {spec_hash}); cannot resume: restore its "
                    "files, or delete the folder or choose another output folder to start over",
                )
            state.resuming, state.note = True, "resuming"
        elif manifest and status in ("running", "interrupted"):
            what = unfinished(folder, manifest) if unfinished else f"unfinished {kind} work"
            raise UnfinishedWork(
                shown(folder),
                None,
                f"holds {what}; resume it to finish, or delete the folder to start over",
            )
        elif manifest:
            state._clear, state.note = True, "replacing the previous results"
        elif resume:
            state.note = "nothing to resume; starting"
    except BaseException:
        state.__exit__(None, None, None)
        if created:
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    return state
