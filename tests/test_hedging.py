"""hedging: the hedge plan, its Monte Carlo outcomes and the money it needs."""
import numpy as np
import pandas as pd
import pytest

from crossmargin import Account, compare_modes, montecarlo, scenarios
from crossmargin.errors import InsufficientBalance, InvalidInput
from crossmargin.lessons.hedging import (SYMBOLS, hedge_grid, hedge_outcomes, hedge_paths,
                                         hedge_plan, min_variance_ratio, opening_cost,
                                         pair_volatility, required_deposit, summarize)

SMALL = dict(n_paths=300)


def test_the_short_is_the_ratio_times_the_long():
    long, short = hedge_plan(3_000, 0.6, 15)
    assert (long.symbol, long.side, short.symbol, short.side) == (
        "BTCUSDT", "long", "ETHUSDT", "short")
    assert long.notional == 45_000 and short.notional == pytest.approx(0.6 * 45_000)
    assert long.leverage == short.leverage == 15
    assert len(hedge_plan(3_000, 0, 15)) == 1


def test_opening_cost_is_what_the_account_takes():
    account = Account()
    account.deposit(10_000)
    for order in hedge_plan(3_000, 1.5, 15):
        order.place(account, scenarios.START_PRICES[order.symbol])
    assert account.available_balance() == pytest.approx(10_000 - opening_cost(3_000, 1.5, 15))


@pytest.mark.parametrize("call, words", [
    (lambda: hedge_plan(3_000, -0.1, 15), "hedge_ratio must be between 0 and 3"),
    (lambda: hedge_plan(3_000, 3.5, 15), "hedge_ratio must be between 0 and 3"),
    (lambda: hedge_plan(3_000, "x", 15), "hedge_ratio must be a number"),
    (lambda: hedge_plan(-1, 1, 15), "btc_margin must be > 0"),
    (lambda: hedge_plan(3_000, 1, 0.5), "leverage must be >= 1"),
    (lambda: min_variance_ratio(1.2), "correlation must be between -1 and 1"),
    (lambda: min_variance_ratio(0.5, [0.03]), "daily_volatility must be two numbers"),
    (lambda: hedge_paths(0.8, 0), "n_paths must be between 1"),
    (lambda: hedge_paths(0.8, 10, days=0), "days must be between 1"),
    (lambda: hedge_outcomes([], [0.8]), "hedge_ratios must hold at least one value"),
    (lambda: hedge_outcomes([0.5], [0.8, 2]), r"correlations\[1\] must be between -1 and 1"),
    (lambda: hedge_outcomes([0.5], [0.8], 10, progress="yes"), "progress must be"),
    (lambda: summarize(pd.DataFrame({"x": [1]})), "outcomes must be a DataFrame"),
    (lambda: required_deposit(0.5, 0.8, "both"), "mode must be 'isolated' or 'cross'"),
    (lambda: required_deposit(0.5, 0.8, "cross", target=1), "target must be a probability"),
    (lambda: required_deposit(0.5, 0.8, "cross", tolerance=0), "tolerance must be > 0"),
])
def test_bad_input_is_refused_with_a_clear_message(call, words):
    with pytest.raises(InvalidInput, match=words):
        call()


def test_a_plan_that_does_not_fit_is_refused():
    with pytest.raises(InsufficientBalance):
        hedge_outcomes([1.5], [0.8], 10, btc_margin=4_500)


def test_min_variance_ratio_is_where_the_pair_swings_least():
    h = min_variance_ratio(0.8)
    assert h == pytest.approx(0.8 * 0.03 / 0.04)
    paths = np.log(hedge_paths(0.8, 2_000))
    r = paths[:, -1, :] - paths[:, 0, :]
    ratios = np.linspace(0, 1.5, 31)
    spread = [np.var(r[:, 0] - k * r[:, 1]) for k in ratios]
    assert abs(ratios[int(np.argmin(spread))] - h) <= 0.1
    assert min_variance_ratio(-0.5) < 0


def test_pair_volatility_is_the_swing_of_the_pair_and_least_at_the_min_variance_ratio():
    assert pair_volatility(0, 0.8) == pytest.approx(0.03)                 # BTC alone
    assert pair_volatility(1, 0.5) == pytest.approx((0.03**2 + 0.04**2 - 0.03 * 0.04) ** 0.5)
    for rho in (0.8, 0.5, 0.0):
        best = min_variance_ratio(rho)
        assert pair_volatility(best, rho) == pytest.approx(0.03 * (1 - rho**2) ** 0.5)
        assert all(pair_volatility(h, rho) >= pair_volatility(best, rho)
                   for h in np.linspace(0, 1.5, 16))
    assert pair_volatility(1, 0.5, [0.02, 0.02]) == pytest.approx(0.02)
    # the paths' daily log returns swing as the formula says (2,000 paths x 30 days)
    r = np.diff(np.log(hedge_paths(0.5, 2_000)[:, ::24, :]), axis=1).reshape(-1, 2)
    for h in (0.0, 0.375, 1.0):
        assert np.std(r[:, 0] - h * r[:, 1]) == pytest.approx(pair_volatility(h, 0.5), rel=0.03)


@pytest.mark.parametrize("call, words", [
    (lambda: pair_volatility(-0.5, 0.5), "hedge_ratio must be between 0 and 3"),
    (lambda: pair_volatility(1, 1.5), "correlation must be between -1 and 1"),
    (lambda: pair_volatility(1, 0.5, [0.03, -0.04]), "daily_volatility[1] must be > 0"),
])
def test_pair_volatility_refuses_bad_input(call, words):
    with pytest.raises(InvalidInput) as err:
        call()
    assert words in str(err.value)


def test_paths_are_seeded_correlated_and_share_btc_across_correlations():
    a, b = hedge_paths(0.8, 500), hedge_paths(0.0, 500)
    assert a.shape == (500, 30 * 24 + 1, 2) and not a.flags.writeable
    np.testing.assert_allclose(a[:, 0], [[60_000, 3_000]] * 500)
    np.testing.assert_array_equal(a[:, :, 0], b[:, :, 0])      # same BTC draws
    steps = np.diff(np.log(a), axis=1).reshape(-1, 2)
    assert np.corrcoef(steps.T)[0, 1] == pytest.approx(0.8, abs=0.01)
    np.testing.assert_array_equal(hedge_paths(0.8, 500, seed=8), a)
    assert not np.array_equal(hedge_paths(0.8, 500, seed=9), a)
    assert not np.array_equal(hedge_paths(0.8, 20, seed=None), hedge_paths(0.8, 20, seed=None))


def test_outcomes_are_the_montecarlo_of_the_plan():
    out = hedge_outcomes([0.6], [0.8], **SMALL)
    run = montecarlo.run(hedge_plan(3_000, 0.6, 15), hedge_paths(0.8, 300), list(SYMBOLS),
                         deposit=10_000)
    np.testing.assert_allclose(out["final_equity"], run.outcomes["final_equity"])
    np.testing.assert_array_equal(out["liquidated"], run.outcomes["liquidated"])
    np.testing.assert_allclose(out["gain"], out["final_equity"] - 10_000)
    up = hedge_paths(0.8, 300)[:, -1, 0] > 60_000
    np.testing.assert_array_equal(out.loc[out["mode"] == "cross", "btc_up"], up)


def test_outcomes_agree_with_replaying_the_account():
    paths = hedge_paths(0.0, 300)
    out = hedge_outcomes([1.0], [0.0], **SMALL).set_index(["mode", "path"])
    picks = [int(out.loc["cross"]["liquidated"].idxmax()),
             int(out.loc["isolated"]["liquidated"].idxmin())]
    for path in picks:
        frame = pd.DataFrame(paths[path], columns=list(SYMBOLS))     # no timestamps: no funding
        _, runs = compare_modes(frame, hedge_plan(3_000, 1.0, 15), liquidation_prices=False)
        for mode in ("isolated", "cross"):
            equity = runs[mode].timeline[("account", "equity")].iloc[-1]
            assert equity == pytest.approx(out.loc[(mode, path), "final_equity"], abs=1e-6)


def test_summary_and_upside_kept():
    out = hedge_outcomes([0.0, 0.5, 1.5], [0.8], **SMALL)
    table = summarize(out).set_index(["hedge_ratio", "mode"])
    cross = out[(out["mode"] == "cross") & (out["hedge_ratio"] == 0.5)]
    row = table.loc[(0.5, "cross")]
    assert row["p_liquidation"] == cross["liquidated"].mean()
    assert row["median_final_equity"] == cross["final_equity"].median()
    gain = cross.loc[cross["btc_up"], "gain"].mean()
    base = out[(out["mode"] == "cross") & (out["hedge_ratio"] == 0) & out["btc_up"]]["gain"]
    assert row["upside_kept"] == pytest.approx(gain / base.mean())
    assert table.loc[(0.0, "cross"), "upside_kept"] == 1
    assert table.loc[(1.5, "cross"), "upside_kept"] < 0 < table.loc[(0.5, "cross"),
                                                                      "upside_kept"] < 1
    alone = summarize(out[out["hedge_ratio"] == 0.5])
    assert alone["upside_kept"].isna().all()


def test_grid_runs_ratio_zero_as_the_reference_and_leaves_it_out():
    grid = hedge_grid(np.arange(0.5, 1.01, 0.25), [0.8, 0.0], **SMALL)
    assert sorted(grid["hedge_ratio"].unique()) == [0.5, 0.75, 1.0]
    assert len(grid) == 3 * 2 * 2 and grid["upside_kept"].notna().all()
    seen = []
    hedge_grid([0.5], [0.8], 50, progress=seen.append)
    assert seen == [0.5, 1.0]


def test_the_lessons_claims_hold_on_the_default_paths():
    grid = hedge_grid([0, 0.5, 1.5], [0.8, 0.0]).set_index(["correlation", "hedge_ratio",
                                                             "mode"])
    p = grid["p_liquidation"]
    assert p[(0.8, 0.5, "cross")] < p[(0.8, 0.0, "cross")] / 3        # hedge protects
    assert p[(0.8, 0.5, "isolated")] > p[(0.8, 0.0, "isolated")]      # not in isolated
    assert p[(0.0, 0.5, "cross")] > p[(0.0, 0.0, "cross")]            # nor without correlation
    assert grid.loc[(0.8, 1.5, "cross"), "upside_kept"] < 0           # over-hedged: a short
    assert (grid.xs("isolated", level="mode")["p_wipeout"] == 0).all()


def test_required_deposit_is_the_least_money_that_meets_the_target():
    paths = hedge_paths(0.8, 300)
    needed = required_deposit(0.6, 0.8, "cross", **SMALL)
    plan = hedge_plan(3_000, 0.6, 15)

    def odds(deposit):
        run = montecarlo.run(plan, paths, list(SYMBOLS), deposit=deposit, modes=("cross",))
        return run.outcomes["liquidated"].mean()
    assert odds(needed) <= 0.05 < odds(needed - 10)
    alone = required_deposit(0.0, 0.8, "cross", **SMALL)
    assert required_deposit(0.0, 0.8, "isolated", **SMALL) == pytest.approx(alone, abs=11)
    assert needed < alone < required_deposit(0.6, 0.8, "isolated", **SMALL)


def test_required_deposit_never_goes_below_the_opening_cost():
    cost = opening_cost(3_000, 0.6, 15)
    assert required_deposit(0.6, 0.8, "cross", target=0.9, n_paths=100) == pytest.approx(cost)


def test_summary_gives_wilson_intervals_of_both_odds_over_its_paths():
    from crossmargin.simulation.stats import wilson_interval
    grid = hedge_grid([0.0, 0.5], [0.8], n_paths=200)
    for _, row in grid.iterrows():
        for name in ("p_liquidation", "p_wipeout"):
            low, high = wilson_interval(round(row[name] * row["paths"]), row["paths"])
            assert row[f"{name}_low"] == pytest.approx(low)
            assert row[f"{name}_high"] == pytest.approx(high)
            assert row[f"{name}_low"] <= row[name] <= row[f"{name}_high"]
    assert (grid["p_wipeout_high"] > 0).all()            # 0 of 200 is still bounded above
