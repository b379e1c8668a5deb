"""What every registered exercise must do, whatever the lesson: a gentle word for the
placeholder, feedback (never a traceback) for odd answers, mistakes that differ from the
answer, and an expected answer the engine computes."""
import math

import pytest

from crossmargin.check import ExerciseFailed, all_exercises, check, evaluate

EXERCISES = all_exercises()
IDS = sorted(EXERCISES)
ODD_ANSWERS = ["38", "", None, math.nan, math.inf, -math.inf, [1], (1, 2), {}, True, False,
               object()]


def test_every_lesson_with_exercises_has_two_to_four():
    per_lesson = {}
    for exercise_id in IDS:
        per_lesson.setdefault(exercise_id.split(".")[0], []).append(exercise_id)
    assert all(2 <= len(ids) <= 4 for ids in per_lesson.values()), per_lesson


@pytest.mark.parametrize("exercise_id", IDS)
def test_placeholder_is_gentle(exercise_id):
    result = evaluate(exercise_id, ...)
    assert not result.ok and not result.answered
    assert "replace ... with your answer" in result.message


@pytest.mark.parametrize("answer", ODD_ANSWERS, ids=repr)
@pytest.mark.parametrize("exercise_id", IDS)
def test_odd_answers_get_feedback_not_a_traceback(exercise_id, answer):
    result = evaluate(exercise_id, answer)
    assert not result.ok and result.message


@pytest.mark.parametrize("exercise_id", IDS)
def test_expected_answer_is_computed_and_mistakes_differ_from_it(exercise_id):
    ex = EXERCISES[exercise_id]
    assert ex.prompt and ex.hint
    if ex.kind == "custom":
        assert callable(ex.validate)
        return
    expected = ex.expected()
    assert evaluate(exercise_id, expected).ok
    for mistake in ex.mistakes:
        wrong = mistake.value()
        if ex.kind == "number":
            assert not math.isclose(wrong, expected, rel_tol=ex.rel_tol, abs_tol=ex.abs_tol)
        else:
            assert str(wrong).lower() != str(expected).lower()
        assert not evaluate(exercise_id, wrong).ok


@pytest.mark.parametrize("exercise_id", IDS)
def test_a_wrong_solution_fails_in_strict_mode(exercise_id):
    with pytest.raises(ExerciseFailed):
        check(exercise_id, 123.0, strict=True)
