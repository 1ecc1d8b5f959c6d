"""The one place figures touch the disk: atomic writes, one file per format."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from matplotlib.figure import Figure

from sim.io.atomic import atomic_path
from sim.plots.style import DPI

RASTER = frozenset({"png", "jpg", "jpeg", "tif", "tiff", "webp", "raw", "rgba"})
"""Formats rendered by the non-interactive Agg backend."""
_NO_DATE = {"pdf": {"CreationDate": None}, "svg": {"Date": None}, "png": {"Software": None}}
"""Dates and versions left out, so PNG and PDF bytes repeat (SVG ids vary: ``svg.hashsalt``)."""


def save_figure(
    fig: Figure,
    path: str | os.PathLike[str],
    formats: Sequence[str] = ("png",),
    *,
    dpi: int = DPI,
) -> list[Path]:
    """Write ``fig`` as ``path`` with each format's extension; return the paths written.

    ``path`` may carry an extension (``figs/cash.png``) or not (``figs/cash``); the extension is
    replaced by each format's. Each file is written to a temporary file in the same folder, then
    moved into place with ``os.replace``, so a reader never sees half a picture.
    """
    supported = fig.canvas.get_supported_filetypes()
    formats = [f.lower().lstrip(".") for f in formats]
    unknown = [f for f in formats if f not in supported]
    if unknown or not formats:
        raise ValueError(f"unsupported figure format(s) {unknown}; choose from {sorted(supported)}")
    base = Path(path)
    if base.suffix.lower().lstrip(".") in supported:
        base = base.with_suffix("")
    base.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        target = base.with_name(f"{base.name}.{fmt}")
        _write_atomically(fig, target, fmt, dpi)
        written.append(target)
    return written


def _write_atomically(fig: Figure, target: Path, fmt: str, dpi: int) -> None:
    with atomic_path(target) as tmp:  # temp file beside ``target``, then os.replace
        fig.savefig(
            tmp,
            format=fmt,
            dpi=dpi,
            backend="agg" if fmt in RASTER else None,
            metadata=_NO_DATE.get(fmt),
        )
        os.chmod(tmp, 0o644)  # mkstemp makes the file private; a figure is meant to be shared
