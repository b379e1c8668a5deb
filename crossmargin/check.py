"""Learner self-checks: feedback and a hint for every exercise, never a traceback.

In a lesson::

    answer = ...                       # the learner replaces ... with a number
    check("01.2", answer)              # prints ✓ or what is off, and a hint

The worked solution (a collapsed cell tagged ``solution``) calls
``check("01.2", answer, strict=True)``, which raises :class:`ExerciseFailed` if
the solution is wrong — so running the notebooks under nbval proves every
solution right — and shows its result folded (an HTML ``<details>``), so Run All
puts no answer on screen. Exercises live in ``crossmargin/course/exercises/lessonNN.py``;
the expected answer is always computed by the engine, never typed in.

A numeric exercise states its ``precision`` (the question says it: "to 2
decimals"); any answer within half a step of the right one is accepted. Wrong
answers get the registered :class:`Mistake` messages first, then the slips every
learner makes: percent vs fraction (×100, ÷100), a factor of ten, the sign, and
``30,000`` typed as a number (Python reads it as the tuple ``(30, 0)``).

Quizzes are exercises too (ids ``"NN.qK"``, kind ``"choice"``) with one
explanation per option in ``feedback``; :class:`crossmargin.widgets.Quiz` shows
them, so the right answer never sits in a learner's cell.
"""
import math
import numbers
from dataclasses import dataclass

from .course.exercise import Exercise, Mistake, Result
from .formats import fmt_number

__all__ = ["Exercise", "Mistake", "Result", "ExerciseFailed", "check", "evaluate", "exercise",
           "all_exercises", "precision_text"]


class ExerciseFailed(AssertionError):
    """A solution cell's answer is wrong (raised only with ``strict=True``)."""


def _is_number(x):
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def precision_text(precision):
    """How a question states a precision: ``0.01`` → ``"to 2 decimals"``, ``1`` → ``"to the
    nearest whole number"``, ``100`` → ``"to the nearest 100"``."""
    if precision >= 1:
        return ("to the nearest whole number" if precision == 1
                else f"to the nearest {precision:,g}")
    decimals = max(0, round(-math.log10(precision)))
    return f"to {decimals} decimal{'s' if decimals != 1 else ''}"


#: Slips every learner makes with a number: (factor, what it probably means). The wording
#: depends on whether the answer is a percent (unit "%").
_SLIPS = (
    (100, "It is 100 times the right answer: {percent_up}"),
    (0.01, "It is the right answer divided by 100: {percent_down}"),
    (10, "It is 10 times the right answer: count the zeros of the numbers you typed "
         "(60,000 vs 6,000) or check the decimal point."),
    (0.1, "It is a tenth of the right answer: count the zeros of the numbers you typed "
          "(60,000 vs 6,000) or check the decimal point."),
    (-1, "Right size, wrong sign. {sign}"),
    (-100, "Wrong sign, and 100 times the right answer: {percent_up} {sign}"),
    (-0.01, "Wrong sign, and the right answer divided by 100: {percent_down} {sign}"),
)


def _slip(ex, answer, expected):
    """The message for a common slip (×100, ÷100, ×10, ÷10, sign), or None."""
    percent = ex.unit.strip() == "%"
    words = {
        "percent_up": ("the answer is already in percent, so don't multiply by 100 again."
                       if percent else "did you give a percent where the question asks for "
                       "a fraction or a plain number?"),
        "percent_down": ("that is a fraction; the question asks for percent, so multiply by "
                         "100 (0.0361 → 3.61)." if percent else
                         "did you divide by 100 as if it were a percent?"),
        "sign": ex.sign_note or "Check which sign the question asks for (a loss is negative).",
    }
    for factor, message in _SLIPS:
        if expected != 0 and ex.accepts(answer / factor, expected):
            return message.format(**words).strip()
    return None


def _not_a_number(ex, answer):
    unit = f" in {ex.unit}" if ex.unit else ""
    if (isinstance(answer, tuple) and len(answer) > 1
            and all(_is_number(x) for x in answer)):
        typed = ",".join(f"{x:03d}" if i and isinstance(x, int) else str(x)
                         for i, x in enumerate(answer))
        return (f"Python read {typed} as {len(answer)} numbers, {answer!r}: a comma separates "
                f"values in Python. Write the number without commas, e.g. "
                f"{typed.replace(',', '_')} or {typed.replace(',', '')}.")
    if isinstance(answer, str):
        try:
            float(answer.replace(",", "").replace("_", "").replace("%", ""))
        except ValueError:
            pass
        else:
            return (f"{answer!r} is text (it is in quotes): give the number itself, without "
                    f"quotes{unit}.")
    return f"expected a finite number{unit}, got {answer!r} (a {type(answer).__name__})"


def _number(ex, answer):
    if not _is_number(answer) or not math.isfinite(answer):
        return Result(ex, False, _not_a_number(ex, answer), ex.hint)
    expected = ex.expected()
    if ex.accepts(answer, expected):
        return Result(ex, True, f"right, {fmt_number(expected, ex.unit, ex.precision)} "
                                f"(asked {precision_text(ex.precision)}). "
                                f"{ex.explanation}".strip())
    shown = fmt_number(answer, ex.unit)
    for mistake in ex.mistakes:
        if ex.accepts(answer, mistake.value()):
            return Result(ex, False, f"{shown} is not it. {mistake.message}", ex.hint)
    slip = _slip(ex, answer, expected)
    if slip:
        return Result(ex, False, f"{shown} is not it. {slip}", ex.hint)
    direction = "too high" if answer > expected else "too low"
    off = abs(answer - expected) / abs(expected) if expected else math.inf
    if off < 0.01:
        message = (f"{shown} is close but {direction}: the question asks for the answer "
                   f"{precision_text(ex.precision)}. Check your rounding and which price you "
                   "used.")
    elif math.isinf(off):
        message = f"{shown} is {direction}: the right answer is zero."
    elif answer * expected > 0 and not 0.1 < answer / expected < 10:   # a factor, not a slip
        times = answer / expected if abs(answer) > abs(expected) else expected / answer
        size = "larger" if abs(answer) > abs(expected) else "smaller"
        message = (f"{shown} is about {times:,.0f} times {size} than the right answer: check "
                   "the units and where the decimal point goes.")
    else:
        message = f"{shown} is {direction}, by about {off:.0%} of the right answer."
    return Result(ex, False, message, ex.hint, details={"off": off})


def _choice(ex, answer):
    options = [str(o) for o in ex.options]
    if not isinstance(answer, str) or answer.strip().lower() not in [o.lower() for o in options]:
        return Result(ex, False, f"answer with one of {', '.join(repr(o) for o in options)} "
                                 f"(got {answer!r})", ex.hint)
    expected = str(ex.expected())
    picked = next(o for o in options if o.lower() == answer.strip().lower())
    why = ex.feedback.get(picked, "")
    if picked.lower() == expected.lower():
        return Result(ex, True, f"right, {expected!r}. {why or ex.explanation}".strip())
    for mistake in ex.mistakes:
        if picked.lower() == str(mistake.value()).lower():
            why = mistake.message
    return Result(ex, False, f"{picked!r} is not it. {why}".strip(), ex.hint)


def _custom(ex, answer):
    try:
        ok, message = ex.validate(answer)
    except Exception as err:           # a learner's odd answer must never raise
        return Result(ex, False, f"could not check {answer!r}: {err}", ex.hint)
    if ok and ex.explanation:
        message = f"{message} {ex.explanation}"
    return Result(ex, bool(ok), message, "" if ok else ex.hint)


_KINDS = {"number": _number, "choice": _choice, "custom": _custom}


def exercise(exercise_id):
    """The registered :class:`Exercise` with this id (e.g. ``"01.2"``)."""
    from .course.exercises import REGISTRY
    try:
        return REGISTRY[exercise_id]
    except KeyError:
        raise KeyError(f"no exercise {exercise_id!r} (known: {', '.join(sorted(REGISTRY))})") \
            from None


def all_exercises():
    """Every registered exercise, by id."""
    from .course.exercises import REGISTRY
    return dict(REGISTRY)


def evaluate(exercise_id, answer):
    """Check ``answer`` and return a :class:`Result` (no printing, never raises on the answer)."""
    ex = exercise(exercise_id)
    if answer is Ellipsis:
        return Result(ex, False, f"replace ... with your answer. {ex.prompt}", answered=False)
    return _KINDS[ex.kind](ex, answer)


def check(exercise_id, answer, *, strict=False, notes=""):
    """Show whether ``answer`` is right, with a hint if not.

    With ``strict=True`` (solution cells) a wrong answer raises :class:`ExerciseFailed`,
    and a right one is shown folded, with ``notes`` (the solution's working) inside,
    so that Run All leaves no answer on screen.
    """
    result = evaluate(exercise_id, answer)
    if strict and not result.ok:
        raise ExerciseFailed(str(result))
    _show(Solution(result, notes) if strict else result)
    return None


@dataclass
class Solution:
    """A worked solution's result, folded until the learner opens it."""

    result: Result
    notes: str = ""

    def __str__(self):
        notes = f"\n  {self.notes}" if self.notes else ""
        return f"Worked solution of exercise {self.result.exercise.id}:{notes}\n{self.result}"

    def _repr_html_(self):
        import html
        notes = (f"<div style='white-space:pre-wrap;margin:4px 0'>{html.escape(self.notes)}</div>"
                 if self.notes else "")
        return (f"<details class='cm-solution'><summary style='cursor:pointer;color:#555'>"
                f"Worked solution of exercise {html.escape(self.result.exercise.id)}: its "
                f"result (open it after you have tried)</summary>{notes}"
                f"{self.result._repr_html_()}</details>")


def _show(result):
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:       # pragma: no cover - IPython comes with the course
        print(result)
        return
    if get_ipython() is None:
        print(result)
    else:
        display(result)
