"""Lesson 01 exercises: solutions pass, known mistakes are named (what every exercise must do is in test_exercises_all.py)."""

import pytest

from crossmargin import Brackets, formulas
from crossmargin.check import ExerciseFailed, all_exercises, check, evaluate, exercise
from crossmargin.course.exercises import lesson01

IDS = [i for i in all_exercises() if i.startswith("01.")]   # its quizzes too
BTC = Brackets.load("BTCUSDT")


def notebook_solution_01_3():
    """The notebook's solution: the liquidation equation worked backwards from 57,000."""
    loss = -formulas.unrealized_pnl("long", 0.5, 60_000, 57_000)
    return formulas.notional(0.5, 60_000) / (loss + formulas.maintenance_margin(0.5, 57_000, BTC))


def test_ids():
    assert IDS == ["01.1", "01.2", "01.3", "01.q1"]


def test_expected_answers_have_the_meaning_the_prompts_give():
    assert exercise("01.1").expected() == pytest.approx(0.25 * 64_000 / 20)
    lp = exercise("01.2").expected()
    mm = formulas.maintenance_margin(2, lp, BTC)
    equity = 12_000 + formulas.unrealized_pnl("long", 2, 60_000, lp)
    assert formulas.margin_ratio(mm, equity) == pytest.approx(1.0)
    leverage = exercise("01.3").expected()
    assert formulas.liquidation_price("long", 0.5, 60_000, 30_000 / leverage,
                                      brackets=BTC) == pytest.approx(57_000, rel=1e-9)
    assert 1 < leverage < 20


@pytest.mark.parametrize("exercise_id, solution", [
    ("01.1", lambda: formulas.initial_margin(0.25, 64_000, 20)),
    ("01.2", lambda: formulas.liquidation_price("long", 2, 60_000, 12_000, brackets=BTC)),
    ("01.2", lambda: round(formulas.liquidation_price("long", 2, 60_000, 12_000,
                                                      brackets=BTC), 2)),
    ("01.3", notebook_solution_01_3),
    ("01.3", lambda: round(lesson01.leverage_for_distance(), 2)),
    ("01.1", lambda: 800.4),
    ("01.3", lambda: 18.59),
])
def test_the_solution_passes_in_strict_mode(exercise_id, solution, capsys):
    check(exercise_id, solution(), strict=True)
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("exercise_id, answer, words", [
    ("01.1", 16_000, "That is the notional"),
    ("01.1", 320_000, "multiplied by the leverage"),
    ("01.2", 54_000, "bankruptcy price"),
    ("01.2", lesson01.liquidation_with_entry_maintenance(), "at the entry price"),
    ("01.2", lesson01.liquidation_without_cum(), "(cum)"),
    ("01.2", formulas.liquidation_price("short", 2, 60_000, 12_000, brackets=BTC), "short"),
    ("01.3", 20, "bankruptcy price 5 % away"),
    ("01.3", lesson01.leverage_with_entry_maintenance(), "entry notional"),
    ("01.3", round(lesson01.leverage_with_entry_maintenance(), 2), "entry notional"),
    ("01.3", lesson01.leverage_with_notional_at_target(), "ENTRY"),
    ("01.1", 3_200, "1 BTC"),
    ("01.1", 8_000, "10 times"),
    ("01.2", round(lesson01.liquidation_without_cum(), 2), "(cum)"),
    ("01.2", 54_000.0, "bankruptcy price"),
])
def test_mistakes_get_their_message(exercise_id, answer, words):
    result = evaluate(exercise_id, answer)
    assert not result.ok and words in result.message and result.hint


def test_liquidation_needs_2_decimals():
    lp = exercise("01.2").expected()
    assert "to 2 decimals" in exercise("01.2").prompt
    assert evaluate("01.2", round(lp, 2)).ok and evaluate("01.2", lp + 0.004).ok
    result = evaluate("01.2", round(lp))
    assert not result.ok and "close but" in result.message and "2 decimals" in result.message


def test_the_01_3_hint_uses_what_the_lesson_taught():
    hint = exercise("01.3").hint
    assert "arange" not in hint and "slider" not in hint
    assert "maintenance_margin" in hint and "unrealized_pnl" in hint


def test_the_mark_price_quiz():
    ex = exercise("01.q1")
    assert "mark price" in ex.expected() and ex.options.index(ex.expected()) != 0
    assert "last price" in ex.feedback[ex.options[0]]   # the last price


def test_a_wrong_solution_raises_in_strict_mode():
    with pytest.raises(ExerciseFailed, match="01.2"):
        check("01.2", 54_000, strict=True)
