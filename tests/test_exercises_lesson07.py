"""Lesson 07 exercises: solutions pass, known mistakes are named (what every exercise must do is in test_exercises_all.py)."""

import pytest

from crossmargin import Order, compare_modes, scenarios
from crossmargin.check import check, evaluate, exercise
from crossmargin.exercises import lesson07
from crossmargin.exercises.lesson07 import DEPOSIT, EXERCISES, example_legs
from crossmargin.shocks import liquidation_move, shock_outcomes

IDS = [e.id for e in EXERCISES]


def test_ids():
    assert IDS == ["07.1", "07.2", "07.3"]


def crash_liquidations(leverage):
    plan = [Order("BTCUSDT", "long", margin=4_900, leverage=leverage),
            Order("ETHUSDT", "short", margin=4_900, leverage=leverage)]
    table, runs = compare_modes(scenarios.btc_crash()[["BTCUSDT", "ETHUSDT"]], plan,
                                liquidation_prices=False)
    return runs["isolated"].liquidations()["symbol"].tolist()


def test_07_3_agrees_with_a_replay_of_the_crash():
    lowest = exercise("07.3").expected()
    assert crash_liquidations(lowest) == ["BTCUSDT"]
    assert crash_liquidations(lowest - 1) == []


def test_07_1_and_07_2_mean_what_the_prompts_say():
    move = exercise("07.1").expected()
    out = shock_outcomes(example_legs(10), DEPOSIT, {"BTCUSDT": move - 1e-9})
    assert out.isolated_liquidated["BTCUSDT"]
    out = shock_outcomes(example_legs(10), DEPOSIT, {"BTCUSDT": move + 1e-6})
    assert not out.isolated_liquidated["BTCUSDT"]
    twist = shock_outcomes(example_legs(5), DEPOSIT, {"BTCUSDT": -0.15, "ETHUSDT": 0.15})
    assert not twist.cross_liquidated and 0 < exercise("07.2").expected() < 5_000


@pytest.mark.parametrize("exercise_id, solution", [
    ("07.1", lambda: liquidation_move(example_legs(10), 10_000, "BTCUSDT", "isolated")),
    ("07.1", lambda: round(liquidation_move(example_legs(10), 10_000, "BTCUSDT", "isolated"), 4)),
    ("07.2", lambda: shock_outcomes(example_legs(5), 10_000,
                                    {"BTCUSDT": -0.15, "ETHUSDT": 0.15}).cross_equity),
    ("07.3", lesson07.lowest_liquidating_leverage),
])
def test_the_solution_passes_in_strict_mode(exercise_id, solution, capsys):
    check(exercise_id, solution(), strict=True)
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("exercise_id, answer, words", [
    ("07.1", -0.1, "bankruptcy"),
    ("07.1", 100 * liquidation_move(example_legs(10), DEPOSIT, "BTCUSDT", "isolated"),
     "wrong unit"),
    ("07.1", -liquidation_move(example_legs(10), DEPOSIT, "BTCUSDT", "isolated"), "sign"),
    ("07.2", 10_000 - 0.15 * 2 * 4_900 * 5, "opening fees"),
    ("07.2", 0, "Not at 5x"),
    ("07.3", lesson07.lowest_liquidating_leverage("final"), "last price"),
])
def test_common_mistakes_get_their_message(exercise_id, answer, words):
    result = evaluate(exercise_id, answer)
    assert not result.ok and words in result.message
