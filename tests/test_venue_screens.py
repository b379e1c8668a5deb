"""lessons.comparison for lesson 12: each venue's screen at every move (venue_screens), what
ordinary cross asks of a hedge (cross_requirement), the illustrative portfolio margin, and the
model card's tables."""
import math

import numpy as np
import pytest

from crossmargin import InvalidInput, Order
from crossmargin.engine.brackets import Brackets
from crossmargin.engine.venues import VENUE_NAMES, venue
from crossmargin.lessons import comparison as C
from crossmargin.simulation.orders import open_orders

HEDGE = C.SCREEN_PORTFOLIOS["BTC long + ETH short (hedge)"]
MOVES = [-0.6, -0.3, 0.0, 0.25]


@pytest.fixture(scope="module")
def screens():
    return C.venue_screens(HEDGE, C.START_PRICES, moves=MOVES, moving=["BTCUSDT"])


def engine_account(name, move, moving=("BTCUSDT",)):
    """The account the screen describes: opened at the start prices, then one jump."""
    account = open_orders(HEDGE, C.START_PRICES, venue=name)
    account.mark({s: C.START_PRICES[s] * (1 + move) for s in moving})
    return account


def test_one_table_per_venue_one_row_per_move(screens):
    assert list(screens) == list(VENUE_NAMES)
    for name, table in screens.items():
        assert list(table.index) == MOVES
        assert table.attrs["title"] == venue(name).title
        assert table.attrs["moving"] == ("BTCUSDT",)
    assert screens["okx"].attrs["symbols"] == {"BTCUSDT": "BTC-USDT-SWAP",
                                               "ETHUSDT": "ETH-USDT-SWAP"}
    assert screens["hyperliquid"].attrs["symbols"] == {"BTCUSDT": "BTC", "ETHUSDT": "ETH"}


@pytest.mark.parametrize("name", VENUE_NAMES)
@pytest.mark.parametrize("move", [-0.3, 0.0, 0.25])
def test_every_number_is_the_engines(screens, name, move):
    row = screens[name].loc[move]
    account = engine_account(name, move)
    ratio = account.margin_ratio()
    assert row["margin_ratio"] == pytest.approx(1 / ratio if name == "okx" else ratio)
    assert row["maintenance_margin"] == pytest.approx(account.summary()["cross_maintenance_margin"])
    assert row["equity"] == pytest.approx(account.summary()["equity"])
    assert row["wallet_balance"] == pytest.approx(account.summary()["wallet_balance"])
    assert row["max_withdraw"] == pytest.approx(account.max_withdraw())
    for symbol in ("BTCUSDT", "ETHUSDT"):
        assert row[f"{symbol} liquidation_price"] == pytest.approx(
            account.liquidation_price(symbol))
    assert row["status"] == "open"


def test_the_start_row_is_venue_comparisons_and_a_moved_row_its_marks_too(screens):
    now = C.venue_comparison(HEDGE, C.START_PRICES)
    moved = C.venue_comparison(HEDGE, C.START_PRICES, marks={"BTCUSDT": 45_000})
    for name in VENUE_NAMES:
        for table, move in ((now, 0.0), (moved, -0.25)):
            other = C.venue_screens(HEDGE, C.START_PRICES, moves=[move], moving="BTCUSDT",
                                    venues=name)[name].loc[move]
            for column in table.columns:
                a, b = table.loc[name, column], other[column]
                assert a == pytest.approx(b) if isinstance(a, float) else a == b, column


def test_ratios_move_their_venues_way_as_btc_falls(screens):
    for name, table in screens.items():
        falls = name == "okx"
        assert table["liquidation_at"].iloc[0] == ("falls to 100 %" if falls
                                                   else "rises to 100 %")
        r = table.loc[[-0.3, 0.0, 0.25], "margin_ratio"].to_numpy()
        assert (np.diff(r) > 0).all() if falls else (np.diff(r) < 0).all(), name


def test_a_jump_past_the_liquidation_price_liquidates_every_venue(screens):
    for name, table in screens.items():
        row = table.loc[-0.6]
        assert row["status"] == "liquidated" and math.isnan(row["margin_ratio"])
        assert math.isnan(row["BTCUSDT liquidation_price"])
        lp = engine_account(name, 0.0).liquidation_price("BTCUSDT")
        assert lp > C.START_PRICES["BTCUSDT"] * 0.4      # -60 % is past every venue's price


def test_hyperliquid_pays_funding_hourly_and_each_venue_its_clearance_fee(screens):
    for name, table in screens.items():
        assert set(table["funding_interval_hours"]) == {venue(name).funding_interval_hours}
        assert set(table["clearance_fee"]) == {venue(name).liquidation_fee_rate}
    assert screens["hyperliquid"]["funding_interval_hours"].iloc[0] == 1
    assert screens["binance"]["funding_interval_hours"].iloc[0] == 8
    assert screens["hyperliquid"]["collateral"].iloc[0] == "USDC"


def test_moving_every_coin_barely_moves_the_hedge():
    together = C.venue_screens(HEDGE, C.START_PRICES, moves=[-0.3, 0.0], venues="binance")
    alone = C.venue_screens(HEDGE, C.START_PRICES, moves=[-0.3, 0.0], moving="BTCUSDT",
                            venues="binance")
    eq_together = together["binance"]["equity"]
    eq_alone = alone["binance"]["equity"]
    assert abs(eq_together[-0.3] - eq_together[0.0]) < 1       # the two legs offset
    assert eq_alone[0.0] - eq_alone[-0.3] == pytest.approx(6_000)   # 1/3 BTC x 18,000
    account = open_orders(HEDGE, C.START_PRICES)
    account.mark({s: p * 0.7 for s, p in C.START_PRICES.items()})
    assert together["binance"].loc[-0.3, "margin_ratio"] == pytest.approx(account.margin_ratio())


def test_a_profit_is_margin_not_cash_on_the_usdt_venues():
    table = C.venue_screens(HEDGE, C.START_PRICES, moves=[0.0, 0.1, 0.3], moving="BTCUSDT")
    for name in ("binance", "bybit", "okx"):
        t = table[name]
        # the profit backs the initial margin: more of the deposit can leave ...
        assert t.loc[0.1, "max_withdraw"] > t.loc[0.0, "max_withdraw"] + 1_000
        # ... but never more than the wallet (Binance keeps the maintenance margin back too)
        assert (t["max_withdraw"] <= t["wallet_balance"] + 1e-9).all()
    b = table["binance"].loc[0.3]
    assert b["max_withdraw"] == pytest.approx(b["wallet_balance"] - b["maintenance_margin"])
    assert table["bybit"].loc[0.3, "max_withdraw"] == pytest.approx(
        table["bybit"].loc[0.3, "wallet_balance"])


@pytest.mark.parametrize("kwargs, words", [
    ({"moves": [-1.0]}, "> -1"),
    ({"moves": []}, "non-empty"),
    ({"moving": "SOLUSDT"}, "moving must name symbols of prices"),
    ({"moving": []}, "moving must name symbols"),
    ({"venues": ["kraken"]}, "venue must be one of binance, bybit, okx, hyperliquid"),
    ({"venues": []}, "venues must hold at least one venue"),
])
def test_bad_input_is_refused_by_name(kwargs, words):
    with pytest.raises(InvalidInput, match=words):
        C.venue_screens(HEDGE, C.START_PRICES, **kwargs)


def test_bad_prices_are_refused_by_name():
    with pytest.raises(InvalidInput, match=r"prices\['BTCUSDT'\] must be > 0 \(got -1\)"):
        C.venue_screens(HEDGE, {"BTCUSDT": -1, "ETHUSDT": 3_000})
    with pytest.raises(InvalidInput, match="prices must be a mapping"):
        C.venue_screens(HEDGE, [60_000, 3_000])


# -- what ordinary cross asks, and the illustrative portfolio margin -------------------------
def test_cross_adds_every_positions_maintenance_margin_whatever_its_side():
    btc, eth = Brackets.load("BTCUSDT"), Brackets.load("ETHUSDT")
    expected = 20_000 * btc.lookup(20_000)[0] + 20_000 * eth.lookup(20_000)[0]
    for name in ("BTC long + ETH short (hedge)", "BTC long + ETH long",
                 "BTC perpetual long + BTC future short"):
        assert C.cross_requirement(C.NETTING_PORTFOLIOS[name]) == pytest.approx(expected)
    assert expected == pytest.approx(160)
    # the engine's cross account asks the same of the lesson's hedge
    account = open_orders([Order("BTCUSDT", "long", notional=20_000, leverage=10),
                           Order("ETHUSDT", "short", notional=20_000, leverage=10)],
                          C.START_PRICES)
    assert account.summary()["cross_maintenance_margin"] == pytest.approx(
        C.cross_requirement(C.NETTING_PORTFOLIOS["BTC long + ETH short (hedge)"]))
    # a cum above the first bracket is subtracted
    big = [C.Exposure("BTC", "long", 1_000_000)]
    assert C.cross_requirement(big) == pytest.approx(1_000_000 * 0.0065 - 950)


def test_what_nets_under_each_grouping():
    table = C.netting_comparison()
    cross, by_coin, together = table.columns
    assert table.loc["BTC long + ETH short (hedge)"].tolist() == pytest.approx([160, 160, 0])
    assert table.loc["BTC long + ETH long"].tolist() == pytest.approx([160, 160, 160])
    assert table.loc["BTC perpetual long + BTC future short"].tolist() == pytest.approx(
        [160, 0, 0])
    assert "illustrative" in by_coin and "illustrative" in together


def test_a_lone_position_needs_what_cross_asks_and_a_partial_hedge_nets_in_part():
    lone = [C.Exposure("ETH", "short", 30_000)]
    assert C.illustrative_portfolio_margin(lone) == pytest.approx(C.cross_requirement(lone))
    mixed = [C.Exposure("BTC", "long", 30_000), C.Exposure("BTC", "short", 15_000, "future"),
             C.Exposure("ETH", "short", 10_000)]
    # BTC unit: (30,000 - 15,000) x 0.4 %; ETH unit: 10,000 x 0.4 %
    assert C.illustrative_portfolio_margin(mixed) == pytest.approx(60 + 40)
    # together: (30,000 - 15,000 - 10,000) x 0.4 %
    assert C.illustrative_portfolio_margin(mixed, grouping="together") == pytest.approx(20)
    assert C.cross_requirement(mixed) == pytest.approx(220)


def test_a_stress_move_of_your_own_and_the_scenarios():
    two_longs = C.NETTING_PORTFOLIOS["BTC long + ETH long"]
    assert C.illustrative_portfolio_margin(two_longs, stress=0.10) == pytest.approx(4_000)
    # only rises in the scenarios: a long loses nothing
    assert C.illustrative_portfolio_margin(two_longs, steps=[0.0, 1.0]) == 0.0
    short = [C.Exposure("BTC", "short", 20_000)]
    assert C.illustrative_portfolio_margin(short, stress=0.1, steps=[0.5]) == pytest.approx(
        1_000)


@pytest.mark.parametrize("call, words", [
    (lambda: C.illustrative_portfolio_margin([]), "legs must hold at least one Exposure"),
    (lambda: C.illustrative_portfolio_margin(5), "legs must be a list of Exposure"),
    (lambda: C.illustrative_portfolio_margin([("BTC", "up", 1_000)]),
     "legs item 0 side must be 'long' or 'short'"),
    (lambda: C.illustrative_portfolio_margin([("BTC", "long", -5)]),
     r"legs item 0 notional must be > 0 \(got -5\)"),
    (lambda: C.illustrative_portfolio_margin([("DOGE", "long", 5)]),
     "legs item 0 coin must be one of BTC, ETH, SOL"),
    (lambda: C.illustrative_portfolio_margin([7]), "legs item 0 must be an Exposure"),
    (lambda: C.illustrative_portfolio_margin([("BTC", "long", 5)], grouping="venue"),
     "grouping must be one of coin, together"),
    (lambda: C.illustrative_portfolio_margin([("BTC", "long", 5)], stress=1.5),
     r"stress must be a fraction of the price below 1 \(got 1.5\)"),
    (lambda: C.illustrative_portfolio_margin([("BTC", "long", 5)], stress=0),
     r"stress must be > 0"),
    (lambda: C.illustrative_portfolio_margin([("BTC", "long", 5)], steps=[]),
     "steps must be a flat, non-empty list"),
    (lambda: C.illustrative_portfolio_margin([("BTC", "long", 5)], steps=["x"]),
     "steps must be a list of numbers"),
    (lambda: C.netting_comparison({}), "portfolios must be a non-empty mapping"),
])
def test_bad_netting_input_is_refused_by_name(call, words):
    with pytest.raises(InvalidInput, match=words):
        call()


# -- the model card ----------------------------------------------------------------------------
def test_the_model_card_lists_every_assumption_and_every_table():
    assumed = C.venue_assumptions()
    assert len(assumed) == sum(len(venue(v).assumed) for v in VENUE_NAMES)
    assert set(assumed["venue"]) == {venue(v).title for v in VENUE_NAMES}
    assert any("Bybit's rule" in a for a in assumed.loc[assumed.venue == "OKX", "assumed"])
    tables = C.venue_tables().set_index(["venue", "coin"])["illustrative"]
    binance, bybit = venue("binance").title, venue("bybit").title
    assert not tables[(binance, "BTC")] and not tables[(binance, "ETH")]
    assert not tables[(bybit, "BTC")] and tables[(bybit, "ETH")]
    assert tables[("OKX", "BTC")] and tables[("OKX", "ETH")]
    assert len(tables) == 12


# -- what can leave the account ----------------------------------------------------------------
def test_withdrawal_limits_are_the_engines_and_hyperliquids_published_rule():
    limits = C.withdrawal_limits(HEDGE, C.START_PRICES, marks={"BTCUSDT": 78_000})
    assert list(limits.index) == list(VENUE_NAMES)
    for name in VENUE_NAMES:
        account = engine_account(name, 0.3)
        s = account.summary()
        row = limits.loc[name]
        assert row["max_withdraw"] == pytest.approx(account.max_withdraw())
        assert row["unrealized_pnl"] == pytest.approx(6_000)          # 1/3 BTC x 18,000
        assert row["wallet_balance"] == pytest.approx(s["wallet_balance"])
        if name != "hyperliquid":
            assert row["published_limit"] == row["max_withdraw"] <= row["wallet_balance"]
    hl = limits.loc["hyperliquid"]
    assert hl["published_limit"] == pytest.approx(hl["equity"] - max(hl["initial_margin"],
                                                                     0.1 * 46_000))
    assert list(limits.index[limits["profit_can_leave"]]) == ["hyperliquid"]
    flat = C.withdrawal_limits(HEDGE, C.START_PRICES, venues="hyperliquid")
    assert not flat["profit_can_leave"].any()
    with pytest.raises(InvalidInput, match="venue must be one of"):
        C.withdrawal_limits(HEDGE, C.START_PRICES, venues=["ftx"])
