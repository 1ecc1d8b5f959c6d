"""One at a time: the base scenario, then each input alone at its low and at its high value.

Run through the sweep engine as a sweep of variants: ``base`` and, per input, ``<slug>-low``
and ``<slug>-high``, each a ``set`` override of that one path (the slug is the dotted path with
every character outside letters, digits, ``_`` and ``-`` made ``_``, as variant names must be).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.plan import Analysis
from sim.experiments.plan import SweepPlan
from sim.experiments.spec import Variant

BASE = "base"
OAT_COLUMNS = [
    "input",
    "label",
    "low",
    "base",
    "high",
    "breakeven_low",
    "breakeven_base",
    "breakeven_high",
    "capital_low",
    "capital_base",
    "capital_high",
    "swing_breakeven",
    "swing_capital",
]
"""``oat.csv``: break-even in months from the start month (NaN: not within the horizon),
capital (the peak cash deficit) in USD; swings are ``|high - low|`` of each."""


def variant_names(paths: list[str]) -> dict[str, tuple[str, str]]:
    """Each input's (low, high) variant names, unique and valid for the sweep engine."""
    out: dict[str, tuple[str, str]] = {}
    seen = {BASE}
    for k, path in enumerate(paths):
        slug = re.sub(r"[^A-Za-z0-9_-]", "_", path)
        if f"{slug}-low" in seen:  # two paths differing only in dots and underscores
            slug = f"{slug}-{k}"
        out[path] = (f"{slug}-low", f"{slug}-high")
        seen.update(out[path])
    return out


def oat_sweep(analysis: Analysis) -> SweepPlan:
    """The sweep of the base and of each input at its low and high value, checked."""
    variants = {BASE: Variant(description="the scenario as it is")}
    names = variant_names(analysis.paths)
    for path, low, high in analysis.problem.items():
        for name, side, value in zip(names[path], ("low", "high"), (low, high), strict=True):
            variants[name] = Variant(set_={path: value}, description=f"{path} at its {side} value")
    runs = analysis.spec.oat
    return analysis.sweep(
        "oat",
        description=f"One at a time over {len(analysis.problem)} inputs of {analysis.source}",
        mode=runs.mode,
        master_seed=runs.master_seed,
        replications=runs.replications,
        baseline=BASE,
        variants=variants,
    )


def oat_table(analysis: Analysis, points: pd.DataFrame) -> pd.DataFrame:
    """``oat.csv`` from the OAT sweep's ``points`` (one row per variant), largest swing first.

    Break-even is the median month index over the replications (inverted CDF, so a real month;
    runs not breaking even count as later than any month, so the median may be NaN: not within
    the horizon); capital is the median peak cash deficit. The break-even swing counts "not
    within the horizon" as the horizon length in months, as the tornado figure draws it.
    Ties keep the file's order.
    """
    by = points.set_index("variant")
    breakeven = by["breakeven_p50_index"].astype(float).replace(np.inf, np.nan)
    capital = by["capital_needed_p50"].astype(float)
    rows = []
    names = variant_names(analysis.paths)
    for path, low_value, high_value in analysis.problem.items():
        low, high = names[path]
        row: dict[str, Any] = {
            "input": path,
            "label": analysis.spec.label(path),
            "low": low_value,
            "base": analysis.base[path],
            "high": high_value,
        }
        for metric, values in (("breakeven", breakeven), ("capital", capital)):
            row |= {f"{metric}_low": values[low], f"{metric}_base": values[BASE]}
            row[f"{metric}_high"] = values[high]
        rows.append(row)
    table = pd.DataFrame(rows)
    h = float(analysis.horizon_months)
    be_low, be_high = table["breakeven_low"].fillna(h), table["breakeven_high"].fillna(h)
    table["swing_breakeven"] = (be_high - be_low).abs()
    table["swing_capital"] = (table["capital_high"] - table["capital_low"]).abs()
    table = table.sort_values(["swing_breakeven", "swing_capital"], ascending=False, kind="stable")
    return table.reset_index(drop=True)[OAT_COLUMNS]
