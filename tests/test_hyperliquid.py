"""Hyperliquid beside Binance, Bybit and OKX (crossmargin.engine.platforms, issue 11).

No liquidation price returned by Hyperliquid itself is available offline, so nothing here is
checked against live values: the published numbers reproduced are the maintenance rates of the
docs page (2.5 % at 20x, 1 % at 50x, 16.7 % at 3x) and its tiers; the liquidation price is
checked against Binance's formula and against its defining property.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossmargin import formulas as f
from crossmargin import platforms as p
from crossmargin.engine.brackets import Brackets
from crossmargin.errors import InvalidInput

BTC = Brackets.load("BTCUSDT")

sides = st.sampled_from(["long", "short"])
sizes = st.floats(0.001, 50.0)
prices = st.floats(100.0, 200_000.0)
max_leverages = st.sampled_from([3, 5, 10, 15, 20, 25, 40, 50])


# -- maintenance rates and tiers ----------------------------------------------------------------
@pytest.mark.parametrize("max_leverage, rate", [(20, 0.025), (50, 0.01), (3, 1 / 6), (40, 0.0125)])
def test_published_maintenance_rates(max_leverage, rate):
    assert p.hyperliquid_maintenance_rate(max_leverage) == pytest.approx(rate, rel=1e-12)
    assert round(p.hyperliquid_maintenance_rate(3) * 100, 1) == 16.7


def test_maintenance_rate_vectorized():
    np.testing.assert_allclose(p.hyperliquid_maintenance_rate(np.array([20, 50, 3])),
                               [0.025, 0.01, 1 / 6], rtol=1e-12)


@pytest.mark.parametrize("coin, floor, low, high", [
    ("BTC", 150e6, 40, 20), ("ETH", 100e6, 25, 15), ("SOL", 70e6, 20, 10)])
def test_tiers_as_stated_on_the_docs_page(coin, floor, low, high):
    table = p.hyperliquid_tiers(coin)
    assert list(table.floors) == [0.0, floor]
    assert list(table.max_leverages) == [low, high]
    np.testing.assert_allclose(table.maintenance_margin_rates, [1 / (2 * low), 1 / (2 * high)])
    # The deduction follows the cum rule: the maintenance margin is continuous at the floor.
    assert table.maintenance_amounts[1] == pytest.approx(floor * (1 / (2 * high) - 1 / (2 * low)))
    below = p.hyperliquid_maintenance_margin(1.0, floor * (1 - 1e-12), coin=coin)
    above = p.hyperliquid_maintenance_margin(1.0, floor, coin=coin)
    assert above == pytest.approx(below, rel=1e-9)
    assert table.date and "margin-tiers" in table.source and "may change" in table.source
    assert p.hyperliquid_tiers(coin + "USDT") is table


def test_btc_deduction_above_150m():
    assert p.HYPERLIQUID_TIERS["BTC"].maintenance_amounts[1] == pytest.approx(1_875_000)
    # 200M of BTC: 200M x 2.5 % - 1.875M = 3.125M USDC.
    assert p.hyperliquid_maintenance_margin(2_000, 100_000, coin="BTC") == pytest.approx(3.125e6)
    assert p.hyperliquid_maintenance_margin(1, 60_000, max_leverage=40) == pytest.approx(750)


# -- liquidation price --------------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(side=sides, size=sizes, entry=prices, leverage=st.floats(1.5, 50.0),
       max_leverage=max_leverages)
def test_isolated_lp_is_binance_formula_with_that_mmr_and_no_deduction(side, size, entry,
                                                                       leverage, max_leverage):
    margin = size * entry / leverage
    mine = p.hyperliquid_isolated_liquidation_price(side, size, entry, margin,
                                                    max_leverage=max_leverage)
    one_tier = Brackets.from_tiers("X", [0.0], [1 / (2 * max_leverage)], [max_leverage])
    binance = f.liquidation_price(side, size, entry, margin, brackets=one_tier)
    if binance is None:
        assert mine is None
        return
    assert mine == pytest.approx(binance, rel=1e-9)
    assert mine == pytest.approx(f.liquidation_price(side, size, entry, margin,
                                                     mmr=1 / (2 * max_leverage), cum=0.0),
                                 rel=1e-9)


@settings(max_examples=300, deadline=None)
@given(side=sides, size=sizes, entry=prices, leverage=st.floats(1.5, 50.0),
       max_leverage=max_leverages, deduction=st.floats(0.0, 50.0))
def test_at_the_lp_position_equity_equals_maintenance_margin(side, size, entry, leverage,
                                                             max_leverage, deduction):
    margin = size * entry / leverage
    lp = p.hyperliquid_isolated_liquidation_price(side, size, entry, margin,
                                                  max_leverage=max_leverage,
                                                  maintenance_deduction=deduction)
    if lp is None:
        return
    equity = margin + f.unrealized_pnl(side, size, entry, lp)
    mm = size * lp / (2 * max_leverage) - deduction
    assert equity == pytest.approx(mm, rel=1e-9, abs=1e-9 * size * entry)
    if mm > 1e-6 * size * entry:  # a deduction larger than the MM is no real tier
        assert mm == pytest.approx(p.hyperliquid_maintenance_margin(
            size, lp, max_leverage=max_leverage, maintenance_deduction=deduction), rel=1e-12)
        assert p.hyperliquid_margin_ratio(equity, mm) == pytest.approx(1.0, rel=1e-6)


@pytest.mark.parametrize("side, expected", [
    # 1 BTC at 60,000, margin 6,000 (10x), max leverage 40: l = 1.25 %, MM at entry 750,
    # margin available 5,250: long 60,000 - 5,250 / 0.9875, short 60,000 + 5,250 / 1.0125.
    ("long", 60_000 - 5_250 / 0.9875), ("short", 60_000 + 5_250 / 1.0125)])
def test_isolated_lp_by_hand(side, expected):
    lp = p.hyperliquid_isolated_liquidation_price(side, 1, 60_000, 6_000, max_leverage=40)
    assert lp == pytest.approx(expected, rel=1e-12)


def test_isolated_lp_vectorized():
    sizes_ = np.array([0.5, 1.0, 2.0])
    got = p.hyperliquid_isolated_liquidation_price(np.array([1, -1, 1]), sizes_, 60_000,
                                                   sizes_ * 6_000,
                                                   max_leverage=np.array([40, 40, 20]))
    ref = [p.hyperliquid_isolated_liquidation_price(s, q, 60_000, q * 6_000, max_leverage=m)
           for s, q, m in zip(["long", "short", "long"], sizes_, [40, 40, 20])]
    np.testing.assert_allclose(got, ref, rtol=1e-12)


def test_one_x_long_has_no_liquidation_price():
    assert p.hyperliquid_isolated_liquidation_price("long", 1, 60_000, 60_000,
                                                    max_leverage=40) is None


# -- ratio, withdrawal, funding -----------------------------------------------------------------
def test_margin_ratio_points_like_binance_and_liquidates_strictly_above_100():
    grid = np.linspace(60_000, 54_100, 40)
    equity = 6_000 + f.unrealized_pnl("long", 1.0, 60_000, grid)
    mm = p.hyperliquid_maintenance_margin(1.0, grid, max_leverage=40)
    ratio = p.hyperliquid_margin_ratio(equity, mm)
    assert np.all(np.diff(ratio) > 0)
    np.testing.assert_allclose(ratio, p.binance_margin_ratio(mm, equity), rtol=1e-12)
    assert not p.hyperliquid_is_liquidated(1.0) and p.hyperliquid_is_liquidated(1.0001)
    assert p.binance_is_liquidated(1.0)
    assert p.hyperliquid_margin_ratio(-5.0, 10.0) == np.inf


@pytest.mark.parametrize("account_value, im, value, expected", [
    (10_000, 2_000, 50_000, 5_000),   # 10 % of value (5,000) binds
    (10_000, 6_000, 50_000, 4_000),   # initial margin binds
    (4_000, 2_000, 50_000, 0.0),      # nothing left above the floor
    (1_000, 0.0, 0.0, 1_000),         # no positions: all of it
])
def test_max_withdraw(account_value, im, value, expected):
    assert p.hyperliquid_max_withdraw(account_value, im, value) == pytest.approx(expected)


def test_max_withdraw_vectorized():
    np.testing.assert_allclose(
        p.hyperliquid_max_withdraw(np.array([10_000, 10_000, 4_000]),
                                   np.array([2_000, 6_000, 2_000]), 50_000),
        [5_000, 4_000, 0])


def test_funding_hourly_on_the_oracle_price():
    # 2 BTC long, oracle 60,000, +0.01 % for the hour: the long pays 12 USDC, a short gets it.
    assert p.hyperliquid_funding_payment("long", 2, 60_000, 0.0001) == pytest.approx(-12)
    assert p.hyperliquid_funding_payment("short", 2, 60_000, 0.0001) == pytest.approx(12)
    assert p.hyperliquid_funding_payment("long", 1, 100, 0.04) == pytest.approx(-4)
    np.testing.assert_allclose(
        p.hyperliquid_funding_payment(np.array([1, -1]), 1.0, 100.0, np.array([-0.04, 0.01])),
        [4.0, 1.0])


def test_hyperliquid_described_beside_the_venues_without_changing_them():
    assert set(p.VENUES) == {"Binance", "Bybit", "OKX"}
    assert p.HYPERLIQUID["collateral"] == "USDC"
    assert "rises" in p.HYPERLIQUID["margin_ratio_rule"]
    assert p.HYPERLIQUID["sources"] and p.HYPERLIQUID["unverified"]
    assert "USDC" in p.hyperliquid_isolated_liquidation_price.__doc__
    assert "nverified against live values" in p.hyperliquid_isolated_liquidation_price.__doc__


# -- compare_isolated with four venues ----------------------------------------------------------
@pytest.mark.parametrize("side", ["long", "short"])
def test_compare_isolated_four_venues_leaves_the_three_unchanged(side):
    three = p.compare_isolated(side, 1.0, 60_000, 10, BTC)
    four = p.compare_isolated(side, 1.0, 60_000, 10, BTC, venues=p.COMPARED_VENUES)
    assert list(three["venue"]) == ["Binance", "Bybit", "OKX"]
    assert list(four["venue"]) == ["Binance", "Bybit", "OKX", "Hyperliquid"]
    assert list(four.columns) == list(three.columns)
    np.testing.assert_array_equal(four["liquidation_price"].iloc[:3],
                                  three["liquidation_price"])
    hl = four.set_index("venue").loc["Hyperliquid"]
    assert hl["liquidation_price"] == pytest.approx(
        p.hyperliquid_isolated_liquidation_price(side, 1.0, 60_000, 6_000, max_leverage=40))
    assert hl["margin_ratio_name"] == p.HYPERLIQUID["margin_ratio_name"]
    assert "USDC" in hl["note"] and "refuse" not in hl["note"]
    assert 8.5 < hl["distance_pct"] < 9.0  # MMR 1.25 %: a bit further from 10 % than the others


def test_compare_isolated_hyperliquid_only_and_above_its_max_leverage():
    table = p.compare_isolated("long", 1.0, 60_000, 50, BTC, venues=["Hyperliquid"],
                               hyperliquid_coin="BTC")
    assert list(table["venue"]) == ["Hyperliquid"]
    assert "refuse 50x" in table["note"].iloc[0]


# -- bad input ----------------------------------------------------------------------------------
@pytest.mark.parametrize("call, field, shown, limit", [
    (lambda: p.hyperliquid_maintenance_rate(0.5), "max_leverage", "0.5", ">= 1"),
    (lambda: p.hyperliquid_maintenance_rate([20, float("nan")]), "max_leverage", "nan", ">= 1"),
    (lambda: p.hyperliquid_isolated_liquidation_price("up", 1, 60_000, 6_000, max_leverage=40),
     "side", "up", "long"),
    (lambda: p.hyperliquid_isolated_liquidation_price("long", 0, 60_000, 6_000, max_leverage=40),
     "size", "0", "> 0"),
    (lambda: p.hyperliquid_isolated_liquidation_price("long", 1, -1, 6_000, max_leverage=40),
     "entry_price", "-1", "> 0"),
    (lambda: p.hyperliquid_isolated_liquidation_price("long", 1, 60_000, -5, max_leverage=40),
     "margin", "-5", "> 0"),
    (lambda: p.hyperliquid_isolated_liquidation_price("long", 1, 60_000, 6_000, max_leverage=0),
     "max_leverage", "0", ">= 1"),
    (lambda: p.hyperliquid_isolated_liquidation_price("long", 1, 60_000, 6_000, max_leverage=40,
                                                      maintenance_deduction=-1),
     "maintenance_deduction", "-1", ">= 0"),
    (lambda: p.hyperliquid_margin_ratio(100.0, -3.0), "maintenance_margin", "-3", ">= 0"),
    (lambda: p.hyperliquid_margin_ratio(float("inf"), 3.0), "account_value", "inf", "finite"),
    (lambda: p.hyperliquid_max_withdraw(1_000, -1, 0), "initial_margin", "-1", ">= 0"),
    (lambda: p.hyperliquid_max_withdraw(1_000, 0, -10), "total_position_value", "-10", ">= 0"),
    (lambda: p.hyperliquid_funding_payment("long", 1, 100, 0.05), "rate", "0.05", "0.04"),
    (lambda: p.hyperliquid_funding_payment("long", 1, 100, [0.01, -0.041]), "rate", "-0.041",
     "0.04"),
    (lambda: p.hyperliquid_funding_payment("long", 1, 0, 0.01), "oracle_price", "0", "> 0"),
    (lambda: p.hyperliquid_tiers("DOGE"), "coin", "DOGE", "BTC, ETH, SOL"),
    (lambda: p.hyperliquid_maintenance_margin(1, 100), "coin or max_leverage", "None",
     "exactly one"),
    (lambda: p.compare_isolated("long", 1, 60_000, 10, BTC, venues=["Binance", "Kraken"]),
     "venues", "Kraken", "Hyperliquid"),
    (lambda: p.compare_isolated("long", 1, 60_000, 10, BTC, venues="Hyperliquid"),
     "venues", "Hyperliquid", "list"),
])
def test_bad_input_names_field_value_and_limit(call, field, shown, limit):
    with pytest.raises(InvalidInput) as err:
        call()
    message = str(err.value)
    assert field in message and shown in message and limit in message
