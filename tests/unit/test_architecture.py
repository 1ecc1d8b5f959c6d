"""Imports point down the layers of docs/architecture.md; plots and io never import each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parents[2] / "sim"

LAYERS = {
    "sim.errors": 0,
    "sim.limits": 0,
    "sim.version": 0,
    "sim.config": 1,
    "sim.core": 2,
    "sim.model": 3,
    "sim.plots": 3,
    "sim.io": 4,
    "sim.experiments": 5,
    "sim.analysis": 6,
    "sim.calibrate": 6,
    "sim.report": 7,
    "sim.cli": 8,
    "sim.__main__": 9,
}
"""The layer of each top-level part of ``sim`` (the table in docs/architecture.md)."""


def part_of(module: str) -> str | None:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "sim" and len(parts) > 1 else None


def imports(path: Path) -> set[str]:
    """Every ``sim.*`` module a file imports, at any depth (function-level imports too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m.startswith("sim.")}


SOURCES = sorted(p for p in SIM.rglob("*.py") if p.name != "__init__.py" or p.parent != SIM)


def test_every_part_of_the_package_has_a_layer():
    parts = {part_of("sim." + ".".join(p.relative_to(SIM).with_suffix("").parts)) for p in SOURCES}
    assert parts - set(LAYERS) == set(), "add the new part to docs/architecture.md and LAYERS"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(SIM)))
def test_imports_point_down(path):
    own = part_of("sim." + ".".join(path.relative_to(SIM).with_suffix("").parts))
    up = sorted(m for m in imports(path) if (p := part_of(m)) in LAYERS and LAYERS[p] > LAYERS[own])
    assert not up, f"{path.relative_to(SIM)} (layer {LAYERS[own]}) imports from above: {up}"


def test_plots_and_io_do_not_import_each_other():
    for path in SOURCES:
        own = part_of("sim." + ".".join(path.relative_to(SIM).with_suffix("").parts))
        other = {"sim.plots": "sim.io", "sim.io": "sim.plots"}.get(own or "")
        if other:
            assert not {m for m in imports(path) if part_of(m) == other}, path
