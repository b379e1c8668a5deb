"""Lesson 09 exercises: solutions pass, known mistakes are named (what every exercise must do is in test_exercises_all.py)."""

import numpy as np
import pytest

from crossmargin import montecarlo
from crossmargin.check import all_exercises, check, evaluate, exercise
from crossmargin.course.exercises import lesson09
from crossmargin.lessons.hedging import (SYMBOLS, hedge_grid, hedge_paths, hedge_plan,
                                         min_variance_ratio, required_deposit)

IDS = [i for i in all_exercises() if i.startswith("09.")]   # its quizzes too


def test_ids():
    assert IDS == ["09.1", "09.2", "09.3", "09.q1"]


def cross_odds(ratio, rho=0.8):
    run = montecarlo.run(hedge_plan(3_000, ratio, 15), hedge_paths(rho), list(SYMBOLS),
                         deposit=10_000, modes=("cross",))
    return run.outcomes["liquidated"].mean()


def test_answers_mean_what_the_prompts_say():
    assert exercise("09.1").expected() == cross_odds(1.0)
    assert abs(cross_odds(1.0) - cross_odds(0.0)) < 0.03       # "about the same as no hedge"
    best = exercise("09.2").expected()
    assert all(cross_odds(best) <= cross_odds(r) for r in lesson09.RATIOS)
    assert best != 1.0
    needed = exercise("09.3").expected()
    assert 0.8 * lesson09.money_needed(0.0) < needed < lesson09.money_needed(0.0)  # a little


def solution_09_1():
    grid = hedge_grid([0, 1], [0.8])
    return grid.query("hedge_ratio == 1 and mode == 'cross'")["p_liquidation"].item()


def solution_09_2():
    grid = hedge_grid([0, 0.25, 0.5, 0.75, 1, 1.25, 1.5], [0.8])
    cross = grid[grid["mode"] == "cross"]
    return cross.loc[cross["p_liquidation"].idxmin(), "hedge_ratio"]


def solution_09_3():
    return required_deposit(min_variance_ratio(0.5), 0.5, "cross")


@pytest.mark.parametrize("exercise_id, solution", [
    ("09.1", solution_09_1), ("09.1", lambda: round(solution_09_1(), 3)),
    ("09.2", solution_09_2), ("09.2", lambda: round(solution_09_2(), 2)),
    ("09.3", solution_09_3), ("09.3", lambda: round(solution_09_3(), -2)),
])
def test_the_solution_passes_in_strict_mode(exercise_id, solution, capsys):
    check(exercise_id, solution(), strict=True)
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("exercise_id, answer, words", [
    ("09.1", lambda: lesson09.odds(1.0, "isolated"), "isolated row"),
    ("09.1", lambda: lesson09.odds(0.0), "hedge ratio 0"),
    ("09.1", lambda: 100 * lesson09.odds(1.0), "100 times the right answer"),
    ("09.2", lambda: 1.0, "1:1 hedge is not the tightest"),
    ("09.2", lambda: 0.0, "ISOLATED"),
    ("09.2", lambda: 0.6, "theory's best"),
    ("09.3", lambda: lesson09.money_needed(0.6), "correlation 0.8"),
    ("09.3", lambda: lesson09.money_needed(0.0), "without a hedge"),
    ("09.3", lambda: lesson09.money_needed(0.375, "isolated"), "isolated mode"),
    ("09.3", lambda: lesson09.money_needed(0.375, correlation=0.8), "pass 0.5"),
])
def test_common_mistakes_get_their_message(exercise_id, answer, words):
    result = evaluate(exercise_id, answer())
    assert not result.ok and words in result.message


@pytest.mark.parametrize("exercise_id, precision, words", [
    ("09.1", 0.001, "to 3 decimals"), ("09.2", 0.01, "to 2 decimals"),
    ("09.3", 100, "to the nearest 100"),
])
def test_each_question_asks_for_its_own_precision(exercise_id, precision, words):
    # acceptance at the stated precision: tests/test_exercises_all.py, for every exercise
    ex = exercise(exercise_id)
    assert ex.precision == precision and words in ex.prompt


def test_a_beginner_reads_why_a_percent_is_wrong():
    result = evaluate("09.1", 14.7)          # the table shows 14.7 %
    assert not result.ok and "percent" in result.message and "0.25" not in result.message
    assert "table" in result.hint


def test_08_1_is_the_value_the_lessons_table_shows():
    grid = hedge_grid(np.arange(0, 1.51, 0.1), [0.8])
    odds = grid.pivot_table(index="hedge_ratio", columns="mode", values="p_liquidation")
    assert exercise("09.1").accepts(odds.loc[1.0, "cross"])


def test_the_quiz_puts_the_right_answer_last_and_explains_every_option():
    ex = exercise("09.q1")
    assert ex.expected() == ex.options[-1] and len(ex.options) >= 3
    assert evaluate("09.q1", ex.options[0]).ok is False
    assert "diversification" in evaluate("09.q1", ex.options[1]).message
