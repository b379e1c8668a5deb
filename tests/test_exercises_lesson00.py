"""Lesson 00 exercises: solutions pass, known mistakes are named, odd answers never raise."""
import math

import pytest

from crossmargin.check import ExerciseFailed, check, evaluate, exercise
from crossmargin.exercises.lesson00 import EXERCISES

IDS = [e.id for e in EXERCISES]


def test_ids_and_answers():
    assert IDS == ["00.1", "00.2"]
    assert exercise("00.1").expected() == pytest.approx(30_000)
    assert exercise("00.2").expected() == pytest.approx(-600)


@pytest.mark.parametrize("exercise_id, answer", [("00.1", 0.5 * 60_000),
                                                 ("00.2", 0.5 * (58_800 - 60_000))])
def test_the_solution_passes_in_strict_mode(exercise_id, answer, capsys):
    check(exercise_id, answer, strict=True)
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("exercise_id, answer, words", [
    ("00.1", 120_000, "You divided"),
    ("00.1", 60_000, "price of one BTC"),
    ("00.2", 600, "wrong sign"),
    ("00.2", -1_200, "loss on 1 BTC"),
])
def test_mistakes_get_their_message(exercise_id, answer, words):
    result = evaluate(exercise_id, answer)
    assert not result.ok and words in result.message and result.hint


@pytest.mark.parametrize("exercise_id", IDS)
def test_mistakes_are_not_the_answer(exercise_id):
    ex = exercise(exercise_id)
    for mistake in ex.mistakes:
        assert not math.isclose(mistake.value(), ex.expected(), rel_tol=ex.rel_tol)


@pytest.mark.parametrize("exercise_id", IDS)
def test_placeholder_is_gentle(exercise_id):
    result = evaluate(exercise_id, ...)
    assert not result.ok and not result.answered
    assert "replace ... with your answer" in result.message


@pytest.mark.parametrize("exercise_id", IDS)
@pytest.mark.parametrize("answer", ["30000", None, math.nan, [1], True])
def test_odd_answers_never_raise(exercise_id, answer):
    assert not evaluate(exercise_id, answer).ok


def test_a_wrong_solution_raises_in_strict_mode():
    with pytest.raises(ExerciseFailed, match="00.1"):
        check("00.1", 31_000, strict=True)
