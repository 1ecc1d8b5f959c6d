"""A sweep file becomes a plan: every variant's scenario, every point, every run, all checked.

Points are numbered variant by variant, then grid cell (the grid's paths in file order, last path
fastest), then sample draw: ``point_id = (variant * cells + cell) * draws + draw``. Runs are
numbered point by point: ``run_id = point_id * replications + k``. Replication ``k`` of *every*
point uses the seed ``SeedSequence(master_seed, spawn_key=(k,))``: common random numbers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, overload

import numpy as np

from sim.config.load import apply_overrides, read_scenario_data, scenario_from_dict
from sim.config.reader import read_document
from sim.config.strict import Locate
from sim.errors import ConfigError
from sim.experiments import sample
from sim.experiments.spec import SweepSpec, check_rules, spec_from_dict
from sim.version import package_version


def replication_seed(master_seed: int, replication: int) -> np.random.SeedSequence:
    """The seed of replication ``k``: the same in every variant, grid cell and draw."""
    return np.random.SeedSequence(master_seed, spawn_key=(replication,))


@dataclass(frozen=True)
class Point:
    point_id: int
    variant: str
    factors: dict[str, Any]
    """Grid and sample values by dotted path (applied after the variant's own overrides)."""


class GridCells(Sequence[dict[str, Any]]):
    """The grid's cells in order (the last path fastest), each built when asked for: a grid
    is never held in memory whole."""

    def __init__(self, grid: Mapping[str, list[Any]]) -> None:
        self._paths = list(grid)
        self._axes = [list(v) for v in grid.values()]

    @property
    def size(self) -> int:
        """Number of cells (any size; ``len`` needs it to fit an index)."""
        n = 1
        for axis in self._axes:
            n *= len(axis)
        return n

    def __len__(self) -> int:
        return self.size

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.size))]
        n = self.size
        if not -n <= index < n:
            raise IndexError(index)
        rest = index % n
        values: list[Any] = []
        for axis in reversed(self._axes):
            rest, i = divmod(rest, len(axis))
            values.append(axis[i])
        return dict(zip(self._paths, reversed(values), strict=True))


@dataclass(frozen=True)
class SweepPlan:
    spec: SweepSpec
    source: str
    """The sweep file as named by the user (or ``<sweep>`` for a mapping), for messages."""
    variant_data: dict[str, dict[str, Any]]
    """Each variant's scenario mapping, its ``set`` overrides applied."""
    paths: dict[str, str] = field(default_factory=dict)
    """Scenario files used (``base`` and per variant), resolved."""

    @cached_property
    def grid_cells(self) -> GridCells:
        return GridCells(self.spec.grid)

    @cached_property
    def draws(self) -> list[dict[str, Any]]:
        """The sample's draws, drawn when first needed (checking a plan does not draw them)."""
        return sample.draw(self.spec.sample, self.spec.master_seed)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def replications(self) -> int:
        return self.spec.replications

    @property
    def factor_paths(self) -> list[str]:
        return [*self.spec.grid, *(self.spec.sample.params if self.spec.sample else {})]

    @property
    def n_points(self) -> int:
        return len(self.variant_data) * self.spec.grid_size * self.spec.draw_count

    @property
    def n_runs(self) -> int:
        return self.n_points * self.replications

    def point(self, point_id: int) -> Point:
        cell_draw, d = divmod(point_id, self.spec.draw_count)
        v, c = divmod(cell_draw, self.spec.grid_size)
        variant = self.spec.variant_names[v]
        return Point(point_id, variant, {**self.grid_cells[c], **self.draws[d]})

    def points(self) -> list[Point]:
        return [self.point(p) for p in range(self.n_points)]

    def baseline_point(self, point_id: int) -> int:
        """The baseline variant's point with the same grid cell and draw."""
        per_variant = self.spec.grid_size * self.spec.draw_count
        b = self.spec.variant_names.index(self.spec.baseline_name)
        return b * per_variant + point_id % per_variant

    def resolved(self) -> dict[str, Any]:
        """The spec as run: defaults filled in, ranges expanded, files resolved."""
        out = self.spec.model_dump(mode="json", by_alias=True, exclude_none=True)
        out["resolved_files"] = dict(self.paths)
        out["counts"] = {
            "variants": len(self.variant_data),
            "grid_cells": self.spec.grid_size,
            "draws": self.spec.draw_count,
            "points": self.n_points,
            "replications": self.replications,
            "runs": self.n_runs,
        }
        return out

    @property
    def spec_hash(self) -> str:
        """Hash of everything that decides the results (not names, descriptions or paths)."""
        spec = self.spec.model_dump(mode="json", by_alias=True, exclude={"description"})
        for v in spec.get("variants", {}).values():
            v.pop("description", None)
            v.pop("scenario", None)
        spec.pop("base", None)
        content = {"spec": spec, "variants": self.variant_data, "version": package_version()}
        text = json.dumps(content, sort_keys=True, default=str, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def load_sweep(
    source: str | Path | Mapping[str, Any] | SweepPlan,
    *,
    base_dir: str | Path | None = None,
    full_monthly: bool | None = None,
) -> SweepPlan:
    """Read and check a sweep (file, mapping or plan) before anything runs or is written.

    A mapping's relative paths are relative to ``base_dir`` (default: the working folder).
    ``full_monthly`` overrides ``outputs.full_monthly``. Any problem is a one-line
    :class:`ConfigError` naming the sweep file and field.
    """
    if isinstance(source, SweepPlan):
        plan = source
    elif isinstance(source, Mapping):
        data = dict(source)
        folder = Path(base_dir) if base_dir is not None else Path.cwd()
        plan = _plan(data, "<sweep>", folder)
    else:
        path = Path(source)
        doc = read_document(path)
        data = dict(doc.data)
        data.setdefault("name", path.stem)
        folder = Path(base_dir) if base_dir else path.parent
        plan = _plan(data, str(path), folder, doc.line_of)
    if full_monthly is not None and full_monthly != plan.spec.outputs.full_monthly:
        outputs = plan.spec.outputs.model_copy(update={"full_monthly": full_monthly})
        plan = SweepPlan(
            plan.spec.model_copy(update={"outputs": outputs}),
            plan.source,
            plan.variant_data,
            plan.paths,
        )
    return plan


def build_plan(
    spec: SweepSpec,
    base: Mapping[str, Any],
    *,
    source: str,
    variant_scenarios: Mapping[str, Mapping[str, Any]] | None = None,
    paths: Mapping[str, str] | None = None,
) -> SweepPlan:
    """A checked plan from a typed spec and the scenario mappings it uses, all in memory.

    ``base`` is the base scenario's mapping (``extends`` resolved, as
    :func:`sim.config.load.read_scenario_data` gives it); ``variant_scenarios`` holds, by
    variant name, the mapping of each variant that names its own ``scenario`` file. Nothing is
    read from disk: the spec's rules across fields, each variant's overrides, every grid cell
    and every sampled path are checked as :func:`load_sweep` checks a file, and any problem is a
    one-line :class:`ConfigError` naming ``source``. ``paths`` (the scenario files, by
    ``"base"`` and variant name) is recorded in ``sweep.yaml`` as the resolved files.
    """
    check_rules(spec, source)
    own = {name for name, v in spec.variants.items() if v.scenario is not None}
    given = dict(variant_scenarios or {})
    if set(given) != own:
        raise ValueError(
            f"variant_scenarios must hold exactly the variants with their own scenario file "
            f"({sorted(own)}), got {sorted(given)}"
        )
    return _build(spec, base, given, source, dict(paths or {}))


def _plan(
    data: dict[str, Any], source: str, folder: Path, locate: Locate | None = None
) -> SweepPlan:
    spec = spec_from_dict(data, source, locate)  # counts the runs before anything is built
    paths = {"base": str(_scenario_file(folder, spec.base, source, "base"))}
    base = _read(paths["base"], source, "base")
    own: dict[str, dict[str, Any]] = {}
    for name, variant in spec.variants.items():
        if variant.scenario is not None:
            where = f"variants.{name}.scenario"
            file = _scenario_file(folder, variant.scenario, source, where)
            paths[name] = str(file)
            own[name] = _read(file, source, where)
    return _build(spec, base, own, source, paths)


def _build(
    spec: SweepSpec,
    base: Mapping[str, Any],
    own: Mapping[str, Mapping[str, Any]],
    source: str,
    paths: dict[str, str],
) -> SweepPlan:
    """Each variant's scenario with its overrides, checked, then the grid and the sample."""
    variant_data: dict[str, dict[str, Any]] = {}
    for name in spec.variant_names:
        variant = spec.variants.get(name)
        overrides = variant.set_ if variant is not None else {}
        data_v = _override(own.get(name, base), overrides, source, f"variants.{name}.set")
        _validate(data_v, source, f"variants.{name}" if spec.variants else "base", name)
        variant_data[name] = data_v

    grid_paths = list(spec.grid)
    cells = GridCells(spec.grid)
    for name, data_v in variant_data.items():
        for path in grid_paths:
            _override(data_v, {path: spec.grid[path][0]}, source, "grid")
        for cell in cells:
            _validate(apply_overrides(data_v, cell), source, "grid", name, cell)
    if spec.sample is not None:
        for path, dist in spec.sample.params.items():
            probe = dist.values[0] if dist.dist == "discrete" else 0.0
            for data_v in variant_data.values():
                _override(data_v, {path: probe}, source, "sample.params")
    return SweepPlan(spec, source, variant_data, paths)


def _scenario_file(folder: Path, name: str, source: str, where: str) -> Path:
    path = (folder / name).resolve()
    if not path.is_file():
        raise ConfigError(source, where, f"scenario file not found: {name} (looked for {path})")
    return path


def _read(path: str | Path, source: str, where: str) -> dict[str, Any]:
    try:
        return read_scenario_data(path)
    except ConfigError as exc:
        raise ConfigError(source, where, str(exc)) from None


def _override(
    data: Mapping[str, Any], overrides: Mapping[str, Any], source: str, where: str
) -> dict[str, Any]:
    try:
        return apply_overrides(data, overrides, source)
    except ConfigError as exc:
        raise ConfigError(source, f"{where}.{exc.field}", exc.message) from None


def _validate(
    data: dict[str, Any],
    source: str,
    where: str,
    variant: str,
    cell: Mapping[str, Any] | None = None,
) -> None:
    try:
        scenario_from_dict(data, source)
    except ConfigError as exc:
        said = f"{exc.field}: {exc.message}" if exc.field else exc.message
        if cell is None:
            raise ConfigError(source, where, said) from None
        blame = next((p for p in cell if exc.field == p or str(exc.field).startswith(p)), None)
        at = ", ".join(f"{p}={v!r}" for p, v in cell.items())
        field = f"grid.{blame}" if blame else "grid"
        raise ConfigError(source, field, f"variant {variant} with {at}: {said}") from None
