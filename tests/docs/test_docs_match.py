"""Docs that match (issue 11 item 9): every command, flag and file that README.md or a page of
docs/ names must exist.

In code spans and code blocks, each ``scaleup <command> ...`` (or ``python -m sim ...``) is
checked against the real parser (:func:`sim.cli.main.build_parser`): the command exists, each
``--flag`` is one of its options, and a synopsis (a command written with ``[--option]``
brackets) lists every option the command has. Every repository path written in a code span or a
code block (``configs/...``, ``docs/...``, ``tests/...``, ``sim/...``, ``notebooks/...``,
``benchmarks/...``; ``<name>`` and ``*`` match any name) and every link target must exist.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from sim.cli.main import build_parser

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TOP_FOLDERS = ("configs", "docs", "tests", "sim", "notebooks", "benchmarks")

FENCE = re.compile(r"^\s*(```|~~~)")
SPAN = re.compile(r"(`+)(.+?)\1")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
COMMAND = re.compile(r"(?<![\w/.-])(?:scaleup|python -m sim)(?=\s|$)")
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
PATH = re.compile(rf"(?<![\w./<>-])((?:{'|'.join(TOP_FOLDERS)})/(?:<[^>]*>|[^\s`'\"(),;|\]<])*)")
UP = re.compile(r"(?<![\w./-])(\.\./[^\s`'\"(),;|]*)")
"""A path that climbs out of where it is written: outside the repository, a clone lacks it."""


@dataclass(frozen=True)
class Code:
    """A piece of code a page shows: an inline span or a line of a block."""

    page: str
    line: int
    text: str
    block: bool

    def where(self) -> str:
        return f"{self.page}:{self.line}"


def code_of(name: str, text: str) -> Iterator[Code]:
    """The code spans and code-block lines of a markdown page; a block line that starts with
    whitespace and an option (``[--x]``, ``--x``) continues the command above it."""
    in_block = False
    held: Code | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if FENCE.match(line):
            in_block = not in_block
            if held is not None:
                yield held
                held = None
            continue
        if in_block:
            if held is not None and line[:1].isspace() and line.strip().startswith(("[-", "--")):
                held = Code(name, held.line, f"{held.text} {line.strip()}", True)
                continue
            if held is not None:
                yield held
            held = Code(name, number, line, True)
            continue
        for match in SPAN.finditer(line):
            yield Code(name, number, match.group(2), False)
    if held is not None:
        yield held


def links_of(text: str) -> Iterator[tuple[int, str]]:
    """Link and image targets outside code, by line."""
    in_block = False
    for number, line in enumerate(text.splitlines(), start=1):
        if FENCE.match(line):
            in_block = not in_block
            continue
        if not in_block:
            for match in LINK.finditer(SPAN.sub("", line)):
                yield number, match.group(1)


# --------------------------------------------------------------------------- the real parser
@cache
def commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    found = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(found.choices)


def options(parser: argparse.ArgumentParser) -> list[tuple[str, ...]]:
    """The option strings of each option a parser shows (``--help`` left out)."""
    return [
        tuple(a.option_strings)
        for a in parser._actions
        if a.option_strings and a.help != argparse.SUPPRESS and "--help" not in a.option_strings
    ]


def every_option() -> set[str]:
    out = {s for opts in options(build_parser()) for s in opts} | {"--help"}
    for parser in commands().values():
        out |= {s for opts in options(parser) for s in opts}
    return out


@dataclass(frozen=True)
class Use:
    """One ``scaleup`` command line written in a page."""

    code: Code
    command: str | None  # None: a placeholder (``COMMAND``) or none named
    flags: tuple[str, ...]
    synopsis: bool


def uses_in(code: Code) -> Iterator[Use]:
    text = code.text
    for match in COMMAND.finditer(text):
        rest = text[match.end() :]
        rest = re.split(r"&&|;|\s#\s", rest, maxsplit=1)[0]
        if code.block:
            rest = rest.split(" # ")[0]
        words = rest.split()
        while words and words[0].startswith("--"):
            words.pop(0)  # options of scaleup itself (--debug)
        first = words[0] if words else ""
        command = first if re.fullmatch(r"[a-z][a-z-]*", first) else None
        yield Use(code, command, tuple(FLAG.findall(rest)), "[--" in rest)


def command_problems(codes: list[Code]) -> list[str]:
    problems = []
    known = commands()
    anywhere = every_option()
    for code in codes:
        for use in uses_in(code):
            if use.command is None:
                problems += [
                    f"{code.where()}: no scaleup command has {flag}"
                    for flag in use.flags
                    if flag not in anywhere
                ]
                continue
            if use.command not in known:
                problems.append(f"{code.where()}: no command `scaleup {use.command}`")
                continue
            own = {s for opts in options(known[use.command]) for s in opts} | {"--help"}
            top = {s for opts in options(build_parser()) for s in opts}
            problems += [
                f"{code.where()}: `scaleup {use.command}` has no {flag}"
                for flag in use.flags
                if flag not in own | top
            ]
            if use.synopsis:
                missing = [
                    opts[-1]
                    for opts in options(known[use.command])
                    if not set(opts) & set(use.flags)
                ]
                if missing:
                    problems.append(
                        f"{code.where()}: the synopsis of `scaleup {use.command}` misses"
                        f" {', '.join(missing)}"
                    )
    return problems


# --------------------------------------------------------------------------- files
def path_problems(codes: list[Code], root: Path = ROOT) -> list[str]:
    problems = []
    for code in codes:
        for match in PATH.finditer(code.text):
            written = match.group(1).rstrip(".:")
            if "..." in written:
                continue
            pattern = re.sub(r"<[^>]*>", "*", written).rstrip("/")
            exists = any(root.glob(pattern)) if "*" in pattern else (root / pattern).exists()
            if not exists:
                problems.append(f"{code.where()}: no such file or folder: {written}")
        for match in UP.finditer(code.text):
            written = match.group(1).rstrip(".:")
            page = root / code.page
            if not (page.parent / written).resolve().is_relative_to(root.resolve()):
                problems.append(f"{code.where()}: outside the repository: {written}")
    return problems


def link_problems(page: Path, root: Path = ROOT) -> list[str]:
    problems = []
    for number, target in links_of(page.read_text(encoding="utf-8")):
        if re.match(r"^[a-z][a-z+.-]*:", target) or target.startswith("#"):
            continue  # a web address or an anchor of the page itself
        path = target.split("#")[0]
        if not (page.parent / path).exists():
            problems.append(f"{page.relative_to(root)}:{number}: broken link: {target}")
    return problems


def page_codes(page: Path) -> list[Code]:
    return list(code_of(str(page.relative_to(ROOT)), page.read_text(encoding="utf-8")))


# --------------------------------------------------------------------------- the tests
IDS = [str(p.relative_to(ROOT)) for p in PAGES]


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_every_command_and_flag_a_page_names_exists(page):
    problems = command_problems(page_codes(page))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_every_file_a_page_names_exists(page):
    problems = path_problems(page_codes(page)) + link_problems(page)
    assert not problems, "\n".join(problems)


def test_the_pages_name_commands_and_files_at_all():
    # the checks above pass vacuously if nothing is found: the README names both
    codes = page_codes(ROOT / "README.md")
    assert {u.command for c in codes for u in uses_in(c)} >= {"run", "sweep", "plot"}
    assert any(PATH.search(c.text) for c in codes)


SAMPLE = """\
Run `scaleup run --frobnicate`, then `scaleup fly`; see `tests/no/such_test.py` and
[the guide](no-such-page.md). Fine: `scaleup run --seed 3`, `configs/sweeps/*.yaml`,
`outputs/<name>/`, `scaleup COMMAND --help`, `configs/variants/<a name>.yaml`, `../README.md`.
Not in a clone: `../../shared/facts.md`.

```
scaleup sweep SWEEP.yaml [--executor serial|processes|dask]
                         [--workers N]
$ scaleup --debug plot DIR   # a comment --nope
scaleup: error: --whatever (an error message is no command)
```
"""


def test_the_checker_catches_what_it_is_for(tmp_path):
    page = tmp_path / "docs" / "page.md"
    page.parent.mkdir()
    page.write_text(SAMPLE, encoding="utf-8")
    codes = list(code_of("docs/page.md", SAMPLE))
    problems = command_problems(codes)
    assert "docs/page.md:1: `scaleup run` has no --frobnicate" in problems
    assert "docs/page.md:1: no command `scaleup fly`" in problems
    # the two-line synopsis is one command; it lists two of the sweep's options
    synopsis = next(p for p in problems if "synopsis of `scaleup sweep`" in p)
    assert synopsis.startswith("docs/page.md:7:")
    assert "--workers" not in synopsis and "--executor" not in synopsis
    assert "--resume" in synopsis and "--svg" in synopsis
    assert not [p for p in problems if "--nope" in p or "--whatever" in p or "--seed" in p]
    assert len(problems) == 3
    files = path_problems(codes) + link_problems(page, root=tmp_path)
    assert files == [
        "docs/page.md:1: no such file or folder: tests/no/such_test.py",
        "docs/page.md:4: outside the repository: ../../shared/facts.md",
        "docs/page.md:2: broken link: no-such-page.md",
    ]
