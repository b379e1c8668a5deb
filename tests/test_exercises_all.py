"""What every registered exercise must do, whatever the lesson: a gentle word for the
placeholder, feedback (never a traceback) for odd answers, mistakes that differ from the
answer, and an expected answer the engine computes."""
import math

import pytest

from crossmargin.check import ExerciseFailed, all_exercises, check, evaluate, precision_text

EXERCISES = all_exercises()
IDS = sorted(EXERCISES)
NUMBERS = sorted(i for i, ex in EXERCISES.items() if ex.kind == "number")
QUIZZES = sorted(i for i, ex in EXERCISES.items() if ex.is_quiz)
ODD_ANSWERS = ["38", "", None, math.nan, math.inf, -math.inf, [1], (1, 2), {}, True, False,
               object()]


def test_every_lesson_with_exercises_has_two_to_four():
    per_lesson = {}
    for exercise_id in (i for i in IDS if not EXERCISES[i].is_quiz):
        per_lesson.setdefault(exercise_id.split(".")[0], []).append(exercise_id)
    assert all(2 <= len(ids) <= 4 for ids in per_lesson.values()), per_lesson


@pytest.mark.parametrize("exercise_id", IDS)
def test_placeholder_is_gentle(exercise_id):
    result = evaluate(exercise_id, ...)
    assert not result.ok and not result.answered
    assert "replace ... with your answer" in result.message


@pytest.mark.parametrize("answer", ODD_ANSWERS, ids=lambda a: type(a).__name__ if type(a) is object else repr(a))
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
            assert not ex.accepts(wrong, expected)
        else:
            assert str(wrong).lower() != str(expected).lower()
        assert not evaluate(exercise_id, wrong).ok


@pytest.mark.parametrize("exercise_id", IDS)
def test_a_wrong_solution_fails_in_strict_mode(exercise_id):
    with pytest.raises(ExerciseFailed):
        check(exercise_id, 123.0, strict=True)


@pytest.mark.parametrize("exercise_id", NUMBERS)
def test_the_question_states_its_precision_and_any_answer_at_it_is_accepted(exercise_id):
    ex = EXERCISES[exercise_id]
    assert ex.precision, f"{exercise_id}: give the exercise a precision and state it"
    assert precision_text(ex.precision) in ex.prompt, \
        f"{exercise_id}: the prompt must say '{precision_text(ex.precision)}'"
    expected = ex.expected()
    rounded = round(expected / ex.precision) * ex.precision
    for answer in (rounded, expected + 0.49 * ex.precision, expected - 0.49 * ex.precision):
        assert evaluate(exercise_id, answer).ok, (exercise_id, answer, expected)
    assert not evaluate(exercise_id, expected + 1.5 * ex.precision).ok


@pytest.mark.parametrize("factor", [100, 0.01, -1])
@pytest.mark.parametrize("exercise_id", NUMBERS)
def test_percent_and_sign_slips_get_their_own_message(exercise_id, factor):
    ex = EXERCISES[exercise_id]
    expected = ex.expected()
    if factor == -1 and abs(expected) < ex.precision:    # zero has no sign to slip on
        assert evaluate(exercise_id, -expected).ok
        return
    result = evaluate(exercise_id, expected * factor)
    assert not result.ok, (exercise_id, factor)
    assert "too high" not in result.message and "too low" not in result.message, \
        (exercise_id, factor, result.message)


@pytest.mark.parametrize("exercise_id", QUIZZES)
def test_every_quiz_option_has_its_own_explanation(exercise_id):
    ex = EXERCISES[exercise_id]
    assert ex.kind == "choice" and str(ex.expected()) in ex.options
    assert set(ex.feedback) == set(ex.options), exercise_id
    assert len(set(ex.feedback.values())) == len(ex.options)
    assert all(len(text.split()) >= 5 for text in ex.feedback.values())
