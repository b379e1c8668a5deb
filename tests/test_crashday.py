"""Lesson 13's replays on the reconstructed 2025-10-10 (crossmargin.lessons.crashday): the guide's
example, FAQ 2's accounts, capstone portfolios, a collateral wick and ADL of a hedge leg."""
import numpy as np
import pandas as pd
import pytest

from crossmargin import Order, formulas, scenarios
from crossmargin.engine.contracts import contract
from crossmargin.errors import InvalidInput
from crossmargin.lessons import capstone, crashday, examples
from crossmargin.lessons.crashday import CollateralAccount

SEEDS = (10, 1, 2, 3)


def utc(clock, date="2025-10-10"):
    return pd.Timestamp(f"{date} {clock}", tz="UTC")


@pytest.fixture(scope="module")
def day():
    return crashday.day()


@pytest.fixture(scope="module")
def guide(day):
    return crashday.guide_example(day)


@pytest.fixture(scope="module")
def collateral(day):
    return crashday.collateral_accounts(prices=day)


@pytest.fixture(scope="module")
def hedge(day):
    return crashday.hedge_leg_on_the_day(day)


# --------------------------------------------------------------------------- the day and its label


def test_the_day_is_the_reconstruction_and_says_so(day):
    pd.testing.assert_frame_equal(day, scenarios.crash_2025_10_10())
    assert day.attrs["reconstructed"] is True
    assert "a reconstruction, not exchange data" in crashday.DAY_LABEL
    assert crashday.DAY_LABEL.startswith("2025-10-10")
    assert "reconstruction" in crashday.__doc__ and "not exchange data" in crashday.__doc__


def test_facts_are_the_published_ones_with_their_sources():
    table = crashday.facts()
    assert list(table.index) == [f.topic for f in scenarios.CRASH_2025_10_10_FACTS]
    assert list(table.columns) == ["fact", "source", "in the reconstruction"]
    assert table.loc["collateral", "in the reconstruction"] == ""       # replayed apart
    assert "USDe" in table.loc["collateral", "fact"] and "2.1B" in table.loc["adl", "fact"]
    # no "$" pairs for the notebook to read as mathematics: USD 9.9B, USD 6.93B ...
    assert not table["fact"].str.contains("$", regex=False).any()
    assert "About USD 9.9B" in table.loc["speed", "fact"]
    assert "USD 19B" in table.loc["size", "fact"]


def test_clock_times_name_rows_of_the_day(day):
    assert crashday.at(day, "21:20") == utc("21:20")
    assert crashday.at(day, "03:00") == utc("03:00", "2025-10-11")     # after midnight
    assert day.loc[crashday.at(day, "21:20"), "BTCUSDT"] == pytest.approx(101_400)
    for bad, words in (("25:00", "time of day"), ("soon", "time of day"),
                       ("12:00:30", "minute of the path")):
        with pytest.raises(InvalidInput, match=words):
            crashday.at(day, bad)


# --------------------------------------------------------------------------- the guide's example


def test_the_guides_isolated_long_is_liquidated_from_6x_and_cross_never(guide):
    table, runs = guide
    assert list(table.index.get_level_values("leverage").unique()) == ["2x", "3x", "5x", "6x",
                                                                       "10x"]
    iso = table.xs("isolated", level="mode")["liquidated"]
    cross = table.xs("cross", level="mode")["liquidated"]
    assert list(iso) == ["nothing"] * 3 + ["BTCUSDT"] * 2
    assert (cross == "nothing").all()
    assert table.loc[("6x", "isolated"), "at (UTC)"] == "21:20"           # at the low
    assert table.loc[("10x", "isolated"), "at (UTC)"] < "21:20"
    # the replays are lesson 08's, unchanged
    row, _ = examples.run_example(crashday.day()[["BTCUSDT", "ETHUSDT"]], 6)
    assert row["cross final equity"] == pytest.approx(table.loc[("6x", "cross"),
                                                                "final_equity"], abs=0.01)
    assert set(runs) == {2, 3, 5, 6, 10} and set(runs[6]) == {"isolated", "cross"}


def test_6x_is_where_the_long_s_liquidation_price_passes_the_perpetual_s_low(day):
    """By hand: the isolated long's liquidation price (4,900 USDT at the open) sits above the
    day's low of 101,400 at 6x and below it at 5x."""
    entry, brackets = day["BTCUSDT"].iloc[0], contract("BTCUSDT").brackets
    lp = {lev: formulas.liquidation_price("long", 4_900 * lev / entry, entry, 4_900,
                                          brackets=brackets) for lev in (5, 6)}
    low = day["BTCUSDT"].min()
    assert low == pytest.approx(101_400, rel=1e-3)
    assert lp[5] < low < lp[6]


def test_the_cross_pair_gains_because_eth_fell_further_than_btc(guide, day):
    table, _ = guide
    cross = table.xs("cross", level="mode")
    assert (cross["final_equity"] > examples.GUIDE_DEPOSIT).all()
    falls = day.min() / day.iloc[0] - 1
    assert falls["ETHUSDT"] < falls["BTCUSDT"] < 0


# --------------------------------------------------------------------------- FAQ 2


@pytest.fixture(scope="module")
def faq2(day):
    return crashday.faq2_accounts(day)


def test_faq2_2x_and_3x_liquidate_nothing_in_either_mode(faq2):
    low = faq2[[a.startswith(("2x", "3x")) for a in faq2.index.get_level_values("account")]]
    assert len(low) == 8 and (low["liquidated"] == "nothing").all()


def test_faq2_5x_survives_but_the_large_account_loses_most_of_its_money(faq2):
    large = faq2.loc[("5x, 9,000 USDT", "cross")]
    assert large["liquidated"] == "nothing" and large["lowest_equity"] < 0.3 * 10_000
    assert faq2.loc[("5x, 2,000 USDT", "cross"), "lowest_equity"] > 8_000


def test_faq2_10x_liquidates_both_isolated_longs_and_the_large_cross_account(faq2):
    assert faq2.loc[("10x, 2,000 USDT", "isolated"), "liquidated"] == "BTCUSDT"
    assert faq2.loc[("10x, 2,000 USDT", "cross"), "liquidated"] == "nothing"
    assert faq2.loc[("10x, 9,000 USDT", "cross"), "liquidated"] == "BTCUSDT"
    assert faq2.loc[("10x, 9,000 USDT", "cross"), "final_equity"] == pytest.approx(0, abs=1e-6)
    isolated = faq2.loc[("10x, 9,000 USDT", "isolated")]
    assert isolated["final_equity"] == pytest.approx(10_000 - 9_000 - 9_000 * 10 * 0.0005)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_lowest_liquidating_leverage_is_7x_cross_6x_isolated_whatever_the_seed(seed):
    prices = crashday.day(seed)
    assert crashday.lowest_liquidating_leverage(prices) == 7
    assert crashday.lowest_liquidating_leverage(prices, mode="isolated") == 6
    assert crashday.lowest_liquidating_leverage(prices, margin=2_000, leverages=(2, 3, 5)) is None


# --------------------------------------------------------------------------- capstone portfolios


def test_the_capstone_model_solution_passes_the_day_its_btc_stop_fires(day):
    result = crashday.on_the_day(list(capstone.DEFENDED_PAIR), day)
    assert not result.liquidated and result.within_loss_limit
    (stop,) = result.events.itertuples()
    assert (stop.type, stop.symbol, f"{stop.time:%H:%M}") == ("stop_loss", "BTCUSDT", "20:57")
    assert stop.price == pytest.approx(day["BTCUSDT"].iloc[0] * 0.95)
    assert "stop loss of the BTC long at 20:57 UTC" in result.sentence()
    graded = capstone.grade(list(capstone.DEFENDED_PAIR), path=day, n_paths=1)
    assert result.final_equity == pytest.approx(graded.final_equity)
    assert result.worst_loss == pytest.approx(graded.stress_loss)


def test_the_reckless_pair_comes_through_the_day(day):
    result = crashday.on_the_day(capstone.RECKLESS_PAIR, day)
    assert not result.liquidated and result.events.empty
    assert result.worst_loss < 0.01 and result.final_equity > capstone.DEPOSIT
    assert "not liquidated" in result.sentence() and "within" in result.sentence()


def test_a_portfolio_that_loses_too_much_is_told_so(day):
    long_only = [Order("BTCUSDT", "long", margin=3_000, leverage=8, margin_mode="cross"),
                 Order("SOLUSDT", "short", margin=100, leverage=2, margin_mode="cross")]
    result = crashday.on_the_day(long_only, day)
    assert not result.liquidated and not result.within_loss_limit
    assert result.lowest_at == utc("21:20") and "beyond the capstone's 20 % limit" in \
        result.sentence()


def test_a_portfolio_that_breaks_the_capstone_rules_is_refused(day):
    with pytest.raises(InvalidInput, match="leverage must be from 1x to 10x"):
        crashday.on_the_day([Order("BTCUSDT", "long", margin=1_000, leverage=20,
                                   margin_mode="cross"),
                             Order("ETHUSDT", "short", margin=1_000, leverage=5,
                                   margin_mode="cross")], day)


def test_a_learners_portfolio_gets_a_sentence_never_a_traceback(day):
    assert crashday.on_the_day_text(...).startswith("Not replayed yet: build your portfolio")
    broken = [Order("BTCUSDT", "long", margin=1_000, leverage=20, margin_mode="cross")]
    text = crashday.on_the_day_text(broken, day)
    assert text.startswith("Not replayed: the portfolio breaks the capstone's rules")
    assert "from 1x to 10x" in text and "at least one long and at least one short" in text
    assert crashday.on_the_day_text(capstone.DEFENDED_PAIR, day) == \
        crashday.on_the_day(capstone.DEFENDED_PAIR, day).sentence()
    with pytest.raises(InvalidInput, match="prices must be the reconstructed day"):
        crashday.on_the_day_text(capstone.DEFENDED_PAIR, day.to_numpy())


# --------------------------------------------------------------------------- collateral


def test_the_own_book_price_is_the_index_except_in_the_wick(day):
    book = crashday.own_book_price(day)
    index = day["SOLUSDT"]
    outside = (book.index < utc("21:17")) | (book.index >= utc("21:25"))
    pd.testing.assert_series_equal(book[outside], index[outside], check_names=False)
    assert book[utc("21:20")] == pytest.approx(0.65 * index[utc("21:20")])
    discount = 1 - book / index
    wick = discount[utc("21:17"):utc("21:25")]
    assert wick.idxmax() == utc("21:20") and (np.diff(wick[:utc("21:20")]) > 0).all()
    assert (np.diff(wick[utc("21:20"):]) < 0).all()
    low = book.min() / index.max() - 1
    assert -0.80 <= low <= -0.50           # a 50-80 % altcoin wick, from SOL's high


@pytest.mark.parametrize("kwargs, words", [
    (dict(depth=1.0), "depth must be a fraction"), (dict(depth=-0.1), "depth must be"),
    (dict(depth="deep"), "depth must be a number"),
    (dict(start="21:21"), "in that order"), (dict(end="21:20"), "in that order"),
    (dict(low="later"), "time of day"),
])
def test_bad_wicks_are_refused_by_name(day, kwargs, words):
    with pytest.raises(InvalidInput, match=words):
        crashday.own_book_price(day, **kwargs)


def test_the_own_book_account_is_liquidated_at_the_wick_the_index_one_never(collateral):
    index, own = collateral["index"], collateral["own book"]
    assert not index.liquidated and own.liquidated_at == utc("21:20")
    assert index.timeline["margin_ratio"].max() < 0.1
    assert own.timeline.loc[utc("21:19"), "margin_ratio"] < 0.5         # a minute before: calm
    # the positions are marked at the same prices: only the collateral's price differs
    pd.testing.assert_series_equal(index.timeline["btc_mark"], own.timeline["btc_mark"])
    before = own.timeline.index < utc("21:17")
    pd.testing.assert_frame_equal(index.timeline[before], own.timeline[before])
    assert index.final_equity > 10_000 and own.final_equity == pytest.approx(0, abs=1e-6)


def test_in_the_wick_btc_barely_moved_while_the_collateral_fell_a_third(collateral):
    tl = collateral["own book"].timeline
    start, end = utc("21:17"), utc("21:20")
    btc = tl.loc[end, "btc_mark"] / tl.loc[start, "btc_mark"] - 1
    sol = tl.loc[end, "sol_price"] / tl.loc[start, "sol_price"] - 1
    assert -0.03 < btc < 0 and sol < -0.35


def test_the_liquidation_sells_the_collateral_at_the_wicked_price(collateral, day):
    own = collateral["own book"]
    ledger = own.account.ledger()
    minute = ledger[ledger["time"] == utc("21:20")]
    sold = minute[(minute["type"] == "collateral_sale") & (minute["asset"] == "SOL")]
    assert sold["amount"].sum() == pytest.approx(-100)                   # every SOL
    got = minute[(minute["type"] == "collateral_sale") & (minute["asset"] == "USDT")]
    price = crashday.own_book_price(day)[utc("21:20")]
    assert got["amount"].sum() == pytest.approx(100 * price * 0.975)     # auto-exchange rate
    # money is conserved: the wallets equal their ledger sums
    balances = ledger.groupby("asset")["amount"].sum()
    assert balances.get("SOL", 0) == pytest.approx(0, abs=1e-9)
    assert own.account.balances()["balance"].abs().sum() == pytest.approx(0, abs=1e-6)


def test_usdt_does_not_wick_so_a_usdt_account_of_the_same_size_survives(day):
    run = crashday.collateral_case(CollateralAccount(collateral=0, usdt=22_200), prices=day)
    assert not run.liquidated and (run.timeline["collateral_value"] == 0).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_the_collateral_outcomes_hold_whatever_the_seed(seed):
    runs = crashday.collateral_accounts(prices=crashday.day(seed))
    assert runs["own book"].liquidated_at == utc("21:20") and not runs["index"].liquidated


@pytest.mark.parametrize("kwargs, words", [
    (dict(asset="DOGE"), "asset must be one of"), (dict(asset="USDT"), "asset must be one of"),
    (dict(collateral=-1), "must be >= 0"), (dict(collateral=0, usdt=0), "needs collateral"),
    (dict(notional=0), "notional must be > 0"), (dict(leverage=0.5), "leverage must be >= 1"),
])
def test_bad_collateral_accounts_are_refused_by_name(kwargs, words):
    with pytest.raises(InvalidInput, match=words):
        CollateralAccount(**kwargs)


def test_bad_collateral_case_arguments_are_refused(day):
    with pytest.raises(InvalidInput, match="valuation must be 'index' or 'own book'"):
        crashday.collateral_case(valuation="mark", prices=day)
    with pytest.raises(InvalidInput, match="account must be a CollateralAccount"):
        crashday.collateral_case({"collateral": 100}, prices=day)
    with pytest.raises(InvalidInput, match="book must be a Series"):
        crashday.collateral_case(prices=day, book=day["SOLUSDT"].iloc[:10])
    with pytest.raises(InvalidInput, match="column for SOLUSDT"):
        crashday.collateral_case(prices=day[["BTCUSDT"]])


# --------------------------------------------------------------------------- ADL of a hedge leg


def test_adl_closes_the_hedgers_profitable_sol_short_and_leaves_the_btc_long(hedge):
    assert hedge.time == utc("21:13")
    assert hedge.closed == [("SOLUSDT", "short")]
    assert list(hedge.before.index) == ["BTCUSDT", "SOLUSDT"]
    assert list(hedge.after.index) == ["BTCUSDT"] and hedge.after.loc["BTCUSDT", "side"] == "long"
    assert hedge.before.loc["SOLUSDT", "unrealized_pnl"] > 0          # the winning leg
    assert hedge.after.loc["BTCUSDT", "unrealized_pnl"] < 0           # the losing one stays
    pd.testing.assert_series_equal(hedge.before.loc["BTCUSDT"], hedge.after.loc["BTCUSDT"])


def test_adl_closes_at_the_dip_buyers_bankruptcy_price_worse_than_the_mark(hedge, day):
    events = hedge.events.set_index(["account", "type"])
    bankrupt = events.loc[("dip buyer", "liquidation")]
    mine = events.loc[("hedger", "adl")]
    entry = day.loc[utc("21:10"), "SOLUSDT"]
    size = 2_000 * 20 / entry
    wallet = 2_200 - 2_000 * 20 * 0.0005                                 # after the opening fee
    bp = formulas.bankruptcy_price("long", size, entry, wallet)
    assert mine["price"] == pytest.approx(bp) and bankrupt["size"] == pytest.approx(size)
    assert bankrupt["price"] < bp                                        # the mark jumped past it
    assert mine["price"] > mine["mark"]                                  # a short closed above
    assert hedge.given_up == pytest.approx(mine["size"] * (mine["price"] - mine["mark"]))
    assert hedge.given_up > 0


def test_the_queue_takes_the_hedger_first_then_the_calm_short(hedge):
    adl = hedge.events[hedge.events["type"] == "adl"]
    assert list(adl["account"]) == ["hedger", "calm short"]
    bankrupt = hedge.events[hedge.events["type"] == "liquidation"]["size"].iloc[0]
    assert adl["size"].sum() == pytest.approx(bankrupt)
    assert adl["size"].iloc[0] == pytest.approx(30_000 / 222)          # the whole SOL short


def test_after_adl_a_fall_costs_the_hedger_several_times_more(hedge):
    before, after = hedge.shock["before"], hedge.shock["after"]
    assert 0 < before < 0.2 * after
    btc = hedge.after.loc["BTCUSDT"]
    assert after == pytest.approx(btc["contracts"] * btc["mark_price"] * 0.10, rel=0.02)


def test_the_equity_with_and_without_adl_part_at_the_adl_minute(hedge):
    eq = hedge.equity
    before = eq.index < hedge.time
    assert np.allclose(eq.loc[before, "ADL"], eq.loc[before, "fund pays"])
    assert eq.loc[utc("21:20"), "ADL"] < eq.loc[utc("21:20"), "fund pays"]   # no hedge at the low
    assert eq["ADL"].iloc[-1] > eq["fund pays"].iloc[-1]                     # the bounce helped


@pytest.mark.parametrize("seed", SEEDS)
def test_the_adl_outcome_holds_whatever_the_seed(seed):
    result = crashday.hedge_leg_on_the_day(crashday.day(seed))
    assert result.time == utc("21:13") and result.closed == [("SOLUSDT", "short")]


def test_with_a_funded_insurance_fund_nobody_is_deleveraged(day):
    # prices where the dip buyer's liquidation leaves no deficit: SOL held at 21:10's price
    calm = day.copy()
    calm.loc[utc("21:10"):, "SOLUSDT"] = day.loc[utc("21:10"), "SOLUSDT"]
    with pytest.raises(InvalidInput, match="auto-deleverage nobody"):
        crashday.hedge_leg_on_the_day(calm)


@pytest.mark.parametrize("kwargs, words", [
    (dict(hedger=5), "hedger must be \\(deposit, orders\\)"),
    (dict(hedger=(10_000, [])), "hedger orders"),
    (dict(hedger=(10_000, ["BTC long"])), "item 0 must be an Order"),
    (dict(hedger=(-1, [Order("BTCUSDT", "long", margin=1_000, leverage=2)])), "hedger deposit"),
    (dict(shock_size=1.5), "shock_size must be a fraction"),
    (dict(venue="ftx"), "venue must be one of"),
])
def test_bad_hedge_arguments_are_refused_by_name(day, kwargs, words):
    with pytest.raises(InvalidInput, match=words):
        crashday.hedge_leg_on_the_day(day, **kwargs)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("call, words", [
    (lambda d: crashday.guide_example(d.to_numpy()), "prices must be the reconstructed day"),
    (lambda d: crashday.guide_example(d[["BTCUSDT"]]), "column for ETHUSDT"),
    (lambda d: crashday.guide_example(d, leverages=()), "leverages"),
    (lambda d: crashday.guide_example(d, leverages=(0.5,)), "leverage must be >= 1"),
    (lambda d: crashday.faq2_accounts(d, margins=(-5,)), "margin must be > 0"),
    (lambda d: crashday.lowest_liquidating_leverage(d, mode="hedge"), "margin"),
    (lambda d: crashday.on_the_day("BTC long", d), "portfolio must be a list"),
])
def test_bad_arguments_are_refused_by_name(day, call, words):
    with pytest.raises(InvalidInput, match=words):
        call(day)

