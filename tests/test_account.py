"""Account: the exchange's rules, its published example, and its ledger."""
import math

import pandas as pd
import pytest

from crossmargin import Account, formulas
from crossmargin.errors import (InsufficientBalance, MarginModeLocked, NoPosition,
                               UnknownSymbol)
from crossmargin.lessons.examples import BINANCE_MARKS, binance_example

WB = 1_535_443.01


def binance_example_account():
    """Binance's worked example as an account (crossmargin.lessons.examples): zero fees so the wallet
    is as published; marking it at the example's prices liquidates nothing."""
    acc = binance_example(marked=False)
    events = acc.mark(BINANCE_MARKS)
    assert events == []
    return acc


def test_binance_example_through_the_account():
    acc = binance_example_account()
    pos = acc.positions()
    assert pos.loc["BTCUSDT", "maintenance_margin"] == pytest.approx(71_200.81144, abs=1e-5)
    assert pos.loc["ETHUSDT", "maintenance_margin"] == pytest.approx(356_512.508, abs=1e-3)
    assert round(pos.loc["BTCUSDT", "unrealized_pnl"], 2) == -56_354.57
    assert round(pos.loc["ETHUSDT", "unrealized_pnl"], 2) == -448_192.89
    assert round(acc.liquidation_price("ETHUSDT"), 2) == 1_153.26
    assert round(acc.liquidation_price("BTCUSDT"), 2) == 26_316.89
    assert round(pos.loc["ETHUSDT", "liquidation_price"], 2) == 1_153.26
    assert acc.margin_ratio() == pytest.approx(0.4149, abs=5e-5)
    assert acc.summary()["wallet_balance"] == WB


def test_cross_liquidation_price_moves_with_the_other_position():
    acc = binance_example_account()
    before = acc.liquidation_price("ETHUSDT")
    acc.mark({"BTCUSDT": 30_000})
    assert acc.liquidation_price("ETHUSDT") > before   # BTC losses eat the shared pool


def test_cross_account_liquidation_starts_at_the_liquidation_price_with_smart_liquidation():
    """Binance's worked example: ETH's 10 % tier is far above the 1.25 % clearance fee, so
    one cut of ETH down to its tier floor brings the account back under 100 % ("Smart
    Liquidation" avoids the full liquidation); both positions stay open."""
    acc = binance_example_account()
    lp = acc.liquidation_price("ETHUSDT")
    assert acc.mark({"ETHUSDT": lp * 1.001}) == []
    events = acc.mark({"ETHUSDT": lp * 0.999})
    assert [(e["symbol"], e["type"]) for e in events] == [("ETHUSDT", "partial_liquidation")]
    eth = acc.contracts["ETHUSDT"].brackets
    floor = eth.floors[eth.tier(events[0]["size"] * lp)]
    assert acc.positions().loc["ETHUSDT", "notional"] < floor + 1e-6 * floor
    assert acc.margin_ratio() < 1.0
    assert sorted(acc.open_symbols) == ["BTCUSDT", "ETHUSDT"]
    fee = events[0]["fee"]
    assert fee == pytest.approx(events[0]["size"] * events[0]["price"] * 0.0125)


def test_opening_charges_the_taker_fee_and_reserves_margin(account):
    account.set_leverage("BTCUSDT", 10)
    p = account.open("BTCUSDT", "long", 60_000, margin=2_000)
    assert p.size == pytest.approx(2_000 * 10 / 60_000)
    s = account.summary()
    assert s.wallet_balance == pytest.approx(10_000 - 20_000 * 0.0005)
    assert s.cross_initial_margin == pytest.approx(2_000)
    assert s.available_balance == pytest.approx(10_000 - 10 - 2_000)


def test_size_margin_and_notional_give_the_same_order(account):
    account.set_leverage("ETHUSDT", 5)
    a = account.open("ETHUSDT", "short", 3_000, notional=3_000).size
    account.close("ETHUSDT")
    b = account.open("ETHUSDT", "short", 3_000, margin=600).size
    account.close("ETHUSDT")
    c = account.open("ETHUSDT", "short", 3_000, size=1.0).size
    assert a == pytest.approx(1.0) and b == pytest.approx(1.0) and c == 1.0


def test_isolated_position_owns_its_margin(account):
    account.set_margin_mode("BTCUSDT", "isolated")
    account.set_leverage("BTCUSDT", 10)
    account.open("BTCUSDT", "long", 60_000, margin=1_000)
    bal = account.balances()
    iso = bal[bal.wallet == "isolated"].balance.iloc[0]
    assert iso == pytest.approx(1_000)
    lp = account.liquidation_price("BTCUSDT")
    assert lp == pytest.approx(formulas.liquidation_price(
        "long", 1_000 * 10 / 60_000, 60_000, 1_000, brackets=account.contracts["BTCUSDT"].brackets))


def test_isolated_liquidation_loses_only_that_margin(account):
    account.set_margin_mode("BTCUSDT", "isolated")
    account.set_leverage("BTCUSDT", 20)
    account.open("BTCUSDT", "long", 60_000, margin=1_000)
    account.set_leverage("ETHUSDT", 5)
    account.open("ETHUSDT", "short", 3_000, margin=1_000)
    before = account.summary().equity
    lp = account.liquidation_price("BTCUSDT")
    events = account.mark({"BTCUSDT": lp * 0.99})
    assert [(e["symbol"], e["type"]) for e in events] == [("BTCUSDT", "liquidation")]
    assert account.open_symbols == ["ETHUSDT"]
    assert before - account.summary().equity == pytest.approx(1_000, abs=1e-6)


def test_a_cut_that_cannot_restore_the_margin_ends_in_a_full_liquidation(account):
    """100,000 USDT of BTC sits in the 0.5 % tier, below the 1.25 % clearance fee: the cut to
    the 50,000 floor makes the ratio worse, so the rest is closed and the pool is gone."""
    account.set_leverage("BTCUSDT", 20)
    account.open("BTCUSDT", "long", 60_000, margin=5_000)
    lp = account.liquidation_price("BTCUSDT")
    events = account.mark({"BTCUSDT": lp * 0.999})
    assert [e["type"] for e in events] == ["partial_liquidation", "liquidation"]
    assert events[0]["size"] * events[0]["price"] == pytest.approx(100_000 * 0.999 * lp / 60_000
                                                                   - 50_000)
    s = account.summary()
    assert s.equity < 0.01 * 10_000      # a cross liquidation leaves almost nothing
    assert s.wallet_balance >= 0


def test_gap_past_bankruptcy_is_covered_by_the_insurance_fund(account):
    account.set_leverage("BTCUSDT", 50)
    account.open("BTCUSDT", "long", 60_000, margin=9_000)
    account.mark({"BTCUSDT": 40_000})
    s = account.summary()
    assert s.wallet_balance == 0
    assert s.insurance_cover > 0
    ledger = account.ledger()
    assert ledger.amount.sum() == pytest.approx(0.0, abs=1e-6)


def test_stop_loss_fills_at_trigger_or_slips_through_a_gap(account):
    account.set_leverage("BTCUSDT", 10)
    account.open("BTCUSDT", "long", 60_000, size=0.5)
    account.set_stop_loss("BTCUSDT", 58_000)
    assert account.mark({"BTCUSDT": 58_100}) == []
    (ev,) = account.mark({"BTCUSDT": 57_990})
    assert ev["type"] == "stop_loss" and ev["price"] == 58_000
    account.open("BTCUSDT", "long", 57_990, size=0.5)
    account.set_stop_loss("BTCUSDT", 57_000)
    (ev,) = account.mark({"BTCUSDT": 52_000})          # gapped 8.8 % through the trigger
    assert ev["price"] == 52_000
    assert ev["realized_pnl"] == pytest.approx(0.5 * (52_000 - 57_990))


def test_stops_run_before_liquidations(account):
    account.set_leverage("BTCUSDT", 50)
    account.open("BTCUSDT", "long", 60_000, margin=9_000)
    lp = account.liquidation_price("BTCUSDT")
    account.set_stop_loss("BTCUSDT", lp * 1.002)
    events = account.mark({"BTCUSDT": lp * 0.999})
    assert [e["type"] for e in events] == ["stop_loss"]


def test_funding_every_eight_hours():
    acc = Account(time="2026-01-01 07:00")
    acc.deposit(10_000)
    acc.open("BTCUSDT", "long", 60_000, size=0.1)
    events = acc.mark({"BTCUSDT": 60_000}, time="2026-01-01 07:59")
    assert events == []
    (ev,) = acc.mark({"BTCUSDT": 61_000}, time="2026-01-01 08:00")
    assert ev["type"] == "funding" and ev["amount"] == pytest.approx(-0.1 * 61_000 * 0.0001)
    events = acc.mark({"BTCUSDT": 61_000}, time="2026-01-02 08:00")    # crosses 3 instants
    assert [e["type"] for e in events] == ["funding"] * 3


def test_reduce_and_flip_in_one_way_mode(account):
    account.open("ETHUSDT", "long", 3_000, size=2)
    account.open("ETHUSDT", "short", 3_100, size=1)
    assert account.positions().loc["ETHUSDT", "contracts"] == 1
    p = account.open("ETHUSDT", "short", 3_100, size=3)
    assert (p.side, p.size, p.entry_price) == ("short", 2, 3_100)
    realized = account.ledger().query("type == 'realized_pnl'").amount.sum()
    assert realized == pytest.approx(2 * 100)


def test_btc_collateral_counts_at_its_value_ratio_and_moves_with_btc():
    acc = Account()
    acc.mark({"BTCUSDT": 60_000})
    acc.deposit(0.1, "BTC")
    assert acc.summary().collateral_value == pytest.approx(0.1 * 60_000 * 0.95)
    acc.mark({"BTCUSDT": 50_000})
    assert acc.summary().collateral_value == pytest.approx(0.1 * 50_000 * 0.95)


def test_btc_collateral_backs_cross_only():
    acc = Account()
    acc.deposit(1.0, "BTC", price=60_000)
    acc.set_margin_mode("ETHUSDT", "isolated")
    with pytest.raises(InsufficientBalance, match="other collateral backs cross positions only"):
        acc.open("ETHUSDT", "long", 3_000, size=1)
    acc.set_margin_mode("ETHUSDT", "cross")
    acc.open("ETHUSDT", "long", 3_000, size=1)


def test_negative_usdt_after_cross_liquidation_sells_collateral():
    acc = Account()
    acc.deposit(1.0, "BTC", price=60_000)
    acc.set_leverage("BTCUSDT", 20)
    acc.open("BTCUSDT", "long", 60_000, size=10)
    lp = acc.liquidation_price("BTCUSDT")
    acc.mark({"BTCUSDT": lp * 0.995})
    bal = acc.balances().set_index("asset").balance
    assert bal["USDT"] >= 0
    assert bal["BTC"] < 1.0
    assert "collateral_sale" in set(acc.ledger().type)


def test_mode_switch_refused_with_open_position(account):
    account.open("BTCUSDT", "long", 60_000, size=0.01)
    with pytest.raises(MarginModeLocked, match="BTCUSDT cannot change to 'isolated'"):
        account.set_margin_mode("BTCUSDT", "isolated")
    account.close("BTCUSDT")
    account.set_margin_mode("BTCUSDT", "isolated")
    assert account.margin_mode("BTCUSDT") == "isolated"


def test_withdraw_refuses_margin_in_use(account):
    account.set_leverage("BTCUSDT", 2)
    account.open("BTCUSDT", "long", 60_000, margin=4_000)
    limit = account.max_withdraw()
    assert limit == pytest.approx(10_000 - 4 - 4_000)
    with pytest.raises(InsufficientBalance, match="margin in use"):
        account.withdraw(limit + 1)
    account.withdraw(limit)


def test_close_and_add_margin_need_a_position(account):
    with pytest.raises(NoPosition, match="BTCUSDT has no open position"):
        account.close("BTCUSDT")
    with pytest.raises(NoPosition):
        account.add_margin("BTCUSDT", 100)


def test_add_margin_moves_the_isolated_liquidation_price(account):
    account.set_margin_mode("BTCUSDT", "isolated")
    account.set_leverage("BTCUSDT", 20)
    account.open("BTCUSDT", "long", 60_000, margin=1_000)
    before = account.liquidation_price("BTCUSDT")
    account.add_margin("BTCUSDT", 500)
    assert account.liquidation_price("BTCUSDT") < before


def test_positions_frame_has_ccxt_style_columns(account):
    account.open("BTCUSDT", "long", 60_000, size=0.01)
    cols = set(account.positions().columns)
    assert {"contracts", "notional", "entry_price", "mark_price", "unrealized_pnl",
            "initial_margin", "maintenance_margin", "maintenance_margin_percentage",
            "margin_ratio", "liquidation_price", "margin_mode", "collateral"} <= cols


def test_ledger_rows_sum_to_the_balances(account):
    account.set_margin_mode("ETHUSDT", "isolated")
    account.open("ETHUSDT", "short", 3_000, size=1)
    account.open("BTCUSDT", "long", 60_000, size=0.05)
    account.mark({"BTCUSDT": 59_000, "ETHUSDT": 3_050})
    account.close("BTCUSDT")
    ledger = account.ledger()
    cross = ledger[ledger.wallet == "cross"].groupby("asset").amount.sum()
    assert cross["USDT"] == pytest.approx(account.summary().wallet_balance)
    iso = ledger[(ledger.wallet == "isolated") & (ledger.symbol == "ETHUSDT")].amount.sum()
    assert iso == pytest.approx(account.summary().isolated_margin)
    assert list(ledger.columns) == ["step", "time", "type", "wallet", "asset", "symbol", "amount"]


def test_summary_and_repr(account):
    s = account.summary()
    assert isinstance(s, pd.Series) and s.equity == 10_000
    assert "equity 10,000.00 USDT" in repr(account)
    assert account.margin_ratio() == 0.0
    assert math.isinf(formulas.margin_ratio(1.0, 0.0))


def test_preview_open_changes_nothing_and_predicts_the_open(account):
    account.set_leverage("BTCUSDT", 10)
    before = (account.summary().to_json(), len(account.ledger()))
    preview = account.preview_open("BTCUSDT", "long", 60_000, margin=2_000)
    assert (account.summary().to_json(), len(account.ledger())) == before
    account.open("BTCUSDT", "long", 60_000, margin=2_000)
    assert preview["size"] == pytest.approx(account.positions().loc["BTCUSDT", "contracts"])
    assert preview["fee"] == pytest.approx(20_000 * 0.0005)
    assert preview["open_loss"] == 0 and preview["cost"] == pytest.approx(2_000)  # at the mark
    assert preview["total"] == pytest.approx(2_000 + 10)                          # + the fee
    assert preview["available_after"] == pytest.approx(account.available_balance())
    assert preview["margin_ratio_after"] == pytest.approx(account.margin_ratio())
    assert preview["liquidation_price_after"] == pytest.approx(account.liquidation_price("BTCUSDT"))


def test_preview_refuses_what_open_refuses(account):
    with pytest.raises(InsufficientBalance):
        account.preview_open("BTCUSDT", "long", 60_000, margin=20_000)


def test_max_open_size_is_the_edge_of_what_open_accepts(account):
    account.set_leverage("ETHUSDT", 5)
    biggest = account.max_open_size("ETHUSDT", "long", 3_000)
    account.preview_open("ETHUSDT", "long", 3_000, size=biggest)
    with pytest.raises(InsufficientBalance):
        account.preview_open("ETHUSDT", "long", 3_000, size=biggest * 1.001)


def test_max_open_size_respects_the_bracket_cap():
    acc = Account()
    acc.deposit(10_000_000)
    acc.set_leverage("BTCUSDT", 100)       # 100x only up to 600,000 USDT of notional
    assert acc.max_open_size("BTCUSDT", "long", 60_000) * 60_000 == pytest.approx(600_000, rel=1e-6)


def test_btc_collateral_behind_a_btc_long_liquidates_where_the_account_says():
    acc = Account()
    acc.deposit(1_000)
    acc.deposit(0.2, "BTC", price=60_000)
    acc.set_leverage("BTCUSDT", 10)
    acc.open("BTCUSDT", "long", 60_000, size=0.5)
    lp = acc.liquidation_price("BTCUSDT")
    acc._marks["BTCUSDT"] = acc._asset_prices["BTC"] = lp     # look exactly there
    assert acc.margin_ratio() == pytest.approx(1.0, rel=1e-9)
    acc._marks["BTCUSDT"] = acc._asset_prices["BTC"] = 60_000
    assert acc.mark({"BTCUSDT": lp * 1.001}) == []
    assert [e["type"] for e in acc.mark({"BTCUSDT": lp * 0.999})] == ["liquidation"]


def test_preview_of_a_reducing_order_needs_no_margin(account):
    account.open("ETHUSDT", "long", 3_000, size=2)
    preview = account.preview_open("ETHUSDT", "short", 3_000, size=1)
    assert preview["initial_margin"] == 0
    assert preview["cost"] == 0 and preview["total"] == pytest.approx(preview["fee"])
    flip = account.preview_open("ETHUSDT", "short", 3_000, size=3)
    assert flip["initial_margin"] == pytest.approx(1 * 3_000 / 20)


def test_a_gap_through_the_stop_and_bankruptcy_is_a_liquidation_that_cancels_the_stop(account):
    account.set_leverage("BTCUSDT", 100)
    account.open("BTCUSDT", "long", 60_000, margin=1_000)
    account.set_stop_loss("BTCUSDT", 59_900)
    events = account.mark({"BTCUSDT": 50_000})
    assert [e["type"] for e in events] == ["stops_cancelled", "liquidation"]
    assert events[1]["price"] == 50_000 and events[1]["fee"] == 0   # nothing left to pay it
    s = account.summary()
    assert s.wallet_balance == 0 and s.equity == 0
    size = 100_000 / 60_000
    wallet_after = 10_000 - 100_000 * 0.0005 - size * 10_000
    assert s.insurance_cover == pytest.approx(-wallet_after)


def test_a_stop_the_price_passes_without_a_gap_fills_before_the_liquidation(account):
    account.set_leverage("BTCUSDT", 100)
    account.open("BTCUSDT", "long", 60_000, margin=1_000)
    lp = account.liquidation_price("BTCUSDT")
    account.set_stop_loss("BTCUSDT", lp * 1.001)
    (event,) = account.mark({"BTCUSDT": lp * 0.999})       # 0.2 % past the trigger: no gap
    assert event["type"] == "stop_loss" and event["price"] == pytest.approx(lp * 1.001)


def test_snapshot_holds_the_summary_numbers_and_each_positions_upnl():
    acc = Account()
    acc.deposit(10_000)
    acc.set_leverage("BTCUSDT", 10)
    acc.open("BTCUSDT", "long", 60_000, margin=2_000)
    acc.set_margin_mode("ETHUSDT", "isolated")
    acc.set_leverage("ETHUSDT", 5)
    acc.open("ETHUSDT", "short", 3_000, margin=1_000)
    acc.mark({"BTCUSDT": 58_000, "ETHUSDT": 3_100})
    snap, summary, table = acc.snapshot(), acc.summary(), acc.positions()
    for name in ("equity", "wallet_balance", "cross_margin_balance", "margin_ratio",
                 "available_balance"):
        assert getattr(snap, name) == pytest.approx(summary[name], rel=1e-12), name
    assert snap.maintenance_margin == pytest.approx(summary["cross_maintenance_margin"])
    assert snap.unrealized_pnl == pytest.approx(table["unrealized_pnl"].to_dict())
    empty = Account().snapshot()
    assert empty.unrealized_pnl == {} and empty.equity == 0 and empty.margin_ratio == 0


def test_contract_is_public_and_names_unknown_symbols():
    acc = Account()
    assert acc.contract("BTCUSDT") is acc.contracts["BTCUSDT"]
    with pytest.raises(UnknownSymbol, match="'DOGEUSDT' is not traded"):
        acc.contract("DOGEUSDT")
