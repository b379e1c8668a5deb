"""montecarlo.step_paths, the one vectorized stepper, against Account replay path by path:
a margin mode per position, stops (with gaps through them), funding, a cross liquidation
that leaves the isolated positions open, a gap that a liquidation wins over a stop, a cross
stop past bankruptcy, and liquidations whose cut leaves a smaller position open."""
import numpy as np
import pandas as pd
import pytest

from crossmargin import Account, InvalidInput, Order, montecarlo, replay, scenarios

SYMBOLS = ["BTCUSDT", "ETHUSDT", "SOLUSDT"]
START = [60_000.0, 3_000.0, 150.0]
EIGHT_HOURS = pd.Timedelta(hours=8).value


def weeks(n=40, seed=3, vol=(0.05, 0.07, 0.09)):
    """Two days of minutes, with jumps, from 05:00 UTC (funding at 08:00, 16:00, 00:00...)."""
    return scenarios.random_paths(n, 2 * 1_440, START, list(vol), 0.7, jump_probability=0.002,
                                  jump_size=0.0, jump_volatility=0.05, seed=seed)


INDEX = pd.date_range("2024-03-01 05:00", periods=2 * 1_440 + 1, freq="min", tz="UTC")
COUNTS = np.concatenate([[0], np.diff(INDEX.as_unit("ns").asi8 // EIGHT_HOURS)])


def stepped(plan, paths, funding=True, deposit=10_000.0):
    account = Account()
    account.deposit(deposit)
    start = dict(zip(SYMBOLS, paths[0, 0, :].tolist()))
    account.mark(start, INDEX[0])
    for order in plan:
        order.place(account, start[order.symbol])
    legs, wallet = montecarlo.opened(account)
    prices = [paths[:, :, SYMBOLS.index(leg.symbol)] for leg in legs]
    return montecarlo.step_paths(legs, wallet, prices, keep_equity=True,
                                 funding_counts=COUNTS if funding else None)


def check_against_replay(plan, paths, out, picks, deposit=10_000.0):
    for i in picks:
        frame = pd.DataFrame(paths[i], columns=SYMBOLS, index=INDEX)
        run = replay(frame, plan, deposit=deposit, liquidation_prices=False)
        equity = run.timeline[("account", "equity")].to_numpy()
        np.testing.assert_allclose(out["equity"][i], equity, atol=1e-6)
        assert out["final_equity"][i] == pytest.approx(equity[-1], abs=1e-6)
        assert out["lowest_equity"][i] == pytest.approx(equity.min(), abs=1e-6)
        liquidations = run.liquidation_events()          # a cut starts a liquidation too
        assert out["liquidations"][i] == len(run.liquidations())
        assert out["stops"][i] == (run.events["type"] == "stop_loss").sum()
        first = liquidations["step"].min() - 1 if len(liquidations) else -1
        assert out["first_liquidation_step"][i] == first


MIXED = [Order("SOLUSDT", "short", margin=1_500, leverage=15, margin_mode="cross",
               stop_distance=0.10),
         Order("ETHUSDT", "long", margin=1_500, leverage=20, margin_mode="cross"),
         Order("BTCUSDT", "long", margin=1_000, leverage=20, margin_mode="isolated",
               stop_distance=0.04)]
#: The cross pair is liquidated on many paths while the isolated BTC long lives on.
CROSS_DIES = [Order("BTCUSDT", "long", margin=1_000, leverage=3, margin_mode="isolated"),
              Order("ETHUSDT", "long", margin=3_000, leverage=20, margin_mode="cross"),
              Order("SOLUSDT", "long", margin=3_000, leverage=20, margin_mode="cross",
                    stop_distance=0.05)]


@pytest.mark.parametrize("plan", [MIXED, CROSS_DIES], ids=["mixed", "cross dies"])
def test_step_paths_agrees_with_replay_with_funding(plan):
    paths = weeks()
    out = stepped(plan, paths)
    liquidated = np.flatnonzero(out["liquidations"] > 0)
    stopped = np.flatnonzero(out["stops"] > 0)
    assert len(liquidated) and len(stopped)
    picks = sorted(set(liquidated[:3].tolist() + stopped[:3].tolist() + [0]))
    check_against_replay(plan, paths, out, picks)


def test_the_isolated_position_outlives_the_cross_liquidation():
    paths = weeks()
    out = stepped(CROSS_DIES, paths)
    seen = 0
    for i in np.flatnonzero(out["liquidations"] > 0)[:8]:
        run = replay(pd.DataFrame(paths[i], columns=SYMBOLS, index=INDEX), CROSS_DIES,
                     liquidation_prices=False)
        gone = set(run.liquidations()["symbol"])
        if "ETHUSDT" in gone and "BTCUSDT" not in gone and "BTCUSDT" in run.account.open_symbols:
            seen += 1
            check_against_replay(CROSS_DIES, paths, out, [i])
    assert seen >= 2


def _two_legs(paths, plan):
    index = INDEX[:paths.shape[1]]
    out = montecarlo.step_paths(*_opened(plan, paths[0, 0]),
                                [paths[:, :, 1], paths[:, :, 0]], keep_equity=True)
    runs = [replay(pd.DataFrame(paths[i], columns=SYMBOLS, index=index), plan,
                   liquidation_prices=False) for i in range(len(paths))]
    for i, run in enumerate(runs):
        np.testing.assert_allclose(out["equity"][i],
                                   run.timeline[("account", "equity")].to_numpy(), atol=1e-6)
    return out, runs


def _flat(rows=4):
    paths = np.repeat(np.array(START)[None, None, :], rows, axis=1).repeat(2, axis=0)
    return paths


def test_a_gap_through_a_cross_stop_and_bankruptcy_is_a_liquidation_then_isolated_margin_back():
    paths = _flat()
    paths[:, 2:, 1] *= 0.55        # ETH gaps 45 % down, through the cross long's stop
    paths[1, 3, 0] *= 0.5          # path 1: then BTC halves, the isolated short gains
    plan = [Order("ETHUSDT", "long", margin=5_000, leverage=20, margin_mode="cross",
                  stop_distance=0.02),
            Order("BTCUSDT", "short", margin=1_000, leverage=2, margin_mode="isolated")]
    out, runs = _two_legs(paths, plan)
    assert out["stops"].tolist() == [0, 0]                  # the liquidation cancelled it
    assert out["liquidations"].tolist() == [1, 1]
    for run in runs:
        assert list(run.events["type"][:2]) == ["stops_cancelled", "liquidation"]
    assert out["final_equity"][1] > out["final_equity"][0] > 0


def test_a_cross_stop_past_bankruptcy_without_a_gap_leaves_zero_then_the_isolated_margin_back():
    """A stop set beyond the bankruptcy price and passed within the gap threshold fills at
    its trigger before the liquidation: the cross wallet goes below zero and is set to zero
    (the insurance fund), the isolated margin comes back later."""
    paths = _flat()
    entry, stop = START[1], START[1] * (1 - 0.095)   # the 8,9xx cross wallet is gone ~8.9 % down
    paths[:, 2:, 1] = stop * 0.998                           # 0.2 % past it: no gap
    paths[1, 3, 0] *= 0.5
    plan = [Order("ETHUSDT", "long", margin=5_000, leverage=20, margin_mode="cross",
                  stop_distance=1 - stop / entry),
            Order("BTCUSDT", "short", margin=1_000, leverage=2, margin_mode="isolated")]
    out, runs = _two_legs(paths, plan)
    assert out["stops"].tolist() == [1, 1] and out["liquidations"].tolist() == [0, 0]
    assert all(run.account.summary().insurance_cover > 0 for run in runs)


def _cut_paths(plan, paths, deposit=10_000.0):
    """Rows of ``paths`` where replaying ``plan`` shows a cut that restored the margin (a
    partial liquidation with no close in its step)."""
    cut = []
    for i in range(len(paths)):
        run = replay(pd.DataFrame(paths[i], columns=SYMBOLS, index=INDEX), plan,
                     deposit=deposit, liquidation_prices=False)
        events = run.events
        cuts = set(events.loc[events["type"] == "partial_liquidation", "step"])
        if cuts - set(events.loc[events["type"] == "liquidation", "step"]):
            cut.append(i)
    return cut


def test_an_isolated_cut_that_restores_the_margin_is_followed_by_the_arrays():
    """SOL at 20x with 60,000 of notional sits in the 1.5 % tier, above the 1.25 % clearance
    fee: Binance's one cut to the 50,000 floor restores the margin and the smaller position
    lives on, to be cut again or closed at its next liquidation. The arrays follow it."""
    plan = [Order("SOLUSDT", "short", margin=3_000, leverage=20, margin_mode="isolated"),
            Order("ETHUSDT", "long", margin=1_000, leverage=10, margin_mode="cross")]
    paths = weeks(24, seed=5)
    out = stepped(plan, paths)
    cut = _cut_paths(plan, paths)
    assert len(cut) >= 2 and not out["account_stepped"].any()
    check_against_replay(plan, paths, out, cut[:4] + [i for i in range(3) if i not in cut])


def test_a_cross_cut_that_restores_the_margin_is_stepped_by_the_account():
    plan = [Order("SOLUSDT", "short", margin=3_000, leverage=20, margin_mode="cross"),
            Order("BTCUSDT", "long", margin=300, leverage=10, margin_mode="isolated")]
    paths = weeks(16, seed=7)
    out = stepped(plan, paths, deposit=3_600.0)
    cut = _cut_paths(plan, paths, deposit=3_600.0)
    assert len(cut) >= 2
    assert np.flatnonzero(out["account_stepped"]).tolist() == cut
    check_against_replay(plan, paths, out, cut[:3] + [i for i in range(3) if i not in cut],
                         deposit=3_600.0)


def _opened(plan, start):
    account = Account()
    account.deposit(10_000)
    for order in plan:
        order.place(account, dict(zip(SYMBOLS, start))[order.symbol])
    return montecarlo.opened(account)


def test_without_funding_it_matches_montecarlo_run():
    paths = weeks(30, seed=8)
    plan = [Order("ETHUSDT", "long", margin=2_000, leverage=20),
            Order("SOLUSDT", "short", margin=2_000, leverage=20)]
    run = montecarlo.run(plan, paths, SYMBOLS)
    for mode in ("isolated", "cross"):
        mine = [Order(o.symbol, o.side, margin=o.margin, leverage=o.leverage, margin_mode=mode)
                for o in plan]
        out = stepped(mine, paths, funding=False)
        theirs = run.outcomes[run.outcomes["mode"] == mode]
        np.testing.assert_allclose(out["final_equity"], theirs["final_equity"], atol=1e-9)
        assert (out["liquidations"] == theirs["liquidations"].to_numpy()).all()


def test_bad_inputs():
    legs, wallet = _opened([Order("BTCUSDT", "long", margin=1_000, leverage=5)], START)
    with pytest.raises(InvalidInput, match="one array per leg"):
        montecarlo.step_paths(legs, wallet, [])
    with pytest.raises(InvalidInput, match="one count per row"):
        montecarlo.step_paths(legs, wallet, [np.full((2, 5), 60_000.0)], funding_counts=[0, 1])
