"""The one safe way scaleup reads an input file (scenario, sweep, sensitivity, and those to come).

Every read is bounded before any work grows with the input: only regular files (a FIFO, a device,
a folder or a socket is refused without blocking), at most :data:`~sim.limits.MAX_FILE_BYTES`,
UTF-8 text, YAML through a safe loader that refuses duplicate keys, calendar-invalid dates,
nesting deeper than :data:`~sim.limits.MAX_DEPTH` and more than
:data:`~sim.limits.MAX_YAML_NODES` nodes once aliases are expanded (counted on the composed
graph, never expanded). Every refusal is one :class:`~sim.errors.ConfigError` naming the file.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sim import limits
from sim.errors import ConfigError

_BOM = b"\xef\xbb\xbf"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class YamlSyntaxError(ConfigError):
    """The text is not YAML (as opposed to YAML that breaks one of our rules or bounds)."""


class _Refusal(yaml.MarkedYAMLError):
    """A bound or rule of ours, raised inside the loader (turned into a ConfigError)."""


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader (no Python tags), bounded in depth and node count, strict on keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        # Composition recurses once per level: refuse before Python's own limit is near.
        self._depth += 1
        try:
            if self._depth > limits.MAX_DEPTH:
                raise _Refusal(
                    None,
                    None,
                    f"nested deeper than {limits.MAX_DEPTH} levels",
                    self.peek_event().start_mark,
                )
            if not self.check_event(yaml.AliasEvent):
                self._nodes += 1
                if self._nodes > limits.MAX_YAML_NODES:
                    raise _Refusal(None, None, _too_many(), self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            first: dict[Any, Node] = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE_TAG:
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    earlier = first.setdefault(key, key_node)
                except TypeError:  # unhashable: the base class says so
                    continue
                if earlier is not key_node:
                    first_line = earlier.start_mark.line + 1
                    problem = f"duplicate key {_text(key)!r} (first at line {first_line})"
                    raise _Refusal(None, None, problem, key_node.start_mark)
        return super().construct_mapping(node, deep=deep)

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError):
            value = str(node.value) if isinstance(node, ScalarNode) else ""
            value = value if len(value) <= 40 else f"{value[:37]}..."
            if node.tag == "tag:yaml.org,2002:timestamp":
                problem = f"not a calendar date: {value}"
            else:
                problem = f"cannot read the value {value!r}"
            raise _Refusal(None, None, problem, node.start_mark) from None


def _too_many() -> str:
    return f"more than {limits.MAX_YAML_NODES:,} values (aliases counted expanded)"


def _text(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


@dataclass(frozen=True)
class Document:
    """A file's top-level mapping, and where each of its keys is written."""

    source: str
    data: dict[str, Any]
    root: Node | None = None

    def line_of(self, path: tuple[Any, ...] | list[Any]) -> int | None:
        """The line (1-based) of the key at dotted ``path``, or None when the file lacks it."""
        node = self.root
        line = None
        for part in path:  # only a path written in full in this file has a line
            if isinstance(node, MappingNode):
                match = next(
                    ((k, v) for k, v in node.value if getattr(k, "value", None) == str(part)),
                    None,
                )
                if match is None:
                    return None
                line, node = match[0].start_mark.line + 1, match[1]
            elif isinstance(node, SequenceNode) and isinstance(part, int):
                if part >= len(node.value):
                    return None
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                return None
        return line


def read_bytes(path: str | Path, source: str | None = None) -> bytes:
    """A regular file's bytes, at most :data:`~sim.limits.MAX_FILE_BYTES`, read without blocking."""
    path = Path(path)
    source = source or str(path)
    try:
        kind = _kind(os.stat(path).st_mode)
        if kind:
            raise ConfigError(source, None, f"not a regular file ({kind})")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise ConfigError(source, None, "file not found") from None
    except OSError as exc:
        raise ConfigError(source, None, f"cannot read file ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        kind = _kind(info.st_mode)  # it may have changed between stat and open
        if kind:
            raise ConfigError(source, None, f"not a regular file ({kind})")
        if info.st_size > limits.MAX_FILE_BYTES:
            raise ConfigError(source, None, _too_big(info.st_size))
        chunks: list[bytes] = []
        size = 0
        while size <= limits.MAX_FILE_BYTES:  # never more than the cap + 1, even if it grows
            chunk = os.read(fd, limits.MAX_FILE_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise ConfigError(source, None, f"cannot read file ({exc.strerror})") from None
    finally:
        os.close(fd)
    if size > limits.MAX_FILE_BYTES:
        raise ConfigError(source, None, _too_big(None))
    return b"".join(chunks)


def _kind(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a plain file"


def _too_big(size: int | None) -> str:
    got = f"{size:,} bytes" if size is not None else "more"
    return f"file too large ({got}; the limit is {limits.MAX_FILE_BYTES:,} bytes)"


def decode(raw: bytes, source: str) -> str:
    """UTF-8 text (a leading byte-order mark is dropped), or a ConfigError at the first bad byte."""
    try:
        return raw.removeprefix(_BOM).decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + (len(_BOM) if raw.startswith(_BOM) else 0)
        raise ConfigError(source, None, f"not UTF-8 text (byte {offset})") from None


def parse(text: str, source: str) -> tuple[Any, Node | None]:
    """YAML text -> (Python data, composed root node), bounded; errors name the line."""
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        problem = f"character #x{code:04x} is not allowed in YAML text"
        raise ConfigError(source, f"line {line}", problem) from None
    try:
        root = loader.get_single_node()
        if root is None:
            return None, None
        _check_graph(root)
        return loader.construct_document(root), root
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        if isinstance(exc, _Refusal):
            raise ConfigError(source, where, problem) from None
        raise YamlSyntaxError(source, where, f"YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(source, None, f"YAML syntax error: {exc}") from None
    finally:
        loader.dispose()


def _check_graph(root: Node) -> None:
    """Refuse a graph whose expansion (aliases followed) exceeds the node or depth limits.

    Each node's expanded size and height are computed once (memoised by node id), in an
    explicit stack: an alias bomb costs as many steps as it has distinct nodes.
    """
    size: dict[int, int] = {}
    height: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = _children(node)
        if done:
            on_stack.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in children)
            height[key] = 1 + max((height[id(c)] for c in children), default=0)
            if size[key] > limits.MAX_YAML_NODES:
                raise _Refusal(None, None, _too_many(), node.start_mark)
            if height[key] > limits.MAX_DEPTH:
                problem = f"nested deeper than {limits.MAX_DEPTH} levels (aliases expanded)"
                raise _Refusal(None, None, problem, node.start_mark)
            continue
        if key in size:
            continue
        if key in on_stack:
            raise _Refusal(None, None, "an alias refers to itself", node.start_mark)
        on_stack.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in size)


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def read_document(path: str | Path, source: str | None = None) -> Document:
    """Read a YAML file whose top level is a mapping, every bound checked (see the module)."""
    source = source or str(path)
    data, root = parse(decode(read_bytes(path, source), source), source)
    if not isinstance(data, dict):
        raise ConfigError(source, None, "expected a mapping of keys at the top level")
    return Document(source, data, root)


def read_mapping(path: str | Path, source: str | None = None) -> dict[str, Any]:
    """The top-level mapping of a YAML file (see :func:`read_document`)."""
    return read_document(path, source).data


def parse_value(text: str, source: str) -> Any:
    """One value written as YAML (e.g. the right side of an assignment), bounded the same way."""
    data, _ = parse(text, source)
    return data


def count_nodes(value: Any, cap: int = limits.MAX_YAML_NODES) -> tuple[int, int]:
    """(nodes, depth) of plain data (mappings, lists, scalars), shared objects counted each time
    they appear; stops once past ``cap`` nodes or :data:`~sim.limits.MAX_DEPTH` levels, so the
    work is bounded whatever the data."""
    nodes, deepest = 1, 1
    stack: list[Iterator[Any]] = [_items(value)]
    while stack and nodes <= cap and deepest <= limits.MAX_DEPTH:
        item = next(stack[-1], _END)
        if item is _END:
            stack.pop()
            continue
        nodes += 1
        deepest = max(deepest, len(stack) + 1)
        if isinstance(item, dict | list | tuple):
            stack.append(_items(item))
    return nodes, deepest


_END = object()


def _items(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        return (x for pair in value.items() for x in pair)
    if isinstance(value, list | tuple):
        return iter(value)
    return iter(())


def check_bounded(value: Any, source: str, field: str | None = None) -> None:
    """Refuse data (from a file, a mapping or overrides) past the node or depth limits."""
    nodes, depth = count_nodes(value)
    if nodes > limits.MAX_YAML_NODES:
        raise ConfigError(source, field, _too_many())
    if depth > limits.MAX_DEPTH:
        raise ConfigError(source, field, f"nested deeper than {limits.MAX_DEPTH} levels")
