"""Learner checks: feedback for every kind of answer, never a traceback; strict mode raises."""
import math

import pytest

from crossmargin import check as chk
from crossmargin.check import Exercise, ExerciseFailed, Mistake, Result

NUMBER = Exercise("99.1", "Notional of 0.5 BTC at 60,000, to the nearest USDT.",
                  expected=lambda: 0.5 * 60_000, hint="size × price", unit="USDT", precision=1,
                  mistakes=(Mistake(lambda: 60_000 / 0.5, "You divided instead of multiplying."),))
CHOICE = Exercise("99.2", "Which mode shares one pool?", kind="choice",
                  options=("cross", "isolated"), expected=lambda: "cross", hint="shared",
                  mistakes=(Mistake(lambda: "isolated", "Isolated keeps pools apart."),))
CUSTOM = Exercise("99.3", "A leverage from 2 to 5.", kind="custom", hint="between 2 and 5",
                  validate=lambda a: (2 <= a <= 5, f"{a}x"))


@pytest.fixture(autouse=True)
def registry(monkeypatch):
    from crossmargin.course import exercises
    monkeypatch.setattr(exercises, "REGISTRY", {e.id: e for e in (NUMBER, CHOICE, CUSTOM)})


def test_right_number():
    r = chk.evaluate("99.1", 30_000.0)
    assert r.ok and "30,000 USDT (asked to the nearest whole number)" in r.message


def test_close_enough_number_passes_and_far_one_says_which_way():
    assert chk.evaluate("99.1", 30_000.49).ok and chk.evaluate("99.1", 29_999.51).ok
    r = chk.evaluate("99.1", 33_000)
    assert not r.ok and "too high" in r.message and "10%" in r.message and r.hint == "size × price"
    r = chk.evaluate("99.1", 30_001)      # 0.003 % off: no "off by 0.0 %", the precision instead
    assert not r.ok and "close but too high" in r.message and "to the nearest whole number" \
        in r.message and "0.0" not in r.message


def test_known_mistake_gets_its_message():
    r = chk.evaluate("99.1", 120_000)
    assert not r.ok and "divided instead" in r.message


@pytest.mark.parametrize("answer", [None, [1], math.nan, math.inf, True])
def test_odd_answers_never_raise(answer):
    r = chk.evaluate("99.1", answer)
    assert not r.ok and "expected a finite number" in r.message


def test_a_number_in_quotes_and_a_comma_typed_number_are_named():
    assert "is text (it is in quotes)" in chk.evaluate("99.1", "30000").message
    r = chk.evaluate("99.1", (30, 0))                 # answer = 30,000
    assert not r.ok and "Python read 30,000 as 2 numbers" in r.message and "30_000" in r.message


PERCENT = Exercise("99.4", "Distance in % of the entry, to 2 decimals.", expected=lambda: 3.61,
                   hint="(entry − lp) / entry × 100", unit="%", precision=0.01)


@pytest.mark.parametrize("answer, words", [
    (0.0361, "multiply by 100"), (361, "already in percent"), (-3.61, "wrong sign"),
    (36.1, "10 times"), (0.361, "a tenth"), (-0.0361, "Wrong sign, and the right answer divided"),
])
def test_slips_get_their_own_message(monkeypatch, answer, words):
    from crossmargin.course import exercises
    monkeypatch.setitem(exercises.REGISTRY, "99.4", PERCENT)
    r = chk.evaluate("99.4", answer)
    assert not r.ok and words.lower() in r.message.lower()
    assert "too high" not in r.message and "too low" not in r.message


def test_precision_accepts_the_rounded_answer_only(monkeypatch):
    from crossmargin.course import exercises
    monkeypatch.setitem(exercises.REGISTRY, "99.4", PERCENT)
    assert chk.evaluate("99.4", 3.61).ok and chk.evaluate("99.4", 3.614).ok
    assert not chk.evaluate("99.4", 3.6).ok and not chk.evaluate("99.4", 3.62).ok
    assert chk.precision_text(0.01) == "to 2 decimals" and chk.precision_text(0.1) == \
        "to 1 decimal" and chk.precision_text(100) == "to the nearest 100"


def test_a_worked_solution_shows_folded(capsys):
    chk.check("99.1", 30_000, strict=True, notes="0.5 × 60,000")
    out = capsys.readouterr().out
    assert out.startswith("Worked solution of exercise 99.1") and "0.5 × 60,000" in out
    html = chk.Solution(chk.evaluate("99.1", 30_000), "a < b")._repr_html_()
    assert html.startswith("<details") and "<details open" not in html and "a &lt; b" in html


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
        chk.check("99.1", 20_000.0, strict=True)


def test_unknown_exercise():
    with pytest.raises(KeyError, match="no exercise '42.1'"):
        chk.evaluate("42.1", 1)


def test_html_rendering_escapes_and_colours():
    r = Result(NUMBER, False, "<b>bad</b>", hint="x < y")
    html = r._repr_html_()
    assert "&lt;b&gt;bad" in html and "x &lt; y" in html and "#D55E00" in html


@pytest.mark.parametrize("precision", [None, 0, -0.01, "0.01"])
def test_a_number_exercise_must_state_a_precision(precision):
    from crossmargin.errors import InvalidInput
    with pytest.raises(InvalidInput, match="99.9: precision must be a number > 0"):
        Exercise("99.9", "A number.", expected=lambda: 1.0, precision=precision)


def test_an_answer_off_by_a_large_factor_is_told_so_not_as_a_percentage():
    """1288 for 0.1288 (the decimal point forgotten) said "too high, by about 1000195%"."""
    r = chk.evaluate("99.1", 30_000 * 1_000)
    assert not r.ok and "about 1,000 times larger" in r.message and "%" not in r.message
    r = chk.evaluate("99.1", 30)
    assert not r.ok and "about 1,000 times smaller" in r.message
    r = chk.evaluate("99.1", 90_000)                       # a factor of 3: still a percentage
    assert "too high, by about 200%" in r.message
