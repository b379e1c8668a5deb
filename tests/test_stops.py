"""crossmargin.lessons.stops: stop_outcome (against replay and the one stepper, case by case),
liquidation distances, a stop's fill against its trigger, exits told."""
import itertools
import math

import numpy as np
import pandas as pd
import pytest

from crossmargin import Account, Brackets, Order, formulas, montecarlo, replay, scenarios
from crossmargin.lessons import stops
from crossmargin.lessons.stops import stop_outcome
from crossmargin.errors import InsufficientBalance, InvalidInput, LeverageTooHigh
from crossmargin.lessons.examples import big_btc_long_small_eth_short
from crossmargin.widgets import stop_loss_lab


def test_the_lab_uses_the_engine_module():
    assert stop_loss_lab.stop_outcome is stops.stop_outcome
    assert stop_loss_lab.StopOutcome is stops.StopOutcome


# -- stop_outcome: the stop lab's fast path, against replay and the stepper ------------------
BTC = Brackets.load("BTCUSDT")
PATHS = {name: scenarios.load(name)[["BTCUSDT"]]
         for name in ("btc_crash", "gap_through_stop", "whipsaw", "slow_grind")}


def stepped(path, leverage, stop, mode, side="long", margin=1_000, deposit=10_000):
    """The same position through montecarlo.step_paths: the equity change at the end."""
    account = Account()
    account.deposit(deposit)
    entry = float(path["BTCUSDT"].iloc[0])
    Order("BTCUSDT", side, margin=margin, leverage=leverage, margin_mode=mode,
          stop_distance=stop).place(account, entry)
    legs, wallet = montecarlo.opened(account)
    counts = stops.PricePath(path, "BTCUSDT").funding_counts
    out = montecarlo.step_paths(legs, wallet, [path["BTCUSDT"].to_numpy()[None, :]],
                                funding_counts=counts)
    return float(out["final_equity"][0]) - deposit


def replay_of(path, side="long", margin=1_000, deposit=10_000, **order):
    return replay(path, [Order("BTCUSDT", side, margin=margin, **order)], deposit=deposit,
                  liquidation_prices=False)


def replayed(path, side="long", margin=1_000, deposit=10_000, **order):
    """The same question asked of the step-by-step engine: (exit, row, price, pnl)."""
    run = replay_of(path, side, margin, deposit, **order)
    exits = run.events[run.events["type"].isin(["stop_loss", "liquidation"])]
    pnl = run.summary()["final_equity"] - deposit
    if exits.empty:
        return "open", None, None, pnl
    first = exits.iloc[0]
    kind = {"stop_loss": "stop", "liquidation": "liquidated"}[first["type"]]
    return kind, int(first["step"]) - 1, float(first["price"]), pnl


def cut_rows(run):
    """Rows where the replay's liquidation cut the position and left it open."""
    events = run.events
    closed = set(events.loc[events["type"] == "liquidation", "step"])
    cuts = events.loc[events["type"] == "partial_liquidation", "step"]
    return tuple(int(step) - 1 for step in cuts if step not in closed)


CASES = list(itertools.product(PATHS, ("isolated", "cross"), (3, 10, 25, 60),
                               (None, 0.02, 0.05, 0.12)))


@pytest.mark.parametrize("name, mode, leverage, stop", CASES)
def test_stop_outcome_matches_the_replay(name, mode, leverage, stop):
    out = stop_outcome(PATHS[name], leverage=leverage, stop_distance=stop, margin_mode=mode)
    kind, step, price, pnl = replayed(PATHS[name], leverage=leverage, margin_mode=mode,
                                      stop_distance=stop)
    assert (out.exit, out.exit_step) == (kind, step)
    if price is not None:
        assert out.exit_price == pytest.approx(price, rel=1e-12)
    assert out.pnl == pytest.approx(pnl, abs=1e-6)
    assert out.pnl == pytest.approx(stepped(PATHS[name], leverage, stop, mode), abs=1e-6)


@pytest.mark.parametrize("name, stop", [("btc_crash", 0.02), ("whipsaw", 0.01),
                                        ("gap_through_stop", None)])
def test_stop_outcome_matches_the_replay_for_shorts(name, stop):
    out = stop_outcome(PATHS[name], leverage=20, stop_distance=stop, side="short")
    kind, step, price, pnl = replayed(PATHS[name], side="short", leverage=20,
                                      margin_mode="isolated", stop_distance=stop)
    assert (out.exit, out.exit_step) == (kind, step)
    assert out.pnl == pytest.approx(pnl, abs=1e-6)


def test_a_gap_through_the_stop_and_the_liquidation_price_is_a_liquidation():
    # 100x cross: the gap takes the mark past the liquidation price and the stop at once;
    # the liquidation runs first and cancels the stop (Binance cancels orders first)
    path = PATHS["gap_through_stop"]
    out = stop_outcome(path, leverage=100, stop_distance=0.05, margin_mode="cross")
    mark = path["BTCUSDT"].iloc[out.exit_step]
    assert out.exit == "liquidated" and mark < out.liquidation_price and mark < 0.995 * out.trigger
    assert out.size * (out.entry_price - mark) > 10_000     # the loss exceeds it all
    assert out.pnl == -10_000                                 # zero, never below
    run = replay_of(path, leverage=100, margin_mode="cross", stop_distance=0.05)
    at = run.events[run.events["step"] == out.exit_step + 1]
    assert list(at["type"]) == ["stops_cancelled", "liquidation"]



def test_lesson_06_gap_case_the_stop_fills_at_5x_and_the_liquidation_cancels_it_at_10x():
    # The lesson's (and the instructor guide's) numbers: at 5x the stop fills at the gapped
    # mark, above the liquidation price; at 10x the same minute crosses the liquidation
    # price, and the isolated 1,000 USDT margin is lost with the 5 USDT opening fee (-1,005).
    path = PATHS["gap_through_stop"]
    at_5x = stop_outcome(path, leverage=5, stop_distance=0.05)
    at_10x = stop_outcome(path, leverage=10, stop_distance=0.05)
    assert at_5x.exit == "stop" and at_5x.exit_price > at_5x.liquidation_price
    assert at_10x.exit == "liquidated" and at_10x.exit_step == at_5x.exit_step
    assert at_10x.exit_price < at_10x.liquidation_price < at_10x.trigger
    assert round(at_10x.pnl, 2) == -1_005.00 == -(1_000 + 10_000 * 0.0005)
    run = replay_of(path, leverage=10, stop_distance=0.05, margin_mode="isolated")
    assert "stop_loss" not in set(run.events["type"])
    assert run.summary()["final_equity"] - 10_000 == pytest.approx(at_10x.pnl)

def test_a_stop_passed_without_a_gap_fills_first_even_past_bankruptcy():
    # isolated 25x long: bankruptcy near 57,600; the price steps to 56,950, within 0.5 % of
    # the 57,000 trigger: the stop fills at its trigger before the liquidation, losing more
    # than the margin, and the position's margin ends at zero, not below
    path = pd.DataFrame({"BTCUSDT": [60_000.0, 59_000.0, 56_950.0, 56_000.0]})
    out = stop_outcome(path, leverage=25, stop_distance=0.05)
    assert (out.exit, out.exit_step, out.exit_price, out.slippage) == ("stop", 2, 57_000, 0)
    assert out.pnl == pytest.approx(-1_000 - 25_000 * 0.0005)      # the margin and the fee
    kind, step, price, pnl = replayed(path, leverage=25, margin_mode="isolated",
                                      stop_distance=0.05)
    assert (kind, step, price) == ("stop", 2, 57_000) and out.pnl == pytest.approx(pnl)


def big_path(drop, then, end=-0.12, rows=200):
    """A 5-minute BTC path from 05:00 (funding at 08:00 and 16:00): down ``drop`` over 80
    rows, flat for 60, then on to ``then`` (a fraction of the entry) and ``end``."""
    idx = pd.date_range("2024-01-01 05:00", periods=rows, freq="5min", tz="UTC")
    moves = np.concatenate([np.linspace(0, drop, 81), np.full(60, drop),
                            np.linspace(drop, then, 20), np.full(rows - 161, then)])
    moves[-1] = end if end is not None else then
    return pd.DataFrame({"BTCUSDT": 60_000 * (1 + moves)}, index=idx)


# A 20M BTC long (1M margin at 20x, tier 5: MMR 2 % > the 1.25 % clearance fee), 2M deposit
BIG = dict(leverage=20, margin=1_000_000, deposit=2_000_000)


@pytest.mark.parametrize("mode, drop, then, end, stop", [
    ("isolated", -0.0385, -0.06, None, None),      # cut, then liquidated after 16:00
    ("isolated", -0.0385, -0.041, -0.041, 0.04),   # cut cancels the stop the price then passes
    ("isolated", -0.0385, -0.039, -0.039, 0.2),    # cut, open at the end
    ("isolated", -0.03, -0.03, -0.03, None),       # never at 100 %
    ("cross", -0.089, -0.089, -0.089, None),       # cross: cut, open at the end
    ("cross", -0.089, -0.12, None, 0.093),         # cut cancels the stop, later liquidated
    ("cross", -0.07, -0.07, -0.2, 0.08)])          # last row gaps through stop and LP
def test_a_big_position_cut_by_the_liquidation_matches_the_replay(mode, drop, then, end, stop):
    path = big_path(drop, then, end)
    out = stop_outcome(path, stop_distance=stop, margin_mode=mode, **BIG)
    kind, step, price, pnl = replayed(path, margin_mode=mode, stop_distance=stop, **BIG)
    assert (out.exit, out.exit_step) == (kind, step)
    if price is not None:
        assert out.exit_price == pytest.approx(price, rel=1e-12)
    assert out.pnl == pytest.approx(pnl, abs=1e-6)
    run = replay_of(path, margin_mode=mode, stop_distance=stop, **BIG)
    assert out.cut_steps == cut_rows(run)
    assert out.pnl == pytest.approx(stepped(path, 20, stop, mode, margin=1_000_000,
                                            deposit=2_000_000), abs=1e-6)


def test_the_cut_keeps_the_position_open_smaller_and_without_its_stop():
    path = big_path(-0.0385, -0.041, -0.041)
    out = stop_outcome(path, stop_distance=0.04, **BIG)
    assert len(out.cut_steps) == 1 and out.exit == "open"
    assert path["BTCUSDT"].min() < out.trigger                 # passed, but cancelled
    run = replay_of(path, margin_mode="isolated", stop_distance=0.04, **BIG)
    cut = run.events[run.events["type"] == "partial_liquidation"].iloc[0]
    mark = path["BTCUSDT"].iloc[out.cut_steps[0]]
    assert cut["size"] * mark == pytest.approx(out.size * mark - 12_000_000)   # to the floor
    assert cut["fee"] == pytest.approx(cut["size"] * mark * 0.0125)


def test_without_timestamps_there_is_no_funding_and_it_still_matches():
    path = PATHS["whipsaw"].reset_index(drop=True)
    out = stop_outcome(path, leverage=5, stop_distance=None)
    kind, _, _, pnl = replayed(path, leverage=5, margin_mode="isolated")
    assert out.exit == kind == "open" and out.exit_time is None
    assert out.pnl == pytest.approx(pnl, abs=1e-9)


def test_a_gap_fills_at_the_mark_and_the_slippage_is_the_distance_to_the_trigger():
    out = stop_outcome(PATHS["gap_through_stop"], leverage=5, stop_distance=0.05)
    assert out.exit == "stop" and out.trigger == pytest.approx(57_000)
    mark = PATHS["gap_through_stop"]["BTCUSDT"].iloc[out.exit_step]
    assert out.exit_price == mark < out.trigger
    assert out.slippage == pytest.approx(57_000 - mark)
    gentle = stop_outcome(PATHS["btc_crash"], leverage=5, stop_distance=0.05)
    assert gentle.exit_price == gentle.trigger and gentle.slippage == 0


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(leverage=0), InvalidInput, "leverage"),
    (dict(leverage=0.5), InvalidInput, "leverage must be >= 1"),
    (dict(leverage=150), LeverageTooHigh, "150x"),
    (dict(leverage=5, stop_distance=1.5), InvalidInput, "stop_distance"),
    (dict(leverage=5, stop_distance="far"), InvalidInput, "stop_distance"),
    (dict(leverage=5, margin_mode="both"), InvalidInput, "margin_mode"),
    (dict(leverage=5, side="up"), InvalidInput, "side"),
    (dict(leverage=5, margin=20_000), InsufficientBalance, "deposit"),
    (dict(leverage=5, symbol="XRPUSDT"), InvalidInput, "XRPUSDT"),
])
def test_stop_outcome_rejects_bad_input(kwargs, error, words):
    with pytest.raises(error, match=words):
        stop_outcome(PATHS["btc_crash"], **kwargs)


def test_stop_outcome_rejects_a_bad_path():
    with pytest.raises(InvalidInput, match="DataFrame"):
        stop_outcome([60_000, 59_000], leverage=5)
    bad = PATHS["btc_crash"].copy()
    bad.iloc[3, 0] = -1.0
    with pytest.raises(InvalidInput, match="index 3"):
        stop_outcome(bad, leverage=5)


# -- liquidation_distances ------------------------------------------------------------------------
def test_isolated_distance_is_the_formula_and_a_bit_less_than_one_over_leverage():
    table = stops.liquidation_distances((5, 10, 20))
    btc = Account().contracts["BTCUSDT"].brackets
    for leverage in (5, 10, 20):
        lp = formulas.liquidation_price("long", 1_000 * leverage / 60_000, 60_000, 1_000,
                                        brackets=btc)
        expected = (60_000 - lp) / 60_000 * 100
        assert table.loc[leverage, "isolated: liquidation distance %"] == pytest.approx(expected)
        assert expected < 100 / leverage
    assert list(table.columns) == ["isolated: liquidation distance %",
                                   "cross: liquidation distance %"]
    assert table.index.name == "leverage"


def test_cross_is_farther_and_nan_when_the_wallet_covers_everything():
    table = stops.liquidation_distances((2, 10, 50))
    assert math.isnan(table.loc[2, "cross: liquidation distance %"])      # no liquidation price
    cross = table["cross: liquidation distance %"].dropna()
    assert (cross > table.loc[cross.index, "isolated: liquidation distance %"]).all()


def test_a_short_is_measured_above_the_entry():
    short = stops.liquidation_distances((10,), side="short")
    long = stops.liquidation_distances((10,))
    assert 0 < short.iloc[0, 0] < 10
    assert short.iloc[0, 0] == pytest.approx(long.iloc[0, 0], abs=0.2)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(leverages=()), InvalidInput, "at least one"),
    (dict(leverages=10), InvalidInput, "list of leverages"),
    (dict(leverages=(0.5,)), InvalidInput, "leverages\\[0\\] must be >= 1"),
    (dict(leverages=(5, "x")), InvalidInput, "leverages\\[1\\]"),
    (dict(leverages=(5,), margin=0), InvalidInput, "margin"),
    (dict(leverages=(5,), deposit=-1), InvalidInput, "deposit"),
    (dict(leverages=(5,), entry_price=math.inf), InvalidInput, "entry_price"),
    (dict(leverages=(5,), side="up"), InvalidInput, "side"),
    (dict(leverages=(200,)), LeverageTooHigh, "200"),
])
def test_liquidation_distances_refuses_bad_input(kwargs, error, words):
    with pytest.raises(error, match=words):
        stops.liquidation_distances(**kwargs)


# -- stop_fill ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def gap():
    return scenarios.gap_through_stop()[["BTCUSDT"]]


def test_a_gapped_stop_costs_the_gap(gap):
    order = Order("BTCUSDT", "long", margin=1_000, leverage=5, margin_mode="isolated",
                  stop_distance=0.05)
    run = replay(gap, [order])
    fill = stops.stop_fill(run, order)
    event = run.events[run.events["type"] == "stop_loss"].iloc[0]
    entry = gap["BTCUSDT"].iloc[0]
    assert fill.entry_price == entry and fill.trigger == pytest.approx(entry * 0.95)
    assert fill.price == event["price"] and fill.size == event["size"]
    assert fill.time == event["time"] and fill.fee == event["fee"]
    assert fill.planned_pnl == pytest.approx(fill.size * (fill.trigger - entry))
    assert fill.slippage == pytest.approx(fill.trigger - fill.price) and fill.slippage > 0
    assert fill.gap_cost == pytest.approx(fill.size * fill.slippage)
    # what the account booked is the plan minus the gap
    assert fill.realized_pnl == pytest.approx(fill.planned_pnl - fill.gap_cost, abs=1e-9)


def test_a_stop_at_its_trigger_has_no_gap_cost():
    path = pd.DataFrame({"BTCUSDT": [60_000, 58_000, 56_990, 56_000]},
                        index=pd.date_range("2024-01-01", periods=4, freq="min", tz="UTC"))
    order = Order("BTCUSDT", "long", margin=1_000, leverage=10, stop_loss=57_000)
    fill = stops.stop_fill(replay(path, [order]), order)
    assert fill.price == fill.trigger == 57_000
    assert fill.slippage == 0 and fill.gap_cost == 0
    assert fill.realized_pnl == pytest.approx(fill.planned_pnl)


def test_a_short_stop_above_the_entry(gap):
    path = gap.copy()
    path["BTCUSDT"] = path["BTCUSDT"].iloc[0] ** 2 / path["BTCUSDT"]      # the mirror image
    order = Order("BTCUSDT", "short", margin=1_000, leverage=5, stop_distance=0.05)
    fill = stops.stop_fill(replay(path, [order]), order)
    assert fill.side == "short" and fill.trigger == pytest.approx(path["BTCUSDT"].iloc[0] * 1.05)
    assert fill.price > fill.trigger and fill.slippage > 0
    assert fill.realized_pnl == pytest.approx(fill.planned_pnl - fill.gap_cost)


def test_no_fill_is_none_and_a_late_order_uses_its_own_entry(gap):
    order = Order("BTCUSDT", "long", margin=1_000, leverage=2, stop_distance=0.5, at=10)
    run = replay(gap, [order])
    assert stops.stop_fill(run, order) is None
    late = Order("BTCUSDT", "long", margin=1_000, leverage=5, stop_distance=0.01, at=10)
    fill = stops.stop_fill(replay(gap, [late]), late)
    assert fill.entry_price == gap["BTCUSDT"].iloc[10]


def test_stop_fill_refuses_bad_input(gap):
    order = Order("BTCUSDT", "long", margin=1_000, leverage=5, stop_distance=0.05)
    run = replay(gap, [order])
    with pytest.raises(InvalidInput, match="run must be a Replay"):
        stops.stop_fill("run", order)
    with pytest.raises(InvalidInput, match="order must be an Order"):
        stops.stop_fill(run, {"symbol": "BTCUSDT"})
    with pytest.raises(InvalidInput, match="must carry a stop"):
        stops.stop_fill(run, Order("BTCUSDT", "long", margin=1_000))
    with pytest.raises(InvalidInput, match="'ETHUSDT' is not in the replay"):
        stops.stop_fill(run, Order("ETHUSDT", "long", margin=1_000, stop_distance=0.1))
    with pytest.raises(InvalidInput, match="order.at"):
        stops.stop_fill(run, Order("BTCUSDT", "long", margin=1, stop_distance=0.1, at=10**6))


# -- describe_exits ------------------------------------------------------------------------------------
def test_describe_exits_tells_stops_and_liquidations_in_order():
    crash = scenarios.btc_crash()
    without = replay(crash, big_btc_long_small_eth_short())
    told = stops.describe_exits(without)
    liq = without.liquidations()
    assert told.count("liquidation at") == 2 == len(liq)
    first = liq.iloc[0]
    assert told.startswith(f"{first['symbol']} liquidation at {first['time']:%H:%M} "
                           f"({first['amount']:+,.2f} USDT)")
    with_stop = replay(crash, big_btc_long_small_eth_short(0.05))
    assert stops.describe_exits(with_stop).startswith("BTCUSDT stop_loss at ")
    assert "funding" not in told


def test_describe_exits_without_exits_or_timestamps():
    path = pd.DataFrame({"BTCUSDT": [60_000.0, 61_000.0, 30_000.0]})
    quiet = replay(path.iloc[:2], [Order("BTCUSDT", "long", margin=1_000, leverage=2)])
    assert stops.describe_exits(quiet) == "no stop and no liquidation"
    crashed = replay(path, [Order("BTCUSDT", "long", margin=1_000, leverage=10,
                                  margin_mode="isolated")])
    assert stops.describe_exits(crashed).startswith("BTCUSDT liquidation at step ")
    with pytest.raises(InvalidInput, match="run must be a Replay"):
        stops.describe_exits(None)
