"""The one place figures become files: one file per format, each written whole.

Plots never import the io layer: the file writer is a parameter. By default each file is
written to a temporary name beside it and renamed into place; the commands that write results
folders pass the io layer's atomic writer (fsync, umask, errors in one line).
"""

from __future__ import annotations

import io
import os
import secrets
from collections.abc import Callable, Sequence
from pathlib import Path

from matplotlib.figure import Figure

from sim.plots.style import DPI

Writer = Callable[[Path, bytes], object]
"""``write(path, data)``: puts ``data`` at ``path`` in one step."""

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
    write: Writer | None = None,
) -> list[Path]:
    """Write ``fig`` as ``path`` with each format's extension; return the paths written.

    ``path`` may carry an extension (``figs/cash.png``) or not (``figs/cash``); the extension is
    replaced by each format's. Each figure is rendered in memory, then handed to ``write``
    (default: a temporary file in the same folder moved into place with ``os.replace``), so a
    reader never sees half a picture.
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
        (write or _replace)(target, render(fig, fmt, dpi))
        written.append(target)
    return written


def render(fig: Figure, fmt: str, dpi: int = DPI) -> bytes:
    """``fig`` as the bytes of a ``fmt`` file (dates left out, so PNG and PDF bytes repeat)."""
    buffer = io.BytesIO()
    fig.savefig(
        buffer,
        format=fmt,
        dpi=dpi,
        backend="agg" if fmt in RASTER else None,
        metadata=_NO_DATE.get(fmt),
    )
    return buffer.getvalue()


def _replace(target: Path, data: bytes) -> None:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "wb") as fh:  # 0666 less the umask
            fh.write(data)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
