"""Learner self-checks: feedback and a hint for every exercise, never a traceback.

In a lesson::

    answer = ...                       # the learner replaces ... with a number
    check("01.2", answer)              # prints ✓ or what is off, and a hint

The worked solution (a collapsed cell tagged ``solution``) calls
``check("01.2", answer, strict=True)``, which raises :class:`ExerciseFailed` if
the solution is wrong — so running the notebooks under nbval proves every
solution right. Exercises live in ``crossmargin/exercises/lessonNN.py``; the
expected answer is always computed by the engine, never typed in.
"""
import math
import numbers
from dataclasses import dataclass, field
from typing import Any, Callable

__all__ = ["Exercise", "Mistake", "Result", "ExerciseFailed", "check", "evaluate", "exercise",
           "all_exercises"]


class ExerciseFailed(AssertionError):
    """A solution cell's answer is wrong (raised only with ``strict=True``)."""


@dataclass(frozen=True)
class Mistake:
    """A wrong answer learners often give, and what to tell them when they do."""

    value: Callable[[], Any]
    message: str


@dataclass(frozen=True)
class Exercise:
    """One exercise.

    ``kind`` is ``"number"`` (compared with ``rel_tol``/``abs_tol``), ``"choice"``
    (one of ``options``, case-insensitive) or ``"custom"`` (``validate(answer)``
    returns ``(ok, message)``). ``expected`` computes the right answer.
    """

    id: str
    prompt: str
    expected: Callable[[], Any] | None = None
    hint: str = ""
    kind: str = "number"
    unit: str = ""
    rel_tol: float = 1e-3
    abs_tol: float = 0.01
    options: tuple = ()
    mistakes: tuple = ()
    validate: Callable[[Any], tuple] | None = None
    explanation: str = ""


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


def _is_number(x):
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _fmt(x, unit=""):
    text = f"{x:,.2f}" if abs(x) >= 1 else f"{x:.6g}"
    return f"{text} {unit}".strip()


def _close(a, b, ex):
    return math.isclose(a, b, rel_tol=ex.rel_tol, abs_tol=ex.abs_tol)


def _number(ex, answer):
    if not _is_number(answer) or not math.isfinite(answer):
        kind = type(answer).__name__
        return Result(ex, False, f"expected a finite number{' in ' + ex.unit if ex.unit else ''}"
                                 f", got {answer!r} (a {kind})", ex.hint)
    expected = ex.expected()
    if _close(answer, expected, ex):
        return Result(ex, True, f"right, {_fmt(expected, ex.unit)}. {ex.explanation}".strip())
    for mistake in ex.mistakes:
        if _close(answer, mistake.value(), ex):
            return Result(ex, False, f"{_fmt(answer, ex.unit)} is not it. {mistake.message}",
                          ex.hint)
    direction = "too high" if answer > expected else "too low"
    off = abs(answer - expected) / abs(expected) if expected else math.inf
    return Result(ex, False, f"{_fmt(answer, ex.unit)} is {direction} (off by {off:.1%}).",
                  ex.hint, details={"off": off})


def _choice(ex, answer):
    options = [str(o) for o in ex.options]
    if not isinstance(answer, str) or answer.strip().lower() not in [o.lower() for o in options]:
        return Result(ex, False, f"answer with one of {', '.join(repr(o) for o in options)} "
                                 f"(got {answer!r})", ex.hint)
    expected = str(ex.expected())
    if answer.strip().lower() == expected.lower():
        return Result(ex, True, f"right, {expected!r}. {ex.explanation}".strip())
    for mistake in ex.mistakes:
        if answer.strip().lower() == str(mistake.value()).lower():
            return Result(ex, False, f"{answer!r} is not it. {mistake.message}", ex.hint)
    return Result(ex, False, f"{answer!r} is not it.", ex.hint)


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
    from .exercises import REGISTRY
    try:
        return REGISTRY[exercise_id]
    except KeyError:
        raise KeyError(f"no exercise {exercise_id!r} (known: {', '.join(sorted(REGISTRY))})") \
            from None


def all_exercises():
    """Every registered exercise, by id."""
    from .exercises import REGISTRY
    return dict(REGISTRY)


def evaluate(exercise_id, answer):
    """Check ``answer`` and return a :class:`Result` (no printing, never raises on the answer)."""
    ex = exercise(exercise_id)
    if answer is Ellipsis:
        return Result(ex, False, f"replace ... with your answer. {ex.prompt}", answered=False)
    return _KINDS[ex.kind](ex, answer)


def check(exercise_id, answer, *, strict=False):
    """Show whether ``answer`` is right, with a hint if not.

    With ``strict=True`` (solution cells) a wrong answer raises :class:`ExerciseFailed`.
    """
    result = evaluate(exercise_id, answer)
    if strict and not result.ok:
        raise ExerciseFailed(str(result))
    _show(result)
    return None


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
