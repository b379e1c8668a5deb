"""Lesson 00 exercises: solutions pass, known mistakes are named (what every exercise must do is in test_exercises_all.py)."""

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


def test_a_wrong_solution_raises_in_strict_mode():
    with pytest.raises(ExerciseFailed, match="00.1"):
        check("00.1", 31_000, strict=True)
