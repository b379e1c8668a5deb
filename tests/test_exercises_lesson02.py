"""Lesson 02 exercises: solutions pass, known mistakes are named (what every exercise must do is in test_exercises_all.py)."""

import pytest

from crossmargin import Account
from crossmargin.check import all_exercises, check, evaluate, exercise
from crossmargin.course.exercises import lesson02
from crossmargin.course.exercises.lesson02 import DEPOSIT, LEGS
from crossmargin.lessons.comparison import compare_cross_isolated
from crossmargin.simulation.shocks import liquidation_move, shock_outcomes

IDS = [i for i in all_exercises() if i.startswith("02.")]   # its quizzes too


def test_ids():
    assert IDS == ["02.1", "02.2", "02.3", "02.q1"]


def test_expected_answers_mean_what_the_prompts_say():
    # 02.1: the same shock through an Account, marked once.
    acc = lesson02.opened("cross")
    acc.mark({"BTCUSDT": 60_000 * 0.88, "ETHUSDT": 3_000})
    assert exercise("02.1").expected() == pytest.approx(acc.summary().equity)
    # 02.2: at that BTC price (ETH +15 %) the cross margin ratio is 100 %.
    move = exercise("02.2").expected()
    acc = lesson02.opened("cross")
    acc.mark({"BTCUSDT": 60_000 * (1 + move), "ETHUSDT": 3_000 * 1.15})
    assert acc.margin_ratio() == pytest.approx(1.0)
    assert liquidation_move(LEGS, DEPOSIT, "BTCUSDT", "cross") < move < -0.1
    # 02.3: the profit makes the cross account richer in available balance than the isolated one.
    assert exercise("02.3").expected() > lesson02.available_after_eth_falls("isolated")


@pytest.mark.parametrize("exercise_id, solution", [
    ("02.1", lambda: shock_outcomes(LEGS, 10_000, {"BTCUSDT": -0.12}).cross_equity),
    ("02.1", lambda: round(shock_outcomes(LEGS, 10_000, {"BTCUSDT": -0.12}).cross_equity)),
    ("02.2", lambda: liquidation_move(LEGS, 10_000, "BTCUSDT", "cross", {"ETHUSDT": 0.15})),
    ("02.2", lambda: round(liquidation_move(LEGS, 10_000, "BTCUSDT", "cross",
                                            {"ETHUSDT": 0.15}), 4)),
    ("02.2", lambda: -0.34),                     # the precision the question states
    ("02.1", lambda: 7_580.4),
    ("02.3", lambda: lesson02.available_after_eth_falls("cross")),
])
def test_the_solution_passes_in_strict_mode(exercise_id, solution, capsys):
    check(exercise_id, solution(), strict=True)
    assert "✓" in capsys.readouterr().out


def test_the_notebook_solution_of_02_3(capsys):
    account = Account()
    account.deposit(10_000)
    for leg in LEGS:
        account.set_leverage(leg.symbol, leg.leverage)
        account.open(leg.symbol, leg.side, leg.entry_price, margin=leg.margin)
    account.mark({"ETHUSDT": 2_400})
    check("02.3", account.available_balance(), strict=True)
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("exercise_id, answer, words", [
    ("02.1", shock_outcomes(LEGS, DEPOSIT, {"BTCUSDT": -0.12}).isolated_equity, "isolated account"),
    ("02.1", 10_000 - 2_400, "opening fees"),
    ("02.1", 2_420, "what was lost"),
    ("02.2", liquidation_move(LEGS, DEPOSIT, "BTCUSDT", "cross"), "That is with ETH flat"),
    ("02.2", liquidation_move(LEGS, DEPOSIT, "BTCUSDT", "isolated"), "ISOLATED BTC long"),
    ("02.2", -(9_980 - 3_000) / 20_000, "bankruptcy"),
    ("02.2", -0.35, "bankruptcy"),
    ("02.2", 100 * liquidation_move(LEGS, DEPOSIT, "BTCUSDT", "cross", {"ETHUSDT": 0.15}),
     "a percent where the question asks for a fraction"),
    ("02.2", -34, "a percent where the question asks for a fraction"),
    ("02.2", 0.34, "price FALLS"),
    ("02.1", 8_780, "12 % of its notional"),
    ("02.3", 13_980, "margin balance"),
    ("02.3", 5_980, "locked inside the ETH position"),
    ("02.3", 9_980, "mark price"),
])
def test_common_mistakes_get_their_message(exercise_id, answer, words):
    result = evaluate(exercise_id, answer)
    assert not result.ok and words in result.message


def test_the_safety_quiz_names_both_sides():
    ex = exercise("02.q1")
    assert ex.expected().startswith("It depends") and ex.options.index(ex.expected()) != 0
    assert "idle balance" in ex.feedback[ex.options[0]]   # always safer
    isolated_safer = ex.feedback[ex.options[1]]
    assert "grid's shocks" in isolated_safer and "not a probability" in isolated_safer
    # "several times as large a share of the grid's shocks as cross": measured on the lesson's grid
    share = compare_cross_isolated(LEGS, DEPOSIT).liquidated_share
    assert share["isolated"] > 3 * share["cross"]
