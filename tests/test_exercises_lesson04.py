"""Lesson 04 exercises: the engine's answer passes, known mistakes get their message."""

import pytest

from crossmargin import Account, Brackets
from crossmargin.check import ExerciseFailed, check, evaluate
from crossmargin.course.exercises import lesson04


def _account():
    account = Account()
    account.deposit(10_000)
    account.mark({"BTCUSDT": 60_000})
    account.set_leverage("BTCUSDT", 20)
    return account


def test_solutions_pass_strictly():
    check("04.1", _account().preview_open("BTCUSDT", "long", 60_000, size=0.25)["total"],
          strict=True)
    check("04.2", _account().max_open_size("BTCUSDT", "long", 60_000), strict=True)
    check("04.3", Brackets.load("BTCUSDT").max_leverage(700_000), strict=True)


def test_expected_answers_are_what_the_account_does():
    account = _account()
    account.open("BTCUSDT", "long", 60_000, size=0.25)
    assert 10_000 - account.available_balance() == pytest.approx(lesson04.order_total())
    assert lesson04.order_total() == pytest.approx(750 + 7.5)   # 15,000 / 20 + 0.05 % of 15,000
    biggest = _account()
    biggest.open("BTCUSDT", "long", 60_000, size=lesson04.max_size())
    assert biggest.available_balance() == pytest.approx(0, abs=1e-4)
    assert lesson04.highest_leverage() == 75


@pytest.mark.parametrize("exercise_id, answer, words", [
    ("04.1", 750, "initial margin alone"),
    ("04.1", 753, "maker fee"),
    ("04.1", 750.375, "on the notional"),
    ("04.1", 765, "taker fee twice"),
    ("04.1", 15_000, "notional"),
    ("04.1", 15_007.5, "whole notional"),
    ("04.1", -757.5, "positive number of USDT"),
    ("04.1", 75_750, "100 times"),
    ("04.2", 10_000 * 20 / 60_000, "fee must fit"),
    ("04.2", 10_000 / 60_000, "without leverage"),
    ("04.2", 3.332, "charged on the margin"),
    ("04.2", 0.33, "a tenth"),
    ("04.3", 125, "first tier"),
    ("04.3", 100, "tier below"),
])
def test_mistakes_get_their_message(exercise_id, answer, words):
    result = evaluate(exercise_id, answer)
    assert not result.ok and words in result.message and result.hint


def test_wrong_answer_raises_only_in_strict_mode():
    check("04.3", 50)
    with pytest.raises(ExerciseFailed):
        check("04.3", 50, strict=True)


@pytest.mark.parametrize("exercise_id, answer", [
    ("04.1", 757.50), ("04.1", 757.5), ("04.2", 3.300), ("04.3", 75),
])
def test_the_answer_at_the_stated_precision_is_accepted(exercise_id, answer):
    assert evaluate(exercise_id, answer).ok


def test_a_beginners_first_try_gets_a_reason_and_a_pointer_to_the_lesson():
    result = evaluate("04.1", 750)          # margin only: the commonest first try
    assert "taker fee" in result.message
    assert "first table" in result.hint and "preview_open" in result.hint
    result = evaluate("04.3", 125)
    assert "bracket table shown above" in result.hint
