"""Lesson 13 exercises: solutions pass, known mistakes are named, and every answer is the same
whatever the seed of the day's noise (what every exercise must do is in test_exercises_all.py)."""

import types

import pytest

from crossmargin import Order, replay
from crossmargin.check import ExerciseFailed, all_exercises, check, evaluate, exercise
from crossmargin.course.exercises import lesson13
from crossmargin.lessons import crashday
from crossmargin.lessons.crashday import CollateralAccount

IDS = [i for i in all_exercises() if i.startswith("13.")]   # its quizzes too


@pytest.fixture(scope="module")
def day():
    return crashday.day()


def notebook_solution_13_1(day):
    """The notebook's solution: replay 1x, 2x, ... cross until one is liquidated."""
    for leverage in range(1, 21):
        run = replay(day[["BTCUSDT"]], crashday.faq2_plan(leverage, 9_000), margin_mode="cross")
        if len(run.liquidations()):
            return leverage


def notebook_solution_13_2(day):
    accounts = {"A": CollateralAccount(collateral=60, usdt=8_880, notional=75_000, leverage=5),
                "B": CollateralAccount(collateral=100, notional=55_000, leverage=5)}
    gone = [name for name, account in accounts.items()
            if crashday.collateral_case(account, "own book", day).liquidated]
    return gone[0] if len(gone) == 1 else ("both" if gone else "neither")


def notebook_solution_13_3(day):
    hedger = (10_000, [Order("SOLUSDT", "long", notional=30_000, leverage=10),
                       Order("BTCUSDT", "short", notional=30_000, leverage=10)])
    closed = crashday.hedge_leg_on_the_day(day, hedger=hedger).closed
    return "neither" if not closed else {"SOLUSDT": "the SOL long",
                                         "BTCUSDT": "the BTC short"}[closed[0][0]]


def test_ids():
    assert IDS == ["13.1", "13.2", "13.3", "13.q1"]


def test_expected_answers_have_the_meaning_the_prompts_give(day):
    assert exercise("13.1").expected() == 7
    assert crashday.lowest_liquidating_leverage(day, margin=9_000, mode="cross",
                                                leverages=[6]) is None
    assert exercise("13.2").expected() == "B"
    runs = {name: crashday.collateral_case(account, "own book", day)
            for name, account in (("A", lesson13.ACCOUNT_A), ("B", lesson13.ACCOUNT_B))}
    assert runs["B"].liquidated and not runs["A"].liquidated
    assert runs["A"].timeline["margin_ratio"].max() < 0.5                 # not a near miss
    at_index = crashday.collateral_case(lesson13.ACCOUNT_B, "index", day)
    assert not at_index.liquidated                                       # the wick did it
    assert exercise("13.3").expected() == "neither"


def test_the_two_accounts_are_worth_the_same_at_noon_and_a_has_the_larger_position(day):
    sol = day["SOLUSDT"].iloc[0]
    a, b = lesson13.ACCOUNT_A, lesson13.ACCOUNT_B
    assert a.collateral * sol + a.usdt == pytest.approx(b.collateral * sol + b.usdt) == 22_200
    assert a.notional > b.notional


def test_in_the_reversed_hedge_adl_still_happens_but_takes_the_calm_short(day):
    result = crashday.hedge_leg_on_the_day(day, hedger=lesson13.REVERSED_HEDGER)
    adl = result.events[result.events["type"] == "adl"]
    assert list(adl["account"]) == ["calm short"] and result.closed == []
    assert list(result.before.index) == list(result.after.index) == ["SOLUSDT", "BTCUSDT"]


@pytest.mark.parametrize("hit, option", [([], "neither"), (["B"], "B"), (["A", "B"], "both")])
def test_13_2_names_every_outcome_none_included(monkeypatch, hit, option):
    """Each answer the choice offers can come out (none liquidated is 'neither', not an
    error), whatever the day does: collateral_case is replaced by one that liquidates ``hit``."""
    accounts = {id(lesson13.ACCOUNT_A): "A", id(lesson13.ACCOUNT_B): "B"}
    def collateral_case(account, valuation, prices):
        return types.SimpleNamespace(liquidated=accounts[id(account)] in hit)
    monkeypatch.setattr(crashday, "collateral_case", collateral_case)
    assert lesson13.wick_liquidates() == option


@pytest.mark.parametrize("closed, option", [([], "neither"), ([("BTCUSDT", "short")],
                                                               "the BTC short"),
                                            ([("SOLUSDT", "long"), ("BTCUSDT", "short")],
                                             "both legs")])
def test_13_3_names_every_outcome(monkeypatch, closed, option):
    monkeypatch.setattr(crashday, "hedge_leg_on_the_day",
                        lambda prices, hedger: types.SimpleNamespace(closed=closed))
    assert lesson13.reversed_hedge_closed() == option


@pytest.mark.parametrize("seed", [1, 42])
def test_every_answer_is_the_same_whatever_the_seed(seed):
    assert lesson13.lowest_cross_leverage(seed) == lesson13.lowest_cross_leverage()
    assert lesson13.lowest_isolated_leverage(seed) == 6
    assert lesson13.wick_liquidates(seed) == lesson13.wick_liquidates()
    assert lesson13.reversed_hedge_closed(seed) == lesson13.reversed_hedge_closed()


@pytest.mark.parametrize("exercise_id, solution", [
    ("13.1", notebook_solution_13_1),
    ("13.2", notebook_solution_13_2),
    ("13.2", lambda d: notebook_solution_13_2(d).lower()),
    ("13.3", notebook_solution_13_3),
])
def test_the_solution_passes_in_strict_mode(exercise_id, solution, day, capsys):
    check(exercise_id, solution(day), strict=True)
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("exercise_id, answer, words", [
    ("13.1", 6, "isolated long's answer"),
    ("13.1", 10, "jumped from 5x to 10x"),
    ("13.1", -7, "positive number"),
    ("13.2", "A", "larger position"),
    ("13.2", "both", "A survives"),
    ("13.2", "neither", "Valued at the index"),
    ("13.3", "the BTC short", "profitable leg"),
    ("13.3", "the SOL long", "same side as the bankrupt"),
    ("13.3", "both legs", "holds none"),
])
def test_mistakes_get_their_message(exercise_id, answer, words):
    result = evaluate(exercise_id, answer)
    assert not result.ok and words in result.message and result.hint


def test_a_wrong_solution_raises_in_strict_mode():
    with pytest.raises(ExerciseFailed, match="13.2"):
        check("13.2", "A", strict=True)


def test_the_quiz_has_one_explanation_per_option():
    quiz = exercise("13.q1")
    assert quiz.kind == "choice" and len(quiz.options) == 4
    assert set(quiz.feedback) == set(quiz.options)
    assert quiz.expected().startswith("A day tests only the moves it had")
