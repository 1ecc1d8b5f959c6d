"""Reference pages of the input files, made from the models' field docstrings.

Every field of a :class:`~sim.config.strict.Strict` model carries its documentation as the
docstring under it (pydantic keeps it as the field's ``description``). :func:`render` turns a
model into a markdown page: one table per model, in the order its keys are written in a file,
with one row per key (dotted key, type in plain words, bounds, default, meaning); a choice of
models told apart by a key (``kind``, ``dist``) gets one table per choice. No internal type name
or Python repr reaches the page. :func:`undocumented` lists the fields without a docstring.
"""

from __future__ import annotations

import datetime as dt
import math
import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim import limits


@dataclass(frozen=True)
class Page:
    """What one reference page shows: a title, an introduction and the file's model."""

    title: str
    intro: str
    model: type[BaseModel]
    extra: tuple[tuple[str, type[BaseModel], str], ...] = ()
    """More tables after the model's: (dotted key, model, how it is written there)."""
    defaults: Mapping[str, str] = field(default_factory=dict)
    """Dotted key -> its default in words, where the file's reader supplies it."""
    placeholders: Mapping[str, str] = field(default_factory=dict)
    """Dotted key of a map -> the word for its keys (default ``<name>``)."""
    header: str = ""
    """A comment line at the top (how the page was made)."""


@dataclass(frozen=True)
class Section:
    """One table: the model written at ``path`` (``choice`` names the key and value that
    select it, e.g. ``kind: bass``)."""

    path: str
    model: type[BaseModel]
    choice: str = ""
    note: str = ""


# --------------------------------------------------------------------------- the model's shape
def _strip(tp: Any) -> tuple[Any, list[Any], bool]:
    """``tp`` without ``Annotated`` and ``| None``: (type, its constraints, optional?)."""
    meta: list[Any] = []
    optional = False
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            args = get_args(tp)
            meta.extend(args[1:])
            tp = args[0]
        elif origin in (Union, types.UnionType) and type(None) in get_args(tp):
            optional = True
            rest = [a for a in get_args(tp) if a is not type(None)]
            tp = rest[0] if len(rest) == 1 else Union[tuple(rest)]  # noqa: UP007
        else:
            return tp, meta, optional


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _choices(tp: Any, meta: list[Any]) -> tuple[str, list[type[BaseModel]]] | None:
    """(the selecting key, the models) of a union of models, or None."""
    if get_origin(tp) not in (Union, types.UnionType):
        return None
    members = [_strip(a)[0] for a in get_args(tp)]
    if not all(_is_model(m) for m in members):
        return None
    key = next(
        (m.discriminator for m in meta if isinstance(m, FieldInfo) and m.discriminator), None
    )
    return (str(key) if isinstance(key, str) else "kind"), members


def _key(name: str, info: FieldInfo) -> str:
    return info.alias or name


def _tag(model: type[BaseModel], key: str) -> str:
    info = model.model_fields.get(key)
    if info is None or get_origin(info.annotation) is not Literal:
        return ""
    return ", ".join(str(v) for v in get_args(info.annotation))


def sections(page: Page) -> list[Section]:
    """Every table of ``page``, depth first in the order keys are written."""
    out: list[Section] = []

    def visit_model(section: Section, depth: int) -> None:
        out.append(section)
        if depth > limits.MAX_DEPTH:
            return
        for name, info in section.model.model_fields.items():
            path = _join(section.path, _key(name, info))
            visit_type(info.annotation, list(info.metadata), path, depth + 1)

    def visit_type(tp: Any, meta: list[Any], path: str, depth: int) -> None:
        tp, more, _ = _strip(tp)
        meta = [*meta, *more]
        if _is_model(tp):
            visit_model(Section(path, tp), depth)
        elif (found := _choices(tp, meta)) is not None:
            key, members = found
            for member in members:
                visit_model(Section(path, member, f"{key}: {_tag(member, key)}"), depth)
        elif get_origin(tp) is dict:
            visit_type(get_args(tp)[1], [], f"{path}.{_placeholder(page, path)}", depth)
        elif get_origin(tp) is list:
            visit_type(get_args(tp)[0], [], path, depth)

    visit_model(Section("", page.model), 0)
    for path, model, how in page.extra:
        visit_model(Section(path, model, note=how), 0)
    return out


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _placeholder(page: Page, path: str) -> str:
    return page.placeholders.get(path, "<name>")


def undocumented(model: type[BaseModel]) -> list[str]:
    """``Model.field`` for every field reachable from ``model`` without a docstring."""
    seen: dict[type[BaseModel], None] = {}
    for section in sections(Page("", "", model)):
        seen.setdefault(section.model)
    return [
        f"{m.__name__}.{name}"
        for m in seen
        for name, info in m.model_fields.items()
        if not (info.description or "").strip()
    ]


# --------------------------------------------------------------------------- plain words
_SCALARS: dict[Any, tuple[str, str]] = {
    bool: ("true or false", "true/false values"),
    int: ("integer", "integers"),
    float: ("number", "numbers"),
    str: ("text", "texts"),
    dt.date: ("date YYYY-MM or YYYY-MM-DD", "dates YYYY-MM or YYYY-MM-DD"),
    Any: ("any value", "values"),
}


def type_words(
    tp: Any, meta: list[Any] | None = None, plural: bool = False, key: str = "name"
) -> str:
    """A type as a user reads it: ``number``, ``list of numbers``, ``map of name -> ...``
    (``key``: the word for a map's keys)."""
    tp, more, _ = _strip(tp)
    meta = [*(meta or []), *more]
    if tp in _SCALARS:
        return _SCALARS[tp][plural]
    if get_origin(tp) is Literal:
        values = [f"`{_value(v)}`" for v in get_args(tp)]
        if plural:
            return "values among " + ", ".join(values)
        return values[0] if len(values) == 1 else "one of " + ", ".join(values)
    if _is_model(tp):
        return "mappings (tables below)" if plural else "mapping (table below)"
    if (found := _choices(tp, meta)) is not None:
        return f"mapping{'s' * plural} by `{found[0]}` (tables below)"
    if get_origin(tp) is list:
        return f"list{'s' * plural} of {type_words(get_args(tp)[0], plural=True)}"
    if get_origin(tp) is dict:
        key_type, value = get_args(tp)
        key_words = "date YYYY-MM" if _strip(key_type)[0] is dt.date else key
        return f"map{'s' * plural} of {key_words} -> {type_words(value)}"
    return "value"  # pragma: no cover - every schema type is named above


def bounds_words(tp: Any, meta: list[Any]) -> str:
    """The constraints on a value (and on the items of a list or map), in words."""
    tp, more, _ = _strip(tp)
    meta = [*meta, *more]
    parts = [p for p in (_range(meta), _length(tp, meta)) if p]
    if get_origin(tp) in (list, dict):
        inner_tp = get_args(tp)[-1]
        inner, inner_meta, _ = _strip(inner_tp)
        if not _is_model(inner) and (each := _range(inner_meta)):
            parts.append(f"each {each}")
    return "; ".join(parts)


def _limit(meta: list[Any], name: str) -> Any:
    """The value of the constraint ``name`` (``ge``, ``max_length``, ...), or None."""
    for m in meta:
        for item in (m, *getattr(m, "metadata", ())):  # a Field(...) inside Annotated holds more
            if not isinstance(item, FieldInfo) and getattr(item, name, None) is not None:
                return getattr(item, name)
    return None


def _range(meta: list[Any]) -> str:
    ge, gt, le, lt = (_limit(meta, k) for k in ("ge", "gt", "le", "lt"))
    low = _number(ge) if ge is not None else f"above {_number(gt)}" if gt is not None else ""
    high = _number(le) if le is not None else f"below {_number(lt)}" if lt is not None else ""
    if ge is not None and le is not None:
        return f"{low} to {high}"
    words = []
    if low:
        words.append(low if ge is None else f"at least {low}")
    if high:
        words.append(high if le is None else f"at most {high}")
    return ", ".join(words)


def _length(tp: Any, meta: list[Any]) -> str:
    lo, hi = _limit(meta, "min_length"), _limit(meta, "max_length")
    if lo is None and hi is None:
        return ""
    one, unit = {list: ("item", "items"), dict: ("entry", "entries")}.get(
        get_origin(tp), ("character", "characters")
    )
    low = lo or 0
    if hi is None:
        return f"at least {_number(low)} {one if low == 1 else unit}"
    if low:
        return f"{_number(low)} to {_number(hi)} {unit}"
    return f"at most {_number(hi)} {unit}"


def _number(x: float) -> str:
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e18:
        x = int(x)
    return f"{x:,}" if isinstance(x, int) else f"{x:g}"


def _value(v: Any) -> str:
    """A value as it is written in a YAML file."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and math.isfinite(v) and abs(v) < 1e18 else f"{v:g}"
    if isinstance(v, dt.date):
        return v.isoformat()[: 7 if v.day == 1 else 10]
    if isinstance(v, BaseModel):
        v = v.model_dump(by_alias=True, exclude_defaults=True)
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{_value(k)}: {_value(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    return str(v)


def default_words(info: FieldInfo) -> str:
    """The default of a field in words: ``required``, ``none``, or the value as written."""
    if info.default_factory is not None:
        value = info.default_factory()  # type: ignore[call-arg]
    elif info.is_required():
        return "required"
    else:
        value = info.default
    if value is None or value == {} or value == []:
        return "none"
    if isinstance(value, BaseModel):
        set_values = value.model_dump(by_alias=True, exclude_defaults=True)
        return "all defaults" if not set_values else f"`{_value(value)}`"
    if value == "":
        return "empty"
    return f"`{_value(value)}`"


# --------------------------------------------------------------------------- the page
def _cell(text: str) -> str:
    return " ".join(text.replace("``", "`").split()).replace("|", "\\|")


def _heading(section: Section) -> str:
    where = f"`{section.path}`" if section.path else "Top level"
    if section.choice:
        return f"{where} with `{section.choice}`"
    return f"{where}, {section.note}" if section.note else where


def _rows(page: Page, section: Section) -> Iterator[str]:
    yield "| key | type | bounds | default | meaning |"
    yield "| --- | --- | --- | --- | --- |"
    for name, info in section.model.model_fields.items():
        key = _join(section.path, _key(name, info))
        meta = list(info.metadata)
        default = page.defaults.get(key) or default_words(info)
        cells = (
            f"`{key}`",
            type_words(info.annotation, meta, key=_placeholder(page, key).strip("<>")),
            bounds_words(info.annotation, meta),
            default,
            info.description or "",
        )
        yield "| " + " | ".join(_cell(c) for c in cells) + " |"


def render(page: Page) -> str:
    """The markdown reference page of ``page``."""
    lines = [page.header, ""] if page.header else []
    lines += [f"# {page.title}", "", *page.intro.strip().splitlines(), ""]
    for section in sections(page):
        lines += [f"## {_heading(section)}", ""]
        if doc := section.model.__doc__:
            lines += [_cell(doc), ""]
        lines += [*_rows(page, section), ""]
    return "\n".join(lines).rstrip("\n") + "\n"
