"""Lesson 08 exercises: solutions pass, known mistakes are named (what every exercise must do is in test_exercises_all.py)."""

import pytest

from crossmargin import Order, compare_modes, scenarios
from crossmargin.lessons import examples
from crossmargin.check import all_exercises, check, evaluate, exercise
from crossmargin.course.exercises import lesson08
from crossmargin.course.exercises.lesson08 import DEPOSIT, example_legs
from crossmargin.simulation.shocks import liquidation_move, shock_outcomes

IDS = [i for i in all_exercises() if i.startswith("08.")]   # its quizzes too


def test_ids():
    assert IDS == ["08.1", "08.2", "08.3", "08.q1"]


def crash_liquidations(leverage):
    plan = [Order("BTCUSDT", "long", margin=4_900, leverage=leverage),
            Order("ETHUSDT", "short", margin=4_900, leverage=leverage)]
    table, runs = compare_modes(scenarios.btc_crash()[["BTCUSDT", "ETHUSDT"]], plan,
                                liquidation_prices=False)
    return runs["isolated"].liquidations()["symbol"].tolist()


def test_07_3_agrees_with_a_replay_of_the_crash():
    lowest = exercise("08.3").expected()
    assert crash_liquidations(lowest) == ["BTCUSDT"]
    assert crash_liquidations(lowest - 1) == []


def test_07_1_and_07_2_mean_what_the_prompts_say():
    move = exercise("08.1").expected()
    out = shock_outcomes(example_legs(10), DEPOSIT, {"BTCUSDT": move - 1e-9})
    assert out.isolated_liquidated["BTCUSDT"]
    out = shock_outcomes(example_legs(10), DEPOSIT, {"BTCUSDT": move + 1e-6})
    assert not out.isolated_liquidated["BTCUSDT"]
    twist = shock_outcomes(example_legs(5), DEPOSIT, {"BTCUSDT": -0.15, "ETHUSDT": 0.15})
    assert not twist.cross_liquidated and 0 < exercise("08.2").expected() < 5_000


def notebook_solution_08_3():
    """The notebook's solution: the lesson's compare_leverages at 3x, 4x and 5x."""
    crash = scenarios.btc_crash()[["BTCUSDT", "ETHUSDT"]]
    table, _ = examples.compare_leverages(crash, (3, 4, 5))
    hit = ["BTCUSDT" in symbols for symbols in table["isolated liquidated"]]
    return (3, 4, 5)[hit.index(True)]


@pytest.mark.parametrize("exercise_id, solution", [
    ("08.1", lambda: liquidation_move(example_legs(10), 10_000, "BTCUSDT", "isolated")),
    ("08.1", lambda: round(liquidation_move(example_legs(10), 10_000, "BTCUSDT", "isolated"), 4)),
    ("08.2", lambda: shock_outcomes(example_legs(5), 10_000,
                                    {"BTCUSDT": -0.15, "ETHUSDT": 0.15}).cross_equity),
    ("08.3", lesson08.lowest_liquidating_leverage),
    ("08.3", notebook_solution_08_3),
])
def test_the_solution_passes_in_strict_mode(exercise_id, solution, capsys):
    check(exercise_id, solution(), strict=True)
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("exercise_id, answer, words", [
    ("08.1", -0.1, "bankruptcy"),
    ("08.1", 100 * liquidation_move(example_legs(10), DEPOSIT, "BTCUSDT", "isolated"),
     "100 times"),
    ("08.1", -9.6, "100 times"),
    ("08.1", -liquidation_move(example_legs(10), DEPOSIT, "BTCUSDT", "isolated"), "FALLS"),
    ("08.1", liquidation_move(example_legs(10), DEPOSIT, "BTCUSDT", "cross"), "CROSS"),
    ("08.2", 10_000 - 0.15 * 2 * 4_900 * 5, "opening fees"),
    ("08.2", 0, "Not at 5x"),
    ("08.3", lesson08.lowest_liquidating_leverage("final"), "last price"),
    ("08.3", lesson08.lowest_liquidating_leverage() - 1, "survives"),
    ("08.2", 7_374.5, "what was lost"),
    ("08.2", -2_625.5, "positive number"),
])
def test_common_mistakes_get_their_message(exercise_id, answer, words):
    result = evaluate(exercise_id, answer)
    assert not result.ok and words in result.message


@pytest.mark.parametrize("exercise_id, answer", [
    ("08.1", -0.096), ("08.1", -0.0964), ("08.2", 2_626), ("08.2", 2_625), ("08.3", 5),
])
def test_the_answer_at_the_stated_precision_is_accepted(exercise_id, answer):
    assert evaluate(exercise_id, answer).ok


def test_the_07_3_hint_brackets_the_answer_with_the_lessons_table():
    hint = exercise("08.3").hint
    assert "compare_leverages" in hint and "3, 4 or 5" in hint
    assert 3 <= exercise("08.3").expected() <= 5
