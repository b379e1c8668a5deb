"""lessons.liquidation ("What happens at 100 %"): every walk-through is the engine's own
liquidation, sorted into events; the money pots add up at every event and end where the
engine's account and fund end; the exercises' numbers come from the engine. Numbers by hand
in the comments."""
import dataclasses
import math

import pytest

from crossmargin import Account
from crossmargin.engine.venues import VENUE_NAMES
from crossmargin.errors import CrossMarginError, InvalidInput, UnknownSymbol
from crossmargin.lessons import liquidation as L
from crossmargin.simulation.orders import Order

ALL = [(v, c) for v in VENUE_NAMES for c in L.CASE_NAMES]


@pytest.fixture(scope="module")
def walks():
    return {(v, c): L.walk_through(v, c) for v, c in ALL}


def kinds(walk):
    return [e.kind for e in walk.events]


# -- money adds up -----------------------------------------------------------------------------
@pytest.mark.parametrize("venue, case", ALL)
def test_the_pots_add_up_to_the_equity_at_the_mark_at_every_event(walks, venue, case):
    walk = walks[(venue, case)]
    start = walk.events[0]
    assert start.kind == "mark"
    assert start.fund == start.venue == start.counterparties == 0
    for e in walk.events:
        assert sum(e.pots().values()) == pytest.approx(start.equity, abs=1e-6), e.kind
        assert e.equity == pytest.approx(e.wallet + e.positions)


@pytest.mark.parametrize("venue, case", ALL)
def test_the_last_event_is_where_the_engine_left_the_account_and_the_fund(walks, venue, case):
    walk = walks[(venue, case)]
    trader = walk.accounts["trader"]
    summary = trader.summary()
    last = walk.events[-1]
    assert last.wallet == pytest.approx(summary.cross_wallet_balance + summary.isolated_margin,
                                        abs=1e-6)
    assert last.positions == pytest.approx(summary.cross_unrealized_pnl
                                           + summary.isolated_unrealized_pnl, abs=1e-6)
    assert walk.kept == pytest.approx(summary.equity, abs=1e-6)
    fund = trader.insurance_fund
    assert walk.fund == pytest.approx(fund.received - fund.paid - fund.shortfall, abs=1e-6)
    # what the ledger booked during the liquidation is the wallet's change
    assert walk.ledger.amount.sum() == pytest.approx(last.wallet - walk.events[0].wallet,
                                                     abs=1e-6)
    assert last.open_positions == {s: (trader.position_side(s),
                                       pytest.approx(trader.positions().loc[s, "contracts"]))
                                   for s in trader.open_symbols}


@pytest.mark.parametrize("venue, case", ALL)
def test_stops_are_cancelled_before_anything_is_closed(walks, venue, case):
    names = kinds(walks[(venue, case)])
    assert names[1] == "stops_cancelled"
    stops = [n for n, k in enumerate(names) if k == "stops_cancelled"]
    closes = [n for n, k in enumerate(names) if k in ("partial_liquidation", "liquidation",
                                                      "backstop")]
    assert closes and max(stops) < min(closes)
    assert all(walks[(venue, case)].events[n].amount == 0 for n in stops)     # no money


# -- each venue, by hand -----------------------------------------------------------------------
def test_binance_small_long_one_cut_then_the_close_and_nothing_left(walks):
    """100,000 of BTC at 20x: the cut to the 50,000 floor costs 1.25 % of what it closes,
    more than the whole equity left at 100 % (about 0.45 % of the notional): the fee takes it
    all, the rest closes at the bankruptcy price, the trader keeps 0."""
    walk = walks[("binance", "small BTC long")]
    assert kinds(walk) == ["mark", "stops_cancelled", "partial_liquidation", "liquidation",
                           "venue_share"]
    cut, close = walk.events[2], walk.events[3]
    assert close.size * close.price == pytest.approx(50_000)
    assert cut.size == pytest.approx(100_000 / 60_000 - 50_000 / cut.price)
    assert walk.kept == 0 and not walk.survived
    assert walk.fund == pytest.approx(walk.equity_at_liquidation)      # all of it, as fee
    assert cut.fund == pytest.approx(walk.fund) and cut.venue == 0
    # the rest closes exactly at the bankruptcy price: wallet 9,950 - the cut's loss and fee
    bp = walk.bankruptcy_price["BTCUSDT"]
    assert bp == pytest.approx(close.price, rel=1e-9)
    assert walk.liquidation_price == pytest.approx(binance_lp("binance"))


def binance_lp(venue):
    acc = Account(venue=venue)
    acc.deposit(10_000)
    acc.mark({"BTCUSDT": 60_000})
    acc.set_leverage("BTCUSDT", 20)
    acc.open("BTCUSDT", "long", 60_000, margin=5_000)
    return acc.liquidation_price("BTCUSDT")


def test_bybit_keeps_everything_left_the_bankruptcy_price_is_by_hand(walks):
    """Bybit: wallet 10,000 - 0.055 % x 100,000 = 9,945; 1.6667 BTC from 60,000: the
    account is at zero at 60,000 - 9,945 / 1.6667 = 54,033. Bybit keeps what is left."""
    walk = walks[("bybit", "small BTC long")]
    assert kinds(walk) == ["mark", "stops_cancelled", "liquidation", "venue_share"]
    assert walk.bankruptcy_price["BTCUSDT"] == pytest.approx(54_033)
    assert walk.kept == pytest.approx(0, abs=1e-9)
    assert walk.fund == pytest.approx(walk.equity_at_liquidation)
    assert "keeps everything that is left" in walk.events[-1].text


@pytest.mark.parametrize("venue, rate", [("okx", 0.0005), ("hyperliquid", 0.00045)])
def test_a_small_fee_leaves_the_trader_most_of_the_margin(walks, venue, rate):
    walk = walks[(venue, "small BTC long")]
    close = next(e for e in walk.events if e.kind == "liquidation")
    fee = close.size * close.price * rate
    assert walk.kept == pytest.approx(walk.equity_at_liquidation - fee)
    assert walk.kept > 0.9 * walk.equity_at_liquidation
    # OKX pays its fee into the fund; Hyperliquid's book fee stays with the venue (assumed)
    to_fund = venue == "okx"
    assert walk.fund == pytest.approx(fee if to_fund else 0)
    assert walk.venue_fees == pytest.approx(0 if to_fund else fee)


def test_binance_large_sol_long_survives_its_cut(walks):
    """SOL 50,000-250,000 has a 1.5 % maintenance rate, above the 1.25 % fee: the cut to the
    50,000 floor frees more requirement than it costs; the account survives with 50,000."""
    walk = walks[("binance", "large SOL long")]
    assert kinds(walk) == ["mark", "stops_cancelled", "partial_liquidation"]
    assert walk.survived and walk.bankruptcy_price == {}
    side, size = walk.events[-1].open_positions["SOLUSDT"]
    assert side == "long" and size * walk.prices[0]["SOLUSDT"] == pytest.approx(50_000)
    assert 0 < walk.accounts["trader"].margin_ratio() < 1


def test_hyperliquid_slices_one_mark_at_a_time():
    """1M of BTC at 20x (MMR 1.25 %), marked where the equity is 80 % of the maintenance
    margin: a 20 % slice leaves the account at or above 100 %; the next mark (same price)
    slices again and restores it: two marks, two slices, 64 % of the position left."""
    case = L.Case("HL million", "1M BTC long", 100_000.0,
                  (Order("BTCUSDT", "long", notional=1_000_000, leverage=20),),
                  {"BTCUSDT": 60_000.0}, "BTCUSDT")
    s = 1_000_000 / 60_000
    price = (s * 60_000 - 99_550) / (s * (1 - 0.8 * 0.0125))
    walk = L.walk_through("hyperliquid", case, prices={"BTCUSDT": price})
    assert kinds(walk) == ["mark", "partial_liquidation", "mark", "partial_liquidation"]
    assert len(walk.prices) == 2 and "Next mark" in walk.events[2].text
    assert walk.events[-1].open_positions["BTCUSDT"][1] == pytest.approx(0.64 * s)
    assert walk.survived and walk.fund == 0
    assert walk.venue_fees == pytest.approx(0.00045 * price * 0.36 * s)


def test_hedged_pair_closes_both_legs_and_gives_a_bankruptcy_price_each(walks):
    walk = walks[("binance", "hedged pair")]
    closes = [e for e in walk.events if e.kind == "liquidation"]
    assert [e.symbol for e in closes] == ["BTCUSDT", "ETHUSDT"]
    # the ETH short had not moved: closing it realizes nothing
    assert closes[1].amount == pytest.approx(0, abs=1e-6)
    assert set(walk.bankruptcy_price) == {"BTCUSDT", "ETHUSDT"}
    # the BTC long's bankruptcy price is below its liquidation price (the margin in between)
    assert walk.bankruptcy_price["BTCUSDT"] < walk.liquidation_price


ISOLATED = L.Case("isolated BTC long", "an isolated BTC long and a cross ETH long", 10_000.0,
                  (Order("BTCUSDT", "long", margin=3_000, leverage=20, margin_mode="isolated"),
                   Order("ETHUSDT", "long", size=1, leverage=10)),
                  {"BTCUSDT": 60_000.0, "ETHUSDT": 3_000.0}, "BTCUSDT",
                  stops={"BTCUSDT": 50_000.0})


@pytest.mark.parametrize("venue", VENUE_NAMES)
@pytest.mark.parametrize("btc", [None, 57_200.0, 49_000.0])
def test_an_isolated_liquidation_keeps_the_cross_position_and_the_money_adds_up(venue, btc):
    """Isolated long 1 BTC at 60,000 (margin 3,000): at 49,000 its margin is 8,000 below zero;
    with an empty fund and nobody to deleverage that is the fund's shortfall."""
    prices = None if btc is None else {"BTCUSDT": btc, "ETHUSDT": 3_000.0}
    walk = L.walk_through(venue, ISOLATED, prices=prices, insurance_fund=0)
    start = walk.events[0].equity
    for e in walk.events:
        assert sum(e.pots().values()) == pytest.approx(start, abs=1e-6)
    trader = walk.accounts["trader"]
    assert trader.open_symbols == ["ETHUSDT"] and "BTCUSDT" not in walk.events[-1].open_positions
    assert walk.kept == pytest.approx(trader.summary().equity)
    if "partial_liquidation" not in kinds(walk):      # a cut's fee moves it up (Binance)
        assert walk.bankruptcy_price["BTCUSDT"] == pytest.approx(57_000)   # 60,000 - 3,000
    else:
        assert 57_000 < walk.bankruptcy_price["BTCUSDT"] < walk.liquidation_price
    if btc == 49_000:
        assert walk.fund == pytest.approx(-8_000)
        assert "the insurance fund covers 8,000.00" in walk.events[-1].text


# -- the fund and ADL --------------------------------------------------------------------------
def test_a_gap_with_an_empty_fund_deleverages_the_best_ranked_short_first(walks):
    """BTC gaps 8 % past the liquidation price: the account is 6,833.92 below zero. The fund
    is empty; "bold short" (20x, score about 14) ranks before "calm short" (2x, about 0.4):
    all of bold's 0.5 BTC, then 1.1667 of calm's (the long's 1.6667 in all), at the
    bankruptcy price 54,030."""
    walk = walks[("binance", "gap past bankruptcy")]
    assert kinds(walk) == ["mark", "stops_cancelled", "liquidation", "venue_share",
                           "adl_cover"]
    assert list(walk.adl_queue.account) == ["bold short", "calm short"]
    assert list(walk.deleveraged.account) == ["bold short", "calm short"]
    assert walk.deleveraged["size"].tolist() == pytest.approx([0.5, 1.6667 - 0.5], abs=1e-4)
    assert walk.deleveraged.price.tolist() == pytest.approx([54_030, 54_030])
    adl = walk.events[-1]
    covered = walk.ledger.loc[walk.ledger.type == "adl_cover", "amount"].sum()
    mark = walk.prices[0]["BTCUSDT"]
    assert adl.counterparties == pytest.approx(-covered)
    assert covered == pytest.approx((walk.deleveraged["size"] * (54_030 - mark)).sum())
    assert walk.kept == 0 and walk.fund == 0
    assert walk.equity_at_liquidation == pytest.approx(-covered)
    # the shorts the market closed are gone from their accounts
    assert walk.accounts["bold short"].open_symbols == []
    assert walk.accounts["calm short"].positions().loc["BTCUSDT", "contracts"] == \
        pytest.approx(1.5 - 1.1667, abs=1e-4)


def test_an_unlimited_fund_pays_and_nobody_is_deleveraged():
    walk = L.walk_through("binance", "gap past bankruptcy", insurance_fund=math.inf)
    assert kinds(walk)[-1] == "insurance_cover" and walk.deleveraged.empty
    assert walk.fund == pytest.approx(walk.equity_at_liquidation) and walk.fund < 0
    assert "the insurance fund pays 6,833.92 USDT" in walk.events[-1].text


def test_an_empty_fund_alone_leaves_a_shortfall_and_money_still_adds_up():
    alone = dataclasses.replace(L.CASES["gap past bankruptcy"], crowd=None)
    walk = L.walk_through("binance", alone)
    assert kinds(walk)[-1] == "insurance_cover"
    assert walk.accounts["trader"].insurance_fund.shortfall == pytest.approx(6_833.92, abs=0.01)
    assert walk.fund == pytest.approx(-6_833.92, abs=0.01)
    assert "shortfall" in walk.events[-1].text
    assert sum(walk.events[-1].pots().values()) == pytest.approx(walk.equity_at_liquidation)


def test_hedge_leg_deleveraged_closes_the_profitable_leg_and_leaves_the_loser():
    """BTC -17 % (60,000 -> 49,800), ETH -12 % (3,000 -> 2,640): the hedger's 0.6 BTC short
    is up 6,120 and its 12 ETH long down 4,320. ADL closes the short at the long's bankruptcy
    price 54,030: the hedger keeps 0.6 x 5,970 = 3,582 of that profit, and its ETH long stays
    open, unhedged."""
    out = L.hedge_leg_deleveraged()
    assert out.before.loc["BTCUSDT", "unrealized_pnl"] == pytest.approx(6_120)
    assert out.before.loc["ETHUSDT", "unrealized_pnl"] == pytest.approx(-4_320)
    assert list(out.after.index) == ["ETHUSDT"]
    assert out.after.loc["ETHUSDT", "contracts"] == 12
    assert out.walk.adl_queue.account.iloc[0] == "hedger"
    first = out.walk.deleveraged.iloc[0]
    assert (first["account"], first["side"]) == ("hedger", "short")
    assert first["size"] == pytest.approx(0.6) and first["price"] == pytest.approx(54_030)
    adl = [e for n, e in out.walk.accounts["hedger"].market.events
           if n == "hedger" and e["type"] == "adl"]
    assert adl[0]["realized_pnl"] == pytest.approx(0.6 * (60_000 - 54_030))


@pytest.mark.parametrize("venue", VENUE_NAMES)
def test_every_venue_deleverages_the_hedgers_short_first(venue):
    out = L.hedge_leg_deleveraged(venue)
    assert list(out.after.index) == ["ETHUSDT"]
    assert out.walk.deleveraged.account.tolist() == ["hedger", "calm short"]
    price = out.walk.deleveraged.price.iloc[0]
    assert price == pytest.approx(out.walk.bankruptcy_price["BTCUSDT"])


def test_the_events_table_has_one_row_per_event_and_the_pots(walks):
    walk = walks[("okx", "hedged pair")]
    table = walk.table()
    assert len(table) == len(walk.events)
    assert list(table.columns) == ["kind", "symbol", "size", "price", "amount", *L.POTS,
                                   "equity", "text"]
    assert table.kind.tolist() == kinds(walk)
    assert table.equity.iloc[-1] == pytest.approx(walk.kept)


# -- the exercises -----------------------------------------------------------------------------
@pytest.mark.parametrize("venue", VENUE_NAMES)
def test_left_after_fee_is_the_engines_liquidation(venue):
    out = L.left_after_fee(100_000, venue=venue)
    # at the liquidation price the equity is the requirement: the MM (OKX: + the fee to close,
    # 0.05 % of the notional at the mark)
    if venue == "okx":
        fee_to_close = 0.0005 * 100_000 / 60_000 * out.price
        assert out.equity_at_liquidation == pytest.approx(out.maintenance_margin + fee_to_close,
                                                          abs=0.2)
    else:
        assert out.equity_at_liquidation == pytest.approx(out.maintenance_margin, abs=0.2)
    assert out.left + out.fees == pytest.approx(out.equity_at_liquidation)
    if venue in ("binance", "bybit"):
        assert out.left == 0 and out.fund == pytest.approx(out.equity_at_liquidation)
    else:
        assert 0 < out.fees < 0.06 * out.equity_at_liquidation and out.left > 0


def test_left_after_fee_binance_small_and_large():
    assert L.left_after_fee(100_000).left == 0
    big = L.left_after_fee(200_000, symbol="SOLUSDT")           # 1.5 % tier: the cut saves it
    assert big.left > 0 and big.fees < big.equity_at_liquidation


def test_fee_against_maintenance_says_why_small_binance_liquidations_end_at_zero():
    table = L.fee_against_maintenance()
    small = table.loc[("binance", "small BTC long")]
    assert small.maintenance_rate < small.clearance_fee_rate == 0.0125
    assert small.kept == 0 and small.closed and small.cuts == 1
    assert small.fees == pytest.approx(small.equity_at_liquidation)
    sol = table.loc[("binance", "large SOL long")]
    assert sol.maintenance_rate > sol.clearance_fee_rate and sol.survived and not sol.closed
    assert table.loc[("bybit", "small BTC long"), "kept"] == pytest.approx(0, abs=1e-9)
    for venue in ("okx", "hyperliquid"):
        row = table.loc[(venue, "small BTC long")]
        assert row.clearance_fee_rate < row.maintenance_rate and row.kept > 0


def test_a_path_starts_the_walk_at_the_mark_that_liquidates():
    lp = binance_lp("binance")
    walk = L.walk_through("binance", "small BTC long",
                          prices=[{"BTCUSDT": 58_000}, {"BTCUSDT": lp - 1}, {"BTCUSDT": 40_000}])
    assert walk.prices == ({"BTCUSDT": lp - 1},)          # over after that mark
    assert kinds(walk)[:3] == ["mark", "stops_cancelled", "partial_liquidation"]


# -- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize("args, kwargs, error, message", [
    (("kraken",), {}, InvalidInput, r"venue must be one of binance, bybit, okx, hyperliquid "
                                    r"\(got 'kraken'\)"),
    (("binance", "big"), {}, InvalidInput, "portfolio must be one of small BTC long.*'big'"),
    (("binance", ["small BTC long"]), {}, InvalidInput, "portfolio must be one of"),
    (("binance",), {"prices": 54_000}, InvalidInput, "prices must be a list of mappings"),
    (("binance",), {"prices": {"BTCUSDT": -1}}, InvalidInput,
     r"prices\['BTCUSDT'\] must be > 0 \(got -1\)"),
    (("binance",), {"prices": {"DOGEUSDT": 1}}, UnknownSymbol, "'DOGEUSDT'"),
    (("binance",), {"prices": {"BTCUSDT": 59_000}}, InvalidInput,
     r"prices liquidate nothing \(BTCUSDT's liquidation price is 54,271.36\): nothing was "
     "liquidated"),
    (("binance",), {"prices": [{"BTCUSDT": 59_000}, {"BTCUSDT": 52_000}]}, InvalidInput,
     "nothing was liquidated; the engine did: stop_loss BTCUSDT"),
    (("binance",), {"prices": []}, InvalidInput, "prices must hold at least one mapping"),
    (("binance",), {"insurance_fund": -1}, InvalidInput,
     r"insurance fund balance must be >= 0 \(got -1\)"),
    (("binance",), {"crowd": {"trader": (1_000, [])}}, InvalidInput,
     "crowd names must be text other than 'trader'"),
    (("binance",), {"crowd": {"x": 5}}, InvalidInput, r"crowd\['x'\] must be \(deposit, orders\)"),
    (("binance",), {"crowd": {"x": (1_000, ["long"])}}, InvalidInput,
     r"crowd\['x'\] orders item 0 must be an Order"),
    (("binance",), {"crowd": {"x": (-5, [Order("BTCUSDT", "short", size=0.1)])}},
     InvalidInput, r"crowd\['x'\] deposit must be > 0 \(got -5\)"),
    (("binance",), {"crowd": []}, InvalidInput, "crowd must be a dict name -> "),
])
def test_walk_through_refuses_bad_input_by_name(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        L.walk_through(*args, **kwargs)


@pytest.mark.parametrize("changes, message", [
    ({"deposit": 0}, r"deposit must be > 0 \(got 0\)"),
    ({"orders": ()}, "orders must hold at least one Order"),
    ({"orders": ("long",)}, "orders item 0 must be an Order"),
    ({"start": {"ETHUSDT": 3_000.0}}, "start must give BTCUSDT's price"),
    ({"start": 60_000}, "start must be a mapping symbol -> price"),
    ({"trigger": "SOLUSDT"}, r"trigger must be one of BTCUSDT \(got 'SOLUSDT'\)"),
    ({"past": 2}, r"past must be a fraction between 0 and 1, e.g. 0.001 \(got 2\)"),
])
def test_a_case_refuses_bad_fields_by_name(changes, message):
    with pytest.raises(InvalidInput, match=message):
        dataclasses.replace(L.CASES["small BTC long"], **changes)


@pytest.mark.parametrize("call, message", [
    (lambda: L.left_after_fee(-5), r"notional must be > 0 \(got -5\)"),
    (lambda: L.left_after_fee(100_000, leverage=0), r"leverage must be > 0 \(got 0\)"),
    (lambda: L.left_after_fee(100_000, side="up"), "side must be 'long' or 'short'"),
    (lambda: L.left_after_fee(100_000, venue="ftx"), "venue must be one of"),
    (lambda: L.hedge_leg_deleveraged(btc_move=0.1), "btc_move must be between -1 and 0"),
    (lambda: L.hedge_leg_deleveraged(eth_move=math.nan), "eth_move must be a finite number"),
    (lambda: L.fee_against_maintenance([]), "cases must hold at least one case"),
    (lambda: L.fee_against_maintenance([("binance", "nope")]), "portfolio must be one of"),
])
def test_the_other_functions_refuse_bad_input_by_name(call, message):
    with pytest.raises(CrossMarginError, match=message):
        call()
