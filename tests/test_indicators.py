"""Moving averages, Wilder's RSI, signals without look-ahead, and the replay-backed backtest."""
import math

import numpy as np
import pandas as pd
import pytest

from crossmargin import Account, InvalidInput, scenarios
from crossmargin.lessons import indicators
from crossmargin.lessons.indicators import backtest, chance_signals, rsi, signal_study, signals, sma


def test_sma_by_hand():
    out = sma([1, 2, 3, 4, 5], 3)
    assert out.isna().tolist() == [True, True, False, False, False]
    assert out.iloc[2:].tolist() == [2.0, 3.0, 4.0]


def test_rsi_by_hand_with_wilders_smoothing():
    # changes +1, -0.5, +1.5 | -1, +0.5, +1.5; window 3
    # first averages: gain 2.5/3, loss 0.5/3 -> RS 5 -> 100 - 100/6
    # then (prev * 2 + current) / 3: RS 1.25, 29/16, 139/32
    out = rsi(pd.Series([10, 11, 10.5, 12, 11, 11.5, 13.0]), 3)
    assert out.iloc[:3].isna().all()
    expected = [100 - 100 / 6, 100 - 100 / 2.25, 100 - 100 / (1 + 29 / 16),
                100 - 100 / (1 + 139 / 32)]
    assert out.iloc[3:].tolist() == pytest.approx(expected, rel=1e-12)
    # Cutler's simple average of the last three changes would give 50 at row 4, not 55.6
    assert out.iloc[4] == pytest.approx(500 / 9)


def test_rsi_of_rising_falling_and_flat_series():
    rising, falling, flat = np.arange(1.0, 40.0), np.arange(40.0, 1.0, -1), np.full(40, 5.0)
    assert (rsi(rising).dropna() == 100).all() and rsi(rising).notna().sum() == 39 - 14
    assert (rsi(falling).dropna() == 0).all()
    assert rsi(flat).isna().all()                      # no gains, no losses: undefined
    assert rsi([1.0, 2.0, 3.0], 14).isna().all()       # too short: nothing to say yet


def test_rsi_is_bounded_and_keeps_the_index():
    path = scenarios.random_walk(n_steps=500, freq="1h", seed=4)["BTCUSDT"]
    out = rsi(path)
    assert out.index.equals(path.index)
    assert out.dropna().between(0, 100).all() and out.iloc[14:].notna().all()


def test_signals_by_hand():
    p = pd.Series([10, 9, 8, 7, 8, 9, 10, 11, 10, 9, 8, 7.0])
    # fast 2 crosses above slow 4 at row 5 (8.5 > 8.0) and back below at row 9 (9.5 < 10);
    # the 2-step RSI is 75 at row 5, 87.5 at row 6, 93.75 at row 7.
    loose = signals(p, fast=2, slow=4, rsi_window=2, overbought=99)
    assert np.flatnonzero(loose["entry"]).tolist() == [5]
    assert np.flatnonzero(loose["exit"]).tolist() == [9]
    assert loose["rsi"].iloc[5] == pytest.approx(75.0)
    mid = signals(p, fast=2, slow=4, rsi_window=2, overbought=80)
    assert np.flatnonzero(mid["entry"]).tolist() == [5]
    assert np.flatnonzero(mid["exit"]).tolist() == [6, 7, 9]
    tight = signals(p, fast=2, slow=4, rsi_window=2, overbought=70)   # RSI 75: no entry
    assert not tight["entry"].any() and tight["exit"].iloc[5]


def test_no_look_ahead_signals_at_t_use_prices_up_to_t():
    path = scenarios.random_walk(n_steps=300, freq="1h", seed=9)["BTCUSDT"]
    full = signals(path)
    for t in range(0, len(path), 7):
        prefix = signals(path.iloc[:t + 1])
        pd.testing.assert_series_equal(prefix.iloc[-1], full.iloc[t], check_names=False)
    # changing the future leaves the past alone
    changed = path.copy()
    changed.iloc[200:] *= 1.3
    pd.testing.assert_frame_equal(signals(changed).iloc[:200], full.iloc[:200])
    assert not signals(changed).iloc[200:].equals(full.iloc[200:])


def test_chance_signals_keep_the_frequencies_and_the_seed():
    frame = signals(scenarios.random_walk(n_steps=2_000, freq="1h", seed=2)["BTCUSDT"])
    coin = chance_signals(frame, seed=5)
    assert coin.index.equals(frame.index)
    for column in ("entry", "exit"):
        assert coin[column].mean() == pytest.approx(frame[column].mean(), abs=0.02)
    assert coin.equals(chance_signals(frame, seed=5))
    assert not coin.equals(chance_signals(frame, seed=6))


def hand_path():
    """BTC at 60,000 x the hand series: entry at row 5, exit at row 9 (fast 2, slow 4)."""
    return pd.Series(np.array([10, 9, 8, 7, 8, 9, 10, 11, 10, 9, 8, 7.0]) * 6_000,
                     name="BTCUSDT")


def test_backtest_trade_equals_the_account_doing_it_by_hand():
    prices = hand_path()
    result = backtest(prices, margin=1_000, leverage=5, stop_distance=0.5, fast=2, slow=4,
                      rsi_window=2, overbought=99)
    trade = result.trades.iloc[0]
    assert len(result.trades) == 1
    assert (trade.entry_step, trade.exit_step, trade.exit) == (5, 9, "signal")
    account = Account()
    account.deposit(10_000)
    account.set_margin_mode("BTCUSDT", "isolated")
    account.set_leverage("BTCUSDT", 5)
    account.open("BTCUSDT", "long", prices[5], margin=1_000)
    event = account.close("BTCUSDT", price=prices[9])
    assert result.final_equity == pytest.approx(account.summary()["equity"], abs=1e-9)
    assert trade.pnl == pytest.approx(result.pnl)
    assert trade.costs == pytest.approx(event["realized_pnl"] - result.pnl)
    assert trade.costs == pytest.approx(1_000 * 5 * 0.0005 * (1 + prices[9] / prices[5]))


@pytest.mark.parametrize("low, fill", [(52_300, 52_380), (47_000, 47_000)])
def test_backtest_stop_fills_at_its_trigger_or_at_the_gap(low, fill):
    prices = hand_path()                     # entry at row 5 (54,000): the stop is at 52,380
    prices.iloc[6:] = [53_000, low, 50_000, 60_000, 61_000, 62_000]
    frame = signals(prices, fast=2, slow=4, rsi_window=2, overbought=99)
    frame["exit"] = False
    frame.loc[10, "exit"] = True
    result = backtest(prices, frame, stop_distance=0.03)
    trade = result.trades.iloc[0]
    assert (trade.entry_step, trade.exit_step, trade.exit) == (5, 7, "stop_loss")
    assert trade.exit_price == pytest.approx(fill) and result.pnl < 0
    # the rebound crosses the averages again: a new trade after the stop, to the exit signal
    assert result.trades["entry_step"].tolist() == [5, 9]
    assert result.trades["exit"].tolist() == ["stop_loss", "signal"]


def test_backtest_on_the_sample_klines():
    sample = scenarios.load_csv(scenarios.SAMPLE_KLINES_CSV, symbol="BTCUSDT")["BTCUSDT"]
    result = backtest(sample)
    frame = signals(sample)
    assert result.trades["entry_step"].tolist() == np.flatnonzero(frame["entry"])[:1].tolist()
    assert result.trades["entry_time"].iloc[0] == sample.index[result.trades["entry_step"][0]]
    assert math.isclose(result.pnl, result.trades["pnl"].sum(), abs_tol=1e-9)


def test_signal_study_is_seeded_and_tidy():
    first = signal_study(3, days=5, seed=1)
    assert list(first.columns) == ["path", "trades", "pnl", "costs", "chance_trades",
                                   "chance_pnl", "chance_costs"]
    assert len(first) == 3 and (first["costs"] >= 0).all()
    pd.testing.assert_frame_equal(first, signal_study(3, days=5, seed=1))


@pytest.mark.parametrize("call, words", [
    (lambda: sma([1, 2, 3], 0), "window must be a whole number >= 1"),
    (lambda: sma([1, -2, 3], 2), "row 1"),
    (lambda: rsi("abc"), "prices"),
    (lambda: rsi(pd.DataFrame({"a": [1.0], "b": [2.0]})), "one column"),
    (lambda: signals([1.0] * 30, fast=24, slow=6), "fast must be shorter"),
    (lambda: signals([1.0] * 30, overbought=120), "below 100"),
    (lambda: backtest(pd.Series([1.0] * 30)), "symbol must be one of"),
    (lambda: backtest(hand_path(), stop_distance=1.5), "stop_distance"),
    (lambda: backtest(hand_path(), signals(hand_path()).iloc[:5]), "one row per price"),
    (lambda: backtest(hand_path(), pd.DataFrame({"entry": [1] * 12, "exit": [0] * 12})),
     "True/False"),
    (lambda: signal_study(2, symbol="DOGEUSDT"), "symbol must be one of"),
])
def test_bad_input_names_the_field(call, words):
    with pytest.raises(InvalidInput, match=words):
        call()


def test_module_defaults_are_the_documented_rule():
    assert (indicators.FAST, indicators.SLOW, indicators.RSI_WINDOW,
            indicators.OVERBOUGHT) == (6, 24, 14, 70.0)
