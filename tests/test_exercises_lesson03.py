"""Lesson 03 exercises: the engine's answer passes, known mistakes get their message."""

import pytest

from crossmargin import Account
from crossmargin.check import ExerciseFailed, check, evaluate, exercise
from crossmargin.engine.contracts import COLLATERAL_VALUE_RATIOS
from crossmargin.course.exercises import lesson03


def test_solutions_pass_strictly():
    account = Account()
    account.deposit(0.5, "BTC", price=60_000)
    value = account.summary()["cross_wallet_balance"]
    check("03.1", value, strict=True)
    account.mark({"BTCUSDT": 48_000})
    check("03.2", account.summary()["cross_wallet_balance"], strict=True)
    account = Account()
    account.deposit(0.5, "BTC", price=60_000)
    account.mark({"BTCUSDT": 60_000})
    account.set_leverage("BTCUSDT", 5)
    account.open("BTCUSDT", "long", 60_000, size=0.4)
    before = account.summary()["equity"]
    account.mark({"BTCUSDT": 54_000})
    check("03.3", before - account.summary()["equity"], strict=True)


def test_expected_answers_follow_the_value_ratio():
    ratio = COLLATERAL_VALUE_RATIOS["BTC"]
    assert lesson03.margin_value_of_btc() == pytest.approx(0.5 * 60_000 * ratio)
    assert lesson03.margin_value_after_fall() == pytest.approx(0.5 * 48_000 * ratio)
    # the long loses 0.4 × 6,000; the collateral 0.5 × 6,000 × 95 %
    assert lesson03.equity_loss_btc_backed() == pytest.approx(0.4 * 6_000 + 0.5 * 6_000 * ratio)


@pytest.mark.parametrize("exercise_id, answer, words", [
    ("03.1", 30_000, "market value"),
    ("03.1", 1_500, "haircut"),
    ("03.1", 0.475, "in BTC"),
    ("03.2", 28_500, "follows the price"),
    ("03.2", 24_000, "new market value"),
    ("03.2", 22_500, "whole market drop"),
    ("03.3", 2_400, "long's loss alone"),
    ("03.3", 2_850, "collateral's loss alone"),
    ("03.3", 5_400, "95 % of its market drop"),
])
def test_mistakes_get_their_message(exercise_id, answer, words):
    result = evaluate(exercise_id, answer)
    assert not result.ok and words in result.message and result.hint


def test_wrong_answer_raises_only_in_strict_mode():
    check("03.1", 29_000)
    with pytest.raises(ExerciseFailed):
        check("03.1", 29_000, strict=True)


@pytest.mark.parametrize("exercise_id, answer", [("03.1", 28_500.4), ("03.2", 22_799.6),
                                                 ("03.3", 5_250)])
def test_answers_to_the_nearest_whole_number_are_right(exercise_id, answer):
    assert evaluate(exercise_id, answer).ok


@pytest.mark.parametrize("exercise_id, answer, words", [
    ("03.1", 2_850_000, "100 times"),           # 95 typed for 95 %
    ("03.3", -5_250, "positive number"),       # the equity change instead of the fall
    ("03.1", (28, 500), "a comma separates values"),
])
def test_slips_read_as_a_beginner_needs(exercise_id, answer, words):
    result = evaluate(exercise_id, answer)
    assert not result.ok and words in result.message
    assert "too high" not in result.message and "too low" not in result.message


def test_the_mode_switch_quiz():
    ex = exercise("03.q1")
    assert ex.expected() == "Close the position, switch the mode, then open again"
    assert ex.options.index(ex.expected()) != 0
    assert "locked" in ex.feedback[ex.options[0]]   # switch now
    assert "already isolated" in ex.feedback[ex.options[1]]   # add margin
