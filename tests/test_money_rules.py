"""Binance's money rules (issue 11): order cost with the open loss, the maximum withdrawal
with unrealized profit, and removing margin from an isolated position. Each number is worked
out by hand in the comments (BTCUSDT tiers: 0.4 % below 50,000 USDT, then 0.5 % with cum 50;
taker fee 0.05 %)."""
import math

import numpy as np
import pytest

from crossmargin import Account, formulas
from crossmargin.errors import InsufficientBalance, InvalidInput, NoPosition, UnknownSymbol


def cents_down(x):
    """Binance's screens cut to the cent."""
    return math.floor(round(x * 100, 6)) / 100


def state(acc):
    return (acc.summary().to_json(), acc.positions().to_json(), acc.balances().to_json(),
            len(acc.ledger()))


def ledger_matches_balances(acc):
    ledger, bal = acc.ledger(), acc.balances()
    for _, row in bal.iterrows():
        rows = (ledger[(ledger.wallet == "cross") & (ledger.asset == row.asset)]
                if row.wallet == "cross"
                else ledger[(ledger.wallet == "isolated") & (ledger.symbol == row.symbol)])
        assert rows.amount.sum() == pytest.approx(row.balance, abs=1e-6)


# -- order cost: initial margin + open loss (Binance FAQ 87fa7ee33b574f7084d42bd2ce2e463b) --------
def test_order_cost_reproduces_binances_published_example():
    # Sell 1 BTC at 9,253.30, mark 9,259.84, 20x.
    # IM at the order price: 9,253.30 / 20 = 462.665 -> the FAQ's 462.66 (cut to the cent);
    # open loss: 1 * |min(0, -1 * (9,259.84 - 9,253.30))| = 6.54; cost 469.205 -> 469.20.
    c = formulas.order_cost("short", 1, 9_253.30, 9_259.84, 20)
    assert c["initial_margin"] == pytest.approx(462.665)
    assert c["open_loss"] == pytest.approx(6.54)
    assert c["cost"] == pytest.approx(469.205)
    assert [cents_down(c[k]) for k in ("initial_margin", "open_loss", "cost")] == [
        462.66, 6.54, 469.20]
    # At the mark price the IM would be 462.992 (462.99): not the FAQ's number.
    assert cents_down(9_259.84 / 20) != 462.66


def test_open_loss_only_when_the_order_is_worse_than_the_mark():
    # buy above the mark loses at once; buy below / sell above does not
    assert formulas.order_cost("long", 2, 101, 100, 10)["open_loss"] == pytest.approx(2)
    assert formulas.order_cost("long", 2, 99, 100, 10)["open_loss"] == 0
    assert formulas.order_cost("short", 2, 101, 100, 10)["open_loss"] == 0
    assert formulas.order_cost("short", 2, 99, 100, 10)["open_loss"] == pytest.approx(2)
    assert formulas.order_cost("long", 0, 99, 100, 10)["cost"] == 0
    arr = formulas.order_cost(np.array([1, -1]), 1.0, 100.0, np.array([90.0, 90.0]), 5)
    assert arr["open_loss"].tolist() == [10.0, 0.0] and arr["cost"].tolist() == [30.0, 20.0]


@pytest.mark.parametrize("args, field", [
    (("up", 1, 100, 100, 10), "side"),
    (("long", -1, 100, 100, 10), "size"),
    (("long", math.nan, 100, 100, 10), "size"),
    (("long", 1, 0, 100, 10), "order_price"),
    (("long", 1, 100, -5, 10), "mark_price"),
    (("long", 1, 100, 100, 0), "leverage"),
])
def test_order_cost_refuses_bad_input_naming_the_field(args, field):
    with pytest.raises(InvalidInput, match=field):
        formulas.order_cost(*args)


@pytest.fixture
def faq_account():
    acc = Account()
    acc.deposit(10_000)
    acc.mark({"BTCUSDT": 9_259.84})
    acc.set_leverage("BTCUSDT", 20)
    return acc


def test_preview_shows_the_open_loss_and_the_fee_apart(faq_account):
    p = faq_account.preview_open("BTCUSDT", "short", 9_253.30, size=1)
    assert p["initial_margin"] == pytest.approx(462.665)
    assert p["open_loss"] == pytest.approx(6.54)
    assert p["cost"] == pytest.approx(469.205)                  # the FAQ's 469.20
    assert p["fee"] == pytest.approx(9_253.30 * 0.0005)          # not part of the cost
    assert p["total"] == pytest.approx(469.205 + 9_253.30 * 0.0005)
    faq_account.open("BTCUSDT", "short", 9_253.30, size=1)
    assert p["available_after"] == pytest.approx(faq_account.available_balance())
    # a market order at the mark has no open loss
    at_mark = faq_account.preview_open("BTCUSDT", "short", 9_259.84, size=1)
    assert at_mark["open_loss"] == 0 and at_mark["cost"] == at_mark["initial_margin"]


def test_the_open_loss_counts_when_the_balance_is_checked():
    acc = Account()
    acc.deposit(1_000)
    acc.mark({"BTCUSDT": 60_000})
    acc.set_leverage("BTCUSDT", 10)
    # long 0.1 at 66,000 with the mark at 60,000: IM 660, open loss 600, fee 3.30 -> 1,263.30;
    # without the open loss 663.30 would fit in 1,000.
    before = state(acc)
    with pytest.raises(InsufficientBalance, match=r"open loss 600\.00.*available balance is 1,000"):
        acc.open("BTCUSDT", "long", 66_000, size=0.1)
    assert state(acc) == before
    biggest = acc.max_open_size("BTCUSDT", "long", 66_000)
    assert biggest == pytest.approx(1_000 / (6_600 + 6_000 + 33), rel=1e-6)
    acc.preview_open("BTCUSDT", "long", 66_000, size=biggest)
    with pytest.raises(InsufficientBalance):
        acc.preview_open("BTCUSDT", "long", 66_000, size=biggest * 1.001)


# -- max withdraw (Binance FAQ 360038447311) --------------------------------------------------
@pytest.fixture
def long_btc():
    # 10,000 USDT; long 1 BTC at 60,000, 10x: fee 30, cross wallet 9,970.
    acc = Account()
    acc.deposit(10_000)
    acc.mark({"BTCUSDT": 60_000})
    acc.set_leverage("BTCUSDT", 10)
    acc.open("BTCUSDT", "long", 60_000, size=1)
    return acc


@pytest.mark.parametrize("mark, expected, old", [
    # profit, down to the IM: UPNL 6,000, IM 6,600, MM 66,000 * 0.5 % - 50 = 280
    # min(9,970 - 280, 9,970 + 6,000 - 6,600) = min(9,690, 9,370) = 9,370 (old rule: 3,370)
    (66_000, 9_370, 3_370),
    # large profit, the MM binds: UPNL 12,000, IM 7,200, MM 310
    # min(9,970 - 310, 9,970 + 12,000 - 7,200) = min(9,660, 14,770) = 9,660 (old: 2,770)
    (72_000, 9_660, 2_770),
    # loss: UPNL -3,000, IM 5,700, MM 235
    # min(9,970 - 235, 9,970 - 3,000 - 5,700) = min(9,735, 1,270) = 1,270 (old: the same)
    (57_000, 1_270, 1_270),
])
def test_max_withdraw_follows_binance_with_profit_and_loss(long_btc, mark, expected, old):
    long_btc.mark({"BTCUSDT": mark})
    limit = long_btc.max_withdraw()
    assert limit == pytest.approx(expected)
    before = state(long_btc)
    with pytest.raises(InsufficientBalance, match=f"amount {expected + 1:,}.*{expected:,}"):
        long_btc.withdraw(expected + 1)
    assert state(long_btc) == before
    long_btc.withdraw(limit)
    assert long_btc.summary()["wallet_balance"] == pytest.approx(9_970 - expected)
    ledger_matches_balances(long_btc)
    # what is left still pays the initial margin and the maintenance margin
    s = long_btc.summary()
    assert s["cross_margin_balance"] >= s["cross_initial_margin"] - 1e-6
    assert s["cross_wallet_balance"] >= s["cross_maintenance_margin"] - 1e-6


def test_max_withdraw_without_positions_is_the_wallet():
    acc = Account()
    acc.deposit(2_500)
    assert acc.max_withdraw() == 2_500


# -- remove margin from an isolated position ------------------------------------------------
@pytest.fixture
def isolated_btc():
    # isolated long 1 BTC at 60,000, 10x: 6,000 moved in, then 2,000 added -> 8,000
    acc = Account()
    acc.deposit(10_000)
    acc.mark({"BTCUSDT": 60_000})
    acc.set_margin_mode("BTCUSDT", "isolated")
    acc.set_leverage("BTCUSDT", 10)
    acc.open("BTCUSDT", "long", 60_000, size=1)
    acc.add_margin("BTCUSDT", 2_000)
    return acc


@pytest.mark.parametrize("mark, expected", [
    # UPNL 0, IM 6,000, MM 250: min(8,000 - 250, 8,000 - 6,000) = 2,000
    (60_000, 2_000),
    # UPNL 3,000, IM 6,300, MM 265: min(7,735, 8,000 + 3,000 - 6,300 = 4,700) = 4,700
    (63_000, 4_700),
    # UPNL 10,000, IM 7,000, MM 300: min(7,700, 11,000) = 7,700
    (70_000, 7_700),
    # UPNL -3,000, IM 5,700, MM 235: min(7,765, -700) -> 0
    (57_000, 0),
])
def test_remove_margin_follows_binance(isolated_btc, mark, expected):
    acc = isolated_btc
    acc.mark({"BTCUSDT": mark})
    assert acc.max_remove_margin("BTCUSDT") == pytest.approx(expected)
    before = state(acc)
    with pytest.raises(InsufficientBalance,
                       match=f"amount {expected + 1:,.2f} USDT exceeds the {expected:,.2f} USDT"):
        acc.remove_margin("BTCUSDT", expected + 1)
    assert state(acc) == before
    if expected:
        cross_before = acc.summary()["wallet_balance"]
        acc.remove_margin("BTCUSDT", expected)
        assert acc.summary()["wallet_balance"] == pytest.approx(cross_before + expected)
        assert acc.balances().set_index("symbol").loc["BTCUSDT", "balance"] == pytest.approx(
            8_000 - expected)
        assert acc.margin_ratio("BTCUSDT") < 1
    ledger_matches_balances(acc)


def test_removing_margin_moves_the_liquidation_price_closer(isolated_btc):
    before = isolated_btc.liquidation_price("BTCUSDT")
    isolated_btc.remove_margin("BTCUSDT", 1_000)
    assert isolated_btc.liquidation_price("BTCUSDT") > before


@pytest.mark.parametrize("call, error, match", [
    (lambda a: a.remove_margin("BTCUSDT", -5), InvalidInput, "amount"),
    (lambda a: a.remove_margin("BTCUSDT", math.nan), InvalidInput, "amount"),
    (lambda a: a.remove_margin("BTCUSDT", 0), InvalidInput, "amount"),
    (lambda a: a.remove_margin("ETHUSDT", 10), NoPosition, "ETHUSDT has no open position"),
    (lambda a: a.remove_margin("XRPUSDT", 10), UnknownSymbol, "XRPUSDT"),
    (lambda a: a.remove_margin("SOLUSDT", 10), InvalidInput,
     "remove_margin applies to isolated positions; SOLUSDT is cross"),
    (lambda a: a.max_remove_margin("SOLUSDT"), InvalidInput, "SOLUSDT is cross"),
])
def test_remove_margin_refuses_bad_input_and_changes_nothing(isolated_btc, call, error, match):
    isolated_btc.mark({"SOLUSDT": 150})
    isolated_btc.open("SOLUSDT", "long", 150, size=1)
    before = state(isolated_btc)
    with pytest.raises(error, match=match):
        call(isolated_btc)
    assert state(isolated_btc) == before
