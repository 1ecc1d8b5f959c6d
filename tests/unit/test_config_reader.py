"""The one safe reader: regular files only, bounded in bytes, nodes and depth; UTF-8; strict."""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import limits
from sim.config.reader import (
    check_bounded,
    count_nodes,
    parse,
    parse_value,
    read_document,
    read_mapping,
)
from sim.errors import ConfigError


def refused(path, *words: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        read_mapping(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    for word in words:
        assert word in message, message
    return info.value


def write(tmp_path, text: str | bytes, name: str = "f.yaml"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_a_plain_mapping_is_read(tmp_path):
    assert read_mapping(write(tmp_path, "a: 1\nb: [x, 2024-03-01]\n")) == {
        "a": 1,
        "b": ["x", dt.date(2024, 3, 1)],
    }


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []
    reader = threading.Thread(target=lambda: outcome.append(_catch(fifo)), daemon=True)
    reader.start()
    reader.join(timeout=10)
    if reader.is_alive():  # unblock the reader so the test process can end, then fail
        with open(fifo, "wb"):
            pass
        pytest.fail("reading a FIFO blocked")
    assert isinstance(outcome[0], ConfigError)
    assert "not a regular file (a named pipe)" in str(outcome[0])


def _catch(path) -> BaseException | None:
    try:
        read_mapping(path)
    except BaseException as exc:  # handed to the test thread
        return exc
    return None


def test_a_folder_a_device_and_a_socket_are_refused(tmp_path):
    refused(tmp_path, "not a regular file (a folder)")
    refused("/dev/zero", "not a regular file (a device)")
    path = tmp_path / "s.yaml"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        refused(path, "not a regular file (a socket)")


def test_a_missing_file_is_named(tmp_path):
    refused(tmp_path / "nowhere.yaml", "file not found")


def test_a_file_over_the_cap_is_refused_naming_the_limit(tmp_path):
    path = write(tmp_path, "#" * (limits.MAX_FILE_BYTES + 1))
    refused(path, "file too large", f"{limits.MAX_FILE_BYTES:,} bytes")


def test_a_file_at_the_cap_is_read(tmp_path):
    text = "a: 1\n"
    path = write(tmp_path, text + "#" * (limits.MAX_FILE_BYTES - len(text)))
    assert read_mapping(path) == {"a": 1}


@pytest.mark.parametrize(
    ("raw", "byte"),
    [
        ("name: café\n".encode("latin-1"), 9),
        ("name: x\n".encode("utf-16"), 0),
        (b"a: 1\n\xff\xfe\x00", 5),
    ],
)
def test_text_that_is_not_utf8_names_the_first_bad_byte(tmp_path, raw, byte):
    refused(write(tmp_path, raw), f"not UTF-8 text (byte {byte})")


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    assert read_mapping(write(tmp_path, b"\xef\xbb\xbfname: caf\xc3\xa9\n")) == {"name": "café"}


def test_yaml_syntax_errors_name_line_and_column(tmp_path):
    err = refused(write(tmp_path, "a: 1\nb: [1, 2\n"), "YAML syntax error")
    assert err.field is not None and err.field.startswith("line ")


def test_a_control_character_is_one_line(tmp_path):
    err = refused(write(tmp_path, "a: 1\nb: \x01\n"), "not allowed")
    assert err.field == "line 2"


@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        ("a: 1\nb: 2\na: 3\n", 3, "a"),
        ("top:\n  x: 1\n  y: 2\n  x: 1\n", 4, "x"),
        ("changes:\n  2024-01: 1\n  2024-01: 2\n", 3, "2024-01"),
    ],
)
def test_duplicate_keys_name_the_key_and_line(tmp_path, text, line, key):
    err = refused(write(tmp_path, text), f"duplicate key '{key}'")
    assert err.field.startswith(f"line {line},")


def test_a_merge_key_may_repeat_what_it_overrides(tmp_path):
    text = "base: &b {x: 1, y: 2}\nchild:\n  <<: *b\n  x: 5\n"
    assert read_mapping(write(tmp_path, text))["child"] == {"x": 5, "y": 2}


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("start: 2024-02-30\n", 1),
        ("opex:\n  changes:\n    2023-02-29: 5\n", 3),  # as the key of a dated map
    ],
)
def test_a_calendar_invalid_date_is_one_line(tmp_path, text, line):
    err = refused(write(tmp_path, text), "not a calendar date")
    assert err.field.startswith(f"line {line},")


def test_python_tags_are_refused_and_never_run(tmp_path):
    marker = tmp_path / "ran"
    text = f"a: !!python/object/apply:os.system ['touch {marker}']\n"
    refused(write(tmp_path, text), "could not determine a constructor")
    assert not marker.exists()


def alias_bomb(levels: int, width: int = 10) -> str:
    lines = [f"l0: &l0 [{', '.join(['1'] * width)}]"]
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_without_expanding_it(tmp_path):
    # 10**9 values once expanded, 90 nodes written: refused from the composed graph
    err = refused(write(tmp_path, alias_bomb(9)), f"more than {limits.MAX_YAML_NODES:,} values")
    assert err.field.startswith("line ")


def test_aliases_under_the_limit_are_fine(tmp_path):
    data = read_mapping(write(tmp_path, alias_bomb(3)))  # 10 + 100 + 1000 values
    assert len(data["l2"]) == 10 and data["l2"][0] == [[1] * 10] * 10


def test_a_self_referring_alias_is_refused(tmp_path):
    refused(write(tmp_path, "a: &a [1, *a]\n"), "refers to itself")


def test_too_many_written_nodes_are_refused(tmp_path):
    text = "a: [" + ",".join(["1"] * (limits.MAX_YAML_NODES + 1)) + "]\n"
    refused(write(tmp_path, text), "more than")


@pytest.mark.parametrize("depth", [limits.MAX_DEPTH + 1, 5_000])
def test_deep_nesting_is_refused_without_a_recursion_error(tmp_path, depth):
    refused(write(tmp_path, "a: " + "[" * depth + "]" * depth + "\n"), "nested deeper than")


def test_nesting_at_the_limit_is_read(tmp_path):
    depth = limits.MAX_DEPTH - 2  # the top mapping and the key ``a`` are two levels
    data = read_mapping(write(tmp_path, "a: " + "[" * depth + "]" * depth + "\n"))
    assert count_nodes(data)[1] == limits.MAX_DEPTH - 1  # the innermost list is empty


def test_deep_nesting_through_aliases_is_refused(tmp_path):
    lines = ["l0: &l0 [1]"] + [f"l{i}: &l{i} [*l{i - 1}]" for i in range(1, 60)]
    refused(write(tmp_path, "\n".join(lines) + "\n"), "nested deeper than")


@pytest.mark.parametrize(("text", "words"), [("", "mapping"), ("- 1\n", "mapping")])
def test_the_top_level_must_be_a_mapping(tmp_path, text, words):
    refused(write(tmp_path, text), words)


def test_the_document_knows_the_line_of_each_key(tmp_path):
    doc = read_document(write(tmp_path, "a:\n  b: 1\n  c:\n    - x\n    - y\n"))
    assert doc.line_of(["a", "b"]) == 2
    assert doc.line_of(["a", "c", 1]) == 5
    assert doc.line_of(["a", "zz"]) is None  # only a path written in full has a line


def test_parse_value_is_bounded_the_same_way():
    with pytest.raises(ConfigError, match="not a calendar date: 2024-02-30"):
        parse_value("2024-02-30", "override")
    assert parse_value("[1, 2]", "override") == [1, 2]


def test_check_bounded_counts_shared_objects_each_time_they_appear():
    shared = [1] * 1000
    bomb = [[shared] * 1000] * 1000  # 10**9 values in a few KB of Python objects
    with pytest.raises(ConfigError, match="more than"):
        check_bounded(bomb, "<mapping>")
    deep: list = []
    for _ in range(limits.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(ConfigError, match="nested deeper"):
        check_bounded({"a": deep}, "<mapping>")


@st.composite
def trees(draw, depth: int = 0):
    if depth >= 4 or draw(st.booleans()):
        return draw(st.integers(0, 9))
    children = draw(st.lists(trees(depth + 1), max_size=4))
    if draw(st.booleans()):
        return children
    return {f"k{i}": c for i, c in enumerate(children)}


def _by_hand(value) -> tuple[int, int]:
    if isinstance(value, dict):
        inner = [_by_hand(x) for pair in value.items() for x in pair]
    elif isinstance(value, list):
        inner = [_by_hand(x) for x in value]
    else:
        return 1, 1
    return 1 + sum(n for n, _ in inner), 1 + max((d for _, d in inner), default=0)


@settings(max_examples=60, deadline=None)
@given(trees())
def test_count_nodes_matches_a_recursive_count(tree):
    assert count_nodes(tree) == _by_hand(tree)


@settings(max_examples=60, deadline=None)
@given(trees())
def test_yaml_node_count_agrees_with_the_data(tree):
    import yaml

    data, root = parse(yaml.safe_dump({"t": tree}), "f")
    assert data == {"t": tree}
    assert root is not None
