"""Lesson 10 exercises: solutions pass, known mistakes are named (what every exercise must do is in test_exercises_all.py)."""
import pytest

from crossmargin import Account, scenarios
from crossmargin.lessons import cascade
from crossmargin.check import ExerciseFailed, all_exercises, check, evaluate, exercise
from crossmargin.course.exercises import lesson10
from crossmargin.course.exercises.lesson10 import DEPOSIT, POOL_PLAN, THREE_LONGS

IDS = [i for i in all_exercises() if i.startswith("10.")]   # its quizzes too


def test_ids():
    assert IDS == ["10.1", "10.2", "10.3", "10.q1"]


def three_longs_account():
    acc = Account()
    acc.deposit(DEPOSIT)
    for leg in THREE_LONGS:
        acc.set_leverage(leg.symbol, leg.leverage)
        acc.open(leg.symbol, leg.side, leg.entry_price, margin=leg.margin)
    return acc


def test_09_2_is_what_the_account_shows_after_sols_fall():
    acc = three_longs_account()
    before = acc.liquidation_price("BTCUSDT")
    acc.mark({"BTCUSDT": 60_000, "ETHUSDT": 3_000, "SOLUSDT": 120})
    assert exercise("10.2").expected() == pytest.approx(acc.liquidation_price("BTCUSDT"))
    assert exercise("10.2").expected() > before          # SOL's loss pulled it closer


def test_09_3_is_the_tipping_point():
    share = exercise("10.3").expected()
    assert lesson10.reaches_low_leverage(share)
    assert not any(lesson10.reaches_low_leverage(s) for s in range(0, int(share), 5))


def test_09_1_counts_the_saved_paths():
    paths = scenarios.random_paths(2_000, 1_440, [60_000, 150], [0.03, 0.055], -0.5, seed=9)
    effect = cascade.shared_pool_effect(POOL_PLAN, paths, ["BTCUSDT", "SOLUSDT"], deposit=4_040)
    saved = (effect["effect"] == "saved by the pool").mean()
    assert exercise("10.1").expected() == pytest.approx(saved)
    assert 0 < saved < 1


@pytest.mark.parametrize("exercise_id, solution", [
    ("10.2", lambda: lesson10.btc_liquidation_price(-0.2)),
    ("10.2", lambda: round(lesson10.btc_liquidation_price(-0.2), 2)),
    ("10.3", lesson10.tipping_share),
    ("10.3", lambda: int(lesson10.tipping_share())),
    ("10.1", lambda: float(lesson10.pool_shares(-0.5)["saved by the pool"])),
])
def test_the_solution_passes_in_strict_mode(exercise_id, solution, capsys):
    check(exercise_id, solution(), strict=True)
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("exercise_id, answer, words", [
    ("10.2", lambda: lesson10.btc_liquidation_price(0.0), "before SOL fell"),
    ("10.2", lambda: lesson10.btc_liquidation_price(mode="isolated"), "isolated"),
    ("10.2", lambda: 120.0, "SOL's new price"),
    ("10.3", lambda: lesson10.tipping_share() - 5, "cascade ends there"),
    ("10.3", lambda: lesson10.tipping_share() / 100, "multiply by 100"),
    ("10.2", lambda: lesson10.btc_move(), "MOVE"),
    ("10.1", lambda: float(lesson10.pool_shares(-0.5)["dragged down by the pool"]), "DOWN"),
    ("10.1", lambda: float(lesson10.pool_shares(0.8)["saved by the pool"]), "correlation 0.8"),
    ("10.1", lambda: 100 * float(lesson10.pool_shares(-0.5)["saved by the pool"]),
     "100 times the right answer"),
])
def test_listed_mistakes_get_their_message(exercise_id, answer, words):
    result = evaluate(exercise_id, answer())
    assert not result.ok and words in result.message and result.hint


@pytest.mark.parametrize("exercise_id", [i for i in IDS if ".q" not in i])
def test_a_wrong_solution_raises_in_strict_mode(exercise_id):
    with pytest.raises(ExerciseFailed):
        check(exercise_id, -123.0, strict=True)


@pytest.mark.parametrize("exercise_id, precision, words", [
    ("10.1", 0.001, "to 3 decimals"), ("10.2", 1, "to the nearest whole number"),
    ("10.3", 5, "to the nearest 5"),
])
def test_each_question_asks_for_its_own_precision(exercise_id, precision, words):
    # acceptance at the stated precision: tests/test_exercises_all.py, for every exercise
    ex = exercise(exercise_id)
    assert ex.precision == precision and words in ex.prompt


def test_09_2_no_longer_accepts_an_answer_well_off_the_stated_precision():
    expected = exercise("10.2").expected()                 # 53,117.47
    assert evaluate("10.2", round(expected)).ok
    assert not evaluate("10.2", expected + 0.6).ok
    assert not evaluate("10.2", expected - 1).ok


def test_a_beginner_typing_the_sol_fall_as_20_gets_words_not_a_traceback():
    result = evaluate("10.2", 41_219.88)                  # before SOL fell
    assert not result.ok and "before SOL fell" in result.message
    assert "btc_lp" in result.hint and "-0.2" in result.hint


def test_the_quiz_names_each_misconception():
    ex = exercise("10.q1")
    assert ex.expected() == ex.options[1] and len(ex.options) == 4
    assert "isolated" in evaluate("10.q1", ex.options[0]).message
    assert "as a whole" in evaluate("10.q1", ex.options[3]).message
