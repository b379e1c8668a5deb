"""crossmargin.lessons.monitoring: reading a replay's margin ratio (lesson 05)."""
import math

import numpy as np
import pandas as pd
import pytest

from crossmargin import Account, Order, platforms, replay, scenarios
from crossmargin.lessons import monitoring
from crossmargin.errors import InvalidInput
from crossmargin.lessons.examples import BINANCE_MARKS, BINANCE_SIZES, binance_example, btc_long

PLAN = [Order("BTCUSDT", "long", margin=5_000, leverage=10),
        Order("ETHUSDT", "long", margin=4_000, leverage=10)]


@pytest.fixture(scope="module")
def example():
    return binance_example()


@pytest.fixture(scope="module")
def crash_run(example):
    crash = scenarios.btc_crash(start_prices=BINANCE_MARKS)[["BTCUSDT", "ETHUSDT"]]
    return replay(crash, account=example)


@pytest.fixture(scope="module")
def grind_run():
    return replay(scenarios.slow_grind(), PLAN)


# -- rows of events --------------------------------------------------------------------------------
def test_liquidation_row_is_the_row_of_the_first_liquidation_time(crash_run, grind_run):
    for run in (crash_run, grind_run):                   # a pre-marked account, a fresh one
        row = monitoring.liquidation_row(run)
        assert run.timeline.index[row] == run.liquidation_events()["time"].iloc[0]


def test_event_rows_match_the_event_times(grind_run):
    funding = grind_run.events[grind_run.events["type"] == "funding"]
    rows = monitoring.event_rows(grind_run, "funding")
    assert len(rows) == len(funding)
    # funding is paid at the row whose mark crosses the funding instant
    assert list(grind_run.timeline.index[rows]) == list(funding["time"])   # minute rows
    assert len(monitoring.event_rows(grind_run, "stop_loss")) == 0


def test_no_liquidation_no_row():
    run = replay(scenarios.slow_grind(), [Order("BTCUSDT", "long", margin=500, leverage=2)])
    assert monitoring.liquidation_row(run) is None


# -- Binance vs OKX ------------------------------------------------------------------------------------
def test_venue_ratios_are_the_platform_formulas_before_the_liquidation(example, crash_run):
    ratios = monitoring.venue_margin_ratios(crash_run, example)
    liquidated = crash_run.liquidations()["time"].iloc[0]
    assert ratios.index[-1] < liquidated and len(ratios) == monitoring.liquidation_row(crash_run)
    row = crash_run.timeline.loc[ratios.index[100]]
    mm, mb = row[("account", "maintenance_margin")], row[("account", "cross_margin_balance")]
    value = sum(size * row[(s, "mark_price")] for s, size in BINANCE_SIZES.items())
    assert ratios["binance"].iloc[100] == pytest.approx(mm / mb)
    assert ratios["okx"].iloc[100] == pytest.approx(
        platforms.okx_margin_ratio(mb, mm, value * platforms.OKX_DEFAULT_FEE_RATE))
    assert ratios["BTCUSDT mark"].iloc[100] == row[("BTCUSDT", "mark_price")]
    assert ratios["binance"].iloc[0] == pytest.approx(example.margin_ratio())


def test_without_fees_okx_is_one_over_binance(example, crash_run):
    ratios = monitoring.venue_margin_ratios(crash_run, example, okx_fee_rate=0)
    assert np.allclose(ratios["okx"] * ratios["binance"], 1.0)


def test_venue_ratios_refuse_bad_input(example, crash_run):
    with pytest.raises(InvalidInput, match="run must be a Replay"):
        monitoring.venue_margin_ratios(example, example)
    with pytest.raises(InvalidInput, match="account must be the Account"):
        monitoring.venue_margin_ratios(crash_run, "example")
    with pytest.raises(InvalidInput, match="okx_fee_rate"):
        monitoring.venue_margin_ratios(crash_run, example, okx_fee_rate=-0.1)
    with pytest.raises(InvalidInput, match="open positions"):
        monitoring.venue_margin_ratios(crash_run, Account())
    sol = btc_long(10, size=0.1)
    with pytest.raises(InvalidInput, match="BTCUSDT is not in the run"):
        monitoring.venue_margin_ratios(replay(scenarios.btc_crash()[["SOLUSDT"]]), sol)


# -- the 80 % warning ----------------------------------------------------------------------------------
def test_warning_window_of_the_crash(crash_run):
    w = monitoring.warning_window(crash_run)
    ratio = crash_run.timeline[("account", "margin_ratio")]
    crossed = ratio[ratio >= 0.8].index[0]
    liquidated = crash_run.liquidation_events()["time"].iloc[0]    # when the procedure starts
    assert w.crossed == crossed and w.liquidated == liquidated
    assert w.ratio == ratio[crossed] >= 0.8 and ratio.iloc[w.crossed_row - 1] < 0.8
    assert w.minutes == (liquidated - crossed) / pd.Timedelta(minutes=1) == w.steps
    row = crash_run.timeline.loc[crossed]
    assert w.maintenance_margin == row[("account", "maintenance_margin")]
    assert w.cushion == pytest.approx(row[("account", "cross_margin_balance")]
                                      - w.maintenance_margin)
    # at a ratio r the cushion is MM × (1/r − 1): at 80 % or above, at most a quarter
    assert w.cushion == pytest.approx(w.maintenance_margin * (1 / w.ratio - 1))
    assert w.cushion <= w.maintenance_margin / 4
    eth = crash_run.timeline[("ETHUSDT", "mark_price")]
    assert w.moves["ETHUSDT"] == pytest.approx(eth[liquidated] / eth[crossed] - 1)


def test_a_level_never_reached_and_no_liquidation():
    run = replay(scenarios.slow_grind(), [Order("BTCUSDT", "long", margin=500, leverage=2)])
    w = monitoring.warning_window(run, level=0.5)
    assert w.crossed is None and w.ratio is None and w.cushion is None
    assert w.liquidated is None and w.minutes is None and w.moves == {}


@pytest.mark.parametrize("level", [0, 1.5, -0.2, math.nan, "80 %"])
def test_warning_window_refuses_a_bad_level(grind_run, level):
    with pytest.raises(InvalidInput, match="level"):
        monitoring.warning_window(grind_run, level=level)


def test_ratio_milestones(grind_run):
    row = monitoring.ratio_milestones(grind_run)
    ratio = grind_run.timeline[("account", "margin_ratio")]
    assert list(row.index) == ["reaches 10%", "reaches 25%", "reaches 50%", "reaches 80%",
                               "liquidated", "minutes from 80 % to liquidation"]
    assert row["reaches 25%"] == ratio[ratio >= 0.25].index[0].strftime("%H:%M")
    w = monitoring.warning_window(grind_run)
    assert row["liquidated"] == f"{w.liquidated:%H:%M}"
    assert row["minutes from 80 % to liquidation"] == w.minutes > 0


def test_ratio_milestones_never_reached_and_without_timestamps():
    path = pd.DataFrame({"BTCUSDT": [60_000.0, 59_000.0, 58_000.0]})
    row = monitoring.ratio_milestones(
        replay(path, [Order("BTCUSDT", "long", margin=1_000, leverage=5)]), levels=(0.001, 0.9))
    assert row["reaches 0%"] == "step 0" and row["reaches 90%"] == "--"   # placed at step 0
    assert row["liquidated"] == "--" and math.isnan(row["steps from 80 % to liquidation"])


@pytest.mark.parametrize("levels", [5, (0.5, 2), ("half",)])
def test_ratio_milestones_refuses_bad_levels(grind_run, levels):
    with pytest.raises(InvalidInput, match="levels"):
        monitoring.ratio_milestones(grind_run, levels)


# -- moving one price ---------------------------------------------------------------------------------
def test_mark_sweep_moves_the_other_liquidation_price(example):
    table = monitoring.mark_sweep(example, "BTCUSDT", [34_000, 31_967.27, 27_000],
                                  watch="ETHUSDT")
    assert table.index.name == "BTC mark"
    assert list(table.columns) == ["ETH liquidation price", "margin ratio"]
    assert table["ETH liquidation price"].is_monotonic_increasing
    assert table.loc[31_967.27, "ETH liquidation price"] == example.liquidation_price("ETHUSDT")
    assert table.loc[31_967.27, "margin ratio"] == pytest.approx(example.margin_ratio())
    assert example.positions().loc["BTCUSDT", "mark_price"] == 31_967.27   # untouched


def test_mark_sweep_liquidated_copy_is_nan(example):
    table = monitoring.mark_sweep(example, "BTCUSDT", [20_000], watch="ETHUSDT")
    assert table.isna().all().all()
    assert example.open_symbols == ["BTCUSDT", "ETHUSDT"]


@pytest.mark.parametrize("kwargs, words", [
    (dict(symbol="SOLUSDT"), "symbol must be an open position"),
    (dict(watch="XRPUSDT"), "watch must be an open position"),
    (dict(prices=[]), "at least one"),
    (dict(prices=30_000), "list of mark prices"),
])
def test_mark_sweep_refuses_bad_input(example, kwargs, words):
    args = dict(symbol="BTCUSDT", prices=[30_000], watch="ETHUSDT") | kwargs
    with pytest.raises(InvalidInput, match=words):
        monitoring.mark_sweep(example, **args)


# -- one row -------------------------------------------------------------------------------------------
def test_snapshot_at_a_time_and_at_a_row(crash_run):
    when = pd.Timestamp("2024-01-01 07:00", tz="UTC")
    snap = monitoring.snapshot(crash_run, "2024-01-01 07:00")
    assert snap.time == when and snap == monitoring.snapshot(crash_run, snap.row)
    row = crash_run.timeline.loc[when]
    assert snap.margin_ratio == row[("account", "margin_ratio")]
    mark, lp = row[("BTCUSDT", "mark_price")], row[("BTCUSDT", "liquidation_price")]
    assert snap.distance["BTCUSDT"] == pytest.approx((mark - lp) / mark)
    assert monitoring.liquidation_distance(crash_run, "BTCUSDT")[when] == snap.distance["BTCUSDT"]


def test_the_distance_is_nan_once_the_position_is_gone(crash_run):
    last = monitoring.snapshot(crash_run, len(crash_run.timeline) - 1)
    assert math.isnan(last.distance["ETHUSDT"])


@pytest.mark.parametrize("when", ["2025-01-01 00:00", "noon", -1, 10**6, True, 2.5])
def test_snapshot_refuses_unknown_rows(crash_run, when):
    with pytest.raises(InvalidInput, match="when must be a row number"):
        monitoring.snapshot(crash_run, when)


def test_liquidation_distance_refuses_an_unknown_symbol(crash_run):
    with pytest.raises(InvalidInput, match="symbol must be one of"):
        monitoring.liquidation_distance(crash_run, "SOLUSDT")
