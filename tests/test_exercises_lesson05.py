"""Lesson 05 exercises: solutions pass, known mistakes are named (what every exercise must do is in test_exercises_all.py)."""

import pytest

from crossmargin import platforms
from crossmargin.check import ExerciseFailed, check, evaluate, exercise
from crossmargin.exercises import lesson05
from crossmargin.exercises.lesson05 import EXERCISES

IDS = [e.id for e in EXERCISES]


def notebook_solution_05_1():
    account = lesson05.exercise_account()
    return account.margin_ratio() * 100


def notebook_solution_05_2():
    """The notebook's solution: bisection on copies of the account."""
    account = lesson05.exercise_account()
    trial = account.copy()
    low, high = account.liquidation_price("BTCUSDT"), 57_000.0
    while high - low > 0.001:
        middle = (low + high) / 2
        trial.mark({"BTCUSDT": middle})
        if trial.margin_ratio() >= 0.8:
            low = middle
        else:
            high = middle
    return high


def test_ids():
    assert IDS == ["05.1", "05.2", "05.3"]


def test_expected_answers_have_the_meaning_the_prompts_give():
    s = lesson05.exercise_account().summary()
    assert exercise("05.1").expected() == pytest.approx(
        s.cross_maintenance_margin / (s.cross_wallet_balance + s.cross_unrealized_pnl) * 100)
    price = exercise("05.2").expected()
    trial = lesson05.exercise_account()
    assert trial.mark({"BTCUSDT": price}) == []
    assert trial.margin_ratio() == pytest.approx(0.8, rel=1e-9)
    assert lesson05.exercise_account().liquidation_price("BTCUSDT") < price < 57_000
    assert exercise("05.3").expected() == pytest.approx(1_250 / (800 + 50) * 100)


@pytest.mark.parametrize("exercise_id, solution", [
    ("05.1", notebook_solution_05_1),
    ("05.1", lambda: round(notebook_solution_05_1(), 2)),
    ("05.2", notebook_solution_05_2),
    ("05.2", lambda: round(notebook_solution_05_2(), 2)),
    ("05.3", lambda: platforms.okx_margin_ratio(1_250, 800, 50) * 100),
])
def test_the_solution_passes_in_strict_mode(exercise_id, solution, capsys):
    check(exercise_id, solution(), strict=True)
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("exercise_id, answer, words", [
    ("05.1", lesson05.margin_ratio_pct() / 100, "in percent"),
    ("05.1", 138.48 / 1_982 * 100, "wallet balance"),
    ("05.1", 362 / 138.48 * 100, "OKX's orientation"),
    ("05.2", lesson05.exercise_account().liquidation_price("BTCUSDT"), "reaches 100 %"),
    ("05.2", lesson05._btc_price_without_fees(), "opening fees"),
    ("05.3", 800 / 1_250 * 100, "Binance's orientation"),
    ("05.3", 1_250 / 800 * 100, "fee to close"),
    ("05.3", 1_250 / 850, "in percent"),
])
def test_mistakes_get_their_message(exercise_id, answer, words):
    result = evaluate(exercise_id, answer)
    assert not result.ok and words in result.message and result.hint


def test_the_warning_price_needs_about_a_dollar():
    price = exercise("05.2").expected()
    assert evaluate("05.2", price + 0.3).ok
    assert not evaluate("05.2", price + 5).ok


def test_a_wrong_solution_raises_in_strict_mode():
    with pytest.raises(ExerciseFailed, match="05.3"):
        check("05.3", 64.0, strict=True)
