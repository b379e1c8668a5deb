import html

import pytest

from crossmargin.check import all_exercises
from crossmargin.errors import InvalidInput
from crossmargin.widgets import Quiz
from crossmargin.widgets.quiz import QUIZ_CSS, explanation

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
        shown = explanation(q.exercise.feedback[option], right=option == right)
        assert html.escape(shown) in q.feedback.value
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


@pytest.mark.parametrize("quiz_id", QUIZZES)
def test_the_right_answer_says_its_verdict_once(quiz_id):
    q = Quiz(quiz_id)
    assert q.answer(str(q.exercise.expected()))
    verdict, why = q.feedback.value.split("</span> ", 1)
    assert "✓ Right." in verdict
    assert not why.startswith(("Right", "Yes")), why[:40]
    assert why[:1] == why[:1].upper()
    assert q.feedback.value.count("Right") == 1


@pytest.mark.parametrize("text, shown", [
    ("Right: size × (price now − entry price) = 0.5 × 1,200.",
     "Size × (price now − entry price) = 0.5 × 1,200."),
    ("Right. The fee is a share of the notional.", "The fee is a share of the notional."),
    ("Yes: 1 / 0.85 ≈ 1.18, so the cushion is 18 %.",
     "1 / 0.85 ≈ 1.18, so the cushion is 18 %."),
    ("Right: OKX divides equity by the maintenance margin.",
     "OKX divides equity by the maintenance margin."),
    ("At 100 % the equity equals the maintenance margin.",
     "At 100 % the equity equals the maintenance margin."),
    ("Rightly priced: the mark follows the index.", "Rightly priced: the mark follows the index."),
    ("The right price is the mark: right.", "The right price is the mark: right."),
])
def test_explanation_drops_a_leading_verdict_only(text, shown):
    assert explanation(text) == shown
    assert explanation(text, right=False) == text      # a wrong answer's text as written


def test_the_26_quizzes_that_open_with_right_show_it_once():
    opening = [(i, ex) for i, ex in all_exercises().items() if ex.is_quiz
               and ex.feedback[str(ex.expected())].startswith("Right:")]
    assert len(opening) >= 20              # 26 when this was written: the rule is exercised
    for quiz_id, ex in opening:
        q = Quiz(quiz_id)
        q.answer(str(ex.expected()))
        assert "✓ Right.</span> Right" not in q.feedback.value
        rest = ex.feedback[str(ex.expected())][len("Right:"):].strip()
        assert html.escape(rest[0].upper() + rest[1:]) in q.feedback.value


def test_long_options_wrap_inside_the_quiz():
    """ipywidgets 8 draws each option on a fixed-height line (a long one overlapped the next):
    the quiz carries CSS, scoped to itself, that lets a label grow and wrap."""
    q = Quiz("15.q16")
    assert max(len(o) for o in q.choices.options) > 150
    style = [c for c in q.children if "cm-quiz-style" in c._dom_classes]
    assert len(style) == 1 and style[0].value == f"<style>{QUIZ_CSS}</style>"
    assert style[0].layout.display == "none"
    rules = {sel.strip(): body for sel, body in
             (r.split("{") for r in QUIZ_CSS.strip().rstrip("}").split("}"))}
    label = next(b for s, b in rules.items() if ".cm-quiz .widget-radio-box label" in s)
    for decl in ("height: auto", "white-space: normal", "display: flex"):
        assert decl in label
    radio = next(b for s, b in rules.items() if ".cm-quiz .widget-radio-box input" in s)
    assert "order: -1" in radio and "float: none" in radio      # the button stays on the left
    assert all(s.strip().startswith(".cm-quiz ") for sel in rules for s in sel.split(","))
