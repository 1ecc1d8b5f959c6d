"""``--rolling`` on synthetic quarters: one row per origin, in order, and each origin's fit and
forecast use only the periods up to it."""

from __future__ import annotations

import pandas as pd

from sim.calibrate import calibrate
from tests.calibrate.test_calibrate_cli import TRUTH, _quarters, _spec

QUARTERS = ["2024Q2", "2024Q3", "2024Q4", "2025Q1"]


def _rolling(tmp_path, name):
    return calibrate(
        _spec(tmp_path),
        out=tmp_path / name,
        draws=3,
        rolling=True,
        executor="serial",
        figures=False,
    )


def test_rolling_origins_use_only_what_was_known_at_each(tmp_path):
    obs = _quarters(tmp_path, TRUTH, QUARTERS, 0.01)
    first = _rolling(tmp_path, "a")
    table = first.rolling
    assert list(table["origin"]) == QUARTERS  # one row per reported period, in order
    assert (tmp_path / "a" / "rolling.csv").exists()
    written = pd.read_csv(tmp_path / "a" / "rolling.csv", dtype=str)
    assert list(written["origin"]) == QUARTERS
    for q in QUARTERS:
        assert (tmp_path / "a" / "rolling" / q / "scenario.yaml").exists()

    # change the last quarter's operating result: only the last origin may see it
    lines = obs.read_text().splitlines()
    period, deliveries, margin, operating = lines[-1].split(",")
    assert period == QUARTERS[-1]
    lines[-1] = f"{period},{deliveries},{margin},{float(operating) * 1.5:.0f}"
    obs.write_text("\n".join(lines) + "\n")
    second = _rolling(tmp_path, "b")

    def fitted(name: str, origin: str) -> str:
        return (tmp_path / name / "rolling" / origin / "scenario.yaml").read_text()

    for origin in QUARTERS[:-1]:
        assert fitted("a", origin) == fitted("b", origin), origin
    assert fitted("a", QUARTERS[-1]) != fitted("b", QUARTERS[-1])
    pd.testing.assert_frame_equal(first.rolling.iloc[:-1], second.rolling.iloc[:-1])
