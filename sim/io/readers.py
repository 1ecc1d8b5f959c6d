"""Reading results files back: each failure is one line naming the file and what to do.

Shared by the typed readers of every folder kind (``read_run``, ``read_sweep``,
``read_sensitivity``): a missing, truncated or inconsistent parquet, CSV, JSON or YAML file
raises :class:`sim.errors.ConfigError` ("FILE: cannot be read (why); HINT"), never a
traceback from Arrow, pandas or the YAML parser.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.errors import ConfigError
from sim.io.folder import text_digest
from sim.io.paths import shown

READ_ERRORS = (OSError, ValueError, yaml.YAMLError, pd.errors.ParserError, UnicodeDecodeError)
"""What a damaged file raises (Arrow's errors are ValueErrors or OSErrors)."""


def bad_file(path: Path, problem: str, hint: str) -> ConfigError:
    return ConfigError(shown(path), None, f"{problem}; {hint}")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError):
        return "is missing"
    text = " ".join(str(exc).split())[:160] or type(exc).__name__
    return f"cannot be read ({text})"


def read_json(path: Path, hint: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except READ_ERRORS as exc:
        raise bad_file(path, _reason(exc), hint) from None
    if not isinstance(data, dict):
        raise bad_file(path, "is not a JSON object", hint)
    return data


def read_yaml(path: Path, hint: str) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except READ_ERRORS as exc:
        raise bad_file(path, _reason(exc), hint) from None


def read_parquet(path: Path, hint: str, columns: Iterable[str] | None = None) -> pd.DataFrame:
    try:
        with open(path, "rb") as fh:  # a file object: Arrow cannot open non-UTF-8 names
            frame = pd.read_parquet(fh, columns=list(columns) if columns is not None else None)
    except READ_ERRORS as exc:
        raise bad_file(path, _reason(exc), hint) from None
    return frame


def read_csv(path: Path, hint: str) -> pd.DataFrame:
    """A CSV file scaleup wrote: every line, the last included, ends with a newline."""
    try:
        with open(path, "rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            fh.seek(max(size - 1, 0))
            if size and fh.read(1) != b"\n":
                raise bad_file(path, "is cut short (its last line is incomplete)", hint)
        return pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise bad_file(path, "is empty", hint) from None
    except READ_ERRORS as exc:
        raise bad_file(path, _reason(exc), hint) from None


def require_columns(frame: pd.DataFrame, columns: Iterable[str], path: Path, hint: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise bad_file(path, f"lacks the column(s) {', '.join(missing)}", hint)


def require_rows(frame: pd.DataFrame, rows: int | None, path: Path, hint: str) -> None:
    if rows is not None and len(frame) != rows:
        raise bad_file(path, f"holds {len(frame):,} rows, the manifest says {rows:,}", hint)


def verify_files(folder: Path, manifest: dict[str, Any], hint: str) -> None:
    """Each file whose digest the manifest recorded must still have it (else it was damaged)."""
    for name, digest in (manifest.get("files") or {}).items():
        path = folder / name
        try:
            text = path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            raise bad_file(path, "is missing", hint) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise bad_file(path, _reason(exc), hint) from None
        if text_digest(text) != digest:
            raise bad_file(path, "was changed or damaged since it was written", hint)
