"""Every column of every output file is documented with its unit (issue 11 item 3).

Each file's columns come from the code (the sensitivity tables' column lists) or from the real
outputs of a tiny run and a tiny sweep (two deterministic runs, a second or so). They must be
named in that file's table of the docs: a heading naming the file and "columns", then a
``| column | unit | meaning |`` table whose first cell names the columns in code spans.
``<name>`` in a documented name stands for a word (``breakeven_<kind>_index``); a placeholder
with a dot (``<dotted.path>``) stands for a factor's dotted path. The run folder's monthly
columns are in README.md's "Monthly columns" table.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from sim.analysis.oat import OAT_COLUMNS
from sim.analysis.sobol import SOBOL_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
SPAN = re.compile(r"`([^`]+)`")
PLACEHOLDER = re.compile(r"<([^>]+)>")
TITLE = ("#", "**")
"""A heading, or a bold line opening a paragraph (README's "**Monthly columns**")."""
HEADER = ("column", "columns", "---")


def column_table(page: Path, heading: str) -> list[str]:
    """The names in code spans in the first cell of the table under the (first) heading that
    contains ``heading``; each row must give a unit."""
    lines = page.read_text(encoding="utf-8").splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith(TITLE) and heading in line]
    assert starts, f"{page.name}: no heading naming {heading!r}"
    names: list[str] = []
    for line in lines[starts[0] + 1 :]:
        if line.startswith(TITLE):
            break
        cells = line.split("|")
        if line.startswith("|") and len(cells) > 3 and cells[1].strip() not in HEADER:
            assert cells[2].strip(), f"{page.name}: {cells[1].strip()} has no unit"
            names += SPAN.findall(cells[1])
    assert names, f"{page.name}: no column table under {heading!r}"
    return names


def pattern(name: str) -> re.Pattern[str]:
    """A documented name as a regex: ``<kind>`` a word, ``<dotted.path>`` a dotted path."""
    parts, last = [], 0
    for m in PLACEHOLDER.finditer(name):
        parts.append(re.escape(name[last : m.start()]))
        parts.append(r"[\w-]+(?:\.[\w-]+)+" if "." in m.group(1) else r"[a-z0-9]+(?:_[a-z0-9]+)*")
        last = m.end()
    parts.append(re.escape(name[last:]))
    return re.compile("".join(parts))


def undocumented(columns: list[str], documented: list[str]) -> list[str]:
    patterns = [pattern(n) for n in documented]
    return [c for c in columns if not any(p.fullmatch(c) for p in patterns)]


def test_a_placeholder_matches_only_its_shape():
    assert undocumented(["breakeven_gross_profit_index"], ["breakeven_<kind>_index"]) == []
    assert undocumented(["breakeven_x"], ["breakeven_<kind>_index"]) == ["breakeven_x"]
    assert undocumented(["a.b_c.d"], ["<dotted.path>"]) == []
    assert undocumented(["no_dot"], ["<dotted.path>"]) == ["no_dot"]


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> Path:
    """A tiny deterministic sweep: two variants (so a baseline comparison), a one-value grid
    (so a factor column), every run's monthly table kept."""
    from sim.experiments import run_sweep

    out = tmp_path_factory.mktemp("cols") / "sweep"
    spec = {
        "name": "cols",
        "base": str(ROOT / "configs" / "xiaomi_su7.yaml"),
        "mode": "deterministic",
        "replications": 1,
        "variants": {"a": {}, "b": {"set": {"price.asp_usd.base": 33000}}},
        "grid": {"costs.components.direct_labour.progress_ratio": [0.86]},
        "outputs": {"full_monthly": True},
    }
    run_sweep(spec, executor="serial", out=out, progress=False)
    return out


def columns_of(path: Path) -> list[str]:
    frame = pd.read_csv(path) if path.suffix == ".csv" else pd.read_parquet(path)
    return [str(c) for c in frame.columns]


@pytest.mark.parametrize("name", ["runs.parquet", "points.csv", "comparison.csv", "bands.parquet"])
def test_every_sweep_table_column_is_documented(sweep, name):
    columns = columns_of(sweep / name)
    assert "costs.components.direct_labour.progress_ratio" in columns or name == "bands.parquet"
    documented = column_table(ROOT / "docs" / "experiments.md", f"`{name}` columns")
    assert undocumented(columns, documented) == [], f"docs/experiments.md, {name}"


def test_a_sweeps_monthly_parquet_is_its_ids_and_the_runs_monthly_columns(sweep):
    columns = columns_of(sweep / "monthly.parquet")
    documented = column_table(ROOT / "docs" / "experiments.md", "`monthly.parquet` columns")
    monthly = column_table(ROOT / "README.md", "Monthly columns")
    assert undocumented(columns, documented + monthly) == []


@pytest.mark.parametrize(
    ("name", "columns"), [("oat.csv", OAT_COLUMNS), ("sobol.csv", SOBOL_COLUMNS)]
)
def test_every_sensitivity_table_column_is_documented(name, columns):
    documented = column_table(ROOT / "docs" / "sensitivity.md", f"`{name}` columns")
    assert undocumented(list(columns), documented) == [], f"docs/sensitivity.md, {name}"


def test_every_run_folder_column_is_documented(tiny_run):
    result = tiny_run()
    monthly = column_table(ROOT / "README.md", "Monthly columns")
    assert undocumented([str(c) for c in result.monthly.columns], monthly) == []
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    row = next(line for line in readme if line.startswith("| `quarterly.csv` |"))
    quarterly = [str(c) for c in result.quarterly.columns]
    assert undocumented(quarterly, monthly + SPAN.findall(row)) == []


def test_every_lineup_table_column_is_documented():
    """The two-product scenario's tables: its monthly columns (refunds, shared opex, company)
    in "Monthly columns", the per-product and per-trim ones in "Product and trim columns"."""
    from sim import load_scenario, simulate

    result = simulate(load_scenario(ROOT / "configs" / "xiaomi_su7_suv.yaml"))
    monthly = column_table(ROOT / "README.md", "Monthly columns")
    products = column_table(ROOT / "README.md", "Product and trim columns")
    assert {"deposit_refunds", "opex_shared", "company_net_income"} <= set(result.monthly)
    assert undocumented([str(c) for c in result.monthly.columns], monthly) == []
    for stem, table in result.lineup_tables.items():
        assert undocumented([str(c) for c in table.columns], products) == [], stem


def test_a_sweep_of_line_ups_documents_its_product_columns(tmp_path):
    """Two deterministic runs of the two-product scenario: its per-product columns of
    ``runs.parquet`` are in docs/experiments.md, one set per product."""
    from sim.experiments import run_sweep

    spec = {
        "name": "lineup_cols",
        "base": str(ROOT / "configs" / "xiaomi_su7_suv.yaml"),
        "mode": "deterministic",
        "grid": {"factory.allocation.order": [["suv", "su7"], ["su7", "suv"]]},
    }
    run_sweep(spec, executor="serial", out=tmp_path / "sweep", progress=False)
    columns = columns_of(tmp_path / "sweep" / "runs.parquet")
    ours = [c for c in columns if c.startswith("product_")]
    assert len(ours) == 2 * 6 and "product_suv_total_deliveries" in ours
    documented = column_table(ROOT / "docs" / "experiments.md", "`runs.parquet` columns")
    assert undocumented(columns, documented) == []
