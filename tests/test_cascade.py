"""crossmargin.lessons.cascade: the market-wide liquidation cascade and the shared-pool effect."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossmargin import Account, Order, formulas, montecarlo, scenarios
from crossmargin.lessons import cascade
from crossmargin.engine.brackets import Brackets
from crossmargin.errors import InvalidInput, LeverageTooHigh, UnknownSymbol

BTC = Brackets.load("BTCUSDT")


@pytest.fixture(scope="module")
def people():
    return cascade.crowd()


def crossed(crowd, price):
    """Accounts whose liquidation price ``price`` has reached (longs below, shorts above)."""
    lp = crowd.liquidation_price
    with np.errstate(invalid="ignore"):
        return np.where(crowd.sides > 0, lp >= price, lp <= price) & np.isfinite(lp)


# -- the crowd -------------------------------------------------------------------------------
def test_crowd_is_built_exactly_from_the_mix():
    c = cascade.crowd(1_000, high_leverage_share=0.25, long_share=0.6)
    high = c.leverages >= 20
    assert len(c) == 1_000 and high.sum() == 250
    assert c.leverages[~high].min() == pytest.approx(2) and c.leverages[~high].max() == \
        pytest.approx(10)
    assert c.leverages[high].min() == pytest.approx(20) and c.leverages[high].max() == \
        pytest.approx(100)
    assert (c.sides[high] > 0).sum() == 150 and (c.sides[~high] > 0).sum() == 450
    assert c.open_interest == pytest.approx(1_000 * 20_000)
    np.testing.assert_allclose(c.margin, c.notionals / c.leverages)
    assert cascade.crowd(1_000).sides.tolist() == cascade.crowd(1_000).sides.tolist()


def test_each_liquidation_price_is_the_formula_for_that_leverage(people):
    for i in range(0, len(people), 97):
        side = "long" if people.sides[i] > 0 else "short"
        expected = formulas.liquidation_price(side, people.size[i], 60_000, people.margin[i],
                                              brackets=BTC)
        assert people.liquidation_price[i] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("side, leverage", [("long", 3), ("long", 25), ("short", 7),
                                            ("short", 100)])
def test_the_liquidation_price_is_what_an_isolated_account_shows(side, leverage):
    c = cascade.Crowd([side], [leverage], [20_000])
    acc = Account()
    acc.deposit(10_000)
    acc.set_margin_mode("BTCUSDT", "isolated")
    acc.set_leverage("BTCUSDT", leverage)
    acc.open("BTCUSDT", side, 60_000, notional=20_000)
    assert c.liquidation_price[0] == pytest.approx(acc.liquidation_price("BTCUSDT"), rel=1e-12)


def test_a_one_x_long_cannot_be_liquidated():
    c = cascade.Crowd(["long", "short"], [1, 1], 20_000)
    assert math.isnan(c.liquidation_price[0]) and c.liquidation_price[1] > 60_000
    out = cascade.run(c, -0.9, impact=2)
    assert out.summary()["liquidated_accounts"] == 0


def test_to_frame_and_repr(people):
    frame = people.to_frame()
    assert list(frame.columns) == ["side", "leverage", "notional", "size", "margin",
                                   "liquidation_price", "liquidation_move"]
    assert (frame.loc[frame.side == "long", "liquidation_move"] < 0).all()
    assert "2,000 BTCUSDT traders" in repr(people) and "1,200 long" in repr(people)


# -- the cascade -----------------------------------------------------------------------------
def test_zero_impact_liquidates_exactly_what_the_shock_reaches(people):
    out = cascade.run(people, -0.03, impact=0)
    liquidated = out.accounts["liquidated_round"].notna().to_numpy()
    assert liquidated.sum() > 0
    np.testing.assert_array_equal(liquidated, crossed(people, 60_000 * 0.97))
    assert out.final_price == pytest.approx(60_000 * 0.97)
    assert out.summary()["rounds"] == 1 and out.summary()["amplification"] == pytest.approx(1)


def test_rounds_table_adds_up(people):
    out = cascade.run(people, -0.03, impact=0.5)
    r = out.rounds
    assert list(r.columns) == ["round", "price", "move", "liquidated_accounts",
                               "liquidated_notional", "net_forced_selling",
                               "cumulative_accounts", "cumulative_notional"]
    assert r["round"].tolist() == list(range(len(r)))
    assert r["liquidated_accounts"].iloc[-1] == 0 and (r["liquidated_accounts"].iloc[:-1] > 0).all()
    assert r["cumulative_accounts"].iloc[-1] == out.accounts["liquidated_round"].notna().sum()
    counts = out.accounts["liquidated_round"].value_counts().sort_index()
    assert counts.tolist() == r["liquidated_accounts"].iloc[:-1].tolist()
    # each round's forced orders move the next price by the documented rule
    nxt = r["price"].iloc[:-1] * np.exp(-0.5 * r["net_forced_selling"].iloc[:-1] / out.depth)
    np.testing.assert_allclose(r["price"].iloc[1:], nxt, rtol=1e-12)
    # notional at the round's price: size x price of the accounts liquidated in it
    first = out.accounts[out.accounts.liquidated_round == 0]
    assert r["liquidated_notional"].iloc[0] == pytest.approx(first["size"].sum() * r["price"][0])


def test_final_price_depends_only_on_who_was_liquidated(people):
    out = cascade.run(people, -0.04, impact=0.8, depth=25e6)
    gone = out.accounts[out.accounts.liquidated_round.notna()]
    net = (np.where(gone.side == "long", 1, -1) * gone.notional).sum()
    assert out.final_price == pytest.approx(60_000 * 0.96 * math.exp(-0.8 * net / 25e6))


def test_every_account_goes_in_the_first_round_that_reaches_it(people):
    out = cascade.run(people, -0.03, impact=1.0)
    prices = out.rounds["price"].to_numpy()
    lp = people.liquidation_price
    rounds = out.accounts["liquidated_round"].to_numpy()
    for i in np.flatnonzero(~np.isnan(rounds)):
        k = int(rounds[i])
        assert prices[k] <= lp[i] and (k == 0 or prices[k - 1] > lp[i])
    survivors = np.isnan(rounds)
    assert not crossed(people, out.final_price)[survivors].any()


def test_accounts_liquidated_in_the_cascade_are_what_the_account_engine_liquidates(people):
    out = cascade.run(people, -0.03, impact=0.5)
    prices = out.rounds["price"].to_numpy()
    for i in range(0, len(people), 50):
        side = "long" if people.sides[i] > 0 else "short"
        acc = Account()
        acc.deposit(20_000)
        acc.set_margin_mode("BTCUSDT", "isolated")
        acc.set_leverage("BTCUSDT", people.leverages[i])
        acc.open("BTCUSDT", side, 60_000, notional=people.notionals[i])
        events = []
        for price in prices:
            events += acc.mark({"BTCUSDT": float(price)})
        liquidated = any(e["type"] == "liquidation" for e in events)
        assert liquidated == (not np.isnan(out.accounts["liquidated_round"].iloc[i])), i


def test_a_jump_up_liquidates_shorts_and_the_buying_lifts_the_price(people):
    out = cascade.run(people, 0.04, impact=0.5)
    gone = out.accounts[out.accounts.liquidated_round.notna()]
    assert len(gone) > 0 and (gone.side == "short").all()
    assert out.final_price > 60_000 * 1.04
    assert (out.rounds["net_forced_selling"] <= 0).all()


def test_a_higher_share_of_high_leverage_traders_tips_the_default_cascade():
    calm = cascade.run(cascade.crowd(high_leverage_share=0.2), -0.03).summary()
    tipped = cascade.run(cascade.crowd(high_leverage_share=0.3), -0.03).summary()
    assert tipped["final_price"] < calm["final_price"]
    assert tipped["liquidated_accounts"] > calm["liquidated_accounts"]


def test_no_shock_no_cascade(people):
    out = cascade.run(people, 0.0)
    assert len(out.rounds) == 1 and out.final_price == 60_000
    assert math.isnan(out.summary()["amplification"])


@given(shock=st.floats(-0.3, -0.001), low=st.floats(0, 2), high=st.floats(0, 2),
       share=st.floats(0, 1), longs=st.floats(0, 1))
@settings(max_examples=60, deadline=None)
def test_more_impact_never_means_a_smaller_cascade(shock, low, high, share, longs):
    low, high = sorted((low, high))
    c = cascade.crowd(300, high_leverage_share=share, long_share=longs)
    a, b = cascade.run(c, shock, impact=low), cascade.run(c, shock, impact=high)
    assert b.final_price <= a.final_price * (1 + 1e-12)
    assert b.summary()["liquidated_accounts"] >= a.summary()["liquidated_accounts"]
    coins = [r.accounts.loc[r.accounts.liquidated_round.notna(), "size"].sum() for r in (a, b)]
    assert coins[1] >= coins[0]
    assert len(a.rounds) <= len(c) + 1 and len(b.rounds) <= len(c) + 1


@given(small=st.floats(0.001, 0.4), extra=st.floats(0, 0.4), impact=st.floats(0, 2))
@settings(max_examples=60, deadline=None)
def test_a_bigger_drop_never_liquidates_fewer_traders(small, extra, impact):
    c = cascade.crowd(300, high_leverage_share=0.3)
    a, b = cascade.run(c, -small, impact=impact), cascade.run(c, -(small + extra), impact=impact)
    gone_a = a.accounts.liquidated_round.notna().to_numpy()
    gone_b = b.accounts.liquidated_round.notna().to_numpy()
    assert (gone_b >= gone_a).all()
    assert b.final_price <= a.final_price * (1 + 1e-12)


@given(leverages=st.lists(st.floats(1, 60), min_size=1, max_size=40),
       raise_by=st.floats(1, 2), shock=st.floats(-0.2, 0.2), impact=st.floats(0, 2))
@settings(max_examples=60, deadline=None)
def test_more_leverage_never_liquidates_fewer_traders(leverages, raise_by, shock, impact):
    sides = ["long" if i % 3 else "short" for i in range(len(leverages))]
    low = cascade.Crowd(sides, leverages, 20_000)
    high = cascade.Crowd(sides, np.minimum(np.array(leverages) * raise_by, 125), 20_000)
    a, b = cascade.run(low, shock, impact=impact), cascade.run(high, shock, impact=impact)
    gone_a = a.accounts.liquidated_round.notna().to_numpy()
    gone_b = b.accounts.liquidated_round.notna().to_numpy()
    assert (gone_b >= gone_a).all()


# -- bad input -------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, error, words", [
    (dict(n_accounts=0), InvalidInput, "n_accounts"),
    (dict(n_accounts=2.5), InvalidInput, "n_accounts"),
    (dict(high_leverage_share=1.5), InvalidInput, "high_leverage_share must be from 0 to 1"),
    (dict(long_share=-0.1), InvalidInput, "long_share"),
    (dict(low_leverage=(10, 2)), InvalidInput, "low_leverage"),
    (dict(high_leverage=50), InvalidInput, "high_leverage must be a pair"),
    (dict(high_leverage=(20, 200)), LeverageTooHigh, "exceeds the 125x maximum"),
    (dict(notional=-1), InvalidInput, "notionals"),
    (dict(price=0), InvalidInput, "price"),
    (dict(symbol="XRPUSDT"), UnknownSymbol, "XRPUSDT"),
])
def test_crowd_rejects_bad_input(kwargs, error, words):
    with pytest.raises(error, match=words):
        cascade.crowd(**{"n_accounts": 100} | kwargs)


@pytest.mark.parametrize("args, error, words", [
    ((["long", "up"], 5, 1_000), InvalidInput, r"sides\[1\]"),
    (([1, 0], 5, 1_000), InvalidInput, r"sides\[1\]"),
    (("long", 5, 1_000), InvalidInput, "one side per account"),
    (([], 5, 1_000), InvalidInput, "one side per account"),
    ((["long", "short"], [5, 5, 5], 1_000), InvalidInput, r"one value per account \(2\)"),
    ((["long", "short"], [5, 0.5], 1_000), InvalidInput, "leverages must be >= 1"),
    ((["long"], [5], [float("nan")]), InvalidInput, "notionals"),
    ((["long"], [100], [2e6]), LeverageTooHigh, "75x"),
    ((["long"], [2], [5e9]), LeverageTooHigh, "largest bracket"),
])
def test_crowd_class_rejects_bad_input(args, error, words):
    with pytest.raises(error, match=words):
        cascade.Crowd(*args)


@pytest.mark.parametrize("kwargs, words", [
    (dict(shock=-1), "shock must be between -1 and 1"),
    (dict(shock="big"), "shock must be a number"),
    (dict(shock=float("inf")), "shock must be a finite"),
    (dict(shock=-0.1, impact=-0.1), "impact must be >= 0"),
    (dict(shock=-0.1, depth=0), "depth must be > 0"),
])
def test_run_rejects_bad_input(people, kwargs, words):
    with pytest.raises(InvalidInput, match=words):
        cascade.run(people, **kwargs)


def test_run_needs_a_crowd():
    with pytest.raises(InvalidInput, match="crowd must be a Crowd"):
        cascade.run([1, 2, 3], -0.1)


# -- the shared pool -------------------------------------------------------------------------
PLAN = [Order("BTCUSDT", "long", margin=2_000, leverage=20),
        Order("SOLUSDT", "long", margin=2_000, leverage=20)]


@pytest.fixture(scope="module")
def pool():
    paths = scenarios.random_paths(400, 288, [60_000, 150], [0.06, 0.11], 0.0, seed=3)
    return paths, cascade.shared_pool_effect(PLAN, paths, ["BTCUSDT", "SOLUSDT"],
                                             deposit=4_040)


def test_shared_pool_effect_matches_the_monte_carlo(pool):
    paths, effect = pool
    cross = montecarlo.run(PLAN, paths, ["BTCUSDT", "SOLUSDT"], deposit=4_040)
    out = cross.outcomes.set_index(["mode", "path"])
    np.testing.assert_array_equal(effect["cross_liquidated"], out.loc["cross", "liquidated"])
    # the BTC position on its own margin: liquidated iff BTC reached its isolated price
    lp = formulas.liquidation_price("long", 40_000 / 60_000, 60_000, 2_000, brackets=BTC)
    np.testing.assert_array_equal(effect["isolated_liquidated"], paths[:, 1:, 0].min(axis=1) <= lp)
    assert set(effect["effect"].unique()) == set(cascade.EFFECTS)


def test_saved_paths_are_the_ones_where_sol_did_better_than_btc(pool):
    _, effect = pool
    saved = effect[effect.effect == "saved by the pool"]
    dragged = effect[effect.effect == "dragged down by the pool"]
    assert len(saved) and len(dragged)
    assert (saved.SOLUSDT_move_at_worst > saved.BTCUSDT_move_at_worst).all()
    lp = formulas.liquidation_price("long", 40_000 / 60_000, 60_000, 2_000, brackets=BTC)
    assert (dragged.BTCUSDT_move_at_worst > lp / 60_000 - 1).all()     # BTC alone survived
    assert (effect.BTCUSDT_move_at_worst <= 0).all()


def test_a_short_is_judged_at_its_highest_price():
    paths = scenarios.random_paths(50, 100, [60_000, 150], 0.05, 0.5, seed=1)
    plan = [Order("BTCUSDT", "short", margin=2_000, leverage=10), PLAN[1]]
    effect = cascade.shared_pool_effect(plan, paths, ["BTCUSDT", "SOLUSDT"], deposit=4_040)
    highest = paths[:, :, 0].max(axis=1) / 60_000 - 1
    np.testing.assert_allclose(effect.BTCUSDT_move_at_worst, highest)


@pytest.mark.parametrize("kwargs, words", [
    (dict(symbol="ETHUSDT"), "not one of the path's symbols"),
    (dict(plan=PLAN[1:]), "exactly one BTCUSDT order"),
    (dict(deposit=-1), "deposit"),
])
def test_shared_pool_effect_rejects_bad_input(pool, kwargs, words):
    paths, _ = pool
    args = dict(plan=PLAN, deposit=4_040) | kwargs
    with pytest.raises(InvalidInput, match=words):
        cascade.shared_pool_effect(args.pop("plan"), paths, ["BTCUSDT", "SOLUSDT"], **args)


def test_pool_effect_by_seed_counts_what_shared_pool_effect_finds_on_each_seed():
    from crossmargin import Order, scenarios
    from crossmargin.lessons.cascade import pool_effect_by_seed, shared_pool_effect
    from crossmargin.simulation.stats import wilson_interval
    plan = [Order("BTCUSDT", "long", margin=2_000, leverage=20),
            Order("SOLUSDT", "long", margin=2_000, leverage=20)]
    args = dict(n_paths=300, n_steps=1_440, start_prices=[60_000, 150],
                daily_volatility=[0.03, 0.055], correlation=0.8)
    table = pool_effect_by_seed(plan, [1, 9], symbols=["BTCUSDT", "SOLUSDT"], deposit=4_040,
                                **args)
    assert list(table.index) == [1, 9]
    for seed in (1, 9):
        paths = scenarios.random_paths(args["n_paths"], args["n_steps"], args["start_prices"],
                                       args["daily_volatility"], args["correlation"], seed=seed)
        counts = shared_pool_effect(plan, paths, ["BTCUSDT", "SOLUSDT"],
                                    deposit=4_040)["effect"].value_counts()
        row = table.loc[seed]
        assert row["saved"] == counts["saved by the pool"]
        assert row["dragged"] == counts["dragged down by the pool"]
        assert (row["dragged_low"], row["dragged_high"]) == pytest.approx(
            wilson_interval(row["dragged"], 300))
        assert row["ratio"] == (row["dragged"] / row["saved"] if row["saved"] else math.inf)
    assert (table["dragged"] > table["saved"]).all()


def test_pool_effect_by_seed_refuses_no_seeds():
    from crossmargin import Order
    from crossmargin.lessons.cascade import pool_effect_by_seed
    plan = [Order("BTCUSDT", "long", margin=2_000, leverage=20)]
    for seeds in ([], 9, "9"):
        with pytest.raises(InvalidInput, match="seeds"):
            pool_effect_by_seed(plan, seeds, n_paths=10, n_steps=10, start_prices=[60_000],
                                daily_volatility=[0.03], correlation=0.0,
                                symbols=["BTCUSDT"], deposit=2_000)
