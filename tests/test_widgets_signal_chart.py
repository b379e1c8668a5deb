"""SignalChart: every mark is the engine's indicator or signal, stops come from the backtest."""
import numpy as np
import pandas as pd
import pytest

from crossmargin import InvalidInput, scenarios
from crossmargin.lessons import indicators
from crossmargin.widgets import SignalChart


@pytest.fixture(scope="module")
def sample():
    return scenarios.load_csv(scenarios.SAMPLE_KLINES_CSV, symbol="BTCUSDT")["BTCUSDT"]


def test_marks_are_the_engine_indicators(sample):
    chart = SignalChart(sample)
    frame = indicators.signals(sample)
    assert "cm-signal-chart" in chart._dom_classes
    np.testing.assert_allclose(chart.x, np.arange(len(sample), dtype=float))   # hourly rows
    np.testing.assert_allclose(chart.price_line.y, frame["price"])
    np.testing.assert_allclose(chart.fast_line.y, frame["fast_ma"])          # NaN where empty
    np.testing.assert_allclose(chart.slow_line.y, frame["slow_ma"])
    np.testing.assert_allclose(chart.rsi_line.y, frame["rsi"])
    assert list(chart.entry_marks.x) == np.flatnonzero(frame["entry"]).tolist()
    assert list(chart.exit_marks.x) == np.flatnonzero(frame["exit"]).tolist()
    np.testing.assert_allclose(chart.entry_marks.y, frame["price"][frame["entry"]])
    assert list(chart.overbought_line.y) == [70.0, 70.0]
    assert len(chart.stop_marks.x) == 0
    assert chart.summary.value.startswith(f"{int(frame['entry'].sum())} entry")
    assert "hours since 2024-01-01 00:00 UTC" == chart.figure.axes[0].label
    assert chart.figure.title.startswith("BTCUSDT:")


def test_options_reach_the_indicators(sample):
    chart = SignalChart(sample, fast=3, slow=10, rsi_window=5, overbought=60)
    frame = indicators.signals(sample, fast=3, slow=10, rsi_window=5, overbought=60)
    np.testing.assert_allclose(chart.slow_line.y, frame["slow_ma"])
    np.testing.assert_allclose(chart.rsi_line.y, frame["rsi"])
    assert list(chart.exit_marks.x) == np.flatnonzero(frame["exit"]).tolist()
    assert list(chart.overbought_line.y) == [60.0, 60.0]


def test_stops_of_a_backtest_are_marked():
    prices = pd.Series(np.array([10, 9, 8, 7, 8, 9, 10, 11, 10, 9, 8, 7.0]) * 6_000,
                       name="BTCUSDT")
    prices.iloc[6:] = [53_000, 47_000, 50_000, 60_000, 61_000, 62_000]
    options = dict(fast=2, slow=4, rsi_window=2, overbought=99)
    result = indicators.backtest(prices, stop_distance=0.03, **options)
    chart = SignalChart(prices, backtest=result, **options)
    stopped = result.trades[result.trades["exit"] == "stop_loss"]
    assert list(chart.stop_marks.x) == stopped["exit_step"].tolist() == [7]
    assert list(chart.stop_marks.y) == pytest.approx(stopped["exit_price"].tolist())
    assert f"{len(result.trades)} trades" in chart.summary.value
    assert f"{result.pnl:+,.2f} USDT" in chart.summary.value


def test_bad_arguments(sample):
    with pytest.raises(InvalidInput, match="backtest must be"):
        SignalChart(sample, backtest="yes")
    long_run = indicators.backtest(
        scenarios.random_walk(n_steps=400, freq="1h", seed=3)["BTCUSDT"], stop_distance=0.001)
    with pytest.raises(InvalidInput, match="same prices"):
        SignalChart(sample, backtest=long_run)
    with pytest.raises(InvalidInput, match="fast must be shorter"):
        SignalChart(sample, fast=30, slow=10)
    with pytest.raises(InvalidInput, match="prices"):
        SignalChart([1.0, -1.0, 2.0])


def test_markers_keep_clear_of_the_title_and_the_edges(sample):
    """The exit marker at the highest price was drawn over the title; the one at the last
    row over the plot's right edge."""
    result = indicators.backtest(sample, margin=1_000, leverage=5, stop_distance=0.03)
    chart = SignalChart(sample, backtest=result)
    xs, ys = chart.price_line.scales["x"], chart.price_line.scales["y"]
    height, width = ys.max - ys.min, xs.max - xs.min
    for marks in (chart.entry_marks, chart.exit_marks, chart.stop_marks):
        for x, y in zip(marks.x, marks.y):
            assert ys.min + 0.05 * height <= y <= ys.max - 0.05 * height
            assert xs.min + 0.01 * width <= x <= xs.max - 0.01 * width
    assert max(chart.exit_marks.y) == chart.frame["price"].max()      # the one that was hit
    rsi_x = chart.rsi_line.scales["x"]
    assert (rsi_x.min, rsi_x.max) == (xs.min, xs.max)                  # the plots line up
    ticks = np.asarray(chart.figure.axes[1].tick_values)
    assert ticks[0] == ys.min and ticks[-1] == ys.max
    step = ticks[1] - ticks[0]
    assert np.allclose(ticks / step, np.round(ticks / step))
    assert round(step / 10 ** np.floor(np.log10(step) + 1e-9), 6) in (1, 2, 5)
