"""The capstone grader: the stress day, the constraints, the verdict and its explanation."""
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossmargin import montecarlo, scenarios
from crossmargin.lessons import capstone
from crossmargin.lessons.capstone import (DEPOSIT, MAX_LIQUIDATION_ODDS, MAX_STRESS_LOSS, SYMBOLS,
                                          duration, grade, path_outcomes, random_weeks,
                                          stress_phases, stress_scenario, validate)
from crossmargin.errors import InvalidInput
from crossmargin.simulation.replay import Order, replay

RECKLESS = [Order("BTCUSDT", "long", margin=3_000, leverage=10, margin_mode="cross"),
            Order("ETHUSDT", "short", margin=3_000, leverage=10, margin_mode="cross")]
BTC_ISOLATED = [Order("BTCUSDT", "long", margin=3_000, leverage=10, margin_mode="isolated"),
                Order("ETHUSDT", "short", margin=3_000, leverage=10, margin_mode="cross")]
CONSERVATIVE = [Order("BTCUSDT", "long", margin=2_000, leverage=3, margin_mode="isolated",
                      stop_distance=0.08),
                Order("ETHUSDT", "short", margin=1_500, leverage=3, margin_mode="isolated",
                      stop_distance=0.08)]
HINDSIGHT = [Order("SOLUSDT", "short", margin=3_000, leverage=10, margin_mode="isolated"),
             Order("ETHUSDT", "long", margin=1_000, leverage=3, margin_mode="isolated")]


@pytest.fixture(scope="module")
def path():
    return stress_scenario()


@pytest.fixture(scope="module")
def reports():
    return {name: grade(p) for name, p in [("reckless", RECKLESS), ("btc", BTC_ISOLATED),
                                           ("conservative", CONSERVATIVE),
                                           ("hindsight", HINDSIGHT)]}


# -- the stress day ---------------------------------------------------------------------------

def test_stress_day_is_a_stylized_seeded_day_of_minutes(path):
    assert path.attrs["stylized"] is True and "Stylized" in path.attrs["description"]
    assert list(path.columns) == list(SYMBOLS) and len(path) == 1_441
    assert (path.index[-1] - path.index[0]) == pd.Timedelta(days=1)
    assert path.index.is_monotonic_increasing and path.index.is_unique
    pd.testing.assert_frame_equal(path, stress_scenario())
    assert not stress_scenario(seed=12).equals(path)


def test_stress_day_crashes_then_decouples_then_gaps(path):
    phases = stress_phases(path)
    assert list(phases.index) == ["crash", "ETH decouples", "gap", "whole day"]
    low = path.iloc[: 8 * 60 + 1].min() / path.iloc[0] - 1
    assert low["BTCUSDT"] < -0.10 and low["ETHUSDT"] < low["BTCUSDT"]
    assert phases.loc["ETH decouples", "ETH move"] > 0.3 > 0 > phases.loc["ETH decouples",
                                                                          "BTC move"]
    steps = path["BTCUSDT"].pct_change()
    assert steps.idxmin() == path.index[0] + pd.Timedelta(hours=20) and steps.min() < -0.05
    assert math.isclose(phases.loc["whole day", "BTC move"],
                        path["BTCUSDT"].iloc[-1] / path["BTCUSDT"].iloc[0] - 1)


@pytest.mark.parametrize("kwargs, field", [({"crash": 0}, "crash"), ({"gap": -0.1}, "gap"),
                                            ({"eth_rise": "lots"}, "eth_rise")])
def test_stress_day_refuses_bad_parameters(kwargs, field):
    with pytest.raises(InvalidInput, match=field):
        stress_scenario(**kwargs)


def test_constraints_table_names_every_rule():
    table = capstone.constraints()
    assert {"positions", "long and short", "leverage", "margin mode", "total initial margin",
            "stop"} <= set(table.index)
    assert "6,000 USDT" in table.loc["total initial margin", "rule"]


# -- the constraints ---------------------------------------------------------------------------

def test_a_portfolio_that_follows_the_rules_has_no_violation():
    assert validate(CONSERVATIVE) == [] and validate(RECKLESS) == []
    assert validate(tuple(HINDSIGHT)) == []


def order(**changes):
    base = dict(symbol="BTCUSDT", side="long", margin=1_000, leverage=5, margin_mode="cross")
    base.update(changes)
    return Order(**base)


SHORT = Order("ETHUSDT", "short", margin=1_000, leverage=5, margin_mode="isolated")


@pytest.mark.parametrize("portfolio, constraint, words", [
    ([order(), SHORT, order(symbol="SOLUSDT"), order(symbol="SOLUSDT", side="short")],
     "positions", "at most 3 positions (got 4)"),
    ([order(), order(side="short")], "positions", "BTCUSDT appears 2 times"),
    ([order(), order(symbol="SOLUSDT")], "long and short", "got 2 long, 0 short"),
    ([order(symbol="DOGEUSDT"), SHORT], "symbol", "'DOGEUSDT'"),
    ([order(side="buy"), SHORT], "side", "'buy'"),
    ([order(margin=None), SHORT], "size", "got none"),
    ([order(size=0.1), SHORT], "size", "got size, margin"),
    ([order(margin=-5), SHORT], "size", "margin must be a number > 0 (got -5)"),
    ([order(margin="1000"), SHORT], "size", "(got '1000')"),
    ([order(leverage=None), SHORT], "leverage", "missing"),
    ([order(leverage=20), SHORT], "leverage", "from 1x to 10x (got 20)"),
    ([order(leverage=0.5), SHORT], "leverage", "(got 0.5)"),
    ([order(margin_mode=None), SHORT], "margin mode", "(got None)"),
    ([order(margin_mode="crossed"), SHORT], "margin mode", "'crossed'"),
    ([order(stop_loss=55_000, stop_distance=0.05), SHORT], "stop", "not both"),
    ([order(stop_distance=1.5), SHORT], "stop", "between 0 and 1, e.g. 0.05 for 5 % (got 1.5)"),
    ([order(stop_loss=61_000), SHORT], "stop", "below the entry price 60,000.00 (got 61,000.00)"),
    ([order(), Order("ETHUSDT", "short", margin=1_000, leverage=5, margin_mode="cross",
                     stop_loss=2_900)], "stop", "above the entry price 3,000.00"),
    ([order(at=60), SHORT], "opening time", "at must be 0"),
    ([order(at=0.0), SHORT], "opening time", "(got 0.0)"),
    ([order(margin=4_000), Order("ETHUSDT", "short", margin=3_000, leverage=5,
                                 margin_mode="cross")], "total initial margin",
     "at most 6,000 USDT (60 % of the deposit) (got 7,000.00 USDT)"),
    ([order(margin=500, leverage=2), Order("ETHUSDT", "short", margin=500, leverage=2,
                                           margin_mode="cross")], "total notional",
     "at least 10,000 USDT (1x the deposit) (got 2,000.00 USDT)"),
])
def test_each_violation_names_its_constraint_value_and_limit(portfolio, constraint, words):
    found = [v for v in validate(portfolio) if v.constraint == constraint]
    assert found, [str(v) for v in validate(portfolio)]
    assert any(words in v.message for v in found), [v.message for v in found]
    assert all(v.limit for v in found)


@pytest.mark.parametrize("portfolio", [None, "BTC long", 42, {"BTCUSDT": "long"}, [],
                                       [None, 3.5], [Order(np.array([1, 2]), "long")],
                                       [Order("BTCUSDT", ["long"], margin=np.array([1, 2]))]])
def test_odd_portfolios_give_violations_never_a_traceback(portfolio):
    report = grade(portfolio)
    assert not report.valid and not report.passed and report.replay is None
    assert report.violations and "Not graded" in report.verdict
    assert "Fix the constraints" in report.text


def test_a_single_order_is_read_as_a_portfolio_of_one():
    (violation,) = validate(order())
    assert violation.constraint == "long and short"


def test_a_violation_stops_the_grader_before_any_run():
    report = grade([order(leverage=20), SHORT])
    assert report.odds is None and report.replay is None
    assert math.isnan(report.final_equity)
    assert "leverage: position 1: leverage must be from 1x to 10x (got 20)" in report.text
    assert "Not graded" in report._repr_html_()


@pytest.mark.parametrize("kwargs, words", [({"n_paths": 0}, "n_paths"),
                                            ({"n_paths": 1.5}, "n_paths"),
                                            ({"seed": -1}, "seed"),
                                            ({"path": "stress"}, "path")])
def test_the_graders_own_arguments_are_checked(kwargs, words):
    with pytest.raises(InvalidInput, match=words):
        grade(CONSERVATIVE, **kwargs)


# -- the verdicts and why ----------------------------------------------------------------------

def test_the_reckless_cross_pair_is_liquidated_when_eth_decouples(reports, path):
    r = reports["reckless"]
    assert r.valid and not r.survived and not r.passed
    liq = r.liquidations
    assert set(liq["symbol"]) == {"BTCUSDT", "ETHUSDT"} and liq["row"].nunique() == 1
    assert 8 < liq["hour"].iloc[0] < 16                       # during the ETH rally
    assert (liq["realized_pnl"] < 0).all()                    # both legs losing
    assert r.final_equity == 0 and r.worst_margin_ratio == 1.0
    text = r.text
    assert "Not passed: the stress day liquidated" in text
    assert "Your ETH short at 10x pulled the cross account into liquidation" in text
    assert "cross took your BTC long with it" in text
    assert "losing at once" in text
    hour = liq["hour"].iloc[0]
    assert f"{duration(hour)} in" in text
    eth = liq.set_index("symbol").loc["ETHUSDT"]
    assert f"ETH had risen {eth['move'] * 100:.1f} %" in text


def test_an_isolated_10x_long_is_liquidated_in_the_crash_and_the_rest_survives(reports, path):
    r = reports["btc"]
    (event,) = r.liquidations.itertuples()
    assert event.symbol == "BTCUSDT" and event.margin_mode == "isolated"
    assert 2 < event.hour < 3                                  # the crash hour
    entry = path["BTCUSDT"].iloc[0]
    assert math.isclose(event.move, path["BTCUSDT"].iloc[event.row] / entry - 1)
    ratio = r.ratios["isolated BTC long"]
    assert ratio.iloc[event.row] >= 1 > ratio.iloc[event.row - 1]
    assert ratio.iloc[event.row + 1:].isna().all()
    assert (f"Your BTC long at 10x (isolated) was liquidated {duration(event.hour)} in, when "
            f"BTC had fallen {-event.move * 100:.1f} % from your entry") in r.text
    assert "The cross account was not liquidated" in r.text
    assert r.replay.account.open_symbols == ["ETHUSDT"]


def test_a_conservative_portfolio_survives_and_passes(reports):
    r = reports["conservative"]
    assert r.valid and r.survived and r.passed and r.liquidations.empty
    assert len(r.stops) == 2 and r.odds.p_liquidation <= MAX_LIQUIDATION_ODDS
    assert r.verdict.startswith("Passed")
    assert "survived the stress day: nothing was liquidated" in r.text
    assert "Your BTC stop closed the long" in r.text and "Your ETH stop closed the short" in r.text
    assert f"{r.final_equity:,.2f} USDT" in r.text
    assert r.worst_margin_ratio == pytest.approx(r.ratios.max().max())
    assert r.final_equity == pytest.approx(r.replay.timeline[("account", "equity")].iloc[-1])


def _pair(leverage, **stops):
    return [Order("BTCUSDT", "long", margin=3_000, leverage=leverage, margin_mode="cross",
                  **stops),
            Order("ETHUSDT", "short", margin=3_000, leverage=leverage, margin_mode="cross",
                  **stops)]


@pytest.mark.parametrize("leverage, final, loss", [(5, 5_374.69, 0.5413), (8, 2_599.50, 0.8660)])
def test_an_unstopped_pair_that_survives_but_loses_the_money_fails(leverage, final, loss):
    r = grade(_pair(leverage))
    assert r.survived and r.odds.p_liquidation <= MAX_LIQUIDATION_ODDS   # the old pass
    assert r.final_equity == pytest.approx(final, abs=0.01)
    assert r.stress_loss == pytest.approx(loss, abs=1e-4) and not r.within_loss_limit
    assert r.stress_loss == pytest.approx(1 - r.lowest_equity / DEPOSIT)
    assert not r.passed
    assert r.verdict == (f"Not passed: it survived the stress day, but the account lost "
                         f"{loss * 100:.1f} % of the deposit at its worst (the rules allow at "
                         f"most 20 %).")
    assert (f"You lost {loss * 100:.1f} % on the stress day at its worst (equity "
            f"{r.lowest_equity:,.2f} USDT, {duration(r.stress_loss_hour)} in); the rules allow "
            "at most 20 % (2,000 USDT): too much.") in r.explanation
    assert "To defend the money, not just the positions" in r.text


def test_the_same_pair_with_stops_defends_the_money():
    r = grade(_pair(5, stop_distance=0.05))
    assert r.passed and r.stress_loss < MAX_STRESS_LOSS and len(r.stops) == 2
    assert r.verdict.startswith(f"Passed: no liquidation, a stress-day loss of "
                                f"{r.stress_loss * 100:.1f} % at its worst (the rules allow at "
                                "most 20 %)")
    assert ": within the limit." in r.text


def test_the_loss_limit_is_a_stated_rule():
    assert MAX_STRESS_LOSS == 0.20
    table = capstone.rules()
    assert list(table.columns) == ["checked", "what it asks"]
    row = table.loc["stress-day loss"]
    assert row["checked"] == "to pass"
    assert "at most 20 % of the deposit (2,000 USDT)" in row["what it asks"]
    assert "8,000 USDT" in row["what it asks"]
    assert set(capstone.constraints().index) - {"portfolio"} <= set(table.index)


def test_the_exercise_placeholder_is_not_graded_yet():
    r = grade(...)
    assert not r.answered and not r.valid and not r.passed and r.replay is None
    assert r.verdict.startswith("Not graded yet: build your portfolio in exercise 14.1")
    assert "replace ... with your list of Order(...)" in str(r.violations[0])
    assert r.explanation == []


def test_surviving_the_known_day_is_not_enough_when_random_weeks_liquidate(reports):
    r = reports["hindsight"]
    assert r.survived and not r.passed and r.odds.p_liquidation > MAX_LIQUIDATION_ODDS
    assert r.final_equity > capstone.DEPOSIT
    assert "random weeks liquidate it (the limit is 10 %)" in r.verdict
    assert f"{r.odds.p_liquidation * 100:.1f} % of paths" in r.text


def test_a_stop_beyond_the_liquidation_price_is_flagged():
    report = grade([Order("BTCUSDT", "long", margin=3_000, leverage=10, margin_mode="isolated",
                          stop_distance=0.2), SHORT])
    lp = report.positions.loc["BTCUSDT", "liquidation_price"]
    assert lp > 48_000
    (warning,) = report.warnings
    assert "48,000.00" in warning and f"{lp:,.2f}" in warning
    assert not report.survived                         # the liquidation came first
    assert report.stops.empty


def test_stops_report_their_fill_and_the_gap_beyond_the_trigger(reports):
    stops = reports["conservative"].stops.set_index("symbol")
    btc, eth = stops.loc["BTCUSDT"], stops.loc["ETHUSDT"]
    assert btc["price"] == pytest.approx(btc["trigger"])
    assert eth["price"] > eth["trigger"]              # ETH's fast rally jumped the stop
    slip = eth["price"] / eth["trigger"] - 1
    assert f"{slip * 100:.1f} % beyond its trigger" in reports["conservative"].text


def test_summary_and_html(reports):
    s = reports["reckless"].summary()
    assert (s["survived"], s["passed"], s["liquidations"]) == (False, False, 2)
    assert "<ul>" in reports["conservative"]._repr_html_()
    assert str(reports["conservative"]).startswith("Passed")


@pytest.mark.parametrize("hours, text", [(2 + 10 / 60, "2 h 10 min"), (0.5, "30 min"),
                                         (3, "3 h"), (13.65, "13 h 39 min")])
def test_duration_in_words(hours, text):
    assert duration(hours) == text


# -- the random weeks --------------------------------------------------------------------------

def test_random_weeks_are_seeded_and_start_at_the_stress_days_prices(path):
    weeks = random_weeks(50, seed=3)
    assert weeks.shape == (50, 7 * 288 + 1, 3)
    assert np.allclose(weeks[:, 0, :], path.iloc[0].to_numpy())
    assert random_weeks(50, seed=3) is weeks and not weeks.flags.writeable
    assert not np.array_equal(random_weeks(50, seed=4), weeks)


def test_random_weeks_have_fat_tails_with_the_same_volatility():
    """Student-t steps (df = RANDOM_WEEK["df"]): the weeks are market_paths with that df, and
    their 5-minute returns keep the daily volatility while large steps come far more often
    than normal steps would give them."""
    w = capstone.RANDOM_WEEK
    assert w["df"] == 4
    weeks = random_weeks(200, seed=7)
    same = scenarios.market_paths(SYMBOLS, 200, w["days"] * w["steps_per_day"],
                                  correlation=w["correlation"],
                                  jump_probability=w["jump_probability"], jump_size=0.0,
                                  jump_volatility=w["jump_volatility"],
                                  steps_per_day=w["steps_per_day"], seed=7, df=w["df"])
    assert np.array_equal(weeks, same)
    normal = scenarios.market_paths(SYMBOLS, 200, w["days"] * w["steps_per_day"],
                                    correlation=w["correlation"],
                                    jump_probability=w["jump_probability"], jump_size=0.0,
                                    jump_volatility=w["jump_volatility"],
                                    steps_per_day=w["steps_per_day"], seed=7)
    sigma = scenarios.DAILY_VOLATILITY["BTCUSDT"] / np.sqrt(w["steps_per_day"])
    fat, plain = (np.diff(np.log(p[:, :, 0]), axis=1).ravel() for p in (weeks, normal))
    assert fat.std() == pytest.approx(plain.std(), rel=0.05)           # the same volatility
    assert fat.std() == pytest.approx(sigma, rel=0.15)                  # (the jumps add a little)
    # steps beyond 5 sigma: the jumps give some, the fat tails several times more
    assert (np.abs(fat) > 5 * sigma).mean() > 4 * (np.abs(plain) > 5 * sigma).mean() > 0


MIXED = [Order("SOLUSDT", "short", margin=2_000, leverage=10, margin_mode="cross",
               stop_distance=0.12),
         Order("ETHUSDT", "long", margin=3_000, leverage=10, margin_mode="cross"),
         Order("BTCUSDT", "long", margin=1_000, leverage=8, margin_mode="isolated",
               stop_loss=57_000)]


@pytest.mark.parametrize("portfolio", [MIXED, BTC_ISOLATED, CONSERVATIVE])
def test_path_outcomes_agree_with_replay_path_by_path(portfolio):
    weeks = random_weeks(200, seed=5)
    out = path_outcomes(portfolio, weeks)
    picks = np.flatnonzero(out["liquidated"])[:3].tolist() + \
        np.flatnonzero(out["stops"] > 0)[:3].tolist() + [0]
    assert len(picks) >= 4
    for i in picks:
        run = replay(pd.DataFrame(weeks[i], columns=list(SYMBOLS)), portfolio,
                     liquidation_prices=False)
        equity = run.timeline[("account", "equity")]
        row = out.iloc[i]
        assert equity.iloc[-1] == pytest.approx(row["final_equity"], abs=1e-6)
        assert equity.min() == pytest.approx(row["lowest_equity"], abs=1e-6)
        assert len(run.liquidations()) == row["liquidations"]
        assert (run.events["type"] == "stop_loss").sum() == row["stops"]
        if row["liquidated"]:
            assert run.liquidations()["step"].iloc[0] - 1 == row["first_liquidation_step"]


@pytest.mark.parametrize("mode", ["cross", "isolated"])
def test_path_outcomes_agree_with_montecarlo_without_stops(mode):
    weeks = random_weeks(300, seed=5)
    plan = [Order("SOLUSDT", "short", margin=3_000, leverage=10, margin_mode=mode),
            Order("BTCUSDT", "long", margin=3_000, leverage=10, margin_mode=mode)]
    ours = path_outcomes(plan, weeks)
    theirs = montecarlo.run(plan, weeks, list(SYMBOLS), modes=(mode,)).outcomes
    assert ours["liquidated"].any()
    assert np.allclose(ours["final_equity"], theirs["final_equity"])
    assert np.allclose(ours["lowest_equity"], theirs["lowest_equity"])
    assert (ours["liquidated"].to_numpy() == theirs["liquidated"].to_numpy()).all()
    assert (ours["wiped_out"].to_numpy() == theirs["wiped_out"].to_numpy()).all()


@pytest.mark.parametrize("paths, words", [(np.ones((5, 10)), "paths must be an array"),
                                          (np.ones((2, 10, 3)) * -1, "finite prices > 0"),
                                          (np.arange(1, 61, dtype=float).reshape(2, 10, 3),
                                           "same prices")])
def test_path_outcomes_refuses_bad_paths(paths, words):
    with pytest.raises(InvalidInput, match=words):
        path_outcomes(CONSERVATIVE, paths)


def test_path_outcomes_refuses_a_portfolio_that_breaks_the_rules():
    with pytest.raises(InvalidInput, match="leverage must be from 1x to 10x"):
        path_outcomes([order(leverage=25), SHORT], random_weeks(5, seed=1))


def test_progress_is_reported_per_chunk_and_checked():
    seen = []
    path_outcomes(CONSERVATIVE, random_weeks(50, seed=1), chunk=20, progress=seen.append)
    assert seen == [0.4, 0.8, 1.0]
    with pytest.raises(InvalidInput, match="progress must be True, False, None or a callable"):
        grade(CONSERVATIVE, progress="yes")


ODD = st.one_of(st.none(), st.booleans(), st.text(max_size=8), st.integers(-5, 50_000),
                st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(
                    ["BTCUSDT", "ETHUSDT", "long", "short", "cross", "isolated", 0, 3, 0.05]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.builds(Order, symbol=ODD, side=ODD, size=ODD, margin=ODD, notional=ODD,
                          leverage=ODD, margin_mode=ODD, stop_loss=ODD, stop_distance=ODD,
                          at=ODD), max_size=4))
def test_the_grader_never_raises_on_any_portfolio(portfolio):
    report = grade(portfolio, n_paths=2)
    assert report.valid == (report.replay is not None)
    assert isinstance(report.text, str) and report.verdict


@settings(max_examples=40, deadline=None)
@given(st.lists(st.builds(Order, symbol=st.sampled_from(SYMBOLS),
                          side=st.sampled_from(["long", "short"]),
                          margin=st.floats(100, 3_000), leverage=st.floats(1, 10),
                          margin_mode=st.sampled_from(["cross", "isolated"]),
                          stop_distance=st.none() | st.floats(0.005, 0.5)),
                min_size=2, max_size=3, unique_by=lambda o: o.symbol))
def test_graded_portfolios_explain_every_liquidation(portfolio):
    report = grade(portfolio, n_paths=2)
    if not report.valid:
        return
    assert report.survived == report.liquidations.empty
    assert ("survived the stress day" in report.text) == report.survived
    for hour in report.liquidations["hour"]:
        assert f"{duration(hour)} in" in report.text
    assert 0 <= report.worst_margin_ratio <= 1


def test_the_defended_pair_passes_and_its_risks_add_up_to_its_loss():
    r = grade(list(capstone.DEFENDED_PAIR))
    assert r.passed and len(r.stops) == 2 and not r.warnings
    risks = r.risks()
    assert list(risks.index) == ["BTCUSDT", "ETHUSDT"]
    assert risks["stop_move"].abs().round(6).tolist() == [0.05, 0.05]
    long, short = risks.loc["BTCUSDT"], risks.loc["ETHUSDT"]
    assert long["liquidation_price"] < long["stop_loss_price"] < long["entry_price"]
    assert short["entry_price"] < short["stop_loss_price"] < short["liquidation_price"]
    assert short["liquidation_move"] > 1                 # the cross reserve: over twice the entry
    # both stops filled at their triggers: the day cost what the table says the stops cost
    assert risks["loss_at_stop"].sum() == pytest.approx(DEPOSIT - r.final_equity, abs=1.0)
    assert risks["loss_at_stop"].sum() < MAX_STRESS_LOSS * DEPOSIT


def test_risks_of_an_ungraded_portfolio_are_an_empty_table():
    table = grade(...).risks()
    assert table.empty and "loss_at_stop" in table.columns


def test_the_odds_state_a_95_percent_interval(reports):
    odds = reports["hindsight"].odds
    low, high = odds.interval()
    assert low < odds.p_liquidation < high and high - low < 0.07        # 1,000 paths
    assert f"(95 % interval {low * 100:.1f}-{high * 100:.1f} %)" in odds.sentence()
    none = reports["conservative"].odds
    assert none.interval()[0] == 0 and 0 < none.interval()[1] < 0.005   # 0 of 1,000 is not 0
