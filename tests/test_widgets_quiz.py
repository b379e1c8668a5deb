import html

import pytest

from crossmargin.check import all_exercises
from crossmargin.errors import InvalidInput
from crossmargin.widgets import Quiz

QUIZZES = sorted(i for i, ex in all_exercises().items() if ex.is_quiz)


@pytest.mark.parametrize("quiz_id", QUIZZES)
def test_every_option_of_every_quiz_gets_its_own_explanation(quiz_id):
    q = Quiz(quiz_id)
    assert q.feedback.value == ""
    q.submit.click()
    assert "Pick an answer first" in q.feedback.value
    right = str(q.exercise.expected())
    seen = set()
    for option in q.choices.options:
        assert q.answer(option) is (option == right)
        assert ("Right" in q.feedback.value) is (option == right)
        assert html.escape(q.exercise.feedback[option]) in q.feedback.value
        seen.add(q.feedback.value)
    assert len(seen) == len(q.choices.options), "two options share one explanation"
    assert "cm-quiz" in q._dom_classes


@pytest.mark.parametrize("quiz_id", QUIZZES)
def test_quiz_question_does_not_give_the_answer_away(quiz_id):
    ex = all_exercises()[quiz_id]
    assert str(ex.expected()) not in ex.prompt
    assert len(ex.options) >= 3, "a quiz offers at least three options"


@pytest.mark.parametrize("bad", ["99.q1", "07.1", None, 42])
def test_quiz_refuses_what_is_not_a_registered_quiz(bad):
    with pytest.raises(InvalidInput, match="exercise_id"):
        Quiz(bad)
