"""Which figures fit which results: the set for a run, a sweep and a sensitivity analysis.

Pure functions of result tables (no file reading), shared by ``scaleup run``, ``scaleup sweep``,
``scaleup plot`` and the notebooks, so each set of figures is defined once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from sim.core.format import factor_value
from sim.core.outputs import ANALYSIS_METRICS
from sim.plots.run import (
    cash,
    deliveries_by_product,
    operations,
    per_car_profit,
    unit_cost,
    unit_cost_by_product,
)
from sim.plots.sensitivity import breakeven_heatmap, sobol_indices, tornado
from sim.plots.sweep import (
    MAX_GROUPS,
    band_groups,
    breakeven_distribution,
    fan_chart,
    profit_bands,
)
from sim.plots.window import Window

FAN_MAX = 6  # one fan chart per point or variant up to this many; none beyond

Figures = dict[str, Figure]  # file name (no extension) -> figure


def run_set(
    monthly: pd.DataFrame,
    summary: Mapping[str, Any],
    window: Window | None = None,
    quarterly: pd.DataFrame | None = None,
    products: pd.DataFrame | None = None,
    products_quarterly: pd.DataFrame | None = None,
) -> Figures:
    """The four figures of one run: per-car profit, operations, unit cost, cash; with
    ``products`` (``Result.products_monthly``) of more than one product, also its deliveries
    stacked by product and each product's unit cost against its price (by quarter with
    ``window.quarterly``, from ``products_quarterly``).

    ``window`` limits them to its months; with ``window.quarterly`` the per-car figures (profit
    and unit cost) go by calendar quarter, from ``quarterly`` (``Result.quarterly`` or
    ``quarterly.csv``).
    """
    be, name = summary["breakeven"], summary.get("scenario", "")
    window = window or Window()
    shown = window.months(monthly)
    part = window != Window(quarterly=window.quarterly)
    per_car, by = shown, ""
    if window.quarterly:
        if quarterly is None:
            raise ValueError("a quarterly view needs the run's quarterly table")
        per_car, by = window.quarters(quarterly), " by quarter"
    figs = {
        "per_car_profit": per_car_profit(
            per_car, be, title=f"Operating profit per delivered car{by}: {name}",
            by_quarter=window.quarterly, window=part,
        ),
        "operations": operations(shown, title=f"Output, backlog and wait: {name}"),
        "unit_cost": unit_cost(
            per_car,
            title=f"Unit cost per car{by}: {name}" if by else
            f"Unit cost per car against price: {name}",
        ),
        "cash": cash(shown, be, title=f"Cumulative cash: {name}", window=part),
    }  # fmt: skip
    if products is not None and products["product"].nunique() > 1:
        by_product = window.months(products)
        figs["deliveries_by_product"] = deliveries_by_product(
            by_product, title=f"Deliveries by product: {name}"
        )
        per_car_products = by_product
        if window.quarterly:
            if products_quarterly is None:
                raise ValueError("a quarterly view needs the run's products_quarterly table")
            per_car_products = window.quarters(products_quarterly)
        figs["unit_cost_by_product"] = unit_cost_by_product(
            per_car_products,
            title=f"Unit cost against price, by product{' and quarter' * bool(by)}: {name}",
        )
    return figs


def sweep_set(
    tables: Mapping[str, pd.DataFrame], spec: Mapping[str, Any], name: str
) -> tuple[Figures, list[str]]:
    """Profit bands, break-even distribution, fan charts and (two grid factors) the heatmap.

    ``tables`` holds the sweep's ``runs``, ``points``, ``comparison`` and ``bands``; ``spec``
    is the resolved sweep file (for its grid). Returns the figures and why any were skipped.
    """
    bands, cmp, points = tables["bands"], tables["comparison"], tables["points"]
    metric = "operating_profit_per_car"
    pooled = bands["point_id"].isna().all()
    n_variants, n_points = points["variant"].nunique(), len(points)
    by = "variant" if pooled or n_points == n_variants else "point"
    groups = band_groups(bands, metric, by)
    horizon = int(
        bands[bands["metric"] == metric].groupby(["point_id", "variant"], dropna=False).size().max()
    )
    figs: Figures = {}
    skipped: list[str] = []
    if len(groups) <= MAX_GROUPS:
        table = cmp if by == "point" or not cmp["variant"].duplicated().any() else None
        figs["per_car_profit_bands"] = profit_bands(
            bands, table, by=by, title=f"{name}: operating profit per car"
        )
    else:
        skipped.append(f"per_car_profit_bands: {len(groups)} points, at most {MAX_GROUPS}")
    dist_by = "point" if n_variants < n_points <= MAX_GROUPS else "variant"
    if dist_by == "point" or n_variants <= MAX_GROUPS:
        figs["breakeven_distribution"] = breakeven_distribution(
            tables["runs"],
            by=dist_by,
            horizon_months=horizon,
            title=f"{name}: sustained break-even month over the runs",
        )
    else:
        skipped.append(f"breakeven_distribution: {n_variants} variants, at most {MAX_GROUPS}")
    if len(groups) <= FAN_MAX:
        deterministic = (spec or {}).get("mode") == "deterministic"
        for key, g in groups:
            sel = {"variant": key} if by == "variant" else {"point": key}
            label = key if by == "variant" else _point_label(points, key)
            file = key if by == "variant" else _point_file(points, key)
            runs = int(g["runs"].max())
            what = "deterministic" if deterministic else f"median and P10\u2013P90 of {runs:,} runs"
            fan = f"fan_{_slug(file)}"
            fan = f"{fan}_point{key}" if fan in figs else fan  # two factors, same last name
            figs[fan] = fan_chart(bands, **sel, title=f"{name} ({label}): {what}")
    else:
        skipped.append(f"fan charts: {len(groups)} band groups, at most {FAN_MAX}")
    grid = list((spec or {}).get("grid") or {})
    if len(grid) == 2 and (spec or {}).get("sample"):
        skipped.append("breakeven_heatmap: the sweep also samples (several points per cell)")
    elif len(grid) == 2:
        for variant in points["variant"].unique():
            suffix = "" if n_variants == 1 else f"_{_slug(variant)}"
            figs[f"breakeven_heatmap{suffix}"] = breakeven_heatmap(
                points,
                grid[0],
                grid[1],
                variant=variant,
                title=f"{name}: median break-even month" + (f" ({variant})" if suffix else ""),
            )
    return figs, skipped


def _point_label(points, point_id: int) -> str:
    """``baseline: months=4, progress_ratio=0.8`` (the variant only if the sweep has several)."""
    row = points.set_index("point_id").loc[point_id]
    values = ", ".join(f"{c.split('.')[-1]}={factor_value(row[c])}" for c in row.index if "." in c)
    many = points["variant"].nunique() > 1
    return f"{row['variant']}: {values}" if many else values or f"point {point_id}"


def _point_file(points, point_id: int) -> str:
    """A point's fan chart file: its factor values (``months_12_progress_ratio_0.8``), after
    its variant when the sweep has several; ``point<id>`` if it has none."""
    row = points.set_index("point_id").loc[point_id]
    parts = [f"{c.split('.')[-1]}_{factor_value(row[c])}" for c in row.index if "." in c]
    if points["variant"].nunique() > 1:
        parts.insert(0, str(row["variant"]))
    return "_".join(parts) or f"point{point_id}"


def _slug(text: Any) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(text)).strip("_") or "group"


def sensitivity_set(
    oat: pd.DataFrame | None,
    sobol: pd.DataFrame | None,
    start: str | None = None,
    horizon_months: int | None = None,
) -> Figures:
    """Tornado charts (break-even and capital) from the OAT table; Sobol bars per metric."""
    figs: Figures = {}
    if oat is not None:
        for metric in ANALYSIS_METRICS:
            if f"{metric}_base" in oat:
                figs[f"tornado_{metric}"] = tornado(
                    oat, metric, horizon_months=horizon_months, start=start
                )
    if sobol is not None:
        if "metric" in sobol:  # one output per figure
            for metric, g in sobol.groupby("metric", sort=False):
                what = ANALYSIS_METRICS.get(metric, str(metric))
                figs[f"sobol_{_slug(metric)}"] = sobol_indices(
                    g, title=f"Sobol indices of the {what}: shares of its variance"
                )
        else:
            figs["sobol"] = sobol_indices(sobol)
    return figs
