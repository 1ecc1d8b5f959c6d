"""Read scenario files, apply dotted overrides, and turn every failure into a one-line error."""

from __future__ import annotations

import contextlib
import copy
import difflib
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from sim.config.schema import Scenario
from sim.errors import ConfigError

PACKAGE_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SCENARIO = PACKAGE_ROOT / "configs" / "xiaomi_su7.yaml"


def read_yaml(path: str | Path) -> dict[str, Any]:
    """Parse a YAML mapping, or raise :class:`ConfigError` naming the file."""
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(source, None, "file not found") from None
    except OSError as exc:
        raise ConfigError(source, None, f"cannot read file ({exc.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(source, where, f"YAML syntax error: {problem}") from None
    if not isinstance(data, dict):
        raise ConfigError(source, None, "expected a mapping of keys at the top level")
    return data


def parse_assignment(text: str) -> tuple[str, Any]:
    """``"a.b.c=12"`` -> ``("a.b.c", 12)``; the value is read as YAML."""
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ConfigError("--set", text, "expected KEY=VALUE, e.g. factory.finished_goods_target=0")
    try:
        parsed = yaml.safe_load(value) if value.strip() else None
    except yaml.YAMLError:
        parsed = value
    if isinstance(parsed, str):  # YAML 1.1 reads 1e6 as text; a number is meant
        with contextlib.suppress(ValueError):
            parsed = float(parsed)
    return key, parsed


@cache
def known_field_names() -> frozenset[str]:
    """Every key that may appear anywhere in a scenario file (for checks and suggestions)."""
    names: set[str] = set()

    def visit(tp: Any) -> None:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if tp.__name__ in seen:
                return
            seen.add(tp.__name__)
            for name, info in tp.model_fields.items():
                names.add(info.alias or name)
                visit(info.annotation)
            return
        for arg in get_args(tp) if get_origin(tp) is not None or get_args(tp) else ():
            visit(arg)

    seen: set[str] = set()
    visit(Scenario)
    return frozenset(names)


def suggest(word: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(word), sorted(candidates), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def apply_overrides(
    data: Mapping[str, Any], overrides: Mapping[str, Any], source: str = "--set"
) -> dict[str, Any]:
    """Return a copy of ``data`` with each dotted path set.

    A path may only pass through keys the file has or the schema knows; a named entry that
    does not exist (``factory.lines.phase9``) is an error rather than a half-filled new entry.
    """
    out = copy.deepcopy(dict(data))
    known = known_field_names()
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
            if part not in node and part not in known:
                have = ", ".join(sorted(map(str, node))) or "nothing"
                raise ConfigError(
                    source, path, f"no key {where!r}{suggest(part, node)}; that level has: {have}"
                )
            if last and part == "kind" and node.get("kind") != value:
                node.clear()
                node[part] = value
            elif last:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return out


def _loc_text(loc: tuple[Any, ...]) -> str:
    # Drop pydantic's tags for discriminated unions (e.g. 'logistic') and function validators.
    parts = [str(p) for p in loc if not str(p).startswith("function-")]
    return ".".join(parts)


def _strip_union_tags(loc: tuple[Any, ...], data: Mapping[str, Any]) -> tuple[Any, ...]:
    out: list[Any] = []
    node: Any = data
    for part in loc:
        in_map = isinstance(node, Mapping) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and part < len(node)
        if in_map or in_list:
            out.append(part)
            node = node[part]
        elif isinstance(node, Mapping) and node.get("kind") == part:
            continue  # the union tag pydantic inserts
        else:
            out.append(part)
            node = None
    return tuple(out)


def scenario_from_dict(
    data: Mapping[str, Any], source: str = "<scenario>", overridden: Iterable[str] = ()
) -> Scenario:
    """Validate a mapping into a :class:`Scenario`; the first problem becomes a ConfigError.

    A problem at (or under) one of the ``overridden`` dotted paths is blamed on ``--set``.
    """
    try:
        return Scenario.model_validate(dict(data))
    except ValidationError as exc:
        err = validation_error(exc, data, source)
        field = err.field or ""
        # a changed kind makes the whole map the override's (its new fields are missing)
        blamed = [k.removesuffix(".kind") if k.endswith(".kind") else k for k in overridden]
        if any(field == k or field.startswith(f"{k}.") for k in blamed):
            err = ConfigError(f"--set (on {source})", err.field, err.message)
        raise err from None


def validation_error(exc: ValidationError, data: Mapping[str, Any], source: str) -> ConfigError:
    err = exc.errors(include_url=False)[0]
    loc = _strip_union_tags(tuple(err["loc"]), data)
    field = _loc_text(loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        message = f"unknown key{suggest(loc[-1], known_field_names())}"
    elif kind == "union_tag_invalid":
        ctx = err.get("ctx", {})
        message = f"unknown kind {ctx.get('tag')!r}; expected one of {ctx.get('expected_tags')}"
        field = f"{field}.kind" if field else "kind"
    elif kind == "missing":
        message = "required field is missing"
    else:
        msg = err["msg"].removeprefix("Value error, ")
        got = err.get("input")
        # our own validators already say what they got
        own = kind == "value_error"
        shown = "" if own or isinstance(got, dict | list) else f" (got {got!r})"
        message = f"{msg}{shown}"
    return ConfigError(source, field or None, message)


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
    path = Path(path)
    data = read_yaml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ConfigError(str(path), "extends", "must be the path of another scenario file")
    parent_path = (path.parent / parent).resolve()
    if parent_path in _seen:
        raise ConfigError(str(path), "extends", f"circular: {parent} extends this file again")
    return merge(read_scenario_data(parent_path, (*_seen, parent_path)), data)


def load_scenario(
    path: str | Path | None = None, overrides: Mapping[str, Any] | None = None
) -> Scenario:
    """Load a scenario file (the default scenario when ``path`` is None), apply overrides."""
    path = Path(path) if path is not None else DEFAULT_SCENARIO
    data = read_scenario_data(path)
    if overrides:
        data = apply_overrides(data, overrides, source=f"--set (on {path})")
    return scenario_from_dict(data, source=str(path), overridden=overrides or ())
