"""Figures of one run (or a few runs side by side), each a pure function of the result tables.

Inputs are ``Result.monthly`` (one row per month, ``month`` as ``YYYY-MM``) and
``Result.summary["breakeven"]``; outputs are :class:`matplotlib.figure.Figure` objects. Nothing is
shown or saved here: see :func:`sim.plots.save_figure`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.core.format import money
from sim.core.outputs import PRIMARY
from sim.plots import marks, style, yrange
from sim.plots.style import LINE_WIDTH, NOTE_SIZE, OKABE_ITO

NO_BREAKEVEN = "no break-even within horizon"
NO_PAYBACK = "no payback within horizon"


# ---------------------------------------------------------------------------- per-car profit


def per_car_profit(
    monthly: pd.DataFrame | Mapping[str, pd.DataFrame],
    breakeven: Mapping[str, Any] | None = None,
    title: str | None = None,
    *,
    breakevens: Mapping[str, Mapping[str, Any]] | None = None,
    by_quarter: bool = False,
    window: bool = False,
) -> Figure:
    """Operating profit per delivered car by month, with the break-even month marked.

    ``monthly`` is one run's table with ``breakeven`` its ``summary["breakeven"]``, or
    ``{name: table}`` for several scenarios (one line each) with
    ``breakevens={name: summary["breakeven"]}``. The break-evens are the model's
    (:mod:`sim.core.breakeven`); a figure never works them out again. With ``by_quarter`` the
    table is quarterly, each quarter at its ``month`` (:meth:`sim.plots.window.Window.quarters`).
    The y-range leaves out months of tiny volume (:mod:`sim.plots.yrange`). A break-even month
    not in the table is an error, unless the table is a ``window`` of the run's months (or
    ``by_quarter``): it is then written in a note instead of marked.
    """
    if isinstance(monthly, pd.DataFrame):
        if breakevens is not None:
            raise TypeError("breakevens= is for several scenarios; pass breakeven= for one run")
        if breakeven is None:
            raise TypeError("per_car_profit needs the run's breakeven (summary['breakeven'])")
        return _per_car_single(monthly, breakeven, title, by_quarter, window or by_quarter)
    if breakeven is not None:
        raise TypeError("for several scenarios pass breakevens={name: breakeven dict}")
    if not monthly:
        raise ValueError("per_car_profit needs at least one monthly table")
    return _per_car_several(monthly, breakevens or {}, title)


def _per_car_single(
    monthly: pd.DataFrame, breakeven: Mapping, title: str | None, by_quarter: bool, window: bool
) -> Figure:
    marks.require(monthly, ("month", "deliveries", "operating_profit_per_car"), "per_car_profit")
    be = dict(breakeven)
    fig, (ax,) = style.new_figure(title=title or "Operating profit per delivered car")
    x, y = style.month_dates(monthly["month"]), _per_car_series(monthly)
    blue = OKABE_ITO["blue"]
    ax.plot(x, y, color=blue, linewidth=LINE_WIDTH, label="operating profit per car",
            marker="o" if by_quarter else None)  # fmt: skip
    ax.fill_between(x, y, 0, where=y < 0, interpolate=True, color=style.LOSS, alpha=0.15, lw=0)
    ax.fill_between(x, y, 0, where=y >= 0, interpolate=True, color=style.GAIN, alpha=0.15, lw=0)
    marks.zero_line(ax)
    span = yrange.limits([y], yrange.readable_months(monthly["deliveries"].to_numpy(float)))
    if span is not None:
        ax.set_ylim(*span)  # before the marks: they place their labels by it
    first, sustained = be.get("operating_per_car"), be.get(PRIMARY)
    elsewhere = []  # break-evens outside the months shown
    if first is None:
        elsewhere.append(NO_BREAKEVEN)
    elif _shown(monthly, x, first, by_quarter, window):
        marks.mark_month(ax, x, y, first, f"break-even {first}", linestyle="--")
    else:
        elsewhere.append(f"break-even {first}")
    if sustained is not None and sustained != first:
        months = be.get("sustain_months")
        run = f" ({months}+ months)" if months else ""
        text = f"sustained break-even {sustained}{run}"
        if _shown(monthly, x, sustained, by_quarter, window):
            marks.mark_month(ax, x, y, sustained, text, linestyle=":", row=1)
        else:
            elsewhere.append(text)
    if elsewhere:
        shown = len(elsewhere) == 1 and elsewhere[0] == NO_BREAKEVEN
        marks.note(ax, "; ".join(elsewhere) + ("" if shown else " (outside the months shown)"))
    xlabel = "Quarter (drawn at its middle month)" if by_quarter else marks.MONTH_LABEL
    marks.finish_axes(ax, x, ylabel="Operating profit per car (USD)", usd=True, xlabel=xlabel)
    if span is not None:
        yrange.clip_marks(ax, x, y, span, money, blue, *_points(monthly, by_quarter))
    return fig


def _points(table: pd.DataFrame, by_quarter: bool) -> tuple[list[str] | None, str]:
    """What a point of the table is called: its quarter (``2024Q2``) or its month."""
    if by_quarter:
        return table["period"].astype(str).tolist(), "quarter"
    return None, "month"


def _shown(
    monthly: pd.DataFrame, x: np.ndarray, label: str, by_quarter: bool, window: bool
) -> bool:
    """Whether month ``label`` is inside the figure's months (a quarter's three when
    ``by_quarter``). Outside a ``window``: False; outside a whole run: the caller mixed up
    its tables (ValueError)."""
    if not by_quarter:
        months = monthly["month"].astype(str)
        if window and not months.iloc[0] <= str(label) <= months.iloc[-1]:
            style.month_date(label)  # ValueError if not a month at all
            return False
        marks.check_month(monthly, label, "break-even")
        return True
    day = style.month_date(label)
    return bool(x.min() - np.timedelta64(31, "D") <= day <= x.max() + np.timedelta64(62, "D"))


def _per_car_several(
    runs: Mapping[str, pd.DataFrame], breakevens: Mapping[str, Mapping | None], title: str | None
) -> Figure:
    unknown = set(breakevens) - set(runs)
    if unknown:
        raise KeyError(f"breakevens for unknown scenario(s) {sorted(unknown)}; have {list(runs)}")
    missing = [name for name in runs if breakevens.get(name) is None]
    if missing:
        raise KeyError(f"no breakeven for scenario(s) {missing}: pass summary['breakeven'] each")
    fig, (ax,) = style.new_figure(title=title or "Operating profit per delivered car, by scenario")
    every_month = np.unique(np.concatenate([style.month_dates(m["month"]) for m in runs.values()]))
    for i, (name, monthly) in enumerate(runs.items()):
        marks.require(
            monthly, ("month", "deliveries", "operating_profit_per_car"), "per_car_profit"
        )
        first, colour = breakevens[name].get("operating_per_car"), style.colour(i)
        x = style.month_dates(monthly["month"])
        note = NO_BREAKEVEN if first is None else f"break-even {first}"
        dash = ("-", "-.", ":")[i // len(style.CYCLE) % 3]  # colours repeat after six runs
        ax.plot(
            x, _per_car_series(monthly), color=colour, ls=dash, lw=LINE_WIDTH,
            label=f"{name}: {note}",
        )  # fmt: skip
        if first is not None:
            marks.check_month(monthly, first, f"{name} operating_per_car")
            ax.axvline(style.month_date(first), color=colour, linestyle="--", lw=1.2, alpha=0.9)
    marks.zero_line(ax)
    marks.finish_axes(ax, every_month, ylabel="Operating profit per car (USD)", usd=True)
    style.legend(ax, loc="best")
    return fig


def _per_car_series(monthly: pd.DataFrame) -> np.ndarray:
    delivered = monthly["deliveries"].to_numpy(float) > 0
    return np.where(delivered, monthly["operating_profit_per_car"].to_numpy(float), np.nan)


# ---------------------------------------------------------------------------- operations


def operations(monthly: pd.DataFrame, title: str | None = None) -> Figure:
    """Capacity, production and deliveries (cars/month), the backlog (cars) and the wait (days)."""
    needed = ("month", "capacity", "production", "deliveries", "backlog", "avg_wait_days")
    marks.require(monthly, needed, "operations")
    fig, (flow, backlog, wait) = style.new_figure(
        3, title=title or "Factory ramp-up: output, backlog and customer wait",
        height_ratios=(2.0, 1.0, 1.0), figsize=(10.0, 6.4),
    )  # fmt: skip
    x = style.month_dates(monthly["month"])
    flow.plot(x, monthly["capacity"], color=OKABE_ITO["black"], lw=1.4, ls="--", label="capacity")
    flow.plot(x, monthly["production"], color=OKABE_ITO["blue"], lw=LINE_WIDTH, label="production")
    flow.plot(
        x, monthly["deliveries"], color=OKABE_ITO["orange"], lw=LINE_WIDTH, label="deliveries"
    )
    marks.finish_axes(flow, x, ylabel="Cars per month", count=True, xlabel=None)
    flow.set_ylim(bottom=0)
    style.legend(flow, loc="best", ncols=3)

    backlog.plot(x, monthly["backlog"], color=OKABE_ITO["green"], lw=LINE_WIDTH, label="backlog")
    backlog.fill_between(x, monthly["backlog"], 0, color=OKABE_ITO["green"], alpha=0.15, lw=0)
    marks.finish_axes(backlog, x, ylabel="Backlog (cars)", count=True, xlabel=None)
    backlog.set_ylim(bottom=0)

    purple = OKABE_ITO["purple"]
    wait.plot(x, monthly["avg_wait_days"], color=purple, lw=LINE_WIDTH, label="average")
    if "p90_wait_days" in monthly:
        wait.plot(x, monthly["p90_wait_days"], color=purple, lw=1.2, ls=":", label="90th pct")
        style.legend(wait, loc="best", ncols=2)
    marks.finish_axes(wait, x, ylabel="Wait (days)")
    wait.set_ylim(bottom=0)
    fig.align_ylabels([flow, backlog, wait])
    return fig


# ---------------------------------------------------------------------------- unit cost

FIXED_COMPONENTS = ("cogs_fixed", "cogs_depreciation")
"""Period costs spread over the month's deliveries; drawn on top of the variable components."""
_COMPONENT_COLOURS = ("blue", "orange", "green", "sky_blue", "purple", "vermillion", "yellow")


def unit_cost(monthly: pd.DataFrame, title: str | None = None) -> Figure:
    """Cost of goods sold per delivered car, stacked by component, under the average price.

    The y-range leaves out months of tiny volume (:mod:`sim.plots.yrange`); the gross margin
    at the cheapest month is an arrow on the chart, its value in the legend (off the lines).
    The table may be quarterly (a ``month`` per quarter: its totals per car)."""
    marks.require(monthly, ("month", "deliveries", "asp"), "unit_cost")
    parts = cost_components(monthly.columns)
    if not parts:
        raise ValueError("unit_cost needs cogs_<component> columns in the monthly table")
    fig, (ax,) = style.new_figure()  # title over the axes, not the figure: the legend sits right
    ax.set_title(
        title or "Unit cost per car: the learning curve at work",
        fontsize=style.TITLE_SIZE, fontweight="bold",
    )  # fmt: skip
    x = style.month_dates(monthly["month"])
    delivered = monthly["deliveries"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_car = {
            c: np.where(delivered > 0, monthly[c].to_numpy(float) / delivered, np.nan)
            for c in parts
        }
    bottom = np.zeros(len(monthly))
    handles = []
    for i, col in enumerate(parts):
        top = bottom + per_car[col]
        name = _COMPONENT_COLOURS[i % len(_COMPONENT_COLOURS)]
        handles.append(
            ax.fill_between(
                x, bottom, top, color=OKABE_ITO[name], alpha=0.85, lw=0, label=component_label(col)
            )
        )
        bottom = top
    ax.plot(x, bottom, color=OKABE_ITO["black"], lw=0.8, alpha=0.6)
    asp = np.where(delivered > 0, monthly["asp"].to_numpy(float), np.nan)
    (price,) = ax.plot(x, asp, color=OKABE_ITO["black"], lw=2.6, label="average selling price")
    names, unit = _points(monthly, "period" in monthly)
    margin = marks.margin_arrow(ax, x, bottom, asp, names)
    xlabel = "Quarter (drawn at its middle month)" if names else marks.MONTH_LABEL
    marks.finish_axes(ax, x, ylabel="USD per delivered car", usd=True, xlabel=xlabel)
    keep = yrange.readable_months(delivered)
    top = np.nanmax(np.concatenate([asp[keep], bottom[keep], [1.0]])) * 1.08
    ax.set_ylim(0, top)
    if np.nanmax(np.concatenate([bottom, [0.0]])) > top:
        yrange.clip_marks(ax, x, bottom, (0.0, top), money, OKABE_ITO["black"], names, unit)
    fig.legend(
        handles=[price, *([margin] if margin else []), *handles[::-1]],  # stack order, top first
        loc="outside right upper",
        fontsize=style.LEGEND_SIZE,
        frameon=False,
    )
    return fig


def cost_components(columns: Iterable[str]) -> list[str]:
    """The ``cogs_<component>`` columns, variable ones first, fixed and depreciation last."""
    parts = [c for c in columns if c.startswith("cogs_")]
    return [c for c in parts if c not in FIXED_COMPONENTS] + [
        c for c in FIXED_COMPONENTS if c in parts
    ]


def component_label(column: str) -> str:
    """``cogs_body_and_parts`` → ``body and parts``; fixed costs say they are spread per car."""
    text = column.removeprefix("cogs_").replace("_", " ")
    return f"{text} (per car)" if column in FIXED_COMPONENTS else text


# ---------------------------------------------------------------------------- cash


def cash(
    monthly: pd.DataFrame,
    breakeven: Mapping[str, Any],
    title: str | None = None,
    window: bool = False,
) -> Figure:
    """Cumulative cash with the trough (peak cash deficit) and the payback month marked.

    ``breakeven`` is the run's ``summary["breakeven"]`` (``peak_cash_deficit``,
    ``peak_cash_deficit_month``, ``cash_payback``). When the table is a ``window`` of the run,
    a trough or payback outside it is left unmarked (payback: said in a note).
    """
    marks.require(monthly, ("month", "cumulative_cash"), "cash")
    be = dict(breakeven)
    fig, (ax,) = style.new_figure(title=title or "Cumulative cash: the funding the ramp-up needs")
    x, y = style.month_dates(monthly["month"]), monthly["cumulative_cash"].to_numpy(float)
    ax.plot(x, y, color=OKABE_ITO["blue"], lw=LINE_WIDTH, label="cumulative cash")
    ax.fill_between(x, y, 0, where=y < 0, interpolate=True, color=style.LOSS, alpha=0.15, lw=0)
    ax.fill_between(x, y, 0, where=y >= 0, interpolate=True, color=style.GAIN, alpha=0.15, lw=0)
    marks.zero_line(ax)
    if "capex" in monthly:
        marks.label_capex(ax, x, y, monthly["capex"].to_numpy(float))
    trough = be.get("peak_cash_deficit_month")
    if trough is not None and not _shown(monthly, x, trough, False, window):
        trough = None
    if trough is not None:
        i = marks.check_month(monthly, trough, "peak_cash_deficit_month")
        deficit = be.get("peak_cash_deficit")
        deficit = -y[i] if deficit is None else deficit
        ax.plot(x[i], y[i], "o", color=style.LOSS, markersize=8, zorder=5)
        ax.annotate(
            f"peak deficit {money(-abs(deficit))} ({trough})",
            xy=(x[i], y[i]), xytext=(0, -14), textcoords="offset points",
            ha=marks.side(x, i, "center"), va="top", fontsize=NOTE_SIZE, color=style.LOSS,
        )  # fmt: skip
        ax.margins(y=0.15)
    payback = be.get("cash_payback")
    if payback is None:
        marks.note(ax, NO_PAYBACK)
    elif not _shown(monthly, x, payback, False, window):
        marks.note(ax, f"payback {payback} (outside the months shown)")
    else:
        marks.check_month(monthly, payback, "cash_payback")
        marks.mark_month(ax, x, y, payback, f"payback {payback}", linestyle="--")
    marks.finish_axes(ax, x, ylabel="Cumulative cash (USD)", usd=True)
    return fig


# ---------------------------------------------------------------------------- products


def deliveries_by_product(products: pd.DataFrame, title: str | None = None) -> Figure:
    """Deliveries per month stacked by product (``Result.products_monthly``): the top edge is
    the plant's total, each band one product's cars."""
    marks.require(products, ("month", "product", "deliveries"), "deliveries_by_product")
    wide = _by_product(products, "deliveries").fillna(0.0)
    fig, (ax,) = style.new_figure(title=title or "Deliveries by product")
    x = style.month_dates(wide.index)
    bottom = np.zeros(len(wide))
    for i, name in enumerate(wide.columns):
        cars = wide[name].to_numpy(float)
        top = bottom + cars
        label = str(name) + ("" if cars.any() else " (no deliveries)")
        ax.fill_between(x, bottom, top, color=style.colour(i), alpha=0.85, lw=0, label=label)
        bottom = top
    ax.plot(x, bottom, color=OKABE_ITO["black"], lw=1.0, label="all products")
    marks.finish_axes(ax, x, ylabel="Cars delivered per month", count=True)
    ax.set_ylim(bottom=0)
    style.legend(ax, loc="upper left", ncols=min(len(wide.columns) + 1, 4))
    return fig


def unit_cost_by_product(products: pd.DataFrame, title: str | None = None) -> Figure:
    """Per product: cost of goods sold per delivered car (its shared line costs included,
    solid) against its average selling price (dashed), in the months it delivers cars.

    The y-range leaves out each product's months of tiny volume, under 5 % of its own busiest
    month (:mod:`sim.plots.yrange`): their values sit on the edge as triangles, said under the
    month axis."""
    needed = ("month", "product", "deliveries", "unit_cogs", "asp")
    marks.require(products, needed, "unit_cost_by_product")
    deliveries = _by_product(products, "deliveries").fillna(0.0)
    cost, price = _by_product(products, "unit_cogs"), _by_product(products, "asp")
    fig, (ax,) = style.new_figure(title=title or "Unit cost against price, by product")
    x = style.month_dates(deliveries.index)
    series, keep, groups = [], [], []
    for i, name in enumerate(deliveries.columns):
        cars = deliveries[name].to_numpy(float)
        shown = cars > 0
        c = np.where(shown, cost[name].to_numpy(float), np.nan)
        p = np.where(shown, price[name].to_numpy(float), np.nan)
        colour = style.colour(i)
        few = "o" if 0 < shown.sum() <= 2 else None  # a line needs two points: mark them
        none = "" if shown.any() else " (no deliveries)"
        ax.plot(x, c, color=colour, lw=LINE_WIDTH, marker=few, label=f"{name}: cost per car{none}")
        ax.plot(x, p, color=colour, lw=LINE_WIDTH, ls="--", marker=few, label=f"{name}: price")
        readable = yrange.readable_months(cars) & shown  # this product's own busiest month
        series += [c, p]
        keep += [readable, readable]
        groups += [(x, c, colour), (x, p, colour)]
    span = yrange.limits([np.concatenate(series)], np.concatenate(keep))
    quarterly = "period" in products  # a quarterly table, each quarter at its middle month
    xlabel = "Quarter (drawn at its middle month)" if quarterly else marks.MONTH_LABEL
    marks.finish_axes(ax, x, ylabel="USD per delivered car", usd=True, xlabel=xlabel)
    if span is not None:
        span = (max(span[0], 0.0), span[1])
        yrange.clip_groups(ax, groups, span, money, what="values")
    else:
        ax.set_ylim(bottom=0)
    style.legend(ax, loc="lower left", ncols=2)
    return fig


def _by_product(products: pd.DataFrame, column: str) -> pd.DataFrame:
    """``column`` as a months x products table, products in their first-seen order."""
    order = list(dict.fromkeys(products["product"].astype(str)))
    wide = products.pivot_table(
        index=products["month"].astype(str), columns="product", values=column, aggfunc="sum",
        dropna=False,
    )  # fmt: skip
    return wide.reindex(columns=order)
