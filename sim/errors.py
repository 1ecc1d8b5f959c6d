"""The one error type users see: a bad input, named by file and field."""

from __future__ import annotations


class ConfigError(Exception):
    """A bad input. ``str()`` is one line: ``source: field: message``."""

    def __init__(self, source: str, field: str | None, message: str) -> None:
        self.source = source
        self.field = field
        self.message = " ".join(str(message).split())
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [self.source] + ([self.field] if self.field else []) + [self.message]
        return ": ".join(parts)
