"""Bad input: exit status 2, one line on stderr naming the file and the field, nothing written.

Each bad file is the default scenario's text with one line broken, written into tmp_path.
"""

from __future__ import annotations

import re

import pytest

from sim.config.load import DEFAULT_SCENARIO

# name: (key whose first line to break, the value it must hold now (regex), new line, field)
BROKEN_LINES = {
    "yaml_syntax": ("p", r".*", "p: [0.008", "line "),
    "unknown_key": (
        "logistics_lag_days",
        r".*",
        "logistic_lag_days: 7",
        "factory.logistic_lag_days",
    ),
    "wrong_type": ("horizon_months", r".*", "horizon_months: sixty", "horizon_months"),
    "negative_capacity": (
        "capacity_per_year",
        r".*",
        "capacity_per_year: -150000",
        "factory.lines.phase1.capacity_per_year",
    ),
    "zero_capacity": (
        "capacity_per_year",
        r".*",
        "capacity_per_year: 0",
        "factory.lines.phase1.capacity_per_year",
    ),
    "zero_ramp_months": ("months", r".*", "months: 0", "factory.lines.phase1.ramp.months"),
    "negative_ramp_months": ("months", r".*", "months: -2", "factory.lines.phase1.ramp.months"),
    "progress_ratio_0": (
        "progress_ratio",
        r".*",
        "progress_ratio: 0",
        "costs.components.body_and_parts.progress_ratio",
    ),
    "progress_ratio_1.5": (
        "progress_ratio",
        r".*",
        "progress_ratio: 1.5",
        "costs.components.body_and_parts.progress_ratio",
    ),
    "progress_ratio_-0.1": (
        "progress_ratio",
        r".*",
        "progress_ratio: -0.1",
        "costs.components.body_and_parts.progress_ratio",
    ),
    "bad_month": ("start", r".*", "start: 2024-13", "start"),
    "bad_date_text": ("date", r".*", "date: June 2023", "factory.lines.phase1.capex.date"),
    "horizon_over_600": ("horizon_months", r".*", "horizon_months: 601", "horizon_months"),
    "unknown_demand_kind": ("kind", r"\s*bass.*", "kind: cubic", "demand.kind"),
    "unknown_ramp_kind": (
        "kind",
        r"\s*logistic.*",
        "kind: cubic",
        "factory.lines.phase1.ramp.kind",
    ),
}


def broken_copy(tmp_path, key: str, current: str, line: str):
    text = DEFAULT_SCENARIO.read_text(encoding="utf-8")
    pattern = rf"^(\s*){re.escape(key)}:(?={current})[^#\n]*"
    new, n = re.subn(pattern, lambda m: f"{m.group(1)}{line} ", text, count=1, flags=re.M)
    assert n == 1, f"no line '{key}: {current}' in {DEFAULT_SCENARIO}"
    path = tmp_path / "bad.yaml"
    path.write_text(new, encoding="utf-8")
    return path


def assert_one_line_error(proc, *names: str) -> str:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    for name in names:
        assert name in lines[0], (name, lines[0])
    return lines[0]


def assert_nothing_written(tmp_path, *inputs: str) -> None:
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(inputs)


# every case runs through ``python -m sim``; these also through the ``scaleup`` script
THROUGH_SCRIPT = ("yaml_syntax", "unknown_key", "progress_ratio_1.5", "unknown_ramp_kind")
CASES = [(case, "python -m sim") for case in BROKEN_LINES] + [
    (case, "scaleup") for case in THROUGH_SCRIPT
]


@pytest.mark.parametrize(("case", "entry"), CASES)
def test_bad_file(case, entry, tmp_path, cli):
    key, current, line, field = BROKEN_LINES[case]
    bad = broken_copy(tmp_path, key, current, line)
    proc = cli(["run", bad.name, "--out", "out", "--no-figures"], cwd=tmp_path, entry=entry)
    message = assert_one_line_error(proc, "bad.yaml", field)
    if case == "unknown_key":
        assert "did you mean 'logistics_lag_days'" in message
    assert_nothing_written(tmp_path, "bad.yaml")


@pytest.mark.parametrize("entry", ["python -m sim", "scaleup"])
def test_missing_file(entry, tmp_path, cli):
    proc = cli(["run", "nowhere.yaml", "--out", "out"], cwd=tmp_path, entry=entry)
    assert_one_line_error(proc, "nowhere.yaml", "not found")
    assert_nothing_written(tmp_path)


@pytest.mark.parametrize(
    ("assignment", "field", "entry"),
    [
        ("factory.lines.phase9.ramp.months=3", "factory.lines.phase9", "python -m sim"),
        ("factory.lines.phase1.ramp.monthz=3", "factory.lines.phase1.ramp.monthz", "scaleup"),
    ],
)
def test_set_path_that_does_not_exist(assignment, field, entry, tmp_path, cli):
    config = tmp_path / "su7.yaml"
    config.write_text(DEFAULT_SCENARIO.read_text(encoding="utf-8"), encoding="utf-8")
    args = ["run", config.name, "--set", assignment, "--out", "out"]
    proc = cli(args, cwd=tmp_path, entry=entry)
    # the error names the option, its path and (as a bad --set value does) the file
    assert_one_line_error(proc, "--set", field, "su7.yaml")
    assert_nothing_written(tmp_path, "su7.yaml")


def test_bad_set_value_blames_the_option(tmp_path, cli):
    config = tmp_path / "su7.yaml"
    config.write_text(DEFAULT_SCENARIO.read_text(encoding="utf-8"), encoding="utf-8")
    proc = cli(["run", config.name, "--set", "horizon_months=0", "--out", "out"], cwd=tmp_path)
    assert_one_line_error(proc, "--set", "su7.yaml", "horizon_months")
    assert_nothing_written(tmp_path, "su7.yaml")


def test_debug_shows_the_traceback(tmp_path, cli):
    key, current, line, _ = BROKEN_LINES["unknown_ramp_kind"]
    bad = broken_copy(tmp_path, key, current, line)
    proc = cli(["--debug", "run", bad.name, "--out", "out"], cwd=tmp_path)
    assert proc.returncode != 0
    assert "Traceback (most recent call last)" in proc.stderr
    assert "ConfigError" in proc.stderr
    assert_nothing_written(tmp_path, "bad.yaml")


def test_seed_and_deterministic_together_are_refused(tmp_path, cli):
    proc = cli(["run", "--seed", "3", "--deterministic", "--out", "out"], cwd=tmp_path)
    assert_one_line_error(proc, "--seed")
    assert_nothing_written(tmp_path)
