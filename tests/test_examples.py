"""crossmargin.lessons.examples: the course's named accounts and plans are what they say they are."""
import math

import pytest

from crossmargin import Account, Order, compare_modes, scenarios
from crossmargin.errors import InsufficientBalance, InvalidInput, LeverageTooHigh
from crossmargin.lessons.examples import (BINANCE_MARKS, BINANCE_SIZES, BINANCE_WALLET,
                                          GUIDE_MARGIN, big_btc_long_small_eth_short,
                                          binance_example, btc_long, compare_leverages,
                                          example_legs, example_plan, open_example, run_example)
from crossmargin.course.exercises import lesson08


@pytest.fixture(scope="module")
def crash():
    return scenarios.btc_crash()[["BTCUSDT", "ETHUSDT"]]


# -- the guide's example -------------------------------------------------------------------------
def test_example_legs_are_the_guides_pair():
    btc, eth = example_legs(10)
    assert (btc.symbol, btc.side, btc.entry_price) == ("BTCUSDT", "long", 60_000)
    assert (eth.symbol, eth.side, eth.entry_price) == ("ETHUSDT", "short", 3_000)
    assert btc.margin == eth.margin == GUIDE_MARGIN == 4_900
    assert btc.size == pytest.approx(4_900 * 10 / 60_000)
    assert example_legs(5, margin=2_000)[1].notional == pytest.approx(10_000)


def test_lesson07_exercises_use_the_same_legs():
    assert lesson08.example_legs is example_legs
    assert lesson08.MARGIN == GUIDE_MARGIN and lesson08.DEPOSIT == 10_000


def test_open_example_opens_both_legs_with_the_fee_paid():
    account = open_example(20)
    pos = account.positions()
    assert list(pos.index) == ["BTCUSDT", "ETHUSDT"]
    assert list(pos["side"]) == ["long", "short"]
    assert (pos["margin_mode"] == "cross").all() and (pos["leverage"] == 20).all()
    fees = 2 * 4_900 * 20 * 0.0005
    assert account.summary().wallet_balance == pytest.approx(10_000 - fees)
    assert account.available_balance() == pytest.approx(10_000 - fees - 2 * 4_900)


def test_open_example_isolated_puts_the_margin_in_each_position():
    pos = open_example(10, mode="isolated").positions()
    assert (pos["margin_mode"] == "isolated").all()
    assert pos["collateral"].tolist() == pytest.approx([4_900, 4_900])


def test_the_guides_5000_per_leg_does_not_fit():
    with pytest.raises(InsufficientBalance, match="available balance"):
        open_example(10, margin=5_000)


@pytest.mark.parametrize("kwargs, error", [
    (dict(leverage=10, mode="hedge"), InvalidInput),
    (dict(leverage=0.5), InvalidInput),
    (dict(leverage=10, margin=-1), InvalidInput),
    (dict(leverage=200), LeverageTooHigh),
])
def test_open_example_refuses_bad_input(kwargs, error):
    with pytest.raises(error):
        open_example(**kwargs)


def test_example_plan_matches_the_legs():
    plan = example_plan(10)
    assert plan == [Order("BTCUSDT", "long", margin=4_900, leverage=10),
                    Order("ETHUSDT", "short", margin=4_900, leverage=10)]


def test_run_example_is_compare_modes_summarized(crash):
    row, runs = run_example(crash, 10)
    table, reference = compare_modes(crash, example_plan(10), liquidation_prices=False)
    assert set(runs) == {"isolated", "cross"}
    for mode in ("isolated", "cross"):
        final = reference[mode].timeline[("account", "equity")].iloc[-1]
        assert row[f"{mode} final equity"] == round(final, 2)
        assert row[f"{mode} liquidated"] == reference[mode].liquidations()["symbol"].tolist()
    assert row["isolated liquidated"] == ["BTCUSDT"] and row["cross liquidated"] == []


def test_compare_leverages_has_one_row_per_leverage(crash):
    table, runs = compare_leverages(crash, (2, 10))
    assert list(table.index) == ["2x", "10x"] and set(runs) == {2, 10}
    assert list(table.columns) == ["isolated liquidated", "cross liquidated",
                                   "isolated final equity", "cross final equity"]
    assert table.loc["2x", "isolated liquidated"] == []
    assert table.loc["10x", "cross final equity"] == run_example(crash, 10)[0]["cross final equity"]


@pytest.mark.parametrize("leverages", [(), 10, ("ten",), (-2,)])
def test_compare_leverages_refuses_bad_leverages(crash, leverages):
    with pytest.raises(InvalidInput, match="leverage"):
        compare_leverages(crash, leverages)


# -- Binance's worked example --------------------------------------------------------------------
def test_binance_example_gives_the_published_numbers():
    account = binance_example()
    assert account.summary().wallet_balance == BINANCE_WALLET
    assert round(account.margin_ratio(), 4) == 0.4149
    assert round(account.liquidation_price("BTCUSDT"), 2) == 26_316.89
    assert round(account.liquidation_price("ETHUSDT"), 2) == 1_153.26
    pos = account.positions()
    assert pos["contracts"].to_dict() == BINANCE_SIZES
    assert pos["mark_price"].to_dict() == BINANCE_MARKS


def test_binance_example_unmarked_sits_at_the_entry_prices():
    account = binance_example(marked=False)
    assert account.positions()["unrealized_pnl"].tolist() == [0, 0]
    assert account.mark(BINANCE_MARKS) == []
    assert round(account.margin_ratio(), 4) == 0.4149


def test_binance_example_uses_the_2021_brackets_without_fees():
    account = binance_example()
    for spec in account.contracts.values():
        assert spec.taker_fee == 0.0
    assert account.ledger().query("type == 'fee'")["amount"].abs().sum() == 0


def test_binance_example_refuses_a_non_boolean():
    with pytest.raises(InvalidInput, match="marked"):
        binance_example(marked="yes")


# -- small accounts -------------------------------------------------------------------------------
def test_btc_long_by_size_and_mark():
    account = btc_long(10, size=0.5, mark=57_000)
    s = account.summary()
    assert s.cross_maintenance_margin == pytest.approx(0.5 * 57_000 * 0.004)
    assert s.cross_margin_balance == pytest.approx(10_000 - 15 - 1_500)
    assert account.positions().loc["BTCUSDT", "leverage"] == 10


def test_btc_long_by_margin_isolated():
    account = btc_long(25, margin=1_000, margin_mode="isolated")
    pos = account.positions().loc["BTCUSDT"]
    assert pos["contracts"] == pytest.approx(1_000 * 25 / 60_000)
    assert pos["collateral"] == pytest.approx(1_000) and pos["mark_price"] == 60_000


@pytest.mark.parametrize("kwargs, words", [
    (dict(), "exactly one of size or margin"),
    (dict(size=1, margin=1_000), "exactly one of size or margin"),
    (dict(size=0.1, margin_mode="portfolio"), "margin_mode"),
    (dict(size=0.1, deposit=0), "deposit"),
    (dict(size=0.1, mark=-5), "mark"),
])
def test_btc_long_refuses_bad_input(kwargs, words):
    with pytest.raises(InvalidInput, match=words):
        btc_long(10, **kwargs)


def test_big_btc_long_small_eth_short():
    plain = big_btc_long_small_eth_short()
    assert plain == [Order("BTCUSDT", "long", margin=4_000, leverage=15),
                     Order("ETHUSDT", "short", margin=1_000, leverage=5)]
    stopped = big_btc_long_small_eth_short(0.05)
    assert stopped[0].stop_distance == 0.05 and stopped[1].stop_distance is None


@pytest.mark.parametrize("bad", [0, 1, -0.1, math.nan, "5 %"])
def test_big_btc_long_small_eth_short_refuses_a_bad_stop(bad):
    with pytest.raises(InvalidInput, match="stop_distance"):
        big_btc_long_small_eth_short(bad)


def test_the_accounts_are_fresh_each_time():
    a, b = binance_example(), binance_example()
    a.mark({"BTCUSDT": 30_000})
    assert b.positions().loc["BTCUSDT", "mark_price"] == BINANCE_MARKS["BTCUSDT"]
    assert isinstance(a, Account)
