"""``report_html(folder)`` and ``write_report(folder, out)``: one page for a results folder.

The folder is read through its typed reader (:func:`sim.io.rundir.read_run`,
:func:`sim.experiments.api.read_sweep`, :func:`sim.analysis.api.read_sensitivity`), drawn
through the figure sets of :mod:`sim.plots.sets`, and the page written whole
(:func:`sim.io.atomic.atomic_write_text`), only over a file that is missing or a page this
module wrote (it carries :data:`~sim.report.page.MARKER`).
"""

from __future__ import annotations

import os
from pathlib import Path

from sim.errors import ConfigError
from sim.io.atomic import atomic_write_text
from sim.io.folder import kind_of
from sim.io.paths import os_error, shown
from sim.report.page import MARKER

KINDS = ("run", "sweep", "sensitivity")


def folder_kind(folder: Path) -> str:
    """``run``, ``sweep`` or ``sensitivity``: the manifest's kind, else what the files show."""
    if not folder.is_dir():
        raise ConfigError(shown(folder), None, "no such folder")
    kind = kind_of(folder)
    if kind in KINDS:
        return str(kind)
    if (folder / "summary.json").exists():
        return "run"
    if (folder / "oat.csv").exists() or (folder / "sobol.csv").exists():
        return "sensitivity"
    raise ConfigError(
        shown(folder), None, "not a run, sweep or sensitivity folder: nothing to report"
    )


def report_html(folder: str | os.PathLike[str]) -> str:
    """The report page of a run, sweep or sensitivity folder (ConfigError if it is none, or
    a file of it is damaged)."""
    import matplotlib

    matplotlib.use("Agg")
    folder = Path(folder)
    kind = folder_kind(folder)
    if kind == "run":
        from sim.io.rundir import read_run
        from sim.report.run import run_page

        return run_page(read_run(folder)).html()
    if kind == "sweep":
        from sim.experiments.api import read_sweep
        from sim.report.sweep import sweep_page

        return sweep_page(read_sweep(folder)).html()
    from sim.analysis.api import HINT, read_sensitivity
    from sim.io.readers import read_yaml
    from sim.report.sweep import sensitivity_page

    spec_file = folder / "sensitivity.yaml"
    spec = read_yaml(spec_file, HINT) if spec_file.exists() else None
    return sensitivity_page(
        read_sensitivity(folder), spec if isinstance(spec, dict) else None
    ).html()


def default_out(folder: str | os.PathLike[str]) -> Path:
    """``outputs/NAME.html`` for ``outputs/NAME``: beside the folder, never inside it (a
    results folder holds only the files its command wrote)."""
    path = Path(folder)
    name = path.name or Path(os.path.abspath(path)).name
    return path.parent / f"{name}.html"


def is_report(path: Path) -> bool:
    """True if ``path`` is a page this module wrote (its marker in the first lines)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(256)
    except OSError:
        return False
    return MARKER.encode() in head


def check_out(out: Path) -> None:
    """Refuse (ConfigError) a target that exists and is not a report of ours: nothing written."""
    if out.is_dir():
        raise ConfigError(shown(out), None, "is a folder; give the report's file name")
    if (out.exists() or out.is_symlink()) and not is_report(out):
        raise ConfigError(
            shown(out),
            None,
            "exists and is not a scaleup report; nothing was written: choose another file",
        )


def write_report(folder: str | os.PathLike[str], out: str | os.PathLike[str] | None = None) -> Path:
    """Write the report page of ``folder`` to ``out`` (default :func:`default_out`) in one step
    and return its path."""
    target = Path(out) if out is not None else default_out(folder)
    check_out(target)  # before the work, and again just before the write
    page = report_html(folder)
    check_out(target)
    try:
        atomic_write_text(target, page)
    except OSError as exc:
        raise os_error(exc, target) from exc
    return target
