"""ModeTimelines: price moves and equity, isolated vs cross, with the liquidations marked."""
import numpy as np
import pandas as pd
import pytest

from crossmargin import Order, compare_modes, scenarios
from crossmargin.errors import InvalidInput
from crossmargin.lessons.examples import compare_leverages, run_example
from crossmargin.widgets import ModeTimelines, style


@pytest.fixture(scope="module")
def crash():
    return scenarios.btc_crash()[["BTCUSDT", "ETHUSDT"]]


@pytest.fixture(scope="module")
def runs(crash):
    return run_example(crash, 10)[1]


@pytest.fixture(scope="module")
def timelines(crash, runs):
    return ModeTimelines(crash, runs, title="BTC crash, 10x")


def test_it_is_registered_and_shows_two_figures_with_keys(timelines):
    assert "cm-mode-timelines" in timelines._dom_classes
    assert list(timelines.children) == [timelines.moves_figure, timelines.moves_key,
                                        timelines.equity_figure, timelines.equity_key]
    assert timelines.moves_figure.title == "BTC crash, 10x: prices"
    assert timelines.equity_figure.title == "BTC crash, 10x: equity"


def test_price_moves_are_percent_from_the_start_coloured_by_side(timelines, crash):
    btc, eth = timelines.price_lines["BTCUSDT"], timelines.price_lines["ETHUSDT"]
    expected = (crash["BTCUSDT"] / crash["BTCUSDT"].iloc[0] - 1) * 100
    assert np.allclose(btc.y, expected) and btc.y[0] == 0
    assert btc.colors == [style.COLORS["long"]] and eth.colors == [style.COLORS["short"]]
    assert timelines.sides == {"BTCUSDT": "long", "ETHUSDT": "short"}
    assert "BTC (long leg)" in timelines.moves_key.value
    assert "ETH (short leg)" in timelines.moves_key.value


def test_equity_lines_are_the_replays(timelines, runs):
    for mode in ("isolated", "cross"):
        line = timelines.equity_lines[mode]
        assert np.array_equal(line.y, runs[mode].timeline[("account", "equity")].to_numpy())
        assert line.colors == [style.COLORS[mode]]
    assert list(timelines.equity_lines) == ["isolated", "cross"]
    assert "equity, isolated" in timelines.equity_key.value
    assert "equity, cross" in timelines.equity_key.value


def test_the_liquidation_is_marked_where_it_happened(timelines, runs, crash):
    iso = timelines.liquidation_markers["isolated"]
    when = runs["isolated"].liquidations()["time"].iloc[0]
    hours = (when - crash.index[0]) / pd.Timedelta(hours=1)
    assert list(iso.x) == pytest.approx([hours])
    equity = runs["isolated"].timeline[("account", "equity")]
    assert list(iso.y) == pytest.approx([equity[when]])
    assert iso.colors == [style.COLORS["liquidation"]]
    assert len(timelines.liquidation_markers["cross"].x) == 0       # cross survives at 10x
    assert "liquidation" in timelines.equity_key.value


def test_the_x_axis_counts_hours_since_the_start_in_utc(timelines):
    assert timelines.x[0] == 0 and timelines.x[60] == pytest.approx(1.0)
    for figure in (timelines.moves_figure, timelines.equity_figure):
        assert figure.axes[0].label == "hours since 2024-01-01 00:00 UTC"
        assert list(figure.axes[0].tick_values) == list(range(0, 25, 3))
        assert figure.marks[0].x is not None


def test_a_cross_liquidation_of_two_positions_is_one_marker():
    twist = scenarios.eth_decouples()[["BTCUSDT", "ETHUSDT"]]
    _, runs = compare_leverages(twist, (10,))
    view = ModeTimelines(twist, runs[10], title="ETH decouples, 10x")
    assert len(runs[10]["cross"].liquidations()) == 2
    assert len(view.liquidation_markers["cross"].x) == 1
    assert view.liquidation_markers["cross"].y[0] == pytest.approx(0.0, abs=1e-6)


def test_one_mode_a_path_without_timestamps_and_given_sides():
    path = pd.DataFrame({"BTCUSDT": [60_000.0, 59_000.0, 61_000.0],
                         "ETHUSDT": [3_000.0, 3_100.0, 3_050.0]})
    _, runs = compare_modes(path, [Order("BTCUSDT", "short", margin=1_000, leverage=5)])
    view = ModeTimelines(path, {"cross": runs["cross"]})
    assert list(view.equity_lines) == ["cross"] and list(view.x) == [0, 1, 2]
    assert view.equity_figure.axes[0].label == "step"
    # BTC's side is read from the position still open; nothing tells ETH's: price colour
    assert view.sides == {"BTCUSDT": "short", "ETHUSDT": None}
    assert view.price_lines["BTCUSDT"].colors == [style.COLORS["short"]]
    assert view.price_lines["ETHUSDT"].colors == [style.COLORS["price"]]
    assert "ETH</span>" in view.moves_key.value
    told = ModeTimelines(path, runs, sides={"ETHUSDT": "long"})
    assert told.price_lines["ETHUSDT"].colors == [style.COLORS["long"]]
    assert "liquidation" not in told.equity_key.value


@pytest.mark.parametrize("bad", [
    dict(path="crash"),
    dict(path=pd.DataFrame()),
    dict(runs={}),
    dict(runs=[1, 2]),
    dict(runs={"portfolio": None}),
    dict(runs={"cross": "run"}),
    dict(title=42),
    dict(sides=["long"]),
    dict(sides={"BTCUSDT": "up"}),
    dict(sides={"XRPUSDT": "long"}),
])
def test_bad_arguments_raise(crash, runs, bad):
    args = dict(path=crash, runs=runs) | bad
    with pytest.raises(InvalidInput):
        ModeTimelines(**args)


def test_runs_of_another_path_are_refused(crash, runs):
    with pytest.raises(InvalidInput, match="must be a replay of this path"):
        ModeTimelines(crash.iloc[:100], runs)
