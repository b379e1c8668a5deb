"""Lesson 11 exercises: solutions pass, known mistakes are named (what every exercise must do is in test_exercises_all.py)."""
import math

import pandas as pd
import pytest

from crossmargin.lessons import indicators, reserve
from crossmargin.check import all_exercises, check, evaluate
from crossmargin.course.exercises import lesson11
from crossmargin.scenarios import START_PRICES

IDS = [i for i in all_exercises() if i.startswith("11.")]   # its quizzes too
TWO_BETS = reserve.PLANS["two bets: long BTC, long SOL"]


def test_ids():
    assert IDS == ["11.1", "11.2", "11.3", "11.4", "11.q1"]


def solution_11_1():
    account = reserve.open_plan(reserve.PLANS["hedge: long BTC, short ETH"], START_PRICES)
    check_ = reserve.what_if(account, "SOLUSDT", "long", margin=2_000, leverage=10)
    return check_.positions.loc["BTCUSDT", "liquidation_after"]


def solution_11_2():
    table = reserve.reserve_outcomes(TWO_BETS, reserve.market_paths(), reserve.SYMBOLS,
                                     reserves=(0.4, 0.5, 0.6, 0.7))
    cross = table[(table["mode"] == "cross") & (table["p_liquidation"] < 0.05)]
    return cross["reserve"].min()


def solution_11_3():
    return indicators.rsi(pd.Series([100, 102, 101, 104, 103, 106]), 3).iloc[-1]


def solution_11_4():
    account = reserve.open_plan(TWO_BETS, START_PRICES)
    account.mark({"BTCUSDT": 57_000, "SOLUSDT": 135})
    return account.positions()["notional"].sum() / account.summary()["equity"]


@pytest.mark.parametrize("exercise_id, solution", [
    ("11.1", solution_11_1), ("11.2", solution_11_2), ("11.3", solution_11_3),
    ("11.4", solution_11_4),
])
def test_the_solution_passes_in_strict_mode(exercise_id, solution, capsys):
    check(exercise_id, solution(), strict=True)
    assert "✓" in capsys.readouterr().out


def test_answers_mean_what_the_prompts_say():
    odds = lesson11.reserve_odds()
    answer = lesson11.smallest_reserve()
    assert odds.loc[answer, "cross"] < 0.05 <= odds.loc[lesson11._next_riskier(), "cross"]
    assert math.isnan(lesson11.smallest_reserve("isolated"))   # the reserve does not help there
    # 10.3 by hand: Wilder's averages of gains/losses after six prices
    gain, loss = 5 / 3, 1 / 3
    gain, loss = (gain * 2 + 0) / 3, (loss * 2 + 1) / 3
    gain, loss = (gain * 2 + 3) / 3, (loss * 2 + 0) / 3
    assert lesson11.rsi_by_hand() == pytest.approx(100 - 100 / (1 + gain / loss))
    assert lesson11.rsi_by_hand("simple") == pytest.approx(100 - 100 / (1 + 6))
    assert lesson11.effective_leverage("start") < lesson11.effective_leverage() < 10


@pytest.mark.parametrize("exercise_id, answer, words", [
    ("11.1", lesson11.btc_liquidation("before"), "before the order"),
    ("11.1", lesson11._isolated_btc_liquidation(), "isolated"),
    ("11.2", 60, "100 times the right answer"),
    ("11.1", lesson11.btc_liquidation(plan=lesson11.TWO_BETS), "the two bets"),
    ("11.2", 0.5, "Not yet"),
    ("11.3", lesson11.rsi_by_hand("simple"), "Cutler"),
    ("11.3", lesson11.rsi_by_hand("rs"), "That is RS"),
    ("11.3", lesson11.rsi_by_hand() / 100, "0–100 scale"),
    ("11.3", 0.825, "0–100 scale"),
    ("11.4", 10, "leverage setting"),
    ("11.4", lesson11.effective_leverage("start"), "at the start"),
    ("11.4", lesson11.effective_leverage("entry_notional"), "entry price"),
])
def test_common_mistakes_get_their_message(exercise_id, answer, words):
    result = evaluate(exercise_id, answer)
    assert not result.ok and words in result.message


@pytest.mark.parametrize("exercise_id, precision, words", [
    ("11.1", 1, "to the nearest whole number"), ("11.2", 0.1, "to 1 decimal"),
    ("11.3", 0.1, "to 1 decimal"), ("11.4", 0.1, "to 1 decimal"),
])
def test_the_prompt_states_the_precision_and_answers_at_it_are_accepted(exercise_id,
                                                                        precision, words):
    ex = all_exercises()[exercise_id]
    assert ex.precision == precision and words in ex.prompt
    expected = ex.expected()
    assert evaluate(exercise_id, round(expected / precision) * precision).ok
    assert not evaluate(exercise_id, expected + 1.5 * precision).ok


def test_the_answers_the_issue_names_are_accepted_and_no_message_asks_for_another():
    assert evaluate("11.3", 82.5).ok and evaluate("11.4", 7.4).ok
    result = evaluate("11.3", 0.825)
    assert not result.ok and "multiply by 100" in result.message
    assert "give 82.5" not in result.message


def test_10_1s_hint_names_the_hedge_account_not_account():
    ex = lesson11.EXERCISES[0]
    assert "hedge_account" in ex.hint and "two bets" in ex.hint
    # the slip the old hint led to, previewing the order on `account`, is named
    two_bets = reserve.what_if(reserve.open_plan(TWO_BETS, START_PRICES), "SOLUSDT", "long",
                               margin=2_000, leverage=10)
    result = evaluate("11.1", two_bets.positions.loc["BTCUSDT", "liquidation_after"])
    assert not result.ok and "hedge account" in result.message


def test_the_quiz_has_the_right_answer_first_here_and_names_cross_is_always_safer():
    ex = all_exercises()["11.q1"]
    assert ex.expected() == ex.options[0] and len(ex.options) == 3
    assert "always safer" in evaluate("11.q1", ex.options[2]).message
