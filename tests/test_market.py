"""The rest of the market (issue 11): an insurance fund with a balance, accounts that share it,
and auto-deleveraging (ADL) of opposite profitable positions when the fund cannot pay for a
bankrupt one (shared/reference/venues-and-liquidation.md, section 1). Numbers by hand in the
comments; a property test checks that the whole market conserves money."""
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossmargin import Account, CrossMarginError
from crossmargin.engine.market import InsuranceFund, Market, adl_score
from crossmargin.engine.venues import VENUE_NAMES
from crossmargin.errors import InvalidInput, NoPosition


# -- the fund -----------------------------------------------------------------------------------------
def test_insurance_fund_receives_pays_and_runs_out():
    fund = InsuranceFund(1_000)
    fund.receive(250)
    assert fund.pay(400) == 400
    assert fund.pay(2_000) == 850                 # all it has
    assert (fund.balance, fund.received, fund.paid, fund.shortfall) == (0, 250, 1_250, 0)
    assert "balance 0.00" in repr(fund)
    assert InsuranceFund().balance == math.inf and InsuranceFund().pay(1e12) == 1e12


@pytest.mark.parametrize("balance, shown", [
    (-1, "insurance fund balance must be >= 0 (got -1)"),
    (math.nan, "insurance fund balance must be a finite number (got nan)"),
    (-math.inf, "insurance fund balance must be >= 0 (got -inf)"),
    ("lots", "insurance fund balance must be a number (got 'lots')"),
    (None, "insurance fund balance must be a number (got None)"),
])
def test_insurance_fund_refuses_a_bad_balance(balance, shown):
    with pytest.raises(InvalidInput) as err:
        InsuranceFund(balance)
    assert str(err.value) == shown
    with pytest.raises(InvalidInput) as err:
        Market(insurance_fund=balance)
    assert str(err.value) == shown


@pytest.mark.parametrize("method, amount, shown", [
    ("receive", -5, "amount must be >= 0 (got -5)"),
    ("receive", math.nan, "amount must be a finite number (got nan)"),
    ("pay", -5, "amount must be >= 0 (got -5)"),
    ("pay", "x", "amount must be a number (got 'x')"),
])
def test_insurance_fund_refuses_a_bad_amount_and_changes_nothing(method, amount, shown):
    fund = InsuranceFund(100)
    with pytest.raises(InvalidInput) as err:
        getattr(fund, method)(amount)
    assert shown in str(err.value)
    assert (fund.balance, fund.received, fund.paid) == (100, 0, 0)


def test_adl_score_is_profit_on_margin_times_leverage():
    assert adl_score(500, 1_000, 20_000, 2_000) == pytest.approx(0.5 * 10)
    assert adl_score(-500, 1_000, 20_000, 2_000) == 0       # losers are not ranked
    assert adl_score(500, 1_000, 20_000, 0) == 0


# -- joining a market ------------------------------------------------------------------------------------
def test_market_add_names_accounts_and_shares_the_fund():
    market = Market(insurance_fund=5_000)
    a, b = market.add(Account()), market.add(Account(), "crowd")
    assert list(market.accounts) == ["account 1", "crowd"]
    assert a.insurance_fund is b.insurance_fund is market.insurance_fund
    assert a.market is market and market.name_of(b) == "crowd"


@pytest.mark.parametrize("make, shown", [
    (lambda m, a: m.add(a, "trader"), "name must be new in this market (got 'trader')"),
    (lambda m, a: Market().add(a, "again"), "account 'again' already trades in another market"),
    (lambda m, a: m.add(5), "account must be an Account (got 5)"),
    (lambda m, a: m.add(None, "x"), "account must be an Account (got None)"),
    (lambda m, a: m.add(Account(venue="bybit"), "other"),
     "account 'other' trades on Bybit (Unified Trading Account) but this market's accounts "
     "trade on Binance USD\u24c8-M"),
])
def test_market_add_refuses_and_changes_nothing(make, shown):
    market = Market(insurance_fund=0)
    trader = market.add(Account(), "trader")
    with pytest.raises(InvalidInput) as err:
        make(market, trader)
    assert shown in str(err.value)
    assert list(market.accounts) == ["trader"] and trader.market is market


def test_market_add_refuses_an_account_with_positions():
    acc = Account()
    acc.deposit(1_000)
    acc.mark({"BTCUSDT": 60_000})
    acc.open("BTCUSDT", "long", 60_000, size=0.01)
    fund = acc.insurance_fund
    market = Market(insurance_fund=0)
    with pytest.raises(InvalidInput, match="account 'late' must join before it opens positions "
                                           r"\(it holds BTCUSDT\)"):
        market.add(acc, "late")
    assert acc.market is None and acc.insurance_fund is fund and market.accounts == {}


# -- the fund pays, then ADL --------------------------------------------------------------------------
def btc_market(fund, *, trader_first=True, venue="binance"):
    """A trader long 10 BTC at 60,000 (10x: IM 60,000 of a 70,000 deposit, fee 300) and two
    shorts of 5 BTC (zero net open interest): "bold" at 20x on 20,000, "calm" at 2x on
    200,000. All marked at 60,000."""
    market = Market(insurance_fund=fund)
    plan = [("trader", 70_000, "long", 10, 10), ("bold", 20_000, "short", 5, 20),
            ("calm", 200_000, "short", 5, 2)]
    if not trader_first:
        plan = plan[1:] + plan[:1]
    for name, deposit, side, size, leverage in plan:
        acc = market.add(Account(venue=venue), name)
        acc.deposit(deposit)
        acc.mark({"BTCUSDT": 60_000})
        acc.set_leverage("BTCUSDT", leverage)
        acc.open("BTCUSDT", side, 60_000, size=size)
    return market


def adl_events(market):
    return [(n, e["size"], e["price"]) for n, e in market.events if e["type"] == "adl"]


def test_a_full_fund_pays_the_deficit_and_nobody_is_deleveraged():
    """At 50,000 the trader's equity is 70,000 - 300 - 100,000 = -30,300: the fund pays it."""
    market = btc_market(1_000_000)
    before = market.total_money()
    market.mark({"BTCUSDT": 50_000})
    trader = market.accounts["trader"]
    assert trader.open_symbols == [] and trader.summary().equity == pytest.approx(0, abs=1e-9)
    assert market.insurance_fund.paid == pytest.approx(30_300)
    assert adl_events(market) == []
    assert market.accounts["bold"].positions().loc["BTCUSDT", "contracts"] == 5
    assert market.total_money() == pytest.approx(before, abs=1e-6)


@pytest.mark.parametrize("trader_first", [True, False])
def test_an_empty_fund_deleverages_the_most_leveraged_profitable_short(trader_first):
    """The fund has 10,000 of the 30,300: the other 20,300 is taken from the shorts at the
    trader's bankruptcy price 50,000 + 30,300 / 10 = 53,030, for 10 x 20,300 / 30,300 =
    6.6997 BTC. "bold" ranks first (profit 50,000 on 12,500 of IM, times 250,000 / 69,850 of
    leverage: 14.3; "calm": 50,000 / 125,000 x 250,000 / 249,850 = 0.4): all its 5 BTC, then
    1.6997 of calm's. The order in which the accounts joined does not matter."""
    market = btc_market(10_000, trader_first=trader_first)
    before = market.total_money()
    market.mark({"BTCUSDT": 50_000})
    assert market.insurance_fund.paid == pytest.approx(10_000)
    assert market.insurance_fund.shortfall == 0
    share = 10 * 20_300 / 30_300
    assert adl_events(market) == [("bold", 5, pytest.approx(53_030)),
                                  ("calm", pytest.approx(share - 5), pytest.approx(53_030))]
    bold, calm = market.accounts["bold"], market.accounts["calm"]
    assert bold.open_symbols == []
    assert calm.positions().loc["BTCUSDT", "contracts"] == pytest.approx(10 - share)
    # bold closed 5 at 53,030 instead of 50,000: 15,150 less than at the mark
    assert bold.summary().equity == pytest.approx(20_000 - 150 + 5 * (60_000 - 53_030))
    ledger = market.accounts["trader"].ledger()
    assert ledger.query("type == 'adl_cover'").amount.sum() == pytest.approx(20_300)
    assert ledger.query("type == 'insurance_cover'").amount.sum() == pytest.approx(10_000)
    assert market.accounts["trader"].summary().equity == pytest.approx(0, abs=1e-9)
    assert market.total_money() == pytest.approx(before, abs=1e-6)   # the fund paid it


def test_adl_score_at_the_steps_marks_leaves_the_account_as_it_was():
    """bold at 50,000: profit 50,000 on 12,500 of IM, times 250,000 of notional on a margin
    balance of 20,000 - 150 + 50,000 = 69,850."""
    bold = btc_market(0).accounts["bold"]
    assert bold.adl_score("BTCUSDT") == 0                      # at 60,000: no profit
    assert bold.adl_score("BTCUSDT", {"BTCUSDT": 50_000, "ETHUSDT": 2_000}) == pytest.approx(
        50_000 / 12_500 * 250_000 / 69_850)
    assert bold.mark_price("BTCUSDT") == 60_000 and bold.mark_price("ETHUSDT") is None
    with pytest.raises(InvalidInput, match=r"mark price of BTCUSDT must be > 0 \(got -1\)"):
        bold.adl_score("BTCUSDT", {"BTCUSDT": -1})


def test_what_nobody_can_pay_is_the_funds_shortfall():
    """Nobody holds the other side to be deleveraged and the fund is empty: the deficit is
    recorded as the fund's shortfall (the account is still brought back to zero)."""
    market = Market(insurance_fund=0)
    trader = market.add(Account(), "trader")
    trader.deposit(70_000)
    trader.mark({"BTCUSDT": 60_000})
    trader.set_leverage("BTCUSDT", 10)
    trader.open("BTCUSDT", "long", 60_000, size=10)
    market.mark({"BTCUSDT": 50_000})
    assert market.insurance_fund.shortfall == pytest.approx(30_300)
    assert trader.summary().equity == pytest.approx(0, abs=1e-9)


def test_adl_closes_a_hedgers_profitable_leg_and_leaves_the_losing_leg_open():
    """2025-10-10 on Hyperliquid: hedged traders saw the profitable leg closed by ADL while
    the losing leg stayed open. The hedger is short 10 BTC and long 200 ETH; BTC and ETH both
    fall 20 %; the bankrupt BTC long's deficit is taken from the hedger's short."""
    market = Market(insurance_fund=0)
    plan = [("trader", 70_000, [("BTCUSDT", "long", 10, 10)]),
            ("hedger", 300_000, [("BTCUSDT", "short", 10, 10), ("ETHUSDT", "long", 200, 10)]),
            ("eth crowd", 300_000, [("ETHUSDT", "short", 200, 5)])]
    for name, deposit, legs_ in plan:
        acc = market.add(Account(), name)
        acc.deposit(deposit)
        acc.mark({"BTCUSDT": 60_000, "ETHUSDT": 3_000})
        for symbol, side, size, leverage in legs_:
            acc.set_leverage(symbol, leverage)
            acc.open(symbol, side, acc.mark_price(symbol), size=size)
    market.mark({"BTCUSDT": 48_000, "ETHUSDT": 2_400})
    hedger = market.accounts["hedger"]
    assert [n for n, _, _ in adl_events(market)] == ["hedger"]
    assert hedger.open_symbols == ["ETHUSDT"]
    assert hedger.positions().loc["ETHUSDT", "unrealized_pnl"] == pytest.approx(-120_000)
    assert hedger.position_side("BTCUSDT") is None
    # the trader's deficit: 70,000 - 300 - 120,000 = -50,300, all of it from the hedger
    assert hedger.summary().equity == pytest.approx(
        300_000 - 300 - 300 + 10 * 12_000 - 50_300 - 120_000)


# -- bad input to the ADL entry points ------------------------------------------------------------
@pytest.mark.parametrize("args, error, shown", [
    (("BTCUSDT", -1, 53_000), InvalidInput, "size must be > 0 (got -1)"),
    (("BTCUSDT", 0, 53_000), InvalidInput, "size must be > 0 (got 0)"),
    (("BTCUSDT", 1, 0), InvalidInput, "price must be > 0 (got 0)"),
    (("BTCUSDT", 1, math.nan), InvalidInput, "price must be a finite number (got nan)"),
    (("ETHUSDT", 1, 3_000), NoPosition, "ETHUSDT has no open position"),
    (("XRPUSDT", 1, 3_000), CrossMarginError, "symbol 'XRPUSDT' is not traded"),
])
def test_account_deleverage_refuses_bad_input_and_changes_nothing(args, error, shown):
    market = btc_market(0)
    bold = market.accounts["bold"]
    before = (bold.ledger().to_json(date_format="iso"), bold.positions().to_json())
    with pytest.raises(error) as err:
        bold.deleverage(*args)
    assert shown in str(err.value)
    assert (bold.ledger().to_json(date_format="iso"), bold.positions().to_json()) == before


def test_account_deleverage_closes_at_the_price_without_fee():
    market = btc_market(0)
    bold = market.accounts["bold"]
    event = bold.deleverage("BTCUSDT", 2, 53_000)
    assert (event["type"], event["size"], event["price"], event["fee"]) == (
        "adl", 2, 53_000, 0)
    assert event["realized_pnl"] == pytest.approx(2 * 7_000)
    assert bold.deleverage("BTCUSDT", 10, 53_000)["size"] == 3     # no more than it holds


@pytest.mark.parametrize("args, shown", [
    (("up", "BTCUSDT", 1, 53_000), "side must be 'long' or 'short' (got 'up')"),
    (("long", "BTCUSDT", -1, 53_000), "size must be > 0 (got -1)"),
    (("long", "BTCUSDT", 1, -53_000), "price must be > 0 (got -53000)"),
])
def test_market_deleverage_refuses_bad_input_and_changes_nothing(args, shown):
    market = btc_market(0)
    side, symbol, size, price = args
    trader = market.accounts["trader"]
    before = {n: a.ledger().to_json(date_format="iso") for n, a in market.accounts.items()}
    with pytest.raises(InvalidInput) as err:
        market.deleverage(trader, symbol, side, size, price)
    assert shown in str(err.value)
    assert {n: a.ledger().to_json(date_format="iso")
            for n, a in market.accounts.items()} == before
    assert market.events == []


def test_market_mark_refuses_bad_prices_before_marking_anyone():
    market = btc_market(0)
    steps = [a.step for a in market.accounts.values()]
    with pytest.raises(InvalidInput, match="mark price of BTCUSDT must be > 0"):
        market.mark({"BTCUSDT": -5})
    assert [a.step for a in market.accounts.values()] == steps


# -- property: the whole market conserves money ----------------------------------------------------
def venue_take(acc):
    """Trading fees and liquidation fees the account paid (the fund's share is counted in
    the fund)."""
    ledger = acc.ledger()
    return -ledger[ledger.type.isin(["fee", "liquidation_fee"])].amount.sum()


def conserved(market):
    """Equities + the fund + what the venue and the fund took - what the fund paid beyond its
    balance: constant while the prices stand still (each price move adds net open interest x
    the move, zero when the positions net to zero)."""
    fund = market.insurance_fund
    return (sum(a.summary().equity + venue_take(a) for a in market.accounts.values())
            + fund.balance - fund.received - fund.shortfall)


crowds = st.lists(st.tuples(st.floats(0.05, 1.0), st.floats(1, 20), st.floats(0.3, 3.0)),
                  min_size=1, max_size=3)


@given(name=st.sampled_from(VENUE_NAMES), side=st.sampled_from(["long", "short"]),
       size=st.floats(0.5, 300), leverage=st.floats(2, 20), extra=st.floats(0, 0.2),
       crowd=crowds, fund=st.one_of(st.just(0.0), st.floats(0, 2e6)),
       path=st.lists(st.floats(0.6, 1.5), min_size=1, max_size=4))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_liquidation_and_adl_conserve_money_across_the_market(
        name, side, size, leverage, extra, crowd, fund, path):
    market = Market(insurance_fund=fund)
    opposite = "short" if side == "long" else "long"
    shares = [c[0] for c in crowd]
    orders = [("trader", side, size, leverage, size * 60_000 * (1 / leverage + extra))]
    for i, (share, lev, cushion) in enumerate(crowd):
        qty = size * share / sum(shares)
        orders.append((f"crowd {i}", opposite, qty, lev, qty * 60_000 * cushion / lev))
    for who, s, qty, lev, deposit in orders:
        acc = market.add(Account(venue=name), who)
        acc.deposit(deposit + qty * 60_000 * 0.001)
        acc.mark({"BTCUSDT": 60_000})
        try:
            acc.set_leverage("BTCUSDT", lev)
            acc.open("BTCUSDT", s, 60_000, size=qty)
        except CrossMarginError:
            return                       # too large for the tier table at that leverage
    price = 60_000.0
    for factor in path:
        new = price * factor
        held = {n: a.positions()["contracts"].get("BTCUSDT", 0.0)
                * (1 if a.position_side("BTCUSDT") == "long" else -1)
                for n, a in market.accounts.items()}
        net = sum(held.values())
        before = conserved(market)
        market.mark({"BTCUSDT": new})
        assert conserved(market) == pytest.approx(before + net * (new - price),
                                                  rel=1e-9, abs=1e-6 * size * 60_000)
        for n, acc in market.accounts.items():
            assert acc.summary().equity >= -1e-6 * size * 60_000, n
        price = new
