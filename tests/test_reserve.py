"""Reserve vs survival odds, effective leverage along paths, and the pre-trade what-if."""
import numpy as np
import pandas as pd
import pytest

from crossmargin import Account, InsufficientBalance, InvalidInput, Order, montecarlo, replay
from crossmargin.lessons import reserve
from crossmargin.lessons.reserve import (PLANS, RESERVES, SYMBOLS, effective_leverage,
                                         market_paths, odds, open_plan, reserve_outcomes,
                                         scaled_plan, what_if)
from crossmargin.scenarios import START_PRICES

TWO_BETS = PLANS["two bets: long BTC, long SOL"]
HEDGE = PLANS["hedge: long BTC, short ETH"]


@pytest.fixture(scope="module")
def paths():
    return market_paths(300, days=10, steps_per_day=48, seed=4)


def test_market_paths_are_seeded_with_the_course_start_prices():
    a = market_paths(5, days=1, steps_per_day=24, seed=1)
    assert a.shape == (5, 25, 3) and SYMBOLS == ["BTCUSDT", "ETHUSDT", "SOLUSDT"]
    assert (a[:, 0, :] == [START_PRICES[s] for s in SYMBOLS]).all()
    np.testing.assert_array_equal(a, market_paths(5, days=1, steps_per_day=24, seed=1))


def test_scaled_plan_commits_the_rest_of_the_deposit_with_the_same_split():
    plan = [Order("BTCUSDT", "long", margin=3, leverage=5), Order("SOLUSDT", "short", margin=1)]
    orders = scaled_plan(plan, 0.2, deposit=10_000)
    assert [o.margin for o in orders] == pytest.approx([6_000, 2_000])
    assert [o.leverage for o in orders] == [5, None]
    assert [o.leverage for o in scaled_plan(plan, 0.2, leverage=7)] == [7, 7]
    assert [(o.symbol, o.side) for o in orders] == [("BTCUSDT", "long"), ("SOLUSDT", "short")]


def test_open_plan_opens_the_orders_in_one_account():
    account = open_plan(scaled_plan(HEDGE, 0.3), START_PRICES, margin_mode="isolated")
    frame = account.positions()
    assert frame["side"].to_dict() == {"BTCUSDT": "long", "ETHUSDT": "short"}
    assert (frame["margin_mode"] == "isolated").all()
    assert frame["initial_margin"].sum() == pytest.approx(7_000)


def test_reserve_outcomes_match_the_monte_carlo_run_by_run(paths):
    table = reserve_outcomes(TWO_BETS, paths, SYMBOLS, reserves=(0.1, 0.5))
    assert list(table.columns) == ["reserve", "mode", "margin", "notional", "effective_leverage",
                                   "p_liquidation", "p_all_liquidated", "p_half_lost",
                                   "p_wipeout", "median_equity", "equity_p05"]
    for r in (0.1, 0.5):
        run = montecarlo.run(scaled_plan(TWO_BETS, r), paths, SYMBOLS)
        summary, outcomes = run.summary(), run.outcomes
        for mode in ("isolated", "cross"):
            row = table[(table["reserve"] == r) & (table["mode"] == mode)].iloc[0]
            group = outcomes[outcomes["mode"] == mode]
            assert row.p_liquidation == summary.loc["p_liquidation", mode]
            assert row.p_wipeout == summary.loc["p_wipeout", mode]
            assert row.median_equity == summary.loc["final_equity_p50", mode]
            assert row.p_all_liquidated == (group["liquidations"] == 2).mean()
            assert row.p_half_lost == (group["final_equity"] < 5_000).mean()
            assert row.margin == pytest.approx((1 - r) * 10_000)
            assert row.effective_leverage == pytest.approx((1 - r) * 10)


def test_a_reserve_lowers_cross_odds_but_not_isolated_odds(paths):
    table = reserve_outcomes(TWO_BETS, paths, SYMBOLS, reserves=(0.05, 0.3, 0.6, 0.9))
    odds_by = table.pivot(index="reserve", columns="mode", values="p_liquidation")
    cross, isolated = odds_by["cross"], odds_by["isolated"]
    assert cross.is_monotonic_decreasing and cross.iloc[0] > cross.iloc[-1] + 0.2
    assert isolated.max() - isolated.min() < 0.02 and isolated.min() > 0.3
    # isolated: the reserve is never touched, so the account always keeps it
    wipe = table.pivot(index="reserve", columns="mode", values="p_wipeout")
    assert (wipe["isolated"] == 0).all() and wipe["cross"].iloc[0] > 0


def test_a_reserve_too_small_for_the_fees_is_refused_by_name(paths):
    with pytest.raises(InsufficientBalance, match="reserve 0 leaves too little"):
        reserve_outcomes(TWO_BETS, paths, SYMBOLS, reserves=(0.0,))


def test_odds_compares_named_plans(paths):
    table = odds(PLANS, paths, SYMBOLS)
    assert table["plan"].unique().tolist() == list(PLANS)
    p = table.set_index(["plan", "mode"])["p_liquidation"]
    hedge, bets = list(PLANS)
    assert p[(hedge, "cross")] < p[(bets, "cross")] < p[(bets, "isolated")]
    assert p[(hedge, "cross")] < p[(hedge, "isolated")]


def test_effective_leverage_agrees_with_a_replay(paths):
    lev = effective_leverage(TWO_BETS, paths, SYMBOLS)
    assert len(lev) == len(paths)
    fees = 50_000 * 0.0005
    assert lev["start"].to_numpy() == pytest.approx(50_000 / (10_000 - fees))
    assert (lev["highest"] >= lev["start"] - 1e-12).all()
    assert lev.loc[lev["liquidated"], "final"].isna().all()
    assert (lev.loc[lev["liquidated"], "last_before_liquidation"] > 20).all()
    assert lev.loc[~lev["liquidated"], "last_before_liquidation"].isna().all()
    for i in np.flatnonzero(~lev["liquidated"].to_numpy())[:3]:
        frame = pd.DataFrame(paths[i], columns=SYMBOLS)
        run = replay(frame, TWO_BETS, margin_mode="cross", liquidation_prices=False)
        positions = run.account.positions()
        assert lev["final"][i] == pytest.approx(positions["notional"].sum()
                                                / run.account.summary()["equity"])
        equity = run.timeline[("account", "equity")].to_numpy()
        sizes = {s: positions.loc[s, "contracts"] for s in ("BTCUSDT", "SOLUSDT")}
        notional = sizes["BTCUSDT"] * paths[i, :, 0] + sizes["SOLUSDT"] * paths[i, :, 2]
        assert lev["highest"][i] == pytest.approx((notional / equity).max())


def test_what_if_previews_without_touching_the_account():
    account = open_plan(HEDGE, START_PRICES)
    before = account.summary().copy()
    check = what_if(account, "SOLUSDT", "long", margin=2_000, leverage=10)
    pd.testing.assert_series_equal(account.summary(), before)
    assert account.open_symbols == ["BTCUSDT", "ETHUSDT"] and account.leverage("SOLUSDT") == 20
    done = account.copy()
    done.set_leverage("SOLUSDT", 10)
    done.open("SOLUSDT", "long", 150, margin=2_000)
    assert check.preview["margin_ratio_after"] == pytest.approx(done.margin_ratio())
    assert check.preview["margin_ratio_before"] == pytest.approx(account.margin_ratio())
    for symbol in ("BTCUSDT", "ETHUSDT", "SOLUSDT"):
        assert check.positions.loc[symbol, "liquidation_after"] == pytest.approx(
            done.liquidation_price(symbol))
    assert check.positions.loc["BTCUSDT", "liquidation_before"] == pytest.approx(
        account.liquidation_price("BTCUSDT"))
    assert np.isnan(check.positions.loc["SOLUSDT", "liquidation_before"])
    # the new long's fee and maintenance margin bring the BTC long's liquidation closer
    assert (check.positions.loc["BTCUSDT", "liquidation_after"]
            > check.positions.loc["BTCUSDT", "liquidation_before"])


def test_what_if_preview_is_preview_open_plus_the_ratio_before():
    account = open_plan(HEDGE, START_PRICES)
    check = what_if(account, "SOLUSDT", "long", margin=2_000, leverage=10)
    trial = account.copy()
    trial.set_leverage("SOLUSDT", 10)
    expected = trial.preview_open("SOLUSDT", "long", 150, margin=2_000)
    assert list(check.preview.index) == [*expected.index, "margin_ratio_before"]
    assert check.preview.name == expected.name and check.preview.dtype == expected.dtype
    pd.testing.assert_series_equal(check.preview.drop("margin_ratio_before"), expected)
    assert check.preview["margin_ratio_before"] == account.margin_ratio()


def test_what_if_closing_a_position_leaves_no_liquidation_price():
    account = open_plan(HEDGE, START_PRICES)
    size = account.positions().loc["BTCUSDT", "contracts"]
    check = what_if(account, "BTCUSDT", "short", size=size)
    assert np.isnan(check.positions.loc["BTCUSDT", "liquidation_after"])
    assert check.preview["initial_margin"] == 0


def test_what_if_refuses_what_the_account_refuses():
    account = open_plan(HEDGE, START_PRICES)
    with pytest.raises(InsufficientBalance):
        what_if(account, "SOLUSDT", "long", margin=6_000)
    with pytest.raises(InvalidInput, match="account must be"):
        what_if("account", "SOLUSDT", "long", margin=1)
    with pytest.raises(InvalidInput, match="no mark price"):
        what_if(Account(), "BTCUSDT", "long", margin=1)


@pytest.mark.parametrize("call, words", [
    (lambda p: scaled_plan(TWO_BETS, 1.0), "reserve must be a share"),
    (lambda p: scaled_plan(TWO_BETS, -0.1), "reserve must be >= 0"),
    (lambda p: scaled_plan(TWO_BETS, 0.5, leverage=0.5), "leverage must be >= 1"),
    (lambda p: scaled_plan("three bets", 0.5), "plan must be one of"),
    (lambda p: scaled_plan([], 0.5), "at least one Order"),
    (lambda p: scaled_plan(["BTC"], 0.5), "plan item 0 must be an Order"),
    (lambda p: scaled_plan([Order("BTCUSDT", "long", size=1)], 0.5), "margin= only"),
    (lambda p: scaled_plan([Order("BTCUSDT", "buy", margin=1)], 0.5),
     "plan item 0: side must be 'long' or 'short' .got 'buy'"),
    (lambda p: open_plan([Order("BTCUSDT", "long", margin=-1)], {"BTCUSDT": 60_000}),
     "plan item 0: margin must be a number > 0 .got -1"),
    (lambda p: odds({}, p, SYMBOLS), "non-empty dict"),
    (lambda p: reserve_outcomes(TWO_BETS, p, SYMBOLS, reserves=()), "at least one"),
    (lambda p: reserve_outcomes(TWO_BETS, p, SYMBOLS, reserves=0.5), "list of shares"),
    (lambda p: open_plan(TWO_BETS, {"BTCUSDT": 60_000}), "SOLUSDT"),
    (lambda p: market_paths(2, days=0), "days must be a whole number"),
])
def test_bad_input_names_the_field(paths, call, words):
    with pytest.raises(InvalidInput, match=words):
        call(paths)


def test_grid_and_plans_are_what_the_lesson_says():
    assert RESERVES[0] == 0.05 and RESERVES[-1] == 0.9 and len(RESERVES) == 18
    for plan in PLANS.values():
        assert sum(o.margin for o in plan) == 5_000 and {o.leverage for o in plan} == {10}
    assert reserve.HALF == 0.5
