"""The error types users see, and the exit status each one maps to.

Exit statuses (the one convention of every sub-command, documented in the README):

* 0  the work is done;
* 1  the work ran but something failed: failed runs, or an environment problem
     (a folder in use, a scheduler that cannot be reached, a full disk, Dask not installed);
* 2  bad input: a file, value or path the user gave (:class:`ConfigError`);
* 130 interrupted (Ctrl-C).

Library code raises these with plain words; only the CLI turns them into exit statuses, and
only the CLI speaks of command-line flags.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


class ScaleupError(Exception):
    """Base of the errors scaleup reports in one line. ``str()`` is ``source: field: message``."""

    exit_status = EXIT_FAILED

    def __init__(self, source: str, field: str | None, message: str) -> None:
        self.source = source
        self.field = field
        self.message = " ".join(str(message).split())
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [self.source] + ([self.field] if self.field else []) + [self.message]
        return ": ".join(parts)


class ConfigError(ScaleupError):
    """A bad input (file, value, path the user gave): exit status 2."""

    exit_status = EXIT_BAD_INPUT


class EnvironmentFailure(ScaleupError):
    """The input was fine but the environment failed the work (folder in use, disk full,
    scheduler unreachable, an optional package missing): exit status 1."""

    exit_status = EXIT_FAILED
