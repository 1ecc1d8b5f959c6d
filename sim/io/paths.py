"""Output paths: which ones may be written, how they are shown, and what an OS error means.

Every results folder and figure folder goes through :func:`check_output` before anything is
written, and every ``OSError`` met while writing becomes one line through :func:`os_error`:
a path the user cannot write is bad input (exit 2), a full disk is an environment failure
(exit 1). Names whose bytes are not UTF-8 are shown with ``\\xNN`` escapes, never a crash.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from sim.errors import ConfigError, EnvironmentFailure, ScaleupError

BAD_INPUT_ERRNOS = frozenset(
    {
        errno.EACCES,
        errno.EPERM,
        errno.EROFS,
        errno.ENOTDIR,
        errno.EISDIR,
        errno.EEXIST,
        errno.ENAMETOOLONG,
        errno.ELOOP,
        errno.EINVAL,
    }
)
"""Errors caused by the path the user gave (exit 2); any other is the environment's (exit 1)."""

_REASONS = {
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "read-only file system",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "is a folder",
    errno.EEXIST: "already exists",
    errno.ENAMETOOLONG: "name too long",
    errno.ELOOP: "too many symbolic links",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
}


def shown(path: str | os.PathLike[str]) -> str:
    """``path`` as printable text: bytes that are not UTF-8 appear as ``\\xNN``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def os_error(exc: OSError, path: str | os.PathLike[str] | None = None) -> ScaleupError:
    """The one-line error for ``exc`` met while writing ``path`` (or the file it names)."""
    where = shown(exc.filename if exc.filename is not None else path or "output")
    reason = _REASONS.get(exc.errno or 0) or exc.strerror or type(exc).__name__
    if exc.errno in BAD_INPUT_ERRNOS:
        return ConfigError(where, None, f"cannot write here ({reason}); choose another place")
    return EnvironmentFailure(
        where, None, f"writing failed ({reason}); the previous complete results are kept"
    )


def check_text(path: str | os.PathLike[str], what: str = "the output folder") -> None:
    """ConfigError if ``path`` is not valid UTF-8 text (the sweep tables' writer, Arrow,
    cannot open such names)."""
    try:
        os.fsencode(path).decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(
            shown(path), None, f"the name of {what} is not valid UTF-8; choose another name"
        ) from None


def check_output(path: str | os.PathLike[str], what: str = "the output folder") -> Path:
    """``path`` if a results folder may be written (and later replaced) there.

    Refused (ConfigError): a name that is ``.``, ``..`` or empty, and any path that resolves to
    the current folder, one of its ancestors or a filesystem root: replacing it would wipe
    the folder that holds it.
    """
    raw = os.fspath(path)
    text = raw.decode("utf-8", "surrogateescape") if isinstance(raw, bytes) else raw
    last = text.replace(os.sep, "/").rstrip("/").rsplit("/", 1)[-1]
    if not text or last in (".", ".."):
        raise ConfigError(shown(text) or "''", None, f"{what} must be named, not '{last}'")
    target = Path(text)
    resolved = target.resolve()
    cwd = Path.cwd().resolve()
    if resolved == Path(resolved.anchor) or resolved == cwd or resolved in cwd.parents:
        raise ConfigError(
            shown(text),
            None,
            f"{what} would replace the current folder, one holding it, or a filesystem root; "
            "name a folder inside it",
        )
    if target.exists() and not target.is_dir():
        raise ConfigError(shown(text), None, f"exists and is not a folder; {what} must be one")
    return target
