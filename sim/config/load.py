"""Read scenario files, apply dotted overrides, and turn every failure into a one-line error.

Files are read by :mod:`sim.config.reader` (bounded, safe) and validated by
:mod:`sim.config.strict` (one translation of errors for every file kind).
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterable, Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

from sim import limits
from sim.config.reader import (
    Document,
    YamlSyntaxError,
    parse_value,
    read_document,
    read_mapping,
)
from sim.config.schema import Scenario, Schedule, parse_date
from sim.config.strict import Locate, field_names, key_paths, keys_at, suggest, validate
from sim.errors import ConfigError

__all__ = [
    "DEFAULT_SCENARIO",
    "PACKAGE_ROOT",
    "apply_overrides",
    "known_field_names",
    "load_scenario",
    "merge",
    "parse_assignment",
    "read_scenario_data",
    "read_yaml",
    "scenario_from_dict",
    "suggest",
]

CONFIGS_DIR = Path(str(files("sim.configs")))
"""The shipped configs (``configs/`` of the source tree, ``sim/configs`` in an installed wheel)."""
PACKAGE_ROOT = CONFIGS_DIR.parent
"""The folder holding ``configs/`` (kept for ``PACKAGE_ROOT / "configs" / ...`` lookups)."""
DEFAULT_SCENARIO = CONFIGS_DIR / "xiaomi_su7.yaml"
OVERRIDE = "override"
"""How a problem under an override is blamed when the caller names no source (the CLI passes
its own label, e.g. the option's name)."""


def read_yaml(path: str | Path) -> dict[str, Any]:
    """Parse a YAML mapping safely (see :mod:`sim.config.reader`), or raise a ConfigError."""
    return read_mapping(path)


def parse_assignment(text: str, source: str = OVERRIDE) -> tuple[str, Any]:
    """``"a.b.c=12"`` -> ``("a.b.c", 12)``; the value is read as YAML (bounded, safe)."""
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ConfigError(source, text, "expected KEY=VALUE, e.g. factory.finished_goods_target=0")
    try:
        parsed = parse_value(value, source) if value.strip() else None
    except YamlSyntaxError:
        parsed = value  # not YAML: the text itself (the schema says whether it fits)
    except ConfigError as exc:  # YAML that breaks a rule: a calendar date, a bound
        raise ConfigError(source, key, exc.message) from None
    if isinstance(parsed, str):  # YAML 1.1 reads 1e6 as text; a number is meant
        with contextlib.suppress(ValueError):
            parsed = float(parsed)
    return key, parsed


def known_field_names() -> frozenset[str]:
    """Every key that may appear anywhere in a scenario file."""
    return field_names(Scenario)


def apply_overrides(
    data: Mapping[str, Any], overrides: Mapping[str, Any], source: str = OVERRIDE
) -> dict[str, Any]:
    """Return a copy of ``data`` with each dotted path set.

    A path may only pass through keys the file has or the schema allows at that level; a named
    entry that does not exist (``factory.lines.phase9``) is an error rather than a half-filled
    new entry, and a key that lives elsewhere says where. A schedule's ``changes`` take a new
    dated entry (``price.asp_usd.changes.2025-07``: a calendar date), and a schedule written as
    a plain number is read as its ``base``.
    """
    if len(overrides) > limits.MAX_LIST_ITEMS:
        raise ConfigError(source, None, f"more than {limits.MAX_LIST_ITEMS:,} overrides")
    out = copy.deepcopy(dict(data))
    # A new ``kind`` replaces its whole map (the old kind's keys do not fit the new one), so
    # those go first and the other overrides of that map then fill it in.
    ordered = sorted(overrides.items(), key=lambda kv: not str(kv[0]).endswith(".kind"))
    for path, value in ordered:
        parts = str(path).split(".")
        node: Any = out
        for depth, part in enumerate(parts):
            where = ".".join(parts[: depth + 1])
            if not isinstance(node, dict):
                raise ConfigError(source, path, f"{'.'.join(parts[:depth])} is not a mapping")
            last = depth == len(parts) - 1
            allowed = keys_at(Scenario, parts[:depth]) or []
            if (
                last
                and depth >= 2
                and parts[depth - 1] == "changes"
                and _is_schedule(parts[: depth - 1])
            ):
                part = _dated_key(node, part, source, path)  # a new dated entry may be added
            elif part not in node and part not in allowed:
                raise ConfigError(source, path, _no_key(where, part, node, allowed))
            if not last and _is_schedule(parts[: depth + 1]) and _is_number(node.get(part)):
                node[part] = {"base": node[part]}  # a constant written as a plain number
            if last and part == "kind" and node.get("kind") != value:
                node.clear()
                node[part] = value
            elif last:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return out


_SCHEDULE_KEYS = list(Schedule.model_fields)


def _is_schedule(parts: list[str]) -> bool:
    """Whether dotted ``parts`` name a schedule (``price.asp_usd``, ``opex.rnd_per_month_usd``)."""
    return bool(parts) and keys_at(Scenario, parts) == _SCHEDULE_KEYS


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _dated_key(node: dict[Any, Any], part: str, source: str, path: str) -> Any:
    """The key of a schedule's ``changes`` for the date ``part``: the one already written for
    that date (as text or as a YAML date), or ``part`` itself, which must be a calendar date."""
    try:
        date = parse_date(part)
    except ValueError as exc:
        raise ConfigError(source, path, str(exc)) from None
    for key in node:
        with contextlib.suppress(ValueError):
            if parse_date(key) == date:
                return key
    return part


def _no_key(where: str, part: str, node: Mapping[str, Any], allowed: list[str]) -> str:
    have = sorted({*map(str, node), *allowed})
    message = f"no key {where!r}{suggest(part, have)}"
    elsewhere = [p for p in key_paths(Scenario).get(part, ()) if p != where]
    if elsewhere:
        message += f"; that key belongs at {' or '.join(elsewhere[:3])}"
    return f"{message}; that level has: {', '.join(have) or 'nothing'}"


def scenario_from_dict(
    data: Mapping[str, Any],
    source: str = "<scenario>",
    overridden: Iterable[str] = (),
    *,
    override_source: str = OVERRIDE,
    locate: Locate | None = None,
    before: Mapping[str, Any] | None = None,
) -> Scenario:
    """Validate a mapping into a :class:`Scenario`; the first problem becomes a ConfigError.

    A problem at, under or above one of the ``overridden`` dotted paths is blamed on
    ``"<override_source> (on <source>)"``, and so is any problem of a file that is valid
    ``before`` the overrides (a check across fields that an override broke); ``locate`` gives
    the line of a field in the file.
    """
    try:
        return validate(Scenario, dict(data), source, locate)
    except ConfigError as err:
        field = err.field or ""
        # a changed kind makes the whole map the override's (its new fields are missing)
        blamed = [k.removesuffix(".kind") if k.endswith(".kind") else k for k in overridden]
        ours = any(
            field == k or field.startswith(f"{k}.") or (field and k.startswith(f"{field}."))
            for k in blamed
        )
        if not ours and blamed and before is not None:
            try:
                validate(Scenario, dict(before), source)
                ours = True  # the file alone is valid: the overrides broke it
            except ConfigError:
                pass
        if ours:
            message = err.message.split(" (line ")[0]
            raise ConfigError(f"{override_source} (on {source})", err.field, message) from None
        raise


def merge(parent: Mapping[str, Any], child: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge ``child`` over ``parent``.

    Maps merge key by key, except a map that names a ``kind`` (a ramp, a demand model, a cost
    curve), which replaces the parent's whole: its other keys belong to that kind. A key set to
    ``null`` removes the parent's entry (e.g. a disruption or a line the child does without).
    """
    out = copy.deepcopy(dict(parent))
    for key, value in child.items():
        if value is None:
            out.pop(key, None)
            continue
        old = out.get(key)
        if isinstance(value, Mapping) and isinstance(old, Mapping) and "kind" not in value:
            out[key] = merge(old, value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def read_scenario_data(path: str | Path, _seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """A scenario file's mapping, with ``extends: other.yaml`` (relative to it) resolved."""
    return _read_chain(Path(path), _seen)[0]


def _read_chain(path: Path, seen: tuple[Path, ...] = ()) -> tuple[dict[str, Any], Document]:
    """The merged mapping of ``path`` and its ``extends`` chain, and ``path``'s own document.

    Every file of the chain goes through the same reader; the chain is at most
    :data:`~sim.limits.MAX_EXTENDS` files long and may not loop.
    """
    doc = read_document(path)
    data = dict(doc.data)
    parent = data.pop("extends", None)
    if parent is None:
        return data, doc
    if not isinstance(parent, str) or not parent.strip():
        raise ConfigError(str(path), "extends", "must be the path of another scenario file")
    parent_path = (path.parent / parent).resolve()
    if parent_path in seen or parent_path == path.resolve():
        raise ConfigError(str(path), "extends", f"circular: {parent} extends this file again")
    if len(seen) >= limits.MAX_EXTENDS:
        raise ConfigError(
            str(path), "extends", f"a chain of more than {limits.MAX_EXTENDS} files extending"
        )
    parent_data, _ = _read_chain(parent_path, (*seen, parent_path))
    return merge(parent_data, data), doc


def load_scenario(
    path: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    *,
    override_source: str = OVERRIDE,
) -> Scenario:
    """Load a scenario file (the default scenario when ``path`` is None), apply overrides.

    A problem caused by an override is blamed on ``"<override_source> (on <path>)"``.
    """
    path = Path(path) if path is not None else DEFAULT_SCENARIO
    data, doc = _read_chain(path)
    before = data
    if overrides:
        data = apply_overrides(data, overrides, source=f"{override_source} (on {path})")
    return scenario_from_dict(
        data,
        source=str(path),
        overridden=overrides or (),
        override_source=override_source,
        locate=doc.line_of,
        before=before if overrides else None,
    )
