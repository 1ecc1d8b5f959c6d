"""A sensitivity file and a scenario become an :class:`Analysis`: every input checked first.

Each input's dotted path must name a number of the resolved scenario (its base value), its
``low`` and ``high`` must each make a valid scenario (and, for Sobol, so must a value between
them), and the base must lie between them. Any problem is a one-line :class:`ConfigError`
naming the sensitivity file and the field, raised before anything runs or is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.analysis.problem import Problem
from sim.analysis.spec import PARTS, SensitivitySpec, spec_from_dict
from sim.config.load import (
    DEFAULT_SCENARIO,
    PACKAGE_ROOT,
    apply_overrides,
    read_scenario_data,
    scenario_from_dict,
)
from sim.config.reader import read_document
from sim.config.schema import Scenario
from sim.config.strict import show, suggest, translate
from sim.errors import ConfigError, EnvironmentFailure
from sim.experiments.plan import SweepPlan, build_plan
from sim.experiments.spec import SweepSpec
from sim.version import package_version

FIXED = {
    "seed": "seeds come from the analysis' master_seed",
    "mode": "set oat.mode or sobol.mode",
    "start": "break-even months count from the start month",
    "horizon_months": "the horizon is where break-even is censored",
}
"""Top-level scenario keys an input may not vary, and why."""
INTERIOR = 0.37  # a value this far from low to high is also checked (Sobol samples between)


@dataclass(frozen=True)
class Analysis:
    """A checked sensitivity analysis of one scenario."""

    spec: SensitivitySpec
    source: str
    """The sensitivity file as named by the user (for messages)."""
    scenario_path: Path
    scenario_data: dict[str, Any]
    """The scenario mapping as read (``extends`` resolved): what the sweeps override."""
    scenario: Scenario
    base: dict[str, float]
    """The scenario's own value of each input."""

    @property
    def name(self) -> str:
        return self.spec.name

    @cached_property
    def problem(self) -> Problem:
        """The inputs in file order with their bounds: SALib's problem, for both parts."""
        return Problem.of(self.spec)

    @property
    def paths(self) -> list[str]:
        return list(self.problem.names)

    @property
    def start(self) -> str:
        return f"{self.scenario.start:%Y-%m}"

    @property
    def horizon_months(self) -> int:
        return self.scenario.horizon_months

    @cached_property
    def spec_hash(self) -> str:
        """Hash of what decides the results (not the name, description, labels or paths)."""
        spec = self.spec.model_dump(mode="json", exclude={"description", "name"})
        for value in spec["inputs"].values():
            value.pop("label", None)
        content = {"spec": spec, "scenario": self.scenario_data, "version": package_version()}
        text = json.dumps(content, sort_keys=True, default=str, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def sweep(self, part: str, **fields: Any) -> SweepPlan:
        """The checked sweep of one part (``oat`` or ``sobol``) over this scenario, built from
        typed parts in memory: ``fields`` are :class:`SweepSpec` fields besides the name and
        base, and the scenario is the mapping already read (no file is read again)."""
        if part not in PARTS:
            raise ValueError(f"part must be one of {PARTS}, got {part!r}")
        source = f"{self.source} ({part})"
        try:
            spec = SweepSpec(name=f"{self.name}-{part}", base=str(self.scenario_path), **fields)
        except ValidationError as exc:
            raise translate(exc, SweepSpec, source) from None
        paths = {"base": str(self.scenario_path)}
        return build_plan(spec, self.scenario_data, source=source, paths=paths)

    def resolved(self) -> dict[str, Any]:
        """The analysis as run: the spec with defaults and labels, base values, files."""
        out = self.spec.model_dump(mode="json")
        for path, value in out["inputs"].items():
            value["label"] = self.spec.label(path)
            value["base"] = self.base[path]
        out["files"] = {"spec": self.source, "scenario": str(self.scenario_path)}
        return out


def default_spec(config: str | Path) -> Path:
    """``configs/sensitivity/<scenario file stem>.yaml``, in the working folder or the project."""
    stem = Path(config).stem
    tail = Path("configs") / "sensitivity" / f"{stem}.yaml"
    for candidate in (tail, PACKAGE_ROOT / tail):  # the working folder's first
        if candidate.is_file():
            return candidate
    raise ConfigError(
        str(config),
        None,
        f"no sensitivity file for this scenario: looked for {tail} in the working folder "
        f"and in {PACKAGE_ROOT}; write one or name one",
    )


def load_analysis(
    config: str | Path | None = None, spec: str | Path | None = None, *, sobol: bool = True
) -> Analysis:
    """Read and check a scenario and its sensitivity file; nothing runs or is written."""
    config_path = Path(config) if config is not None else DEFAULT_SCENARIO
    scenario_data = read_scenario_data(config_path)
    scenario = scenario_from_dict(scenario_data, source=str(config_path))
    spec_path = Path(spec) if spec is not None else default_spec(config_path)
    source = str(spec_path)
    doc = read_document(spec_path)
    data = dict(doc.data)
    data.setdefault("name", f"{spec_path.stem}_sensitivity")  # not the run folder's name
    parsed = spec_from_dict(data, source, doc.line_of)
    if sobol and importlib.util.find_spec("SALib") is None:
        raise EnvironmentFailure(
            "SALib", None, "not installed: pip install SALib, or skip the Sobol analysis"
        )
    resolved = scenario.model_dump(by_alias=True)
    base = {}
    for path, item in parsed.inputs.items():
        where = f"inputs.{path}"
        base[path] = _base_value(resolved, path, source, where, config_path)
        if not item.low <= base[path] <= item.high:
            raise ConfigError(
                source,
                where,
                f"the scenario's value {base[path]:g} is outside low..high "
                f"({item.low:g}..{item.high:g}); the base must lie in the range",
            )
        checks = {"low": item.low, "high": item.high}
        if sobol:  # Sobol samples the whole range: a whole-number field would fail there
            checks["between low and high"] = item.low + INTERIOR * (item.high - item.low)
        for side, value in checks.items():
            _check_valid(scenario_data, path, value, source, where, side, config_path)
    return Analysis(parsed, source, config_path.resolve(), scenario_data, scenario, base)


def _key_text(key: Any) -> str:
    if isinstance(key, dt.date):
        return f"{key:%Y-%m}" if key.day == 1 else key.isoformat()
    return str(key)


def _base_value(resolved: Mapping[str, Any], path: str, source: str, where: str, config) -> float:
    parts = path.split(".")
    if parts[0] in FIXED:
        raise ConfigError(source, where, f"cannot vary {parts[0]}: {FIXED[parts[0]]}")
    node: Any = resolved
    for depth, part in enumerate(parts):
        keys = {_key_text(k): k for k in node} if isinstance(node, Mapping) else {}
        if part not in keys:
            above = ".".join(parts[:depth]) or "the top level"
            have = ", ".join(sorted(keys)) or "nothing (not a mapping)"
            raise ConfigError(
                source,
                where,
                f"not in scenario {config}: no key {part!r} under {above}"
                f"{suggest(part, keys)}; that level has: {have}",
            )
        node = node[keys[part]]
    if isinstance(node, bool) or not isinstance(node, int | float):
        shown = "a mapping" if isinstance(node, Mapping) else show(node)
        raise ConfigError(source, where, f"is not a number in scenario {config} (it is {shown})")
    return float(node)


def _check_valid(
    data: dict[str, Any],
    path: str,
    value: float,
    source: str,
    where: str,
    side: str,
    config: Path,
) -> None:
    """``data`` with ``path`` set to ``value`` must be a valid scenario."""
    try:
        changed = apply_overrides(data, {path: value}, source)
        scenario_from_dict(changed, source=str(config))
    except ConfigError as exc:
        low_high = side in ("low", "high")
        raise ConfigError(
            source,
            f"{where}.{side}" if low_high else where,
            f"{side + ' = ' if low_high else ''}{value:g}{'' if low_high else f' ({side})'} "
            f"makes an invalid scenario: {exc.field}: {exc.message}",
        ) from None
