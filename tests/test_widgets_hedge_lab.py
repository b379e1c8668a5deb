"""HedgeLab and HedgeChart: the sliders drive the bars and labels with the engine's numbers."""
import re

import numpy as np
import pandas as pd
import pytest

from crossmargin.errors import InsufficientBalance, InvalidInput
from crossmargin.lessons.hedging import hedge_grid, hedge_outcomes, summarize
from crossmargin.widgets import HedgeChart, HedgeLab, style
from crossmargin.widgets.style import COLORS, fmt_pct, fmt_usdt

N = 300


def text(label):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", label.value)).strip()


@pytest.fixture
def lab():
    return HedgeLab(n_paths=N, background=False)


def test_defaults_and_hooks(lab):
    assert "cm-hedge-lab" in lab._dom_classes
    assert "cm-hedge-ratio" in lab.hedge_ratio._dom_classes
    assert "cm-correlation" in lab.correlation._dom_classes
    assert (lab.hedge_ratio.min, lab.hedge_ratio.max) == (0, 1.5)
    assert (lab.correlation.min, lab.correlation.max) == (-1, 1)
    assert not lab.hedge_ratio.continuous_update and not lab.correlation.continuous_update
    assert lab.bars.colors == [COLORS["isolated"], COLORS["cross"]]
    assert list(lab.deposit_line.x) == [10_000, 10_000]
    assert "ETH short 27,000 USDT" in text(lab.plan)


def test_bars_are_the_histogram_of_the_engine_outcomes(lab):
    lab.hedge_ratio.value, lab.correlation.value = 1.0, 0.0
    out = hedge_outcomes([1.0], [0.0], N)
    for row, mode in enumerate(("isolated", "cross")):
        equity = out.loc[out["mode"] == mode, "final_equity"].to_numpy()
        counts, _ = np.histogram(np.clip(equity, 0, 29_999), bins=np.arange(0, 30_001, 1_000))
        np.testing.assert_allclose(lab.bars.y[row], 100 * counts / N)
    np.testing.assert_allclose(lab.bars.x, np.arange(500, 30_000, 1_000))
    assert lab.bars.y.sum(axis=1) == pytest.approx([100, 100])
    assert lab.bars.scales["y"].max >= lab.bars.y.max()
    assert "ratio 1.0, correlation +0.0" in lab.figure.title


def test_labels_are_the_grid_numbers(lab):
    lab.hedge_ratio.value, lab.correlation.value = 0.5, 0.8
    grid = hedge_grid([0.5], [0.8], N).set_index("mode")
    for mode, label in (("isolated", lab.isolated_status), ("cross", lab.cross_status)):
        row, shown = grid.loc[mode], text(label)
        assert f"any liquidation: {fmt_pct(row['p_liquidation'], 1)} of paths" in shown
        assert f"wiped out: {fmt_pct(row['p_wipeout'], 1)}" in shown
        assert f"median final equity: {fmt_usdt(row['median_final_equity'], 0)}" in shown
        assert f"upside kept when BTC rose: {fmt_pct(row['upside_kept'], 1)}" in shown
    assert lab.summary.loc["cross", "p_liquidation"] == grid.loc["cross", "p_liquidation"]


def test_no_hedge_keeps_all_the_upside_and_moving_back_is_cached(lab):
    fresh = not lab.precomputed.ready((0.0, 0.8))         # labs with N paths share a grid
    lab.hedge_ratio.value = 0.0
    assert ("computed in" if fresh else "cached") in text(lab.status)
    assert "upside kept when BTC rose: 100.0 %" in text(lab.cross_status)
    assert "ETH short 0 USDT" in text(lab.plan)
    before = lab.bars.y.copy()
    lab.hedge_ratio.value = 0.6                  # built with this cell
    assert "cached" in text(lab.status)
    lab.hedge_ratio.value = 0.0
    assert "cached" in text(lab.status)
    np.testing.assert_array_equal(lab.bars.y, before)


def direct(ratio, rho, n_paths):
    """What the lab showed before its grid: one Monte Carlo of [0, ratio] at rho, summarized,
    and the histogram of the ratio's final equity (the first bin holds 0, the last the rest)."""
    out = hedge_outcomes([0.0, ratio] if ratio else [0.0], [rho], n_paths)
    table = summarize(out)
    summary = table[table["hedge_ratio"] == ratio].set_index("mode")
    mine = out[out["hedge_ratio"] == ratio]
    bars = [np.histogram(np.clip(mine.loc[mine["mode"] == m, "final_equity"], 0, 29_999),
                         bins=np.arange(0, 30_001, 1_000))[0] * 100 / n_paths
            for m in ("isolated", "cross")]
    return summary, np.array(bars)


def test_the_grid_is_every_slider_setting_nearest_first(lab):
    keys = lab.precomputed.keys
    assert len(keys) == 16 * 21 == len(set(keys))
    assert sorted({h for h, _ in keys}) == pytest.approx(np.arange(16) / 10)
    assert sorted({r for _, r in keys}) == pytest.approx(np.arange(-10, 11) / 10)
    assert keys[0] == (0.6, 0.8) and keys[1:3] == ((0.5, 0.8), (0.7, 0.8))
    assert {r for _, r in keys[:16]} == {0.8} and {r for _, r in keys[16:48]} == {0.7, 0.9}
    assert keys[-1] == (1.5, -1.0)
    assert lab.wait() and not lab.background


#: The paths of the background lab: no other test builds a lab with them, so its grid is its own.
BG = 150


def test_in_the_background_a_new_setting_shows_computing_then_the_engine_numbers():
    lab = HedgeLab(n_paths=BG)
    grid = lab.precomputed
    assert lab.summary is not None and "computed in" in text(lab.status)   # built with it
    far = (1.5, -1.0)                                   # the last setting the worker plans
    assert grid.keys[-1] == far and not grid.ready(far)
    lab.hedge_ratio.value, lab.correlation.value = far
    assert lab.summary is None and "computing…" in text(lab.status)
    assert "computing…" in text(lab.cross_status) and lab.bars.opacities == [0.3, 0.3]
    assert "correlation -1.0) · computing…" in lab.figure.title
    assert lab.wait(timeout=300)
    summary, bars = direct(*far, BG)
    pd.testing.assert_frame_equal(lab.summary, summary, check_exact=True)
    np.testing.assert_array_equal(lab.bars.y, bars)
    assert lab.bars.opacities == [] and "computing" not in text(lab.status)

    # Cells across the grid (waiting for them puts them ahead of the rest): each is what a
    # direct computation gives; moving the sliders onto one is a lookup.
    cells = [(0.0, 0.8), (0.3, -0.5), (1.0, 0.0), (1.2, 0.9)]
    try:
        assert grid.wait(cells, timeout=300)
        for key in cells:
            summary, bars = direct(*key, BG)
            pd.testing.assert_frame_equal(grid.get(key).summary, summary, check_exact=True)
            np.testing.assert_array_equal(grid.get(key).shares, bars)
        lab.hedge_ratio.value, lab.correlation.value = 1.0, 0.0
        assert "cached" in text(lab.status) and "of 336 settings computed" in text(lab.status)
        np.testing.assert_array_equal(lab.bars.y, grid.get((1.0, 0.0)).shares)
        assert lab.summary is grid.get((1.0, 0.0)).summary

        again = HedgeLab(n_paths=BG, hedge_ratio=1.2, correlation=0.9)   # the same options
        assert again.precomputed is grid and "cached" in text(again.status)
        assert again.summary is grid.get((1.2, 0.9)).summary
    finally:
        grid.stop()                     # the rest of the grid is not needed here


@pytest.mark.parametrize("ratio, rho", [(1.5, -1.0), (1.5, 1.0), (0.0, -1.0), (1.5, 0.0)])
def test_extreme_settings_never_raise(lab, ratio, rho):
    lab.hedge_ratio.value, lab.correlation.value = ratio, rho
    shown = text(lab.cross_status)
    assert shown.startswith("Cross any liquidation:")
    assert np.isfinite(lab.bars.y).all()
    if (ratio, rho) == (1.5, -1.0):       # the short loses whenever the long does
        assert lab.summary.loc["cross", "p_wipeout"] > 0.5
        assert COLORS["liquidation"] in lab.cross_status.value


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(hedge_ratio=2), InvalidInput, "hedge_ratio must be between 0 and 1.5"),
    (dict(correlation=1.5), InvalidInput, "correlation must be between -1 and 1"),
    (dict(correlation="x"), InvalidInput, "correlation must be a number"),
    (dict(n_paths=50), InvalidInput, "n_paths must be a whole number from 100 to 5,000"),
    (dict(n_paths=500.0), InvalidInput, "n_paths"),
    (dict(deposit=0), InvalidInput, "deposit must be > 0"),
    (dict(btc_margin=4_500), InsufficientBalance, "hedge ratio 1.5"),
    (dict(leverage=0.5), InvalidInput, "leverage must be >= 1"),
    (dict(background="yes"), InvalidInput, "background must be True or False"),
])
def test_bad_setups_are_refused(kwargs, error, words):
    with pytest.raises(error, match=words):
        HedgeLab(**kwargs)


def test_chart_lines_are_the_grid_column():
    grid = hedge_grid([0, 0.5, 1.0], [0.8, 0.0], N)
    chart = HedgeChart(grid, "p_liquidation")
    assert set(chart.lines) == {(0.8, "isolated"), (0.8, "cross"), (0.0, "isolated"),
                                (0.0, "cross")}
    rows = grid[(grid["correlation"] == 0.0) & (grid["mode"] == "cross")]
    line = chart.lines[(0.0, "cross")]
    np.testing.assert_allclose(line.x, rows["hedge_ratio"])
    np.testing.assert_allclose(line.y, 100 * rows["p_liquidation"])
    assert line.colors == [COLORS["cross"]] and line.line_style == "dashed"
    assert chart.lines[(0.8, "cross")].line_style == "solid"
    assert "<b style='margin-right:10px'>cross</b>" in chart.key.value
    assert "correlation +0.8" in chart.key.value
    usd = HedgeChart(grid, "median_final_equity", modes=("cross",))
    np.testing.assert_allclose(usd.lines[(0.8, "cross")].y,
                               grid[(grid["correlation"] == 0.8) & (grid["mode"] == "cross")]
                               ["median_final_equity"])
    assert "USDT" in usd.figure.axes[1].label


def test_chart_key_shows_each_line_as_drawn_and_wraps_within_the_output():
    """The lesson's chart: three correlations x two modes. Each line has a key entry whose
    swatch has its colour and its dash pattern; the key wraps (at most 900 px wide), so the
    correlation -0.5 entries are not cut off."""
    grid = hedge_grid([0, 0.5, 1.0], [0.8, 0.0, -0.5], N)
    chart = HedgeChart(grid, "p_liquidation")
    html = chart.key.value
    assert html.count("max-width:900px") == 2 and "flex-wrap:wrap" in html
    rows = html.split("</div>")[:2]                      # one row per mode
    for mode, row in zip(("isolated", "cross"), rows):
        assert f">{mode}</b>" in row
        for rho in (0.8, 0.0, -0.5):
            line = chart.lines[(rho, mode)]
            dash = style.DASHES[line.line_style]
            entry = row.split(f"correlation {rho:+.1f}")[0].rsplit("<svg", 1)[1]
            assert f"stroke='{COLORS[mode]}'" in entry
            assert (f"stroke-dasharray='{dash}'" in entry) if dash else "dasharray" not in entry
    styles = {chart.lines[(rho, "cross")].line_style for rho in (0.8, 0.0, -0.5)}
    assert len(styles) == 3                              # three dash patterns per colour


def test_chart_defaults_draw_the_default_grid():
    chart = HedgeChart()
    assert set(chart.lines) == {(0.8, "isolated"), (0.8, "cross"), (0.0, "isolated"),
                                (0.0, "cross")}
    np.testing.assert_allclose(chart.lines[(0.8, "cross")].x, np.arange(16) / 10)
    assert chart.figure.axes[1].label == "odds of any liquidation (% of paths)"
    assert "cm-hedge-chart" in chart.figure._dom_classes


@pytest.mark.parametrize("args, words", [
    ((pd.DataFrame({"a": [1]}),), "grid must be a DataFrame from hedge_grid"),
    (("grid",), "grid must be a DataFrame"),
])
def test_chart_refuses_what_is_not_a_grid(args, words):
    with pytest.raises(InvalidInput, match=words):
        HedgeChart(*args)


def test_chart_refuses_unknown_columns_modes_and_too_many_correlations():
    grid = hedge_grid([0, 0.5], [0.8, 0.4, 0.0, -0.4, -0.8], 100)
    with pytest.raises(InvalidInput, match="at most 4 correlations"):
        HedgeChart(grid)
    small = grid[grid["correlation"] == 0.8]
    with pytest.raises(InvalidInput, match="'p_oops' column"):
        HedgeChart(small, "p_oops")
    with pytest.raises(InvalidInput, match="modes must be"):
        HedgeChart(small, modes=("both",))
