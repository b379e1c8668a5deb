"""A small multiple-choice quiz (ipywidgets only, no JavaScript).

The question, its options, the right answer and one explanation per option live in
the exercise registry (``crossmargin/course/exercises/lessonNN.py``, ids ``"NN.qK"``), so
nothing in the learner's cell gives the answer away::

    Quiz("07.q1")
"""
import html

import ipywidgets as W

from ..check import evaluate, exercise
from ..errors import InvalidInput
from .style import COLORS


class Quiz(W.VBox):
    """One registered multiple-choice question, graded with an explanation for every option.

    ``quiz.choices`` is the RadioButtons, ``quiz.submit`` the button and
    ``quiz.feedback`` the HTML that answers. ``quiz.answer(option)`` does what a
    click does (used by tests).
    """

    def __init__(self, exercise_id):
        try:
            ex = exercise(exercise_id)
        except (KeyError, TypeError):
            raise InvalidInput(f"exercise_id must name a registered quiz such as '07.q1' "
                               f"(got {exercise_id!r})") from None
        options = [str(o) for o in ex.options]
        if ex.kind != "choice" or not ex.is_quiz:
            raise InvalidInput(f"exercise_id must name a quiz (id 'NN.qK', kind 'choice'); "
                               f"{exercise_id!r} is a {ex.kind} exercise")
        missing = [o for o in options if not ex.feedback.get(o)]
        if len(set(options)) != len(options) or len(options) < 2 or missing:
            raise InvalidInput(f"quiz {exercise_id!r} needs at least two distinct options, "
                               f"each with an explanation in feedback (missing: {missing})")
        self.exercise = ex
        self.choices = W.RadioButtons(options=options, value=None,
                                      layout=W.Layout(width="auto"))
        self.submit = W.Button(description="Check", button_style="primary")
        self.feedback = W.HTML()
        self.submit.on_click(lambda _: self._grade())
        super().__init__([W.HTML(f"<b>{html.escape(ex.prompt)}</b>"), self.choices,
                          self.submit, self.feedback])
        self.add_class("cm-quiz")

    def answer(self, option):
        """Select ``option`` and check it; returns True when right."""
        self.choices.value = option
        return self._grade()

    def _grade(self):
        choice = self.choices.value
        if choice is None:
            self.feedback.value = "Pick an answer first."
            return False
        ok = evaluate(self.exercise.id, choice).ok
        colour = COLORS["long"] if ok else COLORS["liquidation"]
        verdict = "✓ Right." if ok else "✗ Not this one — read why, then try another."
        why = html.escape(self.exercise.feedback[choice])
        self.feedback.value = (f"<span style='color:{colour};font-weight:600'>{verdict}</span> "
                               f"{why}")
        return ok
