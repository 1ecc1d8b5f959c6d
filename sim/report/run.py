"""The report of one run folder: the answer, the figures, every quarter, the scenario as run."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import yaml

from sim.core.format import company_rows, count, money, percent, product_rows
from sim.core.outputs import MILESTONES, label_or_never
from sim.io.rundir import RunFolder
from sim.plots.sets import run_set
from sim.report.page import Page, figure, note, pre, table


@dataclass(frozen=True)
class Relapse:
    """What happens after the first month of operating profit per car >= 0."""

    first_below: str | None
    """First month back below zero after the first break-even (None: never)."""
    months_below: int
    """Months below zero after the first break-even (months without deliveries not counted)."""
    last_below: str | None
    """Last such month."""


def relapse(monthly: pd.DataFrame, breakeven: Mapping[str, Any]) -> Relapse | None:
    """What follows the first break-even (None: no break-even): the summary's relapse fields
    (one per-run record, :mod:`sim.core.outputs`), and the last month below zero from the
    monthly table."""
    first = breakeven.get("operating_per_car")
    if not first:
        return None
    after = monthly[monthly["month"].astype(str) > first]
    below = after[after["operating_profit_per_car"] < 0]["month"].astype(str).tolist()
    if "relapse" in breakeven:  # folders written since the summary carries it
        return Relapse(
            breakeven["relapse"],
            int(breakeven.get("months_below_zero_after_breakeven") or 0),
            below[-1] if below else None,
        )
    return Relapse(below[0] if below else None, len(below), below[-1] if below else None)


def milestone_label(name: str) -> str:
    """``deliveries_100k`` -> ``cumulative deliveries reach 100,000``."""
    if name in MILESTONES:
        column, threshold = MILESTONES[name]
        return f"{column.replace('_', ' ')} reach {count(threshold)}"
    return name.replace("_", " ")


def _month(label: str | None, value: float | None = None) -> str:
    shown = money(value) if value is not None else ""
    return f"{shown} in {label}" if shown and label else shown or label_or_never(label)


def answer_rows(summary: Mapping[str, Any], back: Relapse | None) -> list[tuple[str, str]]:
    be, cap = summary["breakeven"], summary.get("capital") or {}
    rows = [
        ("Operating profit per car \u2265 0, first month", label_or_never(be["operating_per_car"])),
        (
            f"... held {be['sustain_months']} months (sustained break-even)",
            label_or_never(be["operating_per_car_sustained"]),
        ),
    ]
    if back is not None:
        held = (
            "yes, to the horizon"
            if back.first_below is None
            else f"no: below zero again in {back.first_below}; {back.months_below} months below"
            f" zero after the first break-even, the last {back.last_below}"
        )
        rows.append(("Does it hold?", held))
    rows += [
        ("Gross profit \u2265 0, first month", label_or_never(be["gross_profit"])),
        ("Cash payback (cumulative cash back to zero)", label_or_never(be["cash_payback"])),
        (
            "Capital needed (peak cash deficit)",
            _month(
                cap.get("capital_needed_month", be["peak_cash_deficit_month"]),
                cap.get("capital_needed", be["peak_cash_deficit"]),
            ),
        ),
    ]
    if "capital_needed_without_working_capital" in cap:
        rows.append(
            (
                "Capital needed without working capital",
                _month(
                    cap.get("capital_needed_without_working_capital_month"),
                    cap["capital_needed_without_working_capital"],
                ),
            )
        )
    for name, month in (summary.get("milestones") or {}).items():
        rows.append((f"Milestone: {milestone_label(name)}", label_or_never(month)))
    return rows


def lead_sentence(summary: Mapping[str, Any], back: Relapse | None) -> str:
    be, cap = summary["breakeven"], summary.get("capital") or {}
    first, held = be["operating_per_car"], be["operating_per_car_sustained"]
    whose = " of the car business" if "company" in summary else ""
    if not first:
        text = f"Operating profit per delivered car{whose} does not reach zero within the horizon"
    else:
        text = f"Operating profit per delivered car{whose} first reaches zero in {first}"
        text += (
            f" and holds {be['sustain_months']} months from {held}"
            if held
            else f", but never holds {be['sustain_months']} months"
        )
        if back is not None and back.first_below is not None:
            text += f" (below zero again in {back.months_below} later months)"
    need = cap.get("capital_needed", be["peak_cash_deficit"])
    text += f". The plant needs {money(need)} of capital (peak cash deficit)"
    if "capital_needed_without_working_capital" in cap:
        text += f", {money(cap['capital_needed_without_working_capital'])} without working capital"
    return text + "."


QUARTER_COLUMNS = (
    ("quarter", "period", str),
    ("deliveries", "deliveries", count),
    ("revenue", "revenue", money),
    ("gross margin", "gross_margin", lambda v: percent(v, 1)),
    ("operating profit", "operating_profit", money),
    ("per car", "operating_profit_per_car", money),
    ("cumulative cash", "cumulative_cash", money),
)


def quarter_rows(quarterly: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """Every quarter, the columns the folder has, each printed by the one formatter."""
    cols = [(h, c, f) for h, c, f in QUARTER_COLUMNS if c in quarterly.columns]
    rows = [
        [f(row[c]) if not _nan(row[c]) else "n/a" for _, c, f in cols]
        for _, row in quarterly.iterrows()
    ]
    return [h for h, _, _ in cols], rows


def _nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def run_page(run: RunFolder) -> Page:
    s = run.summary
    seed = f", seed {s['seed']}" if s.get("seed") is not None else ""
    page = Page(
        f"{s['scenario']}: when does the loss per car reach zero?",
        f"One {s.get('mode', '')} run{seed}, {s.get('start')} to {s.get('end')}; money in "
        f"{s.get('currency', 'USD')}.",
    )
    back = relapse(run.monthly, s["breakeven"])
    page.lead(lead_sentence(s, back))
    page.section("The answer", table(("question", "answer"), answer_rows(s, back), "answer"))
    figs = run_set(run.monthly, s, products=run.products)
    page.section("Figures", *(figure(name, fig) for name, fig in figs.items()))
    if s.get("products"):
        rows = product_rows(s)  # one row per product here, one column per question
        page.section(
            "By product",
            note(
                "Each product's own cars, revenue and costs, with its share of the shared costs "
                "(a line's fixed cost and depreciation by the output it got; R&D, SG&A and shared "
                "opex by its share of revenue): products_monthly.csv and products_quarterly.csv."
            ),
            table(
                ("product", *(what.removeprefix("... ") for what, _ in rows)),
                list(zip(s["products"], *(cells for _, cells in rows), strict=True)),
            ),
        )
    if s.get("company"):
        co = s["company"]
        page.section(
            "The company",
            note(co["reports"][:1].upper() + co["reports"][1:] + "."),
            table(("over the horizon", "USD"), company_rows(s)),
        )
    header, rows = quarter_rows(run.quarterly)
    page.section(
        "Every quarter",
        note("Sums over the quarter; per car = operating profit / deliveries; cash at its end."),
        table(header, rows),
    )
    page.section(
        "The scenario as run",
        note("config.yaml of the folder: running this file again gives the same tables."),
        pre(yaml.safe_dump(run.config, sort_keys=False, allow_unicode=True)),
    )
    return page
