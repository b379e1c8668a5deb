"""Learner checks: feedback for every kind of answer, never a traceback; strict mode raises."""
import math

import pytest

from crossmargin import check as chk
from crossmargin.check import Exercise, ExerciseFailed, Mistake, Result

NUMBER = Exercise("99.1", "Notional of 0.5 BTC at 60,000.", expected=lambda: 0.5 * 60_000,
                  hint="size × price", unit="USDT",
                  mistakes=(Mistake(lambda: 60_000 / 0.5, "You divided instead of multiplying."),))
CHOICE = Exercise("99.2", "Which mode shares one pool?", kind="choice",
                  options=("cross", "isolated"), expected=lambda: "cross", hint="shared",
                  mistakes=(Mistake(lambda: "isolated", "Isolated keeps pools apart."),))
CUSTOM = Exercise("99.3", "A leverage from 2 to 5.", kind="custom", hint="between 2 and 5",
                  validate=lambda a: (2 <= a <= 5, f"{a}x"))


@pytest.fixture(autouse=True)
def registry(monkeypatch):
    from crossmargin import exercises
    monkeypatch.setattr(exercises, "REGISTRY", {e.id: e for e in (NUMBER, CHOICE, CUSTOM)})


def test_right_number():
    r = chk.evaluate("99.1", 30_000.0)
    assert r.ok and "30,000.00 USDT" in r.message


def test_close_enough_number_passes_and_far_one_says_which_way():
    assert chk.evaluate("99.1", 30_000.2).ok
    r = chk.evaluate("99.1", 33_000)
    assert not r.ok and "too high" in r.message and "10.0%" in r.message and r.hint == "size × price"


def test_known_mistake_gets_its_message():
    r = chk.evaluate("99.1", 120_000)
    assert not r.ok and "divided instead" in r.message


@pytest.mark.parametrize("answer", [None, "30000", [1], math.nan, math.inf, True])
def test_odd_answers_never_raise(answer):
    r = chk.evaluate("99.1", answer)
    assert not r.ok and "expected a finite number" in r.message


def test_placeholder_is_gentle():
    r = chk.evaluate("99.1", ...)
    assert not r.ok and not r.answered and "replace ... with your answer" in r.message
    assert str(r).startswith("… Exercise 99.1")


def test_choices():
    assert chk.evaluate("99.2", " Cross ").ok
    assert "Isolated keeps pools apart" in chk.evaluate("99.2", "isolated").message
    assert "answer with one of 'cross', 'isolated'" in chk.evaluate("99.2", "portfolio").message


def test_custom_validator_and_its_errors_are_caught():
    assert chk.evaluate("99.3", 3).ok
    assert not chk.evaluate("99.3", 9).ok
    r = chk.evaluate("99.3", "x")       # the validator raises TypeError: reported, not raised
    assert not r.ok and "could not check" in r.message


def test_check_prints_and_strict_raises(capsys):
    assert chk.check("99.1", 1.0) is None
    out = capsys.readouterr().out
    assert "✗ Exercise 99.1" in out and "Hint: size × price" in out
    chk.check("99.1", 30_000, strict=True)
    with pytest.raises(ExerciseFailed, match="too low"):
        chk.check("99.1", 1.0, strict=True)


def test_unknown_exercise():
    with pytest.raises(KeyError, match="no exercise '42.1'"):
        chk.evaluate("42.1", 1)


def test_html_rendering_escapes_and_colours():
    r = Result(NUMBER, False, "<b>bad</b>", hint="x < y")
    html = r._repr_html_()
    assert "&lt;b&gt;bad" in html and "x &lt; y" in html and "#D55E00" in html
