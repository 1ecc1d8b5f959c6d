"""The report of a sweep folder and of a sensitivity folder."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import yaml

from sim.analysis.api import SensitivityFolder
from sim.core.calendar import parse_month, quarter_label
from sim.core.format import NA, count, input_value, money, percent
from sim.core.outputs import ANALYSIS_METRICS, BREAKEVEN_MEANINGS, PRIMARY, month_or_never
from sim.experiments.api import SweepFolder
from sim.plots.sets import sensitivity_set, sweep_set
from sim.report.page import Page, esc, figure, note, pre, table

MAX_QUARTER_GROUPS = 8
"""Points or variants shown side by side in a sweep's quarterly table."""


def _text(value: Any) -> str:
    return NA if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _share(value: Any) -> str:
    return (
        NA if value is None or (isinstance(value, float) and math.isnan(value)) else percent(value)
    )


def comparison_rows(cmp: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    header = ["point", "runs", "P10", "P50", "P90", "P(break-even)", "capital P50", "capital P90"]
    has_baseline = "p_before_baseline" in cmp.columns and cmp["p_before_baseline"].notna().any()
    if has_baseline:
        header.append("P(before baseline)")
    rows = []
    for _, r in cmp.iterrows():
        row = [
            _text(r["variant"]),
            count(r["runs"]),
            _text(r.get("breakeven_p10")),
            _text(r.get("breakeven_p50")),
            _text(r.get("breakeven_p90")),
            _share(r.get("p_breakeven")),
            money(r.get("capital_needed_p50")),
            money(r.get("capital_needed_p90")),
        ]
        if has_baseline:
            p = r.get("p_before_baseline")
            row.append("(baseline)" if isinstance(p, float) and math.isnan(p) else _share(p))
        rows.append(row)
    return header, rows


def sweep_lead(cmp: pd.DataFrame) -> str:
    months = cmp["breakeven_p50"].where(cmp["breakeven_p50"].notna(), "9999-99").astype(str)
    first = cmp.loc[months.idxmin()]
    cheap = cmp.loc[cmp["capital_needed_p50"].idxmin()]
    when = _text(first["breakeven_p50"]) if months.min() != "9999-99" else None
    first_text = (
        f"First to break even: {first['variant']} (median {when})"
        if when
        else "No point breaks even in the median run within the horizon"
    )
    return (
        f"{first_text}; least capital needed: {cheap['variant']} (median "
        f"{money(cheap['capital_needed_p50'])}). Break-even here: "
        f"{BREAKEVEN_MEANINGS[PRIMARY]}."
    )


def quarter_table(bands: pd.DataFrame) -> tuple[list[str], list[list[str]], int]:
    """Per quarter and band group: mean deliveries in the quarter (a sum of monthly means is the
    mean of the sums) and median cumulative cash at its end. Returns the groups left out too."""
    key = bands["variant"].astype(str)
    if bands["point_id"].notna().any() and bands["point_id"].nunique() > key.nunique():
        key = "point " + bands["point_id"].astype("Int64").astype(str)
    frame = bands.assign(
        group=key, quarter=bands["month"].map(lambda m: quarter_label(parse_month(str(m))))
    )
    groups = list(dict.fromkeys(frame["group"]))
    shown, left = groups[:MAX_QUARTER_GROUPS], len(groups) - MAX_QUARTER_GROUPS
    header = ["quarter"]
    cells: dict[str, list[str]] = {}
    for g in shown:
        header += [f"{g}: deliveries (mean)", f"{g}: cumulative cash P50"]
        sel = frame[frame["group"] == g]
        deliveries = sel[sel["metric"] == "deliveries"].groupby("quarter", sort=False)["mean"].sum()
        cash = sel[sel["metric"] == "cumulative_cash"].groupby("quarter", sort=False)["p50"].last()
        for q in cash.index:
            cells.setdefault(q, []).extend([count(deliveries.get(q)), money(cash.get(q))])
    rows = [[q, *vals] for q, vals in cells.items()]
    return header, rows, max(left, 0)


def sweep_page(sweep: SweepFolder) -> Page:
    m = sweep.manifest
    seed = f", master seed {m.get('master_seed')}" if m.get("mode") == "stochastic" else ""
    page = Page(
        f"{sweep.name}: when does each point break even, and with how much capital?",
        f"{count(m.get('runs'))} runs: {count(m.get('points'))} points x "
        f"{count(m.get('replications'))} replications ({m.get('mode', '')}{seed}).",
    )
    cmp = sweep.comparison
    page.lead(sweep_lead(cmp))
    header, rows = comparison_rows(cmp)
    page.section(
        "The answer",
        note(
            "Sustained break-even month over the runs (P10, P50, P90; never = not within the "
            "horizon) and the capital needed (peak cash deficit)."
        ),
        table(header, rows, "answer-table"),
    )
    figs, skipped = sweep_set(sweep.tables(), sweep.spec, sweep.name)
    page.section(
        "Figures",
        *(figure(name, fig) for name, fig in figs.items()),
        *(note(f"Not drawn: {s}") for s in skipped),
    )
    header, rows, left = quarter_table(sweep.bands)
    page.section(
        "Every quarter",
        note("Mean deliveries over the runs in each quarter; median cumulative cash at its end."),
        table(header, rows),
        note(f"{left} more points or variants are in bands.parquet.") if left else "",
    )
    page.section(
        "The sweep as run",
        note("sweep.yaml of the folder (the resolved sweep file)."),
        pre(yaml.safe_dump(sweep.spec, sort_keys=False, allow_unicode=True)),
    )
    return page


def oat_rows(oat: pd.DataFrame, start: str | None) -> list[list[str]]:
    def month(v: Any) -> str:
        return month_or_never(start, v) if start else _text(v)

    return [
        [
            _text(r["label"]),
            f"{input_value(r['low'], r['input'])} \u2192 {input_value(r['high'], r['input'])}",
            f"{month(r.get('breakeven_low'))} / {month(r.get('breakeven_high'))}",
            f"{money(r.get('capital_low'))} / {money(r.get('capital_high'))}",
        ]
        for _, r in oat.iterrows()
    ]


def sobol_rows(sobol: pd.DataFrame, metric: str) -> list[list[str]]:
    sel = sobol[sobol["metric"] == metric].sort_values("ST", ascending=False)
    return [
        [
            _text(r["label"]),
            f"{r['S1']:.2f} \u00b1 {r['S1_conf']:.2f}",
            f"{r['ST']:.2f} \u00b1 {r['ST_conf']:.2f}",
        ]
        for _, r in sel.iterrows()
    ]


def sensitivity_page(found: SensitivityFolder, spec: dict[str, Any] | None) -> Page:
    m = found.manifest
    name = m.get("name") or found.folder.name
    page = Page(
        f"{name}: what moves the break-even month and the capital needed?",
        f"{len(m.get('inputs') or [])} inputs, each between a low and a high value; horizon "
        f"{m.get('horizon_months', NA)} months from {m.get('start', NA)}.",
    )
    parts = []
    if found.oat is not None and len(found.oat):
        oat, start = found.oat, found.start
        base = oat.iloc[0]
        top_be = oat.loc[oat["swing_breakeven"].idxmax()] if "swing_breakeven" in oat else base
        top_cap = oat.loc[oat["swing_capital"].idxmax()] if "swing_capital" in oat else base
        page.lead(
            f"Base: break-even {month_or_never(start, base['breakeven_base']) if start else NA},"
            f" capital needed {money(base['capital_base'])}. "
            + (
                f"{top_be['label']} moves both the most."
                if top_be["input"] == top_cap["input"]
                else f"The break-even month moves most with {top_be['label']}, the capital"
                f" needed with {top_cap['label']}."
            )
        )
        parts += [
            note("One at a time: each input at its low and its high value, the others at base."),
            table(
                ("input", "low \u2192 high", "break-even low / high", "capital low / high"),
                oat_rows(oat, start),
                "answer-table",
            ),
        ]
    if found.sobol is not None and len(found.sobol):
        for metric in dict.fromkeys(found.sobol["metric"]):
            parts += [
                f"<h3>Sobol indices: {esc(ANALYSIS_METRICS.get(metric, metric))}</h3>",
                table(
                    ("input", "S1 \u00b1 95 % CI", "ST \u00b1 95 % CI"),
                    sobol_rows(found.sobol, metric),
                ),
            ]
    page.section("The answer", *parts)
    figs = sensitivity_set(found.oat, found.sobol, found.start, found.horizon_months)
    page.section("Figures", *(figure(n, f) for n, f in figs.items()))
    page.section(
        "The analysis as run",
        note(f"Scenario: {m.get('scenario', NA)}; sensitivity.yaml of the folder below."),
        pre(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True) if spec else NA),
    )
    return page
