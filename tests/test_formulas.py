"""Formulas against Binance's published numbers."""
import math

import numpy as np
import pytest

from crossmargin import formulas as f
from crossmargin.engine.brackets import Brackets
from crossmargin.errors import InvalidInput

# Binance's worked example (cross, one-way mode), "How to Calculate Liquidation Price of
# USDⓈ-M Contracts". See shared/reference/margin-rules.md.
WB = 1_535_443.01
BTC = dict(size=109.488, entry=32_481.98, mark=31_967.27, mmr=0.025, cum=16_300)
ETH = dict(size=3_683.979, entry=1_456.84, mark=1_335.18, mmr=0.10, cum=135_365)


def _mm(p):
    return f.maintenance_margin(p["size"], p["mark"], mmr=p["mmr"], cum=p["cum"])


def _upnl(p):
    return f.unrealized_pnl("long", p["size"], p["entry"], p["mark"])


def test_binance_example_maintenance_margins():
    assert _mm(BTC) == pytest.approx(71_200.81144, abs=1e-5)
    assert _mm(ETH) == pytest.approx(356_512.508, abs=1e-3)


def test_binance_example_unrealized_pnl():
    assert round(_upnl(BTC), 2) == -56_354.57
    assert round(_upnl(ETH), 2) == -448_192.89


def test_binance_example_liquidation_prices():
    lp_eth = f.liquidation_price("long", ETH["size"], ETH["entry"], WB, mmr=ETH["mmr"],
                                 cum=ETH["cum"], other_maintenance=_mm(BTC),
                                 other_unrealized_pnl=_upnl(BTC))
    lp_btc = f.liquidation_price("long", BTC["size"], BTC["entry"], WB, mmr=BTC["mmr"],
                                 cum=BTC["cum"], other_maintenance=_mm(ETH),
                                 other_unrealized_pnl=_upnl(ETH))
    assert round(lp_eth, 2) == 1_153.26
    assert round(lp_btc, 2) == 26_316.89


def test_binance_example_with_bracket_tables_reselects_the_same_tiers():
    btc, eth = Brackets.load("BTCUSDT-2021"), Brackets.load("ETHUSDT-2021")
    assert f.maintenance_margin(BTC["size"], BTC["mark"], btc) == pytest.approx(_mm(BTC))
    assert f.maintenance_margin(ETH["size"], ETH["mark"], eth) == pytest.approx(_mm(ETH))
    lp_btc = f.liquidation_price("long", BTC["size"], BTC["entry"], WB, brackets=btc,
                                 other_maintenance=_mm(ETH), other_unrealized_pnl=_upnl(ETH))
    assert round(lp_btc, 2) == 26_316.89


def test_account_margin_ratio_of_the_example():
    mm = _mm(BTC) + _mm(ETH)
    mb = f.margin_balance(WB, _upnl(BTC) + _upnl(ETH))
    assert f.margin_ratio(mm, mb) == pytest.approx(0.4149, abs=5e-5)


def test_margin_ratio_is_infinite_when_nothing_is_left():
    assert f.margin_ratio(10.0, 0.0) == math.inf
    assert f.margin_ratio(10.0, -5.0) == math.inf
    np.testing.assert_array_equal(f.margin_ratio([1.0, 1.0], [2.0, 0.0]), [0.5, np.inf])


def test_isolated_long_liquidation_price_by_hand():
    # 1 BTC long at 60,000 with 6,000 margin (10x), first tier 0.4 %, cum 0:
    # 6,000 + (LP - 60,000) = 0.004 LP  ->  LP = 54,000 / 0.996
    lp = f.liquidation_price("long", 1.0, 60_000, 6_000, mmr=0.004)
    assert lp == pytest.approx(54_000 / 0.996)


def test_isolated_short_liquidation_price_by_hand():
    # 6,000 - (LP - 60,000) = 0.004 LP  ->  LP = 66,000 / 1.004
    assert f.liquidation_price("short", 1.0, 60_000, 6_000, mmr=0.004) == pytest.approx(66_000 / 1.004)


def test_fully_collateralised_long_has_no_liquidation_price():
    assert f.liquidation_price("long", 1.0, 60_000, 60_000, mmr=0.004) is None
    lps = f.liquidation_price("long", 1.0, 60_000, np.array([6_000.0, 60_000.0]), mmr=0.004)
    assert np.isfinite(lps[0]) and np.isnan(lps[1])


@pytest.mark.parametrize("side", ["long", "short"])
@pytest.mark.parametrize("size", [0.01, 1.0, 50.0, 2_000.0])
@pytest.mark.parametrize("leverage", [2, 10, 50])
def test_margin_ratio_is_one_at_the_liquidation_price(side, size, leverage):
    table = Brackets.load("BTCUSDT")
    entry = 60_000.0
    wallet = size * entry / leverage
    lp = f.liquidation_price(side, size, entry, wallet, brackets=table)
    mm = f.maintenance_margin(size, lp, table)
    mb = wallet + f.unrealized_pnl(side, size, entry, lp)
    assert f.margin_ratio(mm, mb) == pytest.approx(1.0, rel=1e-9)


def test_bracket_reselection_changes_the_price():
    # 200 BTC at 60,000 (12M notional) with 10 % margin: the first-tier guess is wrong.
    table = Brackets.load("BTCUSDT")
    naive = f.liquidation_price("long", 200, 60_000, 1_200_000, mmr=0.02, cum=131_450)
    right = f.liquidation_price("long", 200, 60_000, 1_200_000, brackets=table)
    assert table.lookup(200 * right) == (0.01, 11_450)
    assert right != pytest.approx(naive)


def test_liquidation_price_is_vectorized():
    table = Brackets.load("BTCUSDT")
    wallets = np.linspace(1_000, 50_000, 7)
    lps = f.liquidation_price("long", 1.0, 60_000, wallets, brackets=table)
    one_by_one = [f.liquidation_price("long", 1.0, 60_000, w, brackets=table) for w in wallets]
    np.testing.assert_allclose(lps, np.array(one_by_one, dtype=float))
    sides = np.array([1, -1, 1])
    out = f.liquidation_price(sides, 1.0, 60_000, 6_000, mmr=0.004)
    assert out[0] < 60_000 < out[1] and out[0] == out[2]


def test_pnl_and_margins_broadcast_over_price_grids():
    prices = np.linspace(50_000, 70_000, 5)
    np.testing.assert_allclose(f.unrealized_pnl("short", 2.0, 60_000, prices),
                               -2.0 * (prices - 60_000))
    np.testing.assert_allclose(f.initial_margin(2.0, prices, 20), 2.0 * prices / 20)
    assert f.notional(0.5, 60_000) == 30_000


def test_bankruptcy_price():
    assert f.bankruptcy_price("long", 1.0, 60_000, 6_000) == 54_000
    assert f.bankruptcy_price("short", 1.0, 60_000, 6_000) == 66_000
    assert f.bankruptcy_price("long", 1.0, 60_000, 60_000) is None


@pytest.mark.parametrize("bad", [0, -1.0, math.nan, math.inf, "abc", None])
def test_bad_sizes_and_prices_are_refused(bad):
    with pytest.raises(InvalidInput, match="size"):
        f.unrealized_pnl("long", bad, 60_000, 61_000)
    with pytest.raises(InvalidInput, match="entry_price"):
        f.liquidation_price("long", 1.0, bad, 6_000, mmr=0.004)
    with pytest.raises(InvalidInput, match="mark_price"):
        f.maintenance_margin(1.0, bad, mmr=0.004)
    with pytest.raises(InvalidInput, match="leverage"):
        f.initial_margin(1.0, 60_000, bad)


def test_bad_side_and_array_entries_are_named():
    with pytest.raises(InvalidInput, match="side must be 'long' or 'short' .got 'buy'"):
        f.unrealized_pnl("buy", 1.0, 1.0, 1.0)
    with pytest.raises(InvalidInput, match="mark_price .* index 2"):
        f.unrealized_pnl("long", 1.0, 1.0, [1.0, 2.0, -3.0])
    with pytest.raises(InvalidInput, match="needs brackets or mmr"):
        f.liquidation_price("long", 1.0, 60_000, 6_000)


# -- position_summary: the leverage explorer's numbers in one call -----------------------------
def _btc_brackets():
    from crossmargin.engine.contracts import contract
    return contract("BTCUSDT").brackets


@pytest.mark.parametrize("side, leverage, entry, margin", [
    ("long", 20, 60_000, 5_000), ("short", 10, 60_000, 1_000), ("long", 125, 61_234.5, 800),
    ("short", 3, 2_000, 50_000),
])
def test_position_summary_is_the_formulas(side, leverage, entry, margin):
    b = _btc_brackets()
    s = f.position_summary(side, leverage, entry, margin, brackets=b)
    size = margin * leverage / entry
    assert s["size"] == size
    assert s["notional"] == f.notional(size, entry)
    assert s["initial_margin"] == f.initial_margin(size, entry, leverage)
    assert s["maintenance_margin"] == f.maintenance_margin(size, entry, b)
    assert s["margin_ratio"] == f.margin_ratio(s["maintenance_margin"], margin)
    assert s["liquidated"] is False
    assert s["liquidation_price"] == f.liquidation_price(side, size, entry, margin, brackets=b)
    assert s["bankruptcy_price"] == f.bankruptcy_price(side, size, entry, margin)
    assert s["distance"] == s["liquidation_price"] / entry - 1
    assert s["max_leverage"] == b.max_leverage(s["notional"])


def test_position_summary_agrees_with_an_isolated_account_position():
    from crossmargin.engine.account import Account
    account = Account()
    account.deposit(10_000)
    account.set_margin_mode("BTCUSDT", "isolated")
    account.set_leverage("BTCUSDT", 20)
    account.open("BTCUSDT", "long", 60_000, margin=5_000)
    row = account.positions().iloc[0]
    s = f.position_summary("long", 20, 60_000, 5_000, brackets=_btc_brackets())
    for name in ("notional", "initial_margin", "maintenance_margin", "margin_ratio",
                 "liquidation_price"):
        assert s[name] == pytest.approx(row[name], rel=1e-12), name
    assert s["bankruptcy_price"] == pytest.approx(57_000)


def test_position_summary_without_a_liquidation_price_or_liquidated_on_opening():
    b = _btc_brackets()
    whole = f.position_summary("long", 1, 60_000, 1_000, brackets=b)
    assert whole["liquidation_price"] is None and whole["distance"] is None
    assert not whole["liquidated"]
    # a huge position at high leverage: the maintenance margin is more than the margin
    gone = f.position_summary("long", 125, 60_000, 100_000, brackets=b)
    assert gone["liquidated"] is True and gone["margin_ratio"] >= 1
    assert gone["liquidation_price"] is None and gone["distance"] is None


def test_position_summary_of_arrays_is_the_scalar_summary_element_by_element():
    b = _btc_brackets()
    sides = np.array(["long", "short", "long", "long"])
    leverages = np.array([20, 20, 125, 125])
    margins = np.array([5_000, 5_000, 800, 100_000])
    many = f.position_summary(sides, leverages, 60_000, margins, brackets=b)
    for i in range(len(sides)):
        one = f.position_summary(str(sides[i]), int(leverages[i]), 60_000, int(margins[i]),
                                 brackets=b)
        for name, value in one.items():
            expected = np.nan if value is None else value
            assert many[name][i] == pytest.approx(expected, rel=1e-12, nan_ok=True), name


def test_position_curve_meets_at_the_liquidation_and_bankruptcy_prices():
    b = _btc_brackets()
    s = f.position_summary("short", 10, 60_000, 1_000, brackets=b)
    equity, mm = f.position_curve("short", s["size"], 60_000, 1_000,
                                  [s["liquidation_price"], s["bankruptcy_price"]], brackets=b)
    assert equity[0] == pytest.approx(mm[0], rel=1e-9)
    assert equity[1] == pytest.approx(0, abs=1e-9)


@pytest.mark.parametrize("field, args", [
    ("leverage", ("long", 0, 60_000, 1_000)), ("entry_price", ("long", 10, -1, 1_000)),
    ("margin", ("long", 10, 60_000, float("nan"))), ("side", ("up", 10, 60_000, 1_000)),
])
def test_position_summary_refuses_bad_input(field, args):
    with pytest.raises(InvalidInput, match=field):
        f.position_summary(*args, brackets=_btc_brackets())
