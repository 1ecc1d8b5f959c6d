"""The one spec kernel: a strict base for every file kind, and one translation of validation
errors into a one-line :class:`~sim.errors.ConfigError`.

Scenario, sweep and sensitivity files (and the kinds to come) all derive from :class:`Strict`
and are validated by :func:`validate`: the data is bounded first (nodes, depth), then checked by
pydantic, and the first problem is named by file, dotted field and (when the file is known) line,
with a "did you mean" from the keys valid at that level, or the full path where a misplaced key
belongs. No message shows an internal type name or a Python repr.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import types
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic.fields import FieldInfo

from sim import limits
from sim.config.reader import check_bounded
from sim.errors import ConfigError

M = TypeVar("M", bound=BaseModel)
Locate = Callable[[list[Any]], int | None]
"""Where a dotted field is written: its line in the file, or None."""


class Strict(BaseModel):
    """Base of every input model: unknown keys are errors, objects are frozen.

    The docstring under each field is its documentation: pydantic keeps it as the field's
    ``description``, and the file references (:mod:`sim.config.reference`) are made from it.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        populate_by_name=True,
        use_attribute_docstrings=True,
    )


def _folder_name(value: str) -> str:
    if set(value) == {"."}:
        raise ValueError(f"name {value!r} is not a folder name (it becomes the output folder)")
    return value


Name = Annotated[
    str,
    Field(min_length=1, max_length=limits.MAX_NAME_CHARS, pattern=r"^[A-Za-z0-9_.-]+$"),
    AfterValidator(_folder_name),
]
"""A name that becomes a folder: letters, digits, ``_``, ``.`` and ``-``, not only dots."""


def validate(model: type[M], data: Any, source: str, locate: Locate | None = None) -> M:
    """``data`` as a ``model``, or the first problem as a one-line ConfigError."""
    check_bounded(data, source)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise translate(exc, model, source, locate) from None


# --------------------------------------------------------------------------- messages
def suggest(word: Any, candidates: Iterable[Any]) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or nothing."""
    names = sorted({str(c) for c in candidates})
    close = difflib.get_close_matches(str(word), names, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def show(value: Any) -> str:
    """A value as the user wrote it (never a Python repr of a date or a container)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


_EXPECTED = {
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "string_type": "expected text",
    "list_type": "expected a list",
    "dict_type": "expected a mapping",
    "finite_number": "must be a finite number",
}


def translate(
    exc: ValidationError, model: type[BaseModel], source: str, locate: Locate | None = None
) -> ConfigError:
    """The first error of ``exc`` (validating ``model``) as a one-line ConfigError."""
    errors = exc.errors(include_url=False)
    # a misspelt key is both unknown and missing: its unknown side says "did you mean"
    err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    kind = err["type"]
    ctx = err.get("ctx") or {}
    parts, target, disc = _walk(model, list(err["loc"]))
    got = err.get("input")
    if kind == "extra_forbidden":
        message = _unknown_key(model, parts, list(err["loc"]))
    elif kind in ("union_tag_invalid", "union_tag_not_found"):
        tags = ", ".join(_tags(target, disc))
        parts = [*parts, disc or "kind"]
        if kind == "union_tag_invalid":
            message = f"unknown {disc} {show(ctx.get('tag'))}; expected one of {tags}"
        else:
            message = f"required field is missing (one of {tags})"
    elif kind == "missing":
        message = "required field is missing"
    elif kind == "too_short":
        message = "must not be empty"
    elif kind == "too_long":
        message = f"too many entries (at most {ctx.get('max_length', 0):,})"
    elif kind in ("model_type", "model_attributes_type") or (
        kind == "dict_type" and _model(target)
    ):
        keys = ", ".join(_fields(_model(target))) if _model(target) else ""
        message = "expected a mapping" + (f" with keys: {keys}" if keys else "")
        message += f" (got {show(got)})"
    elif kind in _EXPECTED:
        message = f"{_EXPECTED[kind]} (got {show(got)})"
    else:
        msg = str(err["msg"]).removeprefix("Value error, ").replace("Input should be", "must be")
        own = kind == "value_error"  # our validators already say what they got
        message = msg if own or isinstance(got, Mapping | list) else f"{msg} (got {show(got)})"
        if own:  # a check across fields names the one at fault first: "mix.shares: ..."
            parts, message = _own_field(model, parts, message)
    line = locate(parts) if locate is not None and parts else None
    if line is not None:
        message += f" (line {line})"
    return ConfigError(source, ".".join(map(str, parts)) or None, message)


_PATH = re.compile(r"([A-Za-z_][\w-]*(?:\.[\w-]+)*): ")


def _own_field(model: type[BaseModel], parts: list[Any], message: str) -> tuple[list[Any], str]:
    """A validator's ``"a.b: text"`` below ``parts``: the field becomes ``parts + a.b`` when
    ``a`` is a key there, and the message its text."""
    m = _PATH.match(message)
    if m is None:
        return parts, message
    head = m.group(1).split(".")
    keys = keys_at(model, parts)
    if keys is None or head[0] not in keys:
        return parts, message
    return [*parts, *head], message[m.end() :]


def _unknown_key(model: type[BaseModel], parts: list[Any], loc: list[Any]) -> str:
    name = str(parts[-1]) if parts else str(loc[-1])
    _, here, _ = _walk(model, loc[:-1])  # pydantic's loc names the kind of a union
    allowed = _fields(_model(here)) if _model(here) else []
    prefix = ".".join(map(str, parts[:-1]))
    elsewhere = [p for p in key_paths(model).get(name, ()) if p != _generic(prefix, name)]
    message = f"unknown key{suggest(name, allowed)}"
    if elsewhere:
        shown = " or ".join(elsewhere[:3]) + (" or elsewhere" if len(elsewhere) > 3 else "")
        message += f"; that key belongs at {shown}"
    if allowed:
        message += f"; allowed here: {', '.join(allowed)}"
    return message


def _generic(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


# --------------------------------------------------------------------------- the schema's shape
def _resolve(tp: Any, disc: str | None = None) -> tuple[Any, str | None]:
    """Strip ``Annotated`` (keeping a discriminator it names) and ``| None``."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            for meta in get_args(tp)[1:]:
                if isinstance(meta, FieldInfo) and isinstance(meta.discriminator, str):
                    disc = meta.discriminator
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp, disc
            tp = args[0]
        else:
            return tp, disc


def _model(tp: Any) -> type[BaseModel] | None:
    tp, _ = _resolve(tp)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _members(tp: Any) -> list[type[BaseModel]]:
    tp, _ = _resolve(tp)
    if get_origin(tp) in (Union, types.UnionType):
        return [m for a in get_args(tp) if (m := _model(a)) is not None]
    return []


def _tags(tp: Any, disc: str | None) -> list[str]:
    out: list[str] = []
    for member in _members(tp):
        info = member.model_fields.get(disc or "")
        if info is not None and get_origin(info.annotation) is Literal:
            out.extend(str(t) for t in get_args(info.annotation))
    return out


def _fields(model: type[BaseModel] | None) -> list[str]:
    if model is None:
        return []
    return [info.alias or name for name, info in model.model_fields.items()]


def _walk(model: type[BaseModel], loc: list[Any]) -> tuple[list[Any], Any, str | None]:
    """pydantic's ``loc`` -> (the user's dotted parts, the type reached, its discriminator).

    The tags pydantic inserts for discriminated unions and validator names are dropped.
    """
    parts: list[Any] = []
    tp: Any = model
    disc: str | None = None
    for part in loc:
        if str(part).startswith("function-"):
            continue
        tp, disc = _resolve(tp, disc)
        members = _members(tp)
        if members and disc:
            tagged = [m for m in members if str(part) in _literal(m, disc)]
            if tagged:
                tp, disc = tagged[0], None
                continue
        parts.append(part)
        if (found := _model(tp)) is not None:
            info = next((i for n, i in found.model_fields.items() if part in (n, i.alias)), None)
            tp, disc = (info.annotation, info.discriminator) if info else (None, None)
            disc = disc if isinstance(disc, str) else None
        elif get_origin(tp) is dict:
            tp, disc = get_args(tp)[1], None
        elif get_origin(tp) is list:
            tp, disc = get_args(tp)[0], None
        else:
            tp, disc = None, None
    tp, disc = _resolve(tp, disc)
    return parts, tp, disc


def _literal(model: type[BaseModel], disc: str) -> tuple[str, ...]:
    info = model.model_fields.get(disc)
    if info is None or get_origin(info.annotation) is not Literal:
        return ()
    return tuple(str(t) for t in get_args(info.annotation))


def keys_at(model: type[BaseModel], parts: list[Any]) -> list[str] | None:
    """Keys valid at dotted ``parts`` of ``model`` (None: any key, e.g. a named entry)."""
    _, tp, _ = _walk(model, parts)
    found = _model(tp)
    if found is not None:
        return _fields(found)
    members = _members(tp)
    if members:
        return sorted({k for m in members for k in _fields(m)})
    return None


@cache
def key_paths(model: type[BaseModel]) -> dict[str, tuple[str, ...]]:
    """Every key of ``model``'s schema -> the dotted paths where it may be written (named
    entries shown as ``<name>``)."""
    out: dict[str, list[str]] = {}

    def visit(tp: Any, prefix: str, depth: int) -> None:
        if depth > limits.MAX_DEPTH:
            return
        tp, _ = _resolve(tp)
        found = _model(tp)
        if found is not None:
            for key in _fields(found):
                info = found.model_fields.get(key) or next(
                    i for i in found.model_fields.values() if i.alias == key
                )
                path = f"{prefix}.{key}" if prefix else key
                if path not in out.setdefault(key, []):
                    out[key].append(path)
                visit(info.annotation, path, depth + 1)
        elif members := _members(tp):
            for member in members:
                visit(member, prefix, depth + 1)
        elif get_origin(tp) is dict:
            visit(get_args(tp)[1], f"{prefix}.<name>", depth + 1)
        elif get_origin(tp) is list:
            visit(get_args(tp)[0], prefix, depth + 1)

    visit(model, "", 0)
    return {k: tuple(v) for k, v in out.items()}


def field_names(model: type[BaseModel]) -> frozenset[str]:
    """Every key that may appear anywhere in a ``model`` file."""
    return frozenset(key_paths(model))
