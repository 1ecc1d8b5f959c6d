"""``scaleup report``: one self-contained page per results folder, the answer first, rendered by a
real headless browser (issue 11 item 10).

The run is hand-checkable: one line making exactly 100 cars a day, all sold from a backlog of
firm preorders, at USD 30,000 against a cost of USD 20,000 and no overheads, except in March
and April 2024, when the price is USD 15,000: operating profit per car is +10,000, then -5,000
for two months, then +10,000 again.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib.image
import pytest
import yaml

from sim.analysis.api import run_sensitivity
from sim.config.load import scenario_from_dict
from sim.experiments import run_sweep
from sim.io.rundir import write_run
from sim.model.simulate import simulate
from sim.report import report_html, write_report
from sim.report.page import MARKER

HORIZON = 8
CHANGES = {
    "horizon_months": HORIZON,
    "launch.preorders": 1_000_000,
    "price.asp_usd": {"base": 30_000, "changes": {"2024-03": 15_000, "2024-05": 30_000}},
}


def cli(*args, timeout: float = 180) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "sim", *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def folders(tmp_path_factory, tiny_scenario_dict) -> dict[str, Path]:
    """A run, a sweep and a sensitivity folder of the hand-checkable scenario."""
    root = tmp_path_factory.mktemp("report")
    data = tiny_scenario_dict(CHANGES)
    run = write_run(simulate(scenario_from_dict(data)), root / "run")
    scenario = root / "tiny.yaml"
    scenario.write_text(yaml.safe_dump(data), encoding="utf-8")
    sweep = {
        "name": "tiny_sweep",
        "base": "tiny.yaml",
        "mode": "deterministic",
        "variants": {"dear": {"set": {"costs.components.parts.start_usd": 25_000}}, "base": {}},
    }
    (root / "sweep.yaml").write_text(yaml.safe_dump(sweep), encoding="utf-8")
    run_sweep(root / "sweep.yaml", executor="serial", out=root / "sweep", progress=False)
    spec = {
        "name": "tiny_sens",
        "inputs": {
            "costs.components.parts.start_usd": {"low": 15_000, "high": 25_000, "label": "Parts"},
            "price.asp_usd.base": {"low": 28_000, "high": 32_000, "label": "Price"},
        },
    }
    (root / "sens.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    run_sensitivity(
        scenario, spec=root / "sens.yaml", executor="serial", out=root / "sens", sobol=False
    )
    return {"run": run, "sweep": root / "sweep", "sensitivity": root / "sens", "root": root}


def text_of(page: str) -> str:
    """The page's visible text, tags dropped, whitespace collapsed."""
    body = re.sub(r"<style>.*?</style>|<[^>]+>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", body)


def test_a_run_report_gives_the_answer_first_by_hand(folders):
    page = report_html(folders["run"])
    text = text_of(page)
    answer = text[: text.index("Figures")]
    assert "first reaches zero in 2024-01" in answer
    # March and April lose 5,000 a car; May, June, July hold three months
    assert "held 3 months (sustained break-even) 2024-05" in answer
    assert (
        "below zero again in 2024-03; 2 months below zero after the first break-even,"
        " the last 2024-04" in answer
    )
    assert "Capital needed (peak cash deficit) $0" in answer  # cash never goes below zero
    quarters = text[text.index("Every quarter") :]
    # Q1 2024: 91 days of 100 cars; January and February (6,000 cars) at 30,000, March (3,100)
    # at 15,000: revenue 226.5M, cost 20,000 x 9,100 = 182.0M, profit 44.5M = 4,890 a car
    q1 = re.search(r"2024Q1 (\S+) (\S+) (\S+ %) (\S+) (\S+)", quarters)
    assert q1 is not None and q1.groups() == ("9,100", "$226.5M", "19.6 %", "$44.5M", "$4,890")
    # Q2: April (3,000 cars) at 15,000, May and June (6,100) at 30,000: revenue 228.0M,
    # profit -15.0M + 61.0M = 46.0M, 5,055 a car
    q2 = re.search(r"2024Q2 (\S+) (\S+) (\S+ %) (\S+) (\S+)", quarters)
    assert q2 is not None and q2.groups() == ("9,100", "$228.0M", "20.2 %", "$46.0M", "$5,055")
    assert text.count("2024Q3") == 1 and "2024Q4" not in text  # every quarter of 8 months
    assert "price:" in text and "changes:" in text  # the scenario as run


@pytest.mark.parametrize("kind", ["run", "sweep", "sensitivity"])
def test_every_report_is_one_page_with_nothing_from_elsewhere(folders, kind):
    page = report_html(folders[kind])
    assert page.startswith(f"<!DOCTYPE html>\n{MARKER}\n")
    assert not re.search(r"<(script|link|iframe|object|embed)\b", page)
    sources = re.findall(r'\bsrc="([^"]*)"', page)
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)
    assert not re.search(r"(https?:|file:|//)[^\s\"<]*\.(png|css|js)", page)
    assert "url(" not in page


def test_a_sweep_report_compares_its_variants(folders):
    text = text_of(report_html(folders["sweep"]))
    answer = text[: text.index("Figures")]
    # the sustained break-even: May to July for both (March and April lose money in both)
    assert "First to break even: base (median 2024-05)" in answer
    assert "least capital needed: base (median $0)" in answer
    # dearer parts: +5,000 a car on 6,000 cars, then -10,000 on 3,100 and 3,000: -31.0M
    assert "dear 1 2024-05 2024-05 2024-05 100 % $31.0M $31.0M 0 %" in answer
    assert "master seed" not in text  # deterministic


def test_a_sensitivity_report_names_what_moves_the_answer(folders):
    text = text_of(report_html(folders["sensitivity"]))
    answer = text[: text.index("Figures")]
    assert "Base: break-even 2024-05, capital needed $0" in answer
    assert "Parts $15,000 \u2192 $25,000" in answer and "Price $28,000 \u2192 $32,000" in answer


def test_the_report_is_written_beside_the_folder_and_rewritten_in_place(folders):
    out = write_report(folders["run"])
    assert out == folders["root"] / "run.html"
    first = out.read_text(encoding="utf-8")
    assert write_report(folders["run"]) == out and out.read_text(encoding="utf-8") == first
    assert not (folders["run"] / "run.html").exists()


def test_a_file_that_is_no_report_is_never_overwritten(folders, tmp_path):
    mine = tmp_path / "notes.html"
    mine.write_text("<html>my own notes</html>", encoding="utf-8")
    done = cli("report", folders["run"], "--out", mine)
    assert done.returncode == 2
    assert "not a scaleup report" in done.stderr and "--out" in done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert mine.read_text(encoding="utf-8") == "<html>my own notes</html>"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.html"]  # no temporary left


@pytest.mark.parametrize("which", ["empty", "missing", "is_a_folder"])
def test_bad_input_is_one_line_and_status_2(folders, tmp_path, which):
    target, out = tmp_path / "x", tmp_path / "page.html"
    if which == "empty":
        target.mkdir()
    elif which == "is_a_folder":
        target, out = folders["run"], tmp_path
    done = cli("report", target, "--out", out)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("scaleup: ") and done.stderr.count("\n") == 1


# --------------------------------------------------------------------------- a real browser
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
PROBE = """<script>window.addEventListener("load", () => {
  for (const img of document.images) img.setAttribute("data-natural-width", img.naturalWidth);
  document.body.setAttribute("data-loaded", "yes");
});</script>"""


def browser() -> str:
    found = next((p for name in BROWSERS if (p := shutil.which(name))), None)
    if found is None:
        pytest.skip(
            "no headless browser: none of chromium, chromium-browser, google-chrome or chrome "
            "is on PATH (Debian: apt-get install chromium; .ci/run installs it)"
        )
    return found


def headless(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [
        browser(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *args,
        page.resolve().as_uri(),
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180)


@pytest.mark.parametrize("kind", ["run", "sweep", "sensitivity"])
def test_a_headless_browser_renders_the_figures_and_the_numbers(folders, tmp_path, kind):
    page = report_html(folders[kind])
    probed = tmp_path / "probed.html"  # the page plus a probe: it reads each image's width
    probed.write_text(page.replace("</body>", f"{PROBE}</body>"), encoding="utf-8")
    dom = headless(probed, tmp_path / "profile", "--virtual-time-budget=10000", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert 'data-loaded="yes"' in dom.stdout
    widths = [int(w) for w in re.findall(r'data-natural-width="(\d+)"', dom.stdout)]
    assert widths and len(widths) == page.count("<img ") and min(widths) > 0
    if kind == "run":
        assert "2024-05" in dom.stdout and "9,100" in dom.stdout and "$226.5M" in dom.stdout
    shot = tmp_path / "page.png"
    plain = tmp_path / "page.html"
    plain.write_text(page, encoding="utf-8")
    done = headless(plain, tmp_path / "profile2", f"--screenshot={shot}", "--window-size=1280,2400")
    assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]
    pixels = matplotlib.image.imread(shot)
    assert pixels.shape[:2] == (2400, 1280)
    assert pixels[..., :3].std() > 0.05  # text and figures, not a blank page


def test_a_lineup_report_has_its_products_and_its_company(tmp_path):
    """Each product's row and the company's totals, as ``summary.json`` has them, and the two
    product figures."""
    from sim import load_scenario
    from sim.core.format import count, money

    root = Path(__file__).resolve().parents[2]
    result = simulate(load_scenario(root / "configs" / "xiaomi_su7_suv.yaml"))
    text = text_of(report_html(write_run(result, tmp_path / "run")))
    assert "per delivered car of the car business first reaches zero" in text
    products = text[text.index("By product") : text.index("The company")]
    for name, p in result.summary["products"].items():
        row = (
            f"{name} {p['first_delivery']} {p['breakeven']['operating_per_car']} "
            f"{p['breakeven']['operating_per_car_sustained']} "
            f"{count(p['totals']['deliveries'])} {money(p['totals']['operating_profit'])}"
        )
        assert row in products
    company = text[text.index("The company") : text.index("Every quarter")]
    totals = result.summary["company"]["totals"]
    assert f"car business operating profit {money(totals['operating_profit'])}" in company
    assert f"company net income {money(totals['company_net_income'])}" in company
    assert "deliveries by product" in text and "unit cost by product" in text
