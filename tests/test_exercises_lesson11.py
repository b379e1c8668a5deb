"""Lesson 11 exercises: predict → measure → explain, answers the seed cannot change, solutions
pass, known mistakes are named (what every exercise must do is in test_exercises_all.py)."""
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from crossmargin.check import all_exercises, check, evaluate
from crossmargin.course import estimate_minutes
from crossmargin.course.exercises import lesson11
from crossmargin.lessons import indicators, reserve
from crossmargin.scenarios import START_PRICES
from crossmargin.simulation.stats import wilson_interval

IDS = [i for i in all_exercises() if i.startswith("11.")]   # its quizzes too
TWO_BETS = reserve.PLANS["two bets: long BTC, long SOL"]
NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "11-tips-and-faq.ipynb"
SEEDS = (10, 1, 2, 3, 9, 42)


def test_ids():
    assert IDS == ["11.1", "11.2", "11.3", "11.q1"]


def solution_11_1():
    """As in the notebook: the odds fall in a mode when the 95 % intervals at 5 % and 75 %
    reserve do not overlap."""
    paths = reserve.market_paths()
    table = reserve.reserve_outcomes(TWO_BETS, paths, reserve.SYMBOLS,
                                     reserves=(0.05, 0.25, 0.5, 0.75))
    odds = table.pivot(index="reserve", columns="mode", values="p_liquidation")
    n = len(paths)
    fell = [mode for mode in ("cross", "isolated")
            if wilson_interval(round(odds[mode].iloc[-1] * n), n)[1]
            < wilson_interval(round(odds[mode].iloc[0] * n), n)[0]]
    return {("cross",): "cross only", ("isolated",): "isolated only",
            ("cross", "isolated"): "both", (): "neither"}[tuple(fell)]


def solution_11_2():
    account = reserve.open_plan(TWO_BETS, START_PRICES)
    account.mark({"BTCUSDT": 57_000, "SOLUSDT": 135})
    return account.positions()["notional"].sum() / account.summary()["equity"]


def solution_11_3():
    return indicators.rsi(pd.Series([100, 102, 101, 104, 103, 106]), 3).iloc[-1]


@pytest.mark.parametrize("exercise_id, solution", [
    ("11.1", solution_11_1), ("11.2", solution_11_2), ("11.3", solution_11_3),
])
def test_the_solution_passes_in_strict_mode(exercise_id, solution, capsys):
    check(exercise_id, solution(), strict=True)
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("seed", SEEDS)
def test_11_1s_answer_does_not_depend_on_the_seed(seed):
    """Cross falls by more than 30 points on every seed, isolated by under 2; so the verdict,
    intervals included, is the same choice whatever the seed."""
    odds = lesson11.reserve_odds(seed)
    assert odds["cross"].iloc[0] - odds["cross"].iloc[-1] > 0.3
    assert abs(odds["isolated"].iloc[0] - odds["isolated"].iloc[-1]) < 0.02
    assert odds["cross"].is_monotonic_decreasing
    assert lesson11.reserve_verdict(seed) == "cross only" == all_exercises()["11.1"].expected()


def test_11_1s_options_each_explain_the_mechanism():
    ex = all_exercises()["11.1"]
    assert ex.kind == "choice" and ex.options == lesson11.RESERVE_OPTIONS
    for option in ex.options:
        result = evaluate("11.1", option)
        assert result.ok == (option == "cross only")
        assert "the wallet puts the reserve behind every position" in result.message
    assert "barely move" in evaluate("11.1", "isolated only").message
    assert "depends on its leverage, not on its size" in evaluate("11.1", "both").message
    assert "95 % intervals" in evaluate("11.1", "neither").message
    odd = evaluate("11.1", "cross")
    assert not odd.ok and "answer with one of 'cross only'" in odd.message


def test_answers_mean_what_the_prompts_say():
    # 11.3 by hand: Wilder's averages of gains/losses after six prices
    gain, loss = 5 / 3, 1 / 3
    gain, loss = (gain * 2 + 0) / 3, (loss * 2 + 1) / 3
    gain, loss = (gain * 2 + 3) / 3, (loss * 2 + 0) / 3
    assert lesson11.rsi_by_hand() == pytest.approx(100 - 100 / (1 + gain / loss))
    assert lesson11.rsi_by_hand("simple") == pytest.approx(100 - 100 / (1 + 6))
    assert lesson11.rsi_by_hand() > 70                         # "above 70", the zone to predict
    # 11.2: "higher, but below 10x", the choice a learner predicts
    assert lesson11.effective_leverage("start") < lesson11.effective_leverage() < 10


@pytest.mark.parametrize("exercise_id, answer, words", [
    ("11.3", lesson11.rsi_by_hand("simple"), "Cutler"),
    ("11.3", lesson11.rsi_by_hand("rs"), "That is RS"),
    ("11.3", lesson11.rsi_by_hand() / 100, "0–100 scale"),
    ("11.3", 0.825, "0–100 scale"),
    ("11.2", 10, "leverage setting"),
    ("11.2", lesson11.effective_leverage("start"), "at the start"),
    ("11.2", lesson11.effective_leverage("entry_notional"), "entry price"),
])
def test_common_mistakes_get_their_message(exercise_id, answer, words):
    result = evaluate(exercise_id, answer)
    assert not result.ok and words in result.message


@pytest.mark.parametrize("exercise_id, precision, words", [
    ("11.2", 0.1, "to 1 decimal"), ("11.3", 0.1, "to 1 decimal"),
])
def test_the_prompt_states_the_precision_and_answers_at_it_are_accepted(exercise_id,
                                                                        precision, words):
    ex = all_exercises()[exercise_id]
    assert ex.precision == precision and words in ex.prompt
    expected = ex.expected()
    assert evaluate(exercise_id, round(expected / precision) * precision).ok
    assert not evaluate(exercise_id, expected + 1.5 * precision).ok


def test_the_right_numbers_are_explained_and_no_message_asks_for_another():
    right = evaluate("11.2", 7.4)
    assert right.ok and "notional / equity rose" in right.message
    right = evaluate("11.3", 82.5)
    assert right.ok and "says nothing about the next one" in right.message
    result = evaluate("11.3", 0.825)
    assert not result.ok and "multiply by 100" in result.message
    assert "give 82.5" not in result.message


def test_the_quiz_has_the_right_answer_first_here_and_names_cross_is_always_safer():
    ex = all_exercises()["11.q1"]
    assert ex.expected() == ex.options[0] and len(ex.options) == 3
    assert "always safer" in evaluate("11.q1", ex.options[2]).message


# -- the notebook: predict, then measure, then answer ----------------------------------------

def cells():
    return nbformat.read(NOTEBOOK, as_version=4).cells


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


@pytest.mark.parametrize("exercise_id, options", [
    ("11.1", lesson11.RESERVE_OPTIONS), ("11.2", lesson11.LEVERAGE_OPTIONS),
    ("11.3", lesson11.RSI_OPTIONS),
])
def test_each_exercise_is_predict_then_measure_then_answer(exercise_id, options):
    nb = cells()
    n = next(i for i, c in enumerate(nb)
             if "exercise" in tags(c) and f'check("{exercise_id}", answer)' in c.source)
    question, predict, measure = nb[n - 3], nb[n - 2], nb[n - 1]
    assert question.cell_type == "markdown"
    assert f"**Exercise {exercise_id} · predict, measure, explain.**" in question.source
    assert predict.cell_type == "code" and predict.source.startswith("prediction = ...")
    assert all(f'"{option}"' in predict.source for option in options), predict.source
    assert measure.cell_type == "code" and "prediction" not in measure.source
    assert "solution" in tags(nb[n + 1])


def test_the_moving_average_tip_is_the_optional_extension_and_the_core_takes_30_minutes():
    nb = cells()
    extension = [c for c in nb if "extension" in tags(c)]
    assert extension[0].source.startswith("## Optional extension · Tip 4: moving averages")
    text = "\n".join(c.source for c in extension)
    assert "SignalChart(" in text and 'check("11.3", answer)' in text
    assert "What it tests is the **[backtester]" in text and "it cannot say" in text
    core = "\n".join(c.source for c in nb if "extension" not in tags(c))
    assert not re.search(r"\brsi\b|SignalChart|indicators\.", core, re.I)
    meta = nbformat.read(NOTEBOOK, as_version=4).metadata["course"]["minutes"]
    estimate = estimate_minutes(NOTEBOOK)
    assert meta["teaching"] + meta["exercises"] <= 30
    assert estimate["exact"]["teaching"] + estimate["exact"]["exercises"] <= 30
    assert estimate["teaching"] + estimate["exercises"] <= 30
    assert estimate["extension"] == meta["extension"]
