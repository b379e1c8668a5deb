"""Lesson 07 exercises: solutions pass, known mistakes are named (what every exercise must do is in test_exercises_all.py)."""

import pytest

from crossmargin import Brackets, Order, formulas, replay, scenarios
from crossmargin.lessons import examples, stops
from crossmargin.check import ExerciseFailed, all_exercises, check, evaluate, exercise
from crossmargin.course.exercises import lesson07

IDS = [i for i in all_exercises() if i.startswith("07.")]   # its quizzes too
BTC = Brackets.load("BTCUSDT")


def notebook_solution_07_1():
    size = 1_000 * 25 / 60_000
    lp = formulas.liquidation_price("long", size, 60_000, 1_000, brackets=BTC)
    return (60_000 - lp) / 60_000 * 100


def notebook_solution_07_2():
    """The notebook's solution, from the lesson's first account (examples.btc_long)."""
    account = examples.btc_long(10, size=0.5)
    account.set_stop_loss("BTCUSDT", 58_500)
    account.mark({"BTCUSDT": 58_700})
    (event,) = account.mark({"BTCUSDT": 56_000})
    return event["amount"]


def test_the_06_2_hint_builds_the_exercise_account():
    """The hint's examples.btc_long(10, size=0.5) is the question's account (no IndexError)."""
    hinted, built = examples.btc_long(10, size=0.5), lesson07.gap_account()
    hinted.set_stop_loss("BTCUSDT", 58_500)
    assert hinted.positions().equals(built.positions())
    assert hinted.summary().equals(built.summary())
    assert "examples.btc_long(10, size=0.5)" in exercise("07.2").hint


def notebook_solution_07_3():
    path = scenarios.whipsaw()[["BTCUSDT"]]
    final = {}
    for stop in (0.03, None):
        order = Order("BTCUSDT", "long", margin=1_000, leverage=10, margin_mode="isolated",
                      stop_distance=stop)
        final[stop] = replay(path, [order]).summary()["final_equity"]
    return "with the stop" if final[0.03] > final[None] else "without a stop"


def test_ids():
    assert IDS == ["07.1", "07.2", "07.3", "07.4", "07.q1"]


def test_expected_answers_have_the_meaning_the_prompts_give():
    distance = exercise("07.1").expected()
    assert 0 < distance < 100 / 25
    event = lesson07.gap_stop_event()
    assert event["price"] == 56_000               # filled at the gapped mark, not the trigger
    assert exercise("07.2").expected() == pytest.approx(0.5 * (56_000 - 60_000)
                                                        - 0.5 * 56_000 * 0.0005)
    with_stop = lesson07.whipsaw_final_equity(0.03)
    without = lesson07.whipsaw_final_equity(None)
    assert with_stop > without                     # at 10x the first dip liquidates
    assert exercise("07.3").expected() == "with the stop"


def test_a_stop_just_inside_the_liquidation_distance_triggers_first():
    distance = exercise("07.1").expected() / 100
    path = scenarios.btc_crash()[["BTCUSDT"]]
    for stop, kind in ((distance * 0.9, "stop_loss"), (distance * 1.1, "liquidation")):
        order = Order("BTCUSDT", "long", margin=1_000, leverage=25, margin_mode="isolated",
                      stop_distance=stop)
        events = replay(path, [order]).events
        events = events[~events["type"].isin(["funding", "stops_cancelled"])]
        assert events["type"].iloc[0] == kind


def notebook_solution_07_4():
    return stops.position_size(200, 60_000, 58_800, leverage=10, gap_allowance=0.005).size


def test_06_4_by_hand():
    fill = 58_800 * (1 - 0.005)
    per_btc = (60_000 - fill) + 0.0005 * (60_000 + fill)      # the way to the fill + both fees
    assert exercise("07.4").expected() == pytest.approx(200 / per_btc)
    assert round(exercise("07.4").expected(), 4) == 0.1288
    assert lesson07.sized().stop_inside                        # the question's stop is inside


@pytest.mark.parametrize("exercise_id, solution", [
    ("07.1", notebook_solution_07_1),
    ("07.1", lambda: round(notebook_solution_07_1(), 2)),
    ("07.2", notebook_solution_07_2),
    ("07.3", notebook_solution_07_3),
    ("07.3", lambda: notebook_solution_07_3().upper()),
    ("07.4", notebook_solution_07_4),
    ("07.4", lambda: 0.1288),
])
def test_the_solution_passes_in_strict_mode(exercise_id, solution, capsys):
    check(exercise_id, solution(), strict=True)
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("exercise_id, answer, words", [
    ("07.1", 4.0, "bankruptcy price"),
    ("07.1", exercise("07.1").expected() / 100, "multiply by 100"),
    ("07.1", -3.61, "positive percent"),
    ("07.2", -764.625, "gapped more than 0.5 %"),
    ("07.2", -2_000, "taker fee"),
    ("07.2", -2_014.625, "not at the trigger"),
    ("07.2", -2_029, "opening fee"),
    ("07.2", -664.675, "58,700"),
    ("07.2", 2_014, "wrong sign"),
    ("07.3", "without a stop", "liquidates the position before the recovery"),
    ("07.4", 200 / 1_200, "budget / stop distance"),                       # 0.1667
    ("07.4", 200 / (60_000 - 58_506), "fees are missing"),                 # 0.1339
    ("07.4", 200 / (1_200 + 0.0005 * (60_000 + 58_800)), "gap is missing"),   # 0.1588
    ("07.4", 0.0327, "down to the liquidation price"),
    ("07.4", 0.0346, "distance to the liquidation price"),
    ("07.4", -0.1288, "positive number of BTC"),
])
def test_mistakes_get_their_message(exercise_id, answer, words):
    result = evaluate(exercise_id, answer)
    assert not result.ok and words in result.message and result.hint


def test_a_wrong_solution_raises_in_strict_mode():
    with pytest.raises(ExerciseFailed, match="07.2"):
        check("07.2", -764.625, strict=True)


@pytest.mark.parametrize("exercise_id, answer", [
    ("07.1", 3.61), ("07.2", -2_014.00), ("07.2", -2_014), ("07.4", 0.1288), ("07.4", 0.12876),
])
def test_the_answer_at_the_stated_precision_is_accepted(exercise_id, answer):
    assert evaluate(exercise_id, answer).ok
    assert ("to 4 decimals" if exercise_id == "07.4" else "to 2 decimals") in exercise(exercise_id).prompt


def test_a_rounded_3_6_is_told_the_precision_asked():
    result = evaluate("07.1", 3.6)
    assert not result.ok and "to 2 decimals" in result.message
