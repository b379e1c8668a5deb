"""The vectorized Monte Carlo agrees with replaying each path through Account."""
import numpy as np
import pandas as pd
import pytest

from crossmargin import InvalidInput, InsufficientBalance, Order, montecarlo, replay, scenarios
from crossmargin.simulation.stats import wilson_interval

SYMBOLS = ["BTCUSDT", "ETHUSDT"]


def plan(leverage=20, margin=3_000, eth="short"):
    return [Order("BTCUSDT", "long", margin=margin, leverage=leverage),
            Order("ETHUSDT", eth, margin=margin, leverage=leverage)]


@pytest.fixture(scope="module")
def paths():
    # Volatile, with downward jumps, so both modes liquidate on some paths.
    return scenarios.random_paths(60, 720, [60_000, 3_000], [0.06, 0.08], 0.5, seed=3,
                                  jump_probability=0.002, jump_size=-0.03)


@pytest.mark.parametrize("eth", ["short", "long"])
def test_agrees_with_replay_path_by_path(paths, eth):
    result = montecarlo.run(plan(eth=eth), paths, SYMBOLS, keep_equity=True)
    liquidated = {"isolated": 0, "cross": 0}
    for i in range(len(paths)):
        frame = pd.DataFrame(paths[i], columns=SYMBOLS)        # no timestamps: no funding
        for mode in ("isolated", "cross"):
            run = replay(frame, plan(eth=eth), margin_mode=mode, liquidation_prices=False)
            row = result.outcomes.query("path == @i and mode == @mode").iloc[0]
            equity = run.timeline[("account", "equity")].to_numpy()
            assert row.final_equity == pytest.approx(equity[-1], abs=1e-6)
            assert row.lowest_equity == pytest.approx(equity.min(), abs=1e-6)
            np.testing.assert_allclose(result.equity[mode][i], equity, atol=1e-6)
            events = run.liquidations()
            assert row.liquidations == len(events)
            if len(events):
                assert row.first_liquidation_step == events["step"].min() - 1
            liquidated[mode] += row.liquidated
    assert liquidated["isolated"] > 0
    if eth == "long":                 # unhedged: the cross account goes down on some paths
        assert liquidated["cross"] > 0


def test_zero_volatility_liquidates_nothing():
    flat = scenarios.random_paths(50, 100, [60_000, 3_000], 0.0, 0.0, seed=1)
    result = montecarlo.run(plan(leverage=50, margin=4_000), flat, SYMBOLS)
    assert not result.outcomes["liquidated"].any()
    fees = 2 * 4_000 * 50 * 0.0005
    np.testing.assert_allclose(result.outcomes["final_equity"], 10_000 - fees)


def test_odds_rise_with_leverage():
    paths = scenarios.random_paths(400, 1_440, [60_000, 3_000], 0.05, 0.7, seed=9)
    odds = [montecarlo.run(plan(leverage=lev, margin=2_000), paths, SYMBOLS)
            .summary().loc["p_liquidation", "isolated"] for lev in (5, 10, 20, 40)]
    assert odds == sorted(odds) and odds[-1] > odds[0]


def test_summary_columns_and_wipeouts():
    paths = scenarios.random_paths(200, 1_440, [60_000, 3_000], 0.1, -0.5, seed=2)
    summary = montecarlo.run(plan(leverage=50, margin=4_000), paths, SYMBOLS).summary()
    assert list(summary.columns) == ["isolated", "cross"]
    assert summary.loc["p_wipeout", "cross"] > 0            # cross can lose everything
    assert summary.loc["p_wipeout", "isolated"] == 0         # isolated keeps the rest
    assert summary.loc["paths", "cross"] == 200


def test_summary_states_each_share_with_its_95_percent_wilson_interval(paths):
    result = montecarlo.run(plan(eth="long"), paths, SYMBOLS)
    summary, out = result.summary(), result.outcomes
    assert list(summary.index[:7]) == [
        "paths", "p_liquidation", "p_liquidation_low", "p_liquidation_high",
        "p_wipeout", "p_wipeout_low", "p_wipeout_high"]
    for mode in ("isolated", "cross"):
        rows = out[out["mode"] == mode]
        assert summary.loc["paths", mode] == len(rows) == 60
        for name, column in (("p_liquidation", "liquidated"), ("p_wipeout", "wiped_out")):
            k = int(rows[column].sum())
            p, low, high = summary.loc[[name, f"{name}_low", f"{name}_high"], mode]
            assert p == rows[column].mean()
            assert (low, high) == wilson_interval(k, 60)
            assert low <= p <= high and high - low > 0
    assert 0 < summary.loc["p_liquidation", "isolated"] < 1      # both ends are informative
    low, high = summary.loc[["p_liquidation_low", "p_liquidation_high"], "isolated"]
    assert 0 < low < high < 1


def test_no_liquidation_in_n_paths_still_has_an_upper_bound():
    """0 of 50 paths is not "never": the odds may still be 7 % (z² / (50 + z²))."""
    flat = scenarios.random_paths(50, 100, [60_000, 3_000], 0.0, 0.0, seed=1)
    summary = montecarlo.run(plan(leverage=5, margin=1_000), flat, SYMBOLS).summary()
    assert summary.loc["p_liquidation", "cross"] == summary.loc["p_liquidation_low", "cross"] == 0
    assert summary.loc["p_liquidation_high", "cross"] == pytest.approx(0.0713, abs=1e-4)
    assert summary.loc["p_wipeout_high", "isolated"] == pytest.approx(0.0713, abs=1e-4)


def test_progress_callback_and_interruption(paths):
    seen = []
    montecarlo.run(plan(), paths, SYMBOLS, progress=seen.append)
    assert seen[-1] == 1.0

    def stop_after_first(fraction):
        raise KeyboardInterrupt

    old = montecarlo.CHUNK_VALUES
    montecarlo.CHUNK_VALUES = 2 * 721 * 10      # 10 paths a chunk
    try:
        partial = montecarlo.run(plan(), paths, SYMBOLS, progress=stop_after_first)
    finally:
        montecarlo.CHUNK_VALUES = old
    assert not partial.complete and partial.n_paths == 10
    assert len(partial.outcomes) == 20


@pytest.mark.parametrize("bad_plan, message", [
    ([Order("BTCUSDT", "long", margin=1_000, stop_distance=0.05)], "without stops"),
    ([Order("BTCUSDT", "long", margin=1_000, at=3)], "at step 0"),
    ([Order("SOLUSDT", "long", margin=1_000)], "symbols holds only BTCUSDT, ETHUSDT"),
    (["buy"], "plan item 0 must be an Order"),
])
def test_bad_plans(paths, bad_plan, message):
    with pytest.raises(InvalidInput, match=message):
        montecarlo.run(bad_plan, paths, SYMBOLS)


def test_orders_that_do_not_fit_are_refused_like_the_account_refuses(paths):
    with pytest.raises(InsufficientBalance, match="available balance"):
        montecarlo.run(plan(margin=5_000), paths, SYMBOLS)


@pytest.mark.parametrize("kwargs, message", [
    (dict(paths=np.ones((0, 5, 2))), "at least one path"),
    (dict(paths=np.full((3, 5, 2), -1.0)), "finite prices > 0"),
    (dict(symbols=["BTCUSDT"]), "must name the 2 price columns"),
    (dict(deposit=0), "deposit must be > 0"),
    (dict(modes=("portfolio",)), "modes must be"),
    (dict(progress="yes"), "progress must be"),
])
def test_bad_arguments(paths, kwargs, message):
    args = dict(plan=plan(), paths=paths, symbols=SYMBOLS) | kwargs
    with pytest.raises(InvalidInput, match=message):
        montecarlo.run(**args)


def test_paths_must_share_their_start(paths):
    shifted = paths.copy()
    shifted[1, 0, 0] *= 1.01
    with pytest.raises(InvalidInput, match="start at the same prices"):
        montecarlo.run(plan(), shifted, SYMBOLS)
