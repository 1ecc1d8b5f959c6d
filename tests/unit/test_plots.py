"""Figures of one run: structure, labels and units, break-even marks, atomic saving."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.text import Text

from sim import load_scenario, simulate
from sim.core.format import money
from sim.plots import cash, operations, per_car_profit, save_figure, unit_cost
from sim.plots.run import NO_BREAKEVEN, NO_PAYBACK, component_label, cost_components
from sim.plots.style import CountFormatter, UsdFormatter, month_dates

matplotlib.use("Agg")


def synthetic(months: int = 12, *, per_car_from: float = -3000.0, per_car_step: float = 500.0):
    """A small monthly table; per-car profit rises by ``per_car_step`` a month."""
    labels = [f"{2024 + (3 + m) // 12}-{(3 + m) % 12 + 1:02d}" for m in range(months)]
    deliveries = np.linspace(1000, 5000, months)
    cash_flow = np.array([-50e6, -400e6, *np.full(months - 2, 60e6)])[:months]
    return pd.DataFrame(
        {
            "month": labels,
            "quarter": [f"{s[:4]}Q{(int(s[5:]) - 1) // 3 + 1}" for s in labels],
            "capacity": deliveries * 1.2,
            "production": deliveries * 1.05,
            "deliveries": deliveries,
            "backlog": np.linspace(20000, 2000, months),
            "avg_wait_days": np.linspace(10, 90, months),
            "p90_wait_days": np.linspace(15, 100, months),
            "asp": np.full(months, 30000.0),
            "cogs_battery": deliveries * 8000.0,
            "cogs_body": deliveries * 12000.0,
            "cogs_fixed": np.full(months, 10e6),
            "cogs_depreciation": np.full(months, 5e6),
            "operating_profit_per_car": per_car_from + per_car_step * np.arange(months),
            "capex": np.array([0.0, 400e6, *np.zeros(months - 2)])[:months],
            "cumulative_cash": np.cumsum(cash_flow),
        }
    )


NO_MARK = {"operating_per_car": None}
"""A break-even dict that marks nothing (for figures tested on something else)."""


def texts(fig: Figure) -> list[str]:
    """Every piece of text drawn: titles, labels, annotations, legend entries."""
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def data_lines(ax) -> list:
    """Lines with a legend label (not reference lines: zero line, month marks)."""
    return [line for line in ax.get_lines() if not line.get_label().startswith("_")]


@pytest.fixture(scope="module")
def default_run():
    return simulate(load_scenario())


# ---------------------------------------------------------------------------- per-car profit


def test_per_car_profit_marks_the_given_breakeven():
    fig = per_car_profit(synthetic(), {"operating_per_car": "2024-10"}, title="Test run")
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    assert len(data_lines(ax)) == 1
    assert len(ax.get_lines()) == 3  # profit, zero line, break-even mark
    assert "break-even 2024-10" in texts(fig)
    assert NO_BREAKEVEN not in texts(fig)
    assert "USD" in ax.get_ylabel() and ax.get_xlabel() == "Month"
    assert fig._suptitle.get_text() == "Test run"


def test_per_car_profit_says_when_there_is_no_breakeven():
    fig = per_car_profit(synthetic(per_car_step=0.0), {"operating_per_car": None})
    assert NO_BREAKEVEN in texts(fig)
    assert not any(t.startswith("break-even") for t in texts(fig))
    assert len(fig.axes[0].get_lines()) == 2  # profit and zero line, no month mark


def test_per_car_profit_needs_the_models_breakeven():
    # the figure marks the summary's break-even; it never works one out from the table
    with pytest.raises(TypeError, match="breakeven"):
        per_car_profit(synthetic())
    with pytest.raises(KeyError, match="short"):
        per_car_profit({"base": synthetic(), "short": synthetic(6)}, breakevens={"base": {}})


def test_per_car_profit_marks_a_later_sustained_breakeven():
    be = {
        "operating_per_car": "2024-10",
        "operating_per_car_sustained": "2025-01",
        "sustain_months": 3,
    }
    fig = per_car_profit(synthetic(), be)
    found = texts(fig)
    assert "break-even 2024-10" in found
    assert "sustained break-even 2025-01 (3+ months)" in found
    assert len(fig.axes[0].get_lines()) == 4


def test_per_car_profit_rejects_a_breakeven_outside_the_table():
    with pytest.raises(ValueError, match="not a month"):
        per_car_profit(synthetic(), {"operating_per_car": "2031-01"})


def test_per_car_profit_draws_one_line_per_scenario():
    runs = {"base": synthetic(), "flat": synthetic(per_car_step=0.0), "short": synthetic(6)}
    none = {"operating_per_car": None}
    be = {"base": {"operating_per_car": "2024-10"}, "flat": none, "short": none}
    fig = per_car_profit(runs, breakevens=be)
    (ax,) = fig.axes
    lines = data_lines(ax)
    assert [line.get_label().split(":")[0] for line in lines] == list(runs)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0] == "base: break-even 2024-10"
    assert legend[1] == f"flat: {NO_BREAKEVEN}"
    assert legend[2] == f"short: {NO_BREAKEVEN}"


def test_per_car_profit_rejects_mixed_arguments():
    with pytest.raises(TypeError):
        per_car_profit(synthetic(), breakevens={"a": None})
    with pytest.raises(TypeError):
        per_car_profit({"a": synthetic()}, {"operating_per_car": None})
    with pytest.raises(KeyError):
        per_car_profit({"a": synthetic()}, breakevens={"b": None})


def test_missing_columns_are_named():
    with pytest.raises(KeyError, match="operating_profit_per_car"):
        per_car_profit(synthetic().drop(columns="operating_profit_per_car"), NO_MARK)


# ---------------------------------------------------------------------------- operations


def test_operations_has_flow_backlog_and_wait_panels():
    fig = operations(synthetic())
    flow, backlog, wait = fig.axes
    assert [line.get_label() for line in data_lines(flow)] == [
        "capacity",
        "production",
        "deliveries",
    ]
    assert len(data_lines(backlog)) == 1
    assert [line.get_label() for line in data_lines(wait)] == ["average", "90th pct"]
    assert "per month" in flow.get_ylabel().lower()
    assert "(cars)" in backlog.get_ylabel()
    assert "(days)" in wait.get_ylabel()
    assert flow.get_legend() is not None


# ---------------------------------------------------------------------------- unit cost


def test_unit_cost_stacks_each_component_under_the_price():
    monthly = synthetic()
    fig = unit_cost(monthly)
    (ax,) = fig.axes
    areas = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(areas) == 4
    assert [line.get_label() for line in data_lines(ax)] == ["average selling price"]
    assert "USD" in ax.get_ylabel()
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == [
        "average selling price",
        # cheapest month: the last, 20,000 + 15e6 / 5,000 = 23,000 under a 30,000 price
        "gross margin $7,000 per car\n(2025-03, arrow)",
        "depreciation (per car)",
        "fixed (per car)",
        "body",
        "battery",
    ]
    # the stack's top is the unit cost: 8000 + 12000 + (10e6 + 5e6) / deliveries
    top = ax.get_lines()[0].get_ydata()
    expected = 20000 + 15e6 / monthly["deliveries"].to_numpy()
    np.testing.assert_allclose(top, expected)


def test_cost_components_put_period_costs_last():
    cols = ["cogs_fixed", "cogs_battery", "cogs", "cogs_depreciation", "cogs_body_and_parts"]
    assert cost_components(cols) == [
        "cogs_battery",
        "cogs_body_and_parts",
        "cogs_fixed",
        "cogs_depreciation",
    ]
    assert component_label("cogs_body_and_parts") == "body and parts"
    assert component_label("cogs_fixed") == "fixed (per car)"


# ---------------------------------------------------------------------------- cash


def test_cash_marks_trough_and_payback():
    monthly = synthetic()  # -50m, -450m, then +60m a month: back above zero in month 10
    be = {
        "peak_cash_deficit": 450e6,
        "peak_cash_deficit_month": "2024-05",
        "cash_payback": "2025-01",
    }
    fig = cash(monthly, be)
    found = texts(fig)
    assert "peak deficit -$450.0M (2024-05)" in found  # as the console writes money
    assert "payback 2025-01" in found
    assert "capex $400.0M" in found
    assert "USD" in fig.axes[0].get_ylabel()


def test_cash_says_when_there_is_no_payback():
    monthly = synthetic(6)
    fig = cash(monthly, {"peak_cash_deficit": 450e6, "peak_cash_deficit_month": "2024-05"})
    assert NO_PAYBACK in texts(fig)
    assert not any(t.startswith("payback") for t in texts(fig))


# ---------------------------------------------------------------------------- default scenario


def test_default_scenario_figures(default_run):
    monthly, be = default_run.monthly, default_run.summary["breakeven"]
    figs = {
        "per_car": per_car_profit(monthly, be),
        "operations": operations(monthly),
        "unit_cost": unit_cost(monthly),
        "cash": cash(monthly, be),
    }
    assert [len(f.axes) for f in figs.values()] == [1, 3, 1, 1]
    per_car = texts(figs["per_car"])
    if be["operating_per_car"] is None:
        assert NO_BREAKEVEN in per_car
    else:
        assert f"break-even {be['operating_per_car']}" in per_car
    components = [c for c in monthly.columns if c.startswith("cogs_")]
    assert len(figs["unit_cost"].axes[0].collections) == len(components)
    cash_texts = texts(figs["cash"])
    if be["cash_payback"] is not None:
        assert f"payback {be['cash_payback']}" in cash_texts
    assert f"peak deficit -{money(be['peak_cash_deficit'])}" in " ".join(cash_texts)


def test_figures_do_not_touch_pyplot(default_run):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    per_car_profit(default_run.monthly, default_run.summary["breakeven"])
    operations(default_run.monthly)
    assert plt.get_fignums() == before


# ---------------------------------------------------------------------------- style helpers


def test_usd_ticks_share_one_unit_and_show_the_step():
    fmt = UsdFormatter()
    assert fmt.format_ticks([-1e9, -0.5e9, 0, 0.5e9]) == ["-$1.0bn", "-$0.5bn", "$0", "$0.5bn"]
    assert fmt.format_ticks([0, 2500, 5000]) == ["$0", "$2,500", "$5,000"]
    assert fmt.format_ticks([0, 250e6, 500e6]) == ["$0", "$250M", "$500M"]
    assert fmt.format_ticks([0, 1.5e6, 3e6]) == ["$0", "$1.5M", "$3.0M"]


def test_count_ticks_read_as_money_without_the_dollar():
    assert CountFormatter().format_ticks([0, 50_000, 100_000]) == ["0", "50,000", "100,000"]


def test_month_dates():
    dates = month_dates(["2024-04", "2024-05", "2025-01"])
    assert dates.dtype == np.dtype("datetime64[D]")
    assert str(dates[0]) == "2024-04-01" and str(dates[-1]) == "2025-01-01"


# ---------------------------------------------------------------------------- saving


def test_save_figure_writes_png_atomically(tmp_path):
    fig = per_car_profit(synthetic(), NO_MARK)
    written = save_figure(fig, tmp_path / "figs" / "per_car.png")
    assert written == [tmp_path / "figs" / "per_car.png"]
    assert written[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in (tmp_path / "figs").iterdir()] == ["per_car.png"]


def test_save_figure_writes_each_format(tmp_path):
    written = save_figure(cash(synthetic(), NO_MARK), tmp_path / "cash", formats=("png", "svg"))
    assert [p.name for p in written] == ["cash.png", "cash.svg"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cash.png", "cash.svg"]


def test_save_figure_leaves_nothing_behind_on_failure(tmp_path, monkeypatch):
    fig = per_car_profit(synthetic(), NO_MARK)
    with pytest.raises(ValueError, match="unsupported"):
        save_figure(fig, tmp_path / "x", formats=("bmpx",))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(fig, "savefig", broken)
    with pytest.raises(RuntimeError):
        save_figure(fig, tmp_path / "x.png")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------- tiny first months


def tiny_first_months() -> pd.DataFrame:
    """Two months of 10 and 20 cars (-$1.2M and -$500,000 a car), then 1,000 to 5,000 cars
    a month between -$3,000 and +$2,000 a car: the first two are under 5 % of the peak."""
    monthly = synthetic(12)
    monthly.loc[:1, "deliveries"] = [10.0, 20.0]
    monthly.loc[:1, "operating_profit_per_car"] = [-1.2e6, -5e5]
    monthly.loc[:1, "cogs_battery"] = [8000.0 * 10, 8000.0 * 20]
    monthly.loc[:1, "cogs_body"] = [12000.0 * 10, 12000.0 * 20]
    return monthly


def test_a_tiny_first_month_does_not_set_the_per_car_range():
    monthly = tiny_first_months()
    fig = per_car_profit(monthly, {"operating_per_car": "2024-10"})
    (ax,) = fig.axes
    lo, hi = ax.get_ylim()
    kept = monthly["operating_profit_per_car"].to_numpy()[2:]  # -2,000 .. +2,500
    span = kept.max() - kept.min()
    assert lo == pytest.approx(kept.min() - 0.08 * span)
    assert hi == pytest.approx(kept.max() + 0.08 * span)
    triangles = [ln for ln in ax.get_lines() if ln.get_marker() == "v"]
    assert len(triangles) == 1 and len(triangles[0].get_xdata()) == 2
    note = ax.get_xlabel()
    assert "2024-04 -$1.2M" in note.replace("\\$", "$")
    assert "2024-05 -$500,000" in note.replace("\\$", "$")
    assert "break-even 2024-10" in texts(fig)


def test_nothing_is_clipped_when_every_month_fits():
    fig = per_car_profit(synthetic(), {"operating_per_car": "2024-10"})
    (ax,) = fig.axes
    assert ax.get_xlabel() == "Month"
    assert not [ln for ln in ax.get_lines() if ln.get_marker() in ("v", "^")]


def test_unit_cost_leaves_tiny_months_off_its_scale():
    monthly = tiny_first_months()
    fig = unit_cost(monthly)
    (ax,) = fig.axes
    # kept months: top of the stack 20,000 + 15e6 / deliveries, at most 20,000 + 15e6 / 1,364
    delivered = monthly["deliveries"].to_numpy()[2:]
    top = max(30000.0, (20000 + 15e6 / delivered).max()) * 1.08
    assert ax.get_ylim() == pytest.approx((0.0, top))
    note = ax.get_xlabel().replace("\\$", "$")
    assert "2024-04 $1.5M, 2024-05 $770,000" in note  # 20,000 + 15e6 / 10 and / 20


def test_the_window_and_the_quarterly_view(tmp_path):
    from sim.plots.sets import run_set
    from sim.plots.window import Window

    result = simulate(load_scenario())
    summary = result.summary
    window = Window("2025-01", "2025-12")
    figs = run_set(result.monthly, summary, window=window, quarterly=result.quarterly)
    (ax,) = figs["per_car_profit"].axes
    x = ax.get_lines()[0].get_xdata()
    assert (str(x.min())[:7], str(x.max())[:7]) == ("2025-01", "2025-12")
    first = summary["breakeven"]["operating_per_car"]  # 2024-11: before the window
    assert f"break-even {first} (outside the months shown)" in texts(figs["per_car_profit"])
    quarterly = run_set(
        result.monthly, summary, window=Window(quarterly=True), quarterly=result.quarterly
    )
    (ax,) = quarterly["per_car_profit"].axes
    y = ax.get_lines()[0].get_ydata()
    np.testing.assert_allclose(y, result.quarterly["operating_profit_per_car"])
    assert "by quarter" in quarterly["unit_cost"].axes[0].get_title()
    with pytest.raises(ValueError, match="not a month"):
        Window("2025-13")
    with pytest.raises(ValueError, match="after its end"):
        Window("2026-01", "2025-01")
    with pytest.raises(ValueError, match="no month of the run"):
        Window("2031-01").check("2024-04", "2029-03")


# ---------------------------------------------------------------------------- products


def two_products(months: int = 12) -> pd.DataFrame:
    """A per-product table: ``a`` from the first month, ``b`` from the sixth with a tiny first
    month (10 cars at USD 900,000 a car) while ``a`` delivers thousands."""
    one = synthetic(months)
    a = one[["month", "deliveries"]].assign(
        product="a", unit_cogs=25000.0, asp=30000.0
    )  # fmt: skip
    b_cars = np.array([0.0] * 5 + [10.0] + [3000.0] * (months - 6))
    b_cost = np.where(b_cars > 0, 27000.0, np.nan)
    b_cost[5] = 900000.0
    b = pd.DataFrame(
        {"month": one["month"], "deliveries": b_cars, "product": "b", "unit_cogs": b_cost,
         "asp": np.where(b_cars > 0, 40000.0, np.nan)}
    )  # fmt: skip
    return pd.concat([a, b], ignore_index=True)


def test_deliveries_by_product_stack_to_the_total():
    from sim.plots.run import deliveries_by_product

    table = two_products()
    fig = deliveries_by_product(table)
    (ax,) = fig.axes
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert [b.get_label() for b in bands] == ["a", "b"]
    (total,) = [ln for ln in ax.get_lines() if ln.get_label() == "all products"]
    want = table.groupby("month", sort=False)["deliveries"].sum().to_numpy()
    np.testing.assert_allclose(total.get_ydata(), want)


def test_unit_cost_by_product_keeps_a_products_tiny_first_month_off_the_scale():
    from sim.plots.run import unit_cost_by_product

    fig = unit_cost_by_product(two_products())
    (ax,) = fig.axes
    lo, hi = ax.get_ylim()
    # b's launch month (10 cars, under 5 % of b's busiest 3,000) does not set the range, even
    # though a delivers thousands that month: the kept values and zero, 0 .. 40,000, padded by
    # 8 % of that span above (and clipped at zero below)
    assert lo == 0.0 and hi == pytest.approx(40000.0 * 1.08)
    triangles = [ln for ln in ax.get_lines() if ln.get_marker() == "^"]
    assert len(triangles) == 1 and len(triangles[0].get_xdata()) == 1
    note = ax.get_xlabel().replace("\\$", "$")
    assert "1 value off the scale" in note and "$900,000" in note
    labels = [ln.get_label() for ln in data_lines(ax) if ln.get_marker() in ("None", "")]
    assert labels == ["a: cost per car", "a: price", "b: cost per car", "b: price"]
