"""A small multiple-choice quiz (ipywidgets only, no JavaScript)."""
import ipywidgets as W

from ..errors import InvalidInput
from .style import COLORS


class Quiz(W.VBox):
    """One question, several options, one right answer, an explanation.

    ``quiz.choices`` is the RadioButtons, ``quiz.submit`` the button and
    ``quiz.feedback`` the HTML that answers. ``quiz.answer(option)`` does what a
    click does (used by tests).
    """

    def __init__(self, question, options, correct, explanation=""):
        options = [str(o) for o in options]
        if correct not in options:
            raise InvalidInput(f"correct must be one of the options {options} (got {correct!r})")
        if len(set(options)) != len(options) or len(options) < 2:
            raise InvalidInput(f"options must be at least two distinct answers (got {options})")
        self.correct = correct
        self.explanation = explanation
        self.choices = W.RadioButtons(options=options, value=None,
                                      layout=W.Layout(width="auto"))
        self.submit = W.Button(description="Check", button_style="primary")
        self.feedback = W.HTML()
        self.submit.on_click(lambda _: self._grade())
        super().__init__([W.HTML(f"<b>{question}</b>"), self.choices, self.submit,
                          self.feedback])
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
        ok = choice == self.correct
        colour = COLORS["long"] if ok else COLORS["liquidation"]
        verdict = "✓ Right." if ok else "✗ Not quite — try again."
        extra = f" {self.explanation}" if ok and self.explanation else ""
        self.feedback.value = f"<span style='color:{colour};font-weight:600'>{verdict}</span>{extra}"
        return ok
