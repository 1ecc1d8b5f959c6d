"""The file references (docs/scenario.md, docs/sweep-spec.md, docs/sensitivity-spec.md) are made
from the models' field docstrings: every field has one, the committed pages are current, and the
page speaks the user's words (no internal type names, no Python reprs)."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any, Literal

import pytest
from pydantic import Field

from sim.cli.schema import DOCS, page
from sim.config.reference import Page, render, sections, undocumented
from sim.config.strict import Strict
from tests.support.cli_checks import assert_bad_input

ROOT = Path(__file__).resolve().parents[2]
KINDS = tuple(DOCS)


@pytest.mark.parametrize("kind", KINDS)
def test_every_field_has_a_docstring(kind):
    missing = undocumented(page(kind).model)
    for _, model, _ in page(kind).extra:
        missing += undocumented(model)
    assert not missing, (
        f"fields without a docstring (write one right under each field: meaning, unit): "
        f"{', '.join(missing)}"
    )


@pytest.mark.parametrize("kind", KINDS)
def test_committed_reference_is_current(kind):
    path = ROOT / DOCS[kind]
    made = render(page(kind))
    committed = path.read_text(encoding="utf-8") if path.exists() else ""
    if made != committed:
        diff = "".join(
            list(
                difflib.unified_diff(
                    committed.splitlines(True), made.splitlines(True), DOCS[kind], "made"
                )
            )[:40]
        )
        pytest.fail(
            f"{DOCS[kind]} is stale; regenerate it from the project's root with\n"
            f"    scaleup schema --kind {kind} --out {DOCS[kind]}\n{diff}",
            pytrace=False,
        )


INTERNAL = re.compile(
    r"typing\.|Annotated|Literal\[|NoneType|PydanticUndefined|FieldInfo|<class|datetime"
    r"|\bdict\[|\blist\[|\bfloat\b|\bstr\b|\bint\b|\bbool\b|\bdate\(|default_factory"
)


@pytest.mark.parametrize("kind", KINDS)
def test_page_names_no_internal_type(kind):
    text = render(page(kind))
    assert not INTERNAL.findall(text)
    camel = {s.model.__name__ for s in sections(page(kind))}
    camel = {n for n in camel if sum(c.isupper() for c in n) > 1}  # ConstantDemand, not Input
    assert camel and not [n for n in camel if re.search(rf"\b{n}\b", text)]


@pytest.mark.parametrize("kind", KINDS)
def test_every_key_has_one_row_per_table(kind):
    for section in sections(page(kind)):
        keys = [info.alias or name for name, info in section.model.model_fields.items()]
        assert len(keys) == len(set(keys))
    text = render(page(kind))
    for line in text.splitlines():
        if line.startswith("| `"):
            assert line.count(" | ") == 4, line  # five cells: no stray '|' in a meaning


def test_discriminated_unions_get_one_table_per_kind():
    headings = [s for s in sections(page("scenario")) if s.path == "factory.lines.<name>.ramp"]
    assert [s.choice for s in headings] == [
        "kind: logistic",
        "kind: linear",
        "kind: step",
        "kind: table",
    ]
    demand = [s.choice for s in sections(page("scenario")) if s.path == "demand"]
    assert demand == ["kind: constant", "kind: bass", "kind: table"]
    dists = [s.choice for s in sections(page("sweep")) if s.path == "sample.params.<path>"]
    assert dists == [
        f"dist: {d}" for d in ("uniform", "normal", "triangular", "lognormal", "discrete")
    ]


# --------------------------------------------------------------------------- the generator
class _Sub(Strict):
    """A sub-section."""

    kind: Literal["a"]
    """Selects a."""
    when: dt.date = dt.date(2024, 5, 1)
    """A month."""


class _Other(Strict):
    kind: Literal["b"]
    """Selects b."""


class _Toy(Strict):
    """A toy file."""

    count: Annotated[int, Field(ge=1, le=12_000)] = 3
    """How many | of them."""
    share: Annotated[float, Field(gt=0, lt=1)]
    """A ``share``,
    over two lines."""
    names: Annotated[list[Literal["x", "y"]], Field(min_length=1)] = Field(
        default_factory=lambda: ["x"]
    )
    """Some names."""
    amounts: Annotated[dict[str, Annotated[float, Field(ge=0)]], Field(max_length=5)] = Field(
        default_factory=dict
    )
    """Amounts by name."""
    pick: Annotated[_Sub | _Other, Field(discriminator="kind")]
    """One of two."""
    sub: _Sub | None = None
    """Optional."""
    flag: bool = False
    """A switch."""
    note: str = ""
    """Free text."""
    anything: Any = None
    """Whatever."""


def test_rows_in_plain_words():
    text = render(Page("Toy", "Intro line.", _Toy, defaults={"note": "the file's name"}))
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert rows[:9] == [
        "| `count` | integer | 1 to 12,000 | `3` | How many \\| of them. |",
        "| `share` | number | above 0, below 1 | required | A `share`, over two lines. |",
        "| `names` | list of values among `x`, `y` | at least 1 item | `[x]` | Some names. |",
        "| `amounts` | map of name -> number | at most 5 entries; each at least 0 | none "
        "| Amounts by name. |",
        "| `pick` | mapping by `kind` (tables below) |  | required | One of two. |",
        "| `sub` | mapping (table below) |  | none | Optional. |",
        "| `flag` | true or false |  | `false` | A switch. |",
        "| `note` | text |  | the file's name | Free text. |",
        "| `anything` | any value |  | none | Whatever. |",
    ]
    assert rows[9:] == [
        "| `pick.kind` | `a` |  | required | Selects a. |",
        "| `pick.when` | date YYYY-MM or YYYY-MM-DD |  | `2024-05` | A month. |",
        "| `pick.kind` | `b` |  | required | Selects b. |",
        "| `sub.kind` | `a` |  | required | Selects a. |",
        "| `sub.when` | date YYYY-MM or YYYY-MM-DD |  | `2024-05` | A month. |",
    ]
    assert "## `pick` with `kind: a`" in text and "## `pick` with `kind: b`" in text
    assert text.startswith("# Toy\n\nIntro line.\n\n## Top level\n\nA toy file.\n")
    assert undocumented(_Toy) == []


def test_undocumented_names_the_field():
    class Bare(Strict):
        documented: int = 0
        """Yes."""
        bare: int = 0

    assert undocumented(Bare) == ["Bare.bare"]


# --------------------------------------------------------------------------- the command
def _scaleup(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_command_prints_and_writes_the_page(tmp_path):
    printed = _scaleup("schema", "--kind", "sweep", cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == render(page("sweep"))
    wrote = _scaleup("schema", "--out", "ref/scenario.md", cwd=tmp_path)
    assert wrote.returncode == 0 and wrote.stdout == "", wrote.stderr
    assert (tmp_path / "ref" / "scenario.md").read_text(encoding="utf-8") == render(
        page("scenario")
    )
    assert sorted(p.name for p in (tmp_path / "ref").iterdir()) == ["scenario.md"]


def test_command_refuses_a_folder_as_output(tmp_path):
    (tmp_path / "docs").mkdir()
    line = assert_bad_input(["schema", "--out", "docs"], tmp_path, mentions=["docs"])
    assert "folder" in line


def test_command_refuses_an_unknown_kind(tmp_path):
    proc = _scaleup("schema", "--kind", "calibration", cwd=tmp_path)
    assert proc.returncode == 2 and "calibration" in proc.stderr
    assert list(tmp_path.iterdir()) == []
