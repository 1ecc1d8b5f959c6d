"""Bad observed files: one line naming the file and the field, exit status 2, nothing written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sim.calibrate.observed import parse_observed, parse_period
from sim.cli.main import main
from sim.config.load import DEFAULT_SCENARIO
from sim.errors import ConfigError

GOOD = (
    "period,deliveries,asp,gross_margin,operating_profit,fx\n"
    "2024Q2,27307,228644,0.154,-1.8e9,7.17\n"
)
BAD = {
    "unknown period format": ("period,deliveries\n2024-Q2,27307\n", "unknown period format"),
    "negative deliveries": ("period,deliveries\n2024Q2,-5\n", "cannot be negative"),
    "empty file": ("", "the file is empty"),
    "period outside the horizon": ("period,deliveries\n2031Q1,27307\n", "outside the horizon"),
    "duplicated period": ("period,deliveries\n2024Q2,1\n2024Q2,2\n", "duplicated period"),
    "margin in percent": ("period,gross_margin\n2024Q2,15.4\n", "not a percent"),
}


def _spec(tmp_path: Path, csv_text: str) -> Path:
    (tmp_path / "obs.csv").write_text(csv_text, encoding="utf-8")
    spec = tmp_path / "cal.yaml"
    spec.write_text(
        f"scenario: {DEFAULT_SCENARIO.as_posix()}\nobserved: obs.csv\n"
        "parameters:\n  opex.rnd_per_month_usd.base: {low: 4.0e7, high: 1.0e8}\n"
        "forecast: {draws: 0}\n",
        encoding="utf-8",
    )
    return spec


@pytest.mark.parametrize("case", list(BAD))
def test_bad_observed_file_is_one_line_exit_2(case, tmp_path, capsys):
    text, words = BAD[case]
    spec = _spec(tmp_path, text)
    out = tmp_path / "out"
    status = main(["calibrate", str(spec), "--out", str(out)])
    err = capsys.readouterr().err.strip()
    assert status == 2
    assert len(err.splitlines()) == 1, err
    assert "obs.csv" in err and words in err
    assert not out.exists()


def test_bad_file_through_the_command_no_traceback(tmp_path):
    spec = _spec(tmp_path, BAD["margin in percent"][0])
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "calibrate", str(spec), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "2024Q2: gross_margin" in proc.stderr


def test_money_is_divided_by_fx_and_missing_cells_are_allowed():
    obs = parse_observed(GOOD + "2024Q3,,,,,\n".replace(",,,,,", ",1,,,,7"), "x.csv")
    assert obs.value("2024Q2", "asp") == pytest.approx(228644 / 7.17)
    assert obs.value("2024Q2", "operating_profit") == pytest.approx(-1.8e9 / 7.17)
    assert obs.value("2024Q2", "deliveries") == 27307  # a count: no fx
    assert obs.value("2024Q3", "asp") is None
    assert [p.label for p in obs.periods] == ["2024Q2", "2024Q3"]


def test_periods_quarters_and_months():
    assert parse_period("2024Q2").months == ("2024-04", "2024-05", "2024-06")
    assert parse_period("2024-12").months == ("2024-12",)
    for bad in ("2024Q5", "2024-13", "24Q1", "2024/05"):
        with pytest.raises(ValueError):
            parse_period(bad)


def test_a_month_inside_a_reported_quarter_overlaps():
    with pytest.raises(ConfigError, match="overlaps 2024Q2"):
        parse_observed("period,deliveries\n2024Q2,1\n2024-05,2\n", "x.csv")


def test_unknown_column_suggests():
    with pytest.raises(ConfigError, match="did you mean 'deliveries'"):
        parse_observed("period,delivery\n2024Q2,1\n", "x.csv")
