"""Lesson 00 exercises: solutions pass, known mistakes are named, slips read as a beginner needs
(what every exercise must do is in test_exercises_all.py)."""

import pytest

from crossmargin.check import ExerciseFailed, all_exercises, check, evaluate, exercise
from crossmargin.widgets import Quiz

IDS = [i for i in all_exercises() if i.startswith("00.")]   # its quizzes too


def test_ids_and_answers():
    assert IDS == ["00.1", "00.2", "00.q1"]
    assert exercise("00.1").expected() == pytest.approx(30_000)
    assert exercise("00.2").expected() == pytest.approx(-600)
    assert exercise("00.q1").expected() == "+600 USDT"


@pytest.mark.parametrize("exercise_id, answer", [("00.1", 0.5 * 60_000),
                                                 ("00.2", 0.5 * (58_800 - 60_000))])
def test_the_solution_passes_in_strict_mode(exercise_id, answer, capsys):
    check(exercise_id, answer, strict=True)
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("exercise_id, answer", [("00.1", 30_000.4), ("00.1", 29_999.6),
                                                 ("00.2", -600.4), ("00.2", -599.5)])
def test_any_answer_to_the_nearest_whole_number_is_right(exercise_id, answer):
    assert evaluate(exercise_id, answer).ok
    assert "nearest whole number" in exercise(exercise_id).prompt


@pytest.mark.parametrize("exercise_id, answer, words", [
    ("00.1", 120_000, "You divided"),
    ("00.1", 60_000, "price of one BTC"),
    ("00.1", (30, 0), "a comma separates values"),
    ("00.2", 600, "A long loses when the price falls"),
    ("00.2", -1_200, "loss on 1 BTC"),
    ("00.2", -1_200.0 / 1, "loss on 1 BTC"),
])
def test_mistakes_get_their_message(exercise_id, answer, words):
    result = evaluate(exercise_id, answer)
    assert not result.ok and words in result.message and result.hint


def test_a_beginner_reads_a_wrong_sign_as_a_sign_slip_not_as_too_high():
    message = evaluate("00.2", 600).message
    assert "wrong sign" in message and "too high" not in message


def test_the_practice_quiz_explains_every_option():
    quiz = Quiz("00.q1")
    for option in exercise("00.q1").options:
        assert quiz.answer(option) is (option == "+600 USDT")
    assert "1 BTC" in exercise("00.q1").feedback["+1,200 USDT"]
    assert "Wrong sign" in exercise("00.q1").feedback["-600 USDT"]


def test_a_wrong_solution_raises_in_strict_mode():
    with pytest.raises(ExerciseFailed, match="00.1"):
        check("00.1", 31_000, strict=True)
