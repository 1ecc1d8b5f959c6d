"""Fuzzed scenario files: whatever the bytes, exit 0 or 2, a few lines, never a traceback.

Trees are random YAML built from scalars, lists and mappings whose keys are partly the real field
names of the shipped scenario, so many examples get past the parser into the schema and model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from conftest import REPO_CONFIGS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.cli_checks import cli, describe, stderr_lines


def _field_names(node: Any) -> set[str]:
    names: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            names.add(str(key))
            names |= _field_names(value)
    return names


FIELDS = sorted(
    _field_names(yaml.safe_load((REPO_CONFIGS / "xiaomi_su7.yaml").read_text(encoding="utf-8")))
)
ODD = ["2024-02-30", "1e308", "-1e308", "9" * 40, ".nan", "-.inf", "", "~", "*a", "YYYY-MM"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(ODD),
    st.dates().map(str),
)
keys = st.one_of(st.sampled_from(FIELDS), st.text(min_size=1, max_size=10))
trees = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=30,
)
top_levels = st.dictionaries(keys, trees, max_size=6)
scenarios = st.one_of(
    top_levels,
    top_levels.map(lambda d: {"extends": "small.yaml", **d}),
    trees,
)

FUZZ = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _assert_calm(proc, files: int = 1) -> None:
    """Exit 0 or 2, at most three lines on stderr per file checked, no traceback."""
    assert proc.returncode in (0, 2), describe(proc)
    assert "Traceback" not in proc.stderr + proc.stdout, describe(proc)
    assert len(stderr_lines(proc)) <= 3 * files, describe(proc)


def _validate(work: Path, contents: list[bytes]) -> None:
    """One ``validate`` over every file (one start-up for several examples)."""
    names = []
    for i, content in enumerate(contents):
        (work / f"fuzz{i}.yaml").write_bytes(content)
        names.append(f"fuzz{i}.yaml")
    _assert_calm(cli(["validate", *names], work, timeout=30), files=len(names))


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@FUZZ
@given(docs=st.lists(scenarios, min_size=1, max_size=4))
def test_validate_random_trees(work: Path, docs: list[Any]) -> None:
    _validate(work, [_dump(d).encode("utf-8") for d in docs])


@settings(FUZZ, max_examples=6)
@given(raws=st.lists(st.binary(max_size=2000), min_size=1, max_size=4))
def test_validate_random_bytes(work: Path, raws: list[bytes]) -> None:
    _validate(work, raws)


PATHS = [
    "horizon_months",
    "launch.preorders",
    "launch.firm_share",
    "demand.q",
    "patience.monthly_cancel_rate",
    "factory.finished_goods_target",
    "factory.lines.phase1.ramp.months",
    "factory.lines.phase1.capacity_per_year",
    "factory.yield.initial",
    "price.asp_usd.base",
    "costs.components.direct_labour.progress_ratio",
]


@settings(FUZZ, max_examples=3)
@given(changes=st.dictionaries(st.sampled_from(PATHS), scalars, min_size=1, max_size=3))
def test_run_with_random_values(work: Path, changes: dict[str, Any]) -> None:
    sets = [f"{path}={_dump(value).strip()}" for path, value in changes.items()]
    args = ["run", "small.yaml", "--no-figures", "--out", "out"]
    for assignment in sets:
        args += ["--set", assignment]
    _assert_calm(cli(args, work, timeout=60))
