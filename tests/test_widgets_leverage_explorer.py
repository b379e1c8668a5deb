"""LeverageExplorer: controls drive the marks and labels with the engine's numbers."""
import itertools

import numpy as np
import pytest

from crossmargin import Brackets, formulas
from crossmargin.errors import CrossMarginError, InvalidInput, UnknownSymbol
from crossmargin.widgets import COLORS, LeverageExplorer
from crossmargin.widgets.style import fmt_pct, fmt_price, fmt_usdt

BTC = Brackets.load("BTCUSDT")


@pytest.fixture
def explorer():
    return LeverageExplorer()


def position(explorer):
    lev, entry = explorer.leverage.value, explorer.entry_price.value
    margin, side = explorer.margin.value, explorer.side.value
    return side, margin * lev / entry, entry, margin


def test_defaults_show_a_10x_long_and_its_liquidation_price(explorer):
    side, size, entry, margin = position(explorer)
    assert (side, explorer.leverage.value, entry, margin) == ("long", 10, 60_000, 1_000)
    lp = formulas.liquidation_price(side, size, entry, margin, brackets=BTC)
    bp = formulas.bankruptcy_price(side, size, entry, margin)
    assert list(explorer.liquidation_line.x) == pytest.approx([lp, lp])
    assert explorer.liquidation_line.visible
    assert explorer.point_names == ["entry", "liquidation", "bankruptcy"]
    assert list(explorer.points.x) == pytest.approx([entry, lp, bp])
    assert fmt_price(lp) in explorer.liquidation_label.value
    assert fmt_price(bp) in explorer.bankruptcy_label.value
    assert fmt_usdt(formulas.notional(size, entry)) in explorer.notional_label.value
    assert fmt_usdt(formulas.initial_margin(size, entry, 10)) in explorer.initial_margin_label.value
    assert fmt_usdt(formulas.maintenance_margin(size, entry, BTC)) in \
        explorer.maintenance_margin_label.value
    assert f"{size:,.6f} BTC" in explorer.size_label.value
    assert f"{fmt_pct(1 - lp / entry)} below entry" in explorer.distance_label.value
    for name, price in (("entry", entry), ("liquidation", lp), ("bankruptcy", bp)):
        assert list(explorer.annotations[name].x) == pytest.approx([price])
        assert list(explorer.annotations[name].text) == [name]
    assert not any(getattr(m, "display_legend", False) for m in explorer.figure.marks)
    assert "position equity" in explorer.key.value and explorer.key in explorer.children


def test_curves_are_the_engine_over_the_price_grid(explorer):
    explorer.leverage.value = 25
    side, size, entry, margin = position(explorer)
    grid = np.asarray(explorer.equity_line.x)
    assert grid.min() < entry < grid.max()
    np.testing.assert_allclose(explorer.equity_line.y, formulas.margin_balance(
        margin, formulas.unrealized_pnl(side, size, entry, grid)))
    np.testing.assert_allclose(explorer.maintenance_line.x, grid)
    np.testing.assert_allclose(explorer.maintenance_line.y,
                               formulas.maintenance_margin(size, grid, BTC))
    assert list(explorer.equity_line.colors) == [COLORS["long"]]


def test_the_liquidation_point_is_where_equity_meets_maintenance_margin(explorer):
    for lev in (3, 20, 75, 125):
        explorer.leverage.value = lev
        side, size, entry, margin = position(explorer)
        lp, mm_at_lp = explorer.points.x[1], explorer.points.y[1]
        equity = margin + formulas.unrealized_pnl(side, size, entry, lp)
        assert mm_at_lp == pytest.approx(formulas.maintenance_margin(size, lp, BTC))
        assert formulas.margin_ratio(mm_at_lp, equity) == pytest.approx(1.0)
        assert explorer.equity_line.x[0] < lp < explorer.equity_line.x[-1]


def test_higher_leverage_brings_the_liquidation_price_closer(explorer):
    distances = []
    for lev in (5, 10, 50, 125):
        explorer.leverage.value = lev
        distances.append(abs(explorer.values["liquidation_price"] / 60_000 - 1))
    assert distances == sorted(distances, reverse=True)


def test_short_is_liquidated_above_entry(explorer):
    explorer.side.value = "short"
    side, size, entry, margin = position(explorer)
    lp = formulas.liquidation_price("short", size, entry, margin, brackets=BTC)
    assert lp > entry and explorer.liquidation_line.x[0] == pytest.approx(lp)
    assert "above entry" in explorer.distance_label.value
    assert list(explorer.equity_line.colors) == [COLORS["short"]]
    assert f"border-top:4px solid {COLORS['short']}" in explorer.key.value
    assert explorer.annotations["liquidation"].align == "start"   # right of the line, away from entry


def test_entry_price_moves_everything(explorer):
    explorer.entry_price.value = 30_000
    side, size, entry, margin = position(explorer)
    assert explorer.points.x[0] == 30_000 and explorer.points.y[0] == pytest.approx(margin)
    assert explorer.values["liquidation_price"] == pytest.approx(
        formulas.liquidation_price(side, size, entry, margin, brackets=BTC))
    assert explorer.equity_line.x[0] < 30_000 < explorer.equity_line.x[-1]


def test_1x_long_has_no_liquidation_price(explorer):
    explorer.leverage.value = 1
    assert explorer.values["liquidation_price"] is None
    assert not explorer.liquidation_line.visible and len(explorer.liquidation_line.x) == 0
    assert explorer.point_names == ["entry"]
    assert len(explorer.annotations["liquidation"].x) == 0
    assert len(explorer.annotations["bankruptcy"].x) == 0
    assert "--" in explorer.liquidation_label.value and "--" in explorer.distance_label.value
    assert "no liquidation price" in explorer.status.value


def test_125x_with_the_smallest_margin_still_works(explorer):
    explorer.leverage.value = 125
    explorer.margin.value = explorer.margin.min
    side, size, entry, margin = position(explorer)
    lp = formulas.liquidation_price(side, size, entry, margin, brackets=BTC)
    assert 0.99 * entry < lp < entry
    assert fmt_price(lp) in explorer.liquidation_label.value
    assert "refused" not in explorer.status.value


def test_a_position_too_big_for_its_leverage_is_liquidated_and_refused(explorer):
    explorer.leverage.value = 125
    explorer.margin.value = explorer.margin.max
    assert explorer.values["liquidated"]
    assert "liquidated" in explorer.liquidation_label.value
    assert "liquidated" in explorer.status.value and "refused" in explorer.status.value
    assert not explorer.liquidation_line.visible
    assert "--" in explorer.distance_label.value


def test_the_bracket_limit_is_named(explorer):
    explorer.leverage.value = 125
    explorer.margin.value = 1_000                    # 125,000 USDT: tier 2, 100x at most
    assert "100x" in explorer.status.value and "refused" in explorer.status.value
    explorer.leverage.value = 100
    assert "refused" not in explorer.status.value


def test_extreme_values_never_raise(explorer):
    e = explorer
    for lev, margin, side, entry in itertools.product(
            (1, 2, 124, 125), (e.margin.min, 50_000, e.margin.max), ("long", "short"),
            (e.entry_price.min, 60_000, e.entry_price.max)):
        e.leverage.value, e.margin.value, e.side.value, e.entry_price.value = \
            lev, margin, side, entry
        assert np.isfinite(np.asarray(e.equity_line.y)).all()
        assert e.liquidation_label.value and e.status.value


SWEEP = list(itertools.product((1, 2, 3, 5, 10, 20, 50, 75, 100, 124, 125),
                                (10, 1_000, 50_000, 100_000), ("long", "short"),
                                (0.01, 60_000, 10_000_000)))


def _boxes(e):
    """Label boxes: (left, right) as shares of the plot's width, (bottom, top) of its height
    (a 15 px text on a plot of about 265 px: 0.06 of its height)."""
    height = e.y_scale.max - e.y_scale.min
    plot_px = 340 - 30 - 45
    boxes = {}
    for name, label in e.annotations.items():
        extent = e.label_extent(name)
        if extent is None:
            continue
        middle = (label.y[0] - e.y_scale.min) / height - label.y_offset / plot_px
        boxes[name] = extent, (middle - 0.03, middle + 0.03)
    return boxes


def test_labels_stay_inside_the_plot_and_apart_at_every_setting(explorer):
    """"liquidation" and "bankruptcy" overlapped each other or ran off the right edge."""
    e = explorer
    for lev, margin, side, entry in SWEEP:
        e.leverage.value, e.margin.value, e.side.value, e.entry_price.value = \
            lev, margin, side, entry
        boxes = _boxes(e)
        setting = (lev, margin, side, entry)
        for name, ((left, right), (bottom, top)) in boxes.items():
            assert 0 <= left and right <= 1, (name, setting, left, right)
            assert 0 <= bottom and top <= 1, (name, setting, bottom, top)
        names = list(boxes)
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                (al, ar), (ab, at) = boxes[a]
                (bl, br), (bb, bt) = boxes[b]
                apart = ar <= bl or br <= al or at <= bb or bt <= ab
                assert apart, (a, b, setting, boxes[a], boxes[b])
        # Each label names its own price.
        for name, x in (("liquidation", e.values["liquidation_price"]),
                        ("bankruptcy", e.values["bankruptcy_price"])):
            assert list(e.annotations[name].x) == ([] if x is None else [pytest.approx(x)])


def test_the_default_and_125x_keep_liquidation_and_bankruptcy_in_two_rows(explorer):
    for lev in (10, 125):
        explorer.leverage.value = lev
        liq, bank = explorer.annotations["liquidation"], explorer.annotations["bankruptcy"]
        assert liq.y[0] > bank.y[0] and liq.align == bank.align == "end"    # left of the points
        assert liq.x[0] > bank.x[0]


@pytest.mark.parametrize("lev, margin, side, entry", SWEEP[::7])
def test_axes_have_round_ticks_from_end_to_end(explorer, lev, margin, side, entry):
    """Ticks were 50,842 / 54,505 …: now multiples of 1, 2 or 5 x a power of ten."""
    e = explorer
    e.leverage.value, e.margin.value, e.side.value, e.entry_price.value = lev, margin, side, entry
    for axis, scale in ((e.figure.axes[0], e.x_scale), (e.figure.axes[1], e.y_scale)):
        ticks = np.asarray(axis.tick_values, dtype=float)
        step = ticks[1] - ticks[0]
        assert np.allclose(np.diff(ticks), step)
        assert round(step / 10 ** np.floor(np.log10(step) + 1e-9), 6) in (1, 2, 5)
        assert np.allclose(ticks / step, np.round(ticks / step), atol=1e-6)
        assert ticks[0] == scale.min and ticks[-1] == scale.max and 3 <= len(ticks) <= 12
    grid = np.asarray(e.equity_line.x)
    assert grid[0] == e.x_scale.min and grid[-1] == e.x_scale.max


def test_classes_for_browser_tests(explorer):
    assert "cm-leverage-explorer" in explorer._dom_classes
    assert "cm-leverage" in explorer.leverage._dom_classes
    assert "cm-leverage-figure" in explorer.figure._dom_classes
    assert explorer.figure.title and explorer.figure.axes[0].label == "mark price (USDT)"


@pytest.mark.parametrize("kwargs, words", [
    (dict(leverage=0), "leverage"), (dict(leverage=126), "125"), (dict(leverage=2.5), "whole"),
    (dict(leverage="ten"), "leverage"), (dict(side="up"), "side"),
    (dict(margin=5), "margin"), (dict(margin=1e6), "100,000"), (dict(margin=float("nan")), "margin"),
    (dict(margin=1_000.5), "whole"), (dict(entry_price=-1), "entry_price"),
    (dict(entry_price=0), "entry_price"), (dict(entry_price=2e7), "10,000,000"),
])
def test_bad_arguments_are_refused(kwargs, words):
    with pytest.raises(InvalidInput, match=words):
        LeverageExplorer(**kwargs)


def test_unknown_symbol():
    with pytest.raises(UnknownSymbol):
        LeverageExplorer("DOGEUSDT")
    assert issubclass(UnknownSymbol, CrossMarginError)


def test_other_symbols_use_their_brackets():
    sol = LeverageExplorer("SOLUSDT", entry_price=150, leverage=10, margin=100)
    brackets = Brackets.load("SOLUSDT")
    size = 100 * 10 / 150
    assert sol.values["liquidation_price"] == pytest.approx(
        formulas.liquidation_price("long", size, 150, 100, brackets=brackets))
    assert "SOL" in sol.size_label.value
