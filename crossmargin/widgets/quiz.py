"""A small multiple-choice quiz (ipywidgets only, no JavaScript).

The question, its options, the right answer and one explanation per option live in
the exercise registry (``crossmargin/course/exercises/lessonNN.py``, ids ``"NN.qK"``), so
nothing in the learner's cell gives the answer away::

    Quiz("07.q1")

Long options wrap inside the notebook's width (:data:`QUIZ_CSS`: ipywidgets 8 draws each
option of a ``RadioButtons`` as a fixed-height single line, so a long one overlapped the
next); the verdict is said once (:func:`explanation`).
"""
import html
import re

import ipywidgets as W

from ..check import evaluate, exercise
from ..errors import InvalidInput
from .style import COLORS

__all__ = ["Quiz", "QUIZ_CSS", "explanation"]

#: CSS the quiz carries in a ``<style>`` child, scoped to ``.cm-quiz`` (as app mode injects
#: its CSS): an option's label grows with its text and wraps, its radio button on the
#: left (where ipywidgets floats it).
QUIZ_CSS = """
.cm-quiz .widget-radio, .cm-quiz .jupyter-widget-radio { max-width: 100%; }
.cm-quiz .widget-radio-box label, .cm-quiz .jupyter-widget-radio-box label {
  display: flex; align-items: flex-start; height: auto; line-height: 1.4;
  white-space: normal; overflow-wrap: break-word; padding: 3px 0;
}
.cm-quiz .widget-radio-box input, .cm-quiz .jupyter-widget-radio-box input {
  order: -1; float: none; flex: none; height: 1.4em; line-height: 1.4; margin-top: 0;
}
"""

#: A right answer's explanation may open with the verdict the quiz already shows
#: ("Right:", "Right.", "Yes:").
_VERDICT = re.compile(r"^\s*(?:Right|Yes)\s*[:.,;!—–]\s+")


def explanation(text, right=True):
    """``text`` as shown after the verdict "✓ Right.": a leading "Right:"/"Right."/"Yes:"
    goes and the sentence starts with a capital (a wrong answer's text is kept as written).

    >>> explanation("Right: size × (price now − entry price) = 600.")
    'Size × (price now − entry price) = 600.'
    >>> explanation("Right: that is it.", right=False)
    'Right: that is it.'
    """
    if not right:
        return text
    rest = _VERDICT.sub("", text, count=1)
    return rest[:1].upper() + rest[1:]


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
        css = W.HTML(f"<style>{QUIZ_CSS}</style>", layout=W.Layout(display="none"))
        css.add_class("cm-quiz-style")
        super().__init__([css, W.HTML(f"<b>{html.escape(ex.prompt)}</b>"), self.choices,
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
        why = html.escape(explanation(self.exercise.feedback[choice], right=ok))
        self.feedback.value = (f"<span style='color:{colour};font-weight:600'>{verdict}</span> "
                               f"{why}")
        return ok
