"""lessons.comparison.venue_comparison: one portfolio on four venues, as each screen shows it."""
import math

import pytest

from crossmargin import Account, InvalidInput, Order
from crossmargin.engine import platforms
from crossmargin.lessons.comparison import venue_comparison

ORDERS = [Order("BTCUSDT", "long", margin=2_000, leverage=10),
          Order("ETHUSDT", "short", margin=2_000, leverage=10)]
PRICES = {"BTCUSDT": 60_000, "ETHUSDT": 3_000}


@pytest.fixture(scope="module")
def table():
    return venue_comparison(ORDERS, PRICES)


def test_one_row_per_venue_in_its_own_collateral(table):
    assert list(table.index) == ["binance", "bybit", "okx", "hyperliquid"]
    assert table["collateral"].tolist() == ["USDT", "USDT", "USDT", "USDC"]
    assert table.loc["hyperliquid", "funding_interval_hours"] == 1
    assert table.loc["binance", "funding_interval_hours"] == 8


def test_okx_shows_the_inverse_ratio_with_the_fee_to_close(table):
    okx = Account(venue="okx")
    okx.deposit(10_000)
    okx.mark(PRICES)
    for order in ORDERS:
        order.place(okx, PRICES[order.symbol])
    s = okx.summary()
    fees = sum(okx.positions()["notional"]) * okx.venue.taker_fee
    mm = sum(okx.positions()["maintenance_margin"])
    expected = platforms.okx_margin_ratio(s.cross_margin_balance, mm, fees)
    assert table.loc["okx", "margin_ratio"] == pytest.approx(expected)
    assert table.loc["okx", "margin_ratio"] > 1 > table.loc["binance", "margin_ratio"]
    assert table.loc["okx", "liquidation_at"] == "falls to 100 %"


def test_each_venue_prices_liquidation_with_its_own_tiers(table):
    lps = table["BTCUSDT liquidation_price"]
    assert lps.nunique() == 4 and lps.between(25_000, 40_000).all()
    binance = Account()
    binance.deposit(10_000)
    binance.mark(PRICES)
    for order in ORDERS:
        order.place(binance, PRICES[order.symbol])
    assert lps["binance"] == pytest.approx(binance.liquidation_price("BTCUSDT"))


def test_hyperliquid_keeps_ten_percent_of_the_position_value_back(table):
    notional = 2 * 20_000
    # 10 % of 40,000 notional (4,000) is what the 4,000 of initial margin keeps back too
    assert table.loc["hyperliquid", "max_withdraw"] == pytest.approx(
        10_000 - notional * 0.00045 - max(4_000, 0.1 * notional))
    assert math.isfinite(table.loc["binance", "max_withdraw"])


def test_an_unknown_venue_is_refused_by_name():
    with pytest.raises(InvalidInput, match="venue must be one of binance, bybit, okx, "
                                           "hyperliquid"):
        venue_comparison(ORDERS, PRICES, venues=["kraken"])
