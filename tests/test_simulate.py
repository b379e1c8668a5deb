"""Replays and the isolated-vs-cross comparison."""
import numpy as np
import pandas as pd
import pytest

from crossmargin import Account, InsufficientBalance, InvalidInput, ScenarioError
from crossmargin.simulation.replay import Order, compare_modes, replay


def path(btc, eth=None, start="2026-01-01"):
    index = pd.date_range(start, periods=len(btc), freq="1min", tz="UTC", name="timestamp")
    data = {"BTCUSDT": btc}
    if eth is not None:
        data["ETHUSDT"] = eth
    return pd.DataFrame(data, index=index, dtype=float)


def test_replay_matches_the_account_step_by_step():
    prices = path([60_000, 59_000, 58_500, 61_000])
    plan = [Order("BTCUSDT", "long", margin=1_000, leverage=10)]
    result = replay(prices, plan)
    acc = Account()
    acc.deposit(10_000)
    acc.mark({"BTCUSDT": 60_000}, time=prices.index[0])
    acc.set_leverage("BTCUSDT", 10)
    acc.open("BTCUSDT", "long", 60_000, margin=1_000)
    for t, price in zip(prices.index[1:], [59_000, 58_500, 61_000]):
        acc.mark({"BTCUSDT": price}, time=t)
    assert result.timeline[("account", "equity")].iloc[-1] == pytest.approx(acc.summary().equity)
    assert result.timeline[("BTCUSDT", "liquidation_price")].iloc[-1] == pytest.approx(
        acc.liquidation_price("BTCUSDT"))
    assert result.timeline[("BTCUSDT", "unrealized_pnl")].iloc[2] == pytest.approx(
        1_000 * 10 / 60_000 * (58_500 - 60_000))


def test_timeline_shape_and_columns():
    prices = path(np.linspace(60_000, 55_000, 50), np.linspace(3_000, 2_800, 50))
    result = replay(prices, [Order("ETHUSDT", "short", size=1)])
    assert result.timeline.shape == (50, 6 + 2 * 3)
    assert list(result.timeline["account"].columns) == [
        "equity", "wallet_balance", "cross_margin_balance", "margin_ratio",
        "maintenance_margin", "available_balance"]
    assert result.timeline[("BTCUSDT", "unrealized_pnl")].isna().all()   # never traded


def test_guide_example_isolated_liquidates_btc_cross_survives():
    # BTC falls 25 %, ETH falls 20 %: a 10x BTC long dies alone, the shared pool carries it.
    btc = np.linspace(60_000, 45_000, 200)
    eth = np.linspace(3_000, 2_400, 200)
    plan = [Order("BTCUSDT", "long", margin=4_900, leverage=10),
            Order("ETHUSDT", "short", margin=4_900, leverage=10)]
    table, runs = compare_modes(path(btc, eth), plan)
    assert table.loc["liquidations", "isolated"] == 1
    assert table.loc["liquidations", "cross"] == 0
    assert runs["isolated"].liquidations()["symbol"].tolist() == ["BTCUSDT"]


def test_when_the_hedge_breaks_cross_loses_everything():
    # BTC down 15 %, ETH up 15 %: both legs lose; cross wipes out the account.
    btc = np.linspace(60_000, 51_000, 300)
    eth = np.linspace(3_000, 3_450, 300)
    plan = [Order("BTCUSDT", "long", margin=4_900, leverage=10),
            Order("ETHUSDT", "short", margin=4_900, leverage=10)]
    table, _ = compare_modes(path(btc, eth), plan)
    assert table.loc["liquidations", "cross"] == 2
    assert table.loc["final_equity", "cross"] < 200
    assert table.loc["final_equity", "isolated"] >= 0


def test_stop_distance_places_a_stop():
    prices = path([60_000, 58_000, 56_990])   # crosses 57,000 by less than the gap threshold
    result = replay(prices, [Order("BTCUSDT", "long", size=0.1, stop_distance=0.05)])
    (ev,) = result.events.itertuples()
    assert ev.type == "stop_loss" and ev.price == 57_000


def test_progress_is_reported():
    seen = []
    replay(path(np.full(500, 60_000.0)), [], progress=seen.append)
    assert seen[-1] == 1.0 and len(seen) >= 50 and seen == sorted(seen)


def test_the_given_account_is_not_changed():
    acc = Account()
    acc.deposit(5_000)
    replay(path([60_000, 61_000]), [Order("BTCUSDT", "long", size=0.01)], account=acc)
    assert acc.open_symbols == [] and acc.step == 0


def test_bad_paths_and_plans():
    with pytest.raises(ScenarioError, match="path must be a DataFrame"):
        replay([1, 2, 3])
    with pytest.raises(ScenarioError, match=r"row 1, column 'BTCUSDT' \(got -5.0\)"):
        replay(path([60_000, -5]))
    with pytest.raises(ScenarioError, match="path has no ETHUSDT column"):
        replay(path([60_000]), [Order("ETHUSDT", "long", size=1)])
    with pytest.raises(InvalidInput, match="at must be a step from 0 to 1 .got 5"):
        replay(path([60_000, 1]), [Order("BTCUSDT", "long", size=1, at=5)])
    with pytest.raises(InvalidInput, match="plan item 0 must be an Order"):
        replay(path([60_000]), ["buy"])
    with pytest.raises(InvalidInput, match="margin_mode must be"):
        replay(path([60_000]), margin_mode="portfolio")
    with pytest.raises(InsufficientBalance, match=r"plan item 1 \(short ETHUSDT at step 0\)"):
        replay(path([60_000], [3_000]), [Order("BTCUSDT", "long", margin=5_000),
                                         Order("ETHUSDT", "short", margin=5_000)])
