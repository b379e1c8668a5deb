"""An exercise of the course, what learners often get wrong, and the result of a check.

Lessons define their exercises in ``crossmargin/course/exercises/lessonNN.py`` with these;
:mod:`crossmargin.check` evaluates an answer against them.
"""
from dataclasses import dataclass, field
from typing import Any, Callable

from ..errors import InvalidInput

__all__ = ["Exercise", "Mistake", "Result"]


@dataclass(frozen=True)
class Mistake:
    """A wrong answer learners often give, and what to tell them when they do."""

    value: Callable[[], Any]
    message: str


@dataclass(frozen=True)
class Exercise:
    """One exercise.

    ``kind`` is ``"number"``, ``"choice"`` (one of ``options``, case-insensitive)
    or ``"custom"`` (``validate(answer)`` returns ``(ok, message)``). ``expected``
    computes the right answer.

    A number is right within half a ``precision`` step (0.01: "to 2 decimals"),
    which the prompt states; a number exercise without a precision is refused.
    ``feedback`` maps each option of a choice to what it teaches (every option of
    a quiz has one). ``sign_note`` says which sign the question wants, for the
    message a sign slip gets.
    """

    id: str
    prompt: str
    expected: Callable[[], Any] | None = None
    hint: str = ""
    kind: str = "number"
    unit: str = ""
    options: tuple = ()
    mistakes: tuple = ()
    validate: Callable[[Any], tuple] | None = None
    explanation: str = ""
    precision: float | None = None
    feedback: dict = field(default_factory=dict)
    sign_note: str = ""

    def __post_init__(self):
        if self.kind == "number" and not (isinstance(self.precision, (int, float))
                                          and self.precision > 0):
            raise InvalidInput(f"exercise {self.id}: precision must be a number > 0 for a number "
                             f"exercise, stated in the prompt (got {self.precision!r})")

    @property
    def is_quiz(self):
        """Quizzes (ids ``"NN.qK"``) are answered in a :class:`~crossmargin.widgets.Quiz`."""
        return self.id.split(".")[-1].startswith("q")

    def accepts(self, answer, expected=None):
        """True when the number ``answer`` is right at the stated precision."""
        expected = self.expected() if expected is None else expected
        return abs(answer - expected) <= self.precision / 2 * (1 + 1e-9) + 1e-12


@dataclass
class Result:
    """The outcome of a check: ``ok``, what to say, and a hint when it is not right."""

    exercise: Exercise
    ok: bool
    message: str
    hint: str = ""
    answered: bool = True
    details: dict = field(default_factory=dict)

    def __str__(self):
        mark = "✓" if self.ok else ("…" if not self.answered else "✗")
        text = f"{mark} Exercise {self.exercise.id}: {self.message}"
        if self.hint and not self.ok:
            text += f"\n  Hint: {self.hint}"
        return text

    def _repr_html_(self):
        import html
        colour = "#009E73" if self.ok else ("#666666" if not self.answered else "#D55E00")
        mark = "✓" if self.ok else ("…" if not self.answered else "✗")
        hint = (f"<div style='margin-top:4px'><b>Hint:</b> {html.escape(self.hint)}</div>"
                if self.hint and not self.ok else "")
        return (f"<div class='cm-check' style='border-left:4px solid {colour};padding:4px 8px'>"
                f"<b style='color:{colour}'>{mark} Exercise {html.escape(self.exercise.id)}</b>: "
                f"{html.escape(self.message)}{hint}</div>")
