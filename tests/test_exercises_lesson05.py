"""Lesson 05 exercises: solutions pass, known mistakes are named (what every exercise must do is in test_exercises_all.py)."""

import pytest

from crossmargin import platforms
from crossmargin.check import ExerciseFailed, all_exercises, check, evaluate, exercise
from crossmargin.course.exercises import lesson05

IDS = [i for i in all_exercises() if i.startswith("05.")]   # its quizzes too


def notebook_solution_05_1():
    account = lesson05.exercise_account()
    return account.margin_ratio() * 100


def notebook_solution_05_2():
    """The notebook's solution: the 80 % equation solved for the BTC price."""
    account = lesson05.exercise_account()
    s, eth = account.summary(), account.positions().loc["ETHUSDT"]
    rate, amount = account.contracts["BTCUSDT"].brackets.lookup(0.5 * 56_000)
    return ((eth.maintenance_margin - amount) / 0.8 - s.cross_wallet_balance
            - eth.unrealized_pnl + 0.5 * 60_000) / (0.5 - 0.5 * rate / 0.8)


def test_ids():
    assert IDS == ["05.1", "05.2", "05.3", "05.q1"]


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
    ("05.1", lesson05.margin_ratio_pct() / 100, "multiply by 100"),
    ("05.1", 0.38, "multiply by 100"),
    ("05.1", 138.48 / (2_000 - 1_620) * 100, "opening the two positions paid the taker fee"),
    ("05.1", (120 + 24) / 362 * 100, "at the mark price"),
    ("05.1", 138.48 / 1_982 * 100, "wallet balance"),
    ("05.1", 362 / 138.48 * 100, "OKX's orientation"),
    ("05.2", lesson05.exercise_account().liquidation_price("BTCUSDT"), "reaches 100 %"),
    ("05.2", lesson05._btc_price_without_fees(), "opening fees"),
    ("05.3", 800 / 1_250 * 100, "Binance's orientation"),
    ("05.3", 850 / 1_250 * 100, "upside down"),
    ("05.3", 68, "FALLS toward 100 %"),
    ("05.3", 1_250 / 800 * 100, "fee to close"),
    ("05.3", 1_250 / 850, "multiply by 100"),
])
def test_mistakes_get_their_message(exercise_id, answer, words):
    result = evaluate(exercise_id, answer)
    assert not result.ok and words in result.message and result.hint


def test_the_warning_price_is_asked_to_the_dollar():
    price = exercise("05.2").expected()
    assert evaluate("05.2", round(price)).ok and evaluate("05.2", price + 0.3).ok
    assert not evaluate("05.2", price + 5).ok
    assert "nearest whole number" in exercise("05.2").prompt


@pytest.mark.parametrize("exercise_id, answer", [
    ("05.1", 38.3), ("05.1", 38.25), ("05.2", 56_620), ("05.3", 147),
])
def test_the_answer_at_the_stated_precision_is_accepted(exercise_id, answer):
    assert evaluate(exercise_id, answer).ok


def test_the_hints_point_to_what_the_lesson_shows():
    assert "tables above" in exercise("05.1").hint
    hint = exercise("05.2").hint
    assert "80 % warning" in hint and "mark_sweep" in hint and "bisect" not in hint.lower()
    assert "interval" not in hint


def test_the_inverted_okx_ratio_is_computed_by_the_engine():
    assert lesson05._okx_upside_down() == pytest.approx(850 / 1_250 * 100)
    result = evaluate("05.3", lesson05._okx_upside_down())
    assert not result.ok and "orientation" in result.message


def test_a_wrong_solution_raises_in_strict_mode():
    with pytest.raises(ExerciseFailed, match="05.3"):
        check("05.3", 64.0, strict=True)
