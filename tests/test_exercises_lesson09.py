"""Lesson 09 exercises: predict → measure → explain, with answers that hold on every seed tried;
solutions pass, each wrong answer is told its misconception (what every exercise must do is in
test_exercises_all.py)."""
from pathlib import Path

import nbformat
import numpy as np
import pytest

from crossmargin import montecarlo
from crossmargin.check import ExerciseFailed, all_exercises, check, evaluate, exercise
from crossmargin.course.exercises import lesson09
from crossmargin.lessons.hedging import (SEED, SYMBOLS, hedge_grid, hedge_paths, hedge_plan,
                                         min_variance_ratio, pair_volatility, required_deposit)

IDS = [i for i in all_exercises() if i.startswith("09.")]   # its quizzes too
#: The seeds the answers must not depend on (the lesson's is SEED, 8).
SEEDS = [SEED, 1, 2, 3, 9, 42]
NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "09-hedging.ipynb"
H = lesson09.MIN_VARIANCE


def test_ids():
    assert IDS == ["09.1", "09.2", "09.q1", "09.q2"]
    assert H == 0.375 and lesson09.RANK_RATIOS == (0.0, 0.375, 1.0)


def cross_odds(ratio, rho=0.5):
    run = montecarlo.run(hedge_plan(3_000, ratio, 15), hedge_paths(rho), list(SYMBOLS),
                         deposit=10_000, modes=("cross",))
    return run.outcomes["liquidated"].mean()


# --------------------------------------------------------------------------- 09.1

def test_09_1_ranks_the_odds_the_montecarlo_measures():
    odds = {r: cross_odds(r) for r in lesson09.RANK_RATIOS}
    assert lesson09.measured_ranking() == sorted(odds, key=odds.get) == [H, 0.0, 1.0]
    rows = lesson09.rank_odds()
    assert (rows["paths"] == 1_000).all()
    assert (rows["p_liquidation_low"] < rows["p_liquidation"]).all()
    assert (rows["p_liquidation"] < rows["p_liquidation_high"]).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_09_1_the_ranking_is_the_same_on_every_seed(seed):
    assert lesson09.measured_ranking(seed) == [H, 0.0, 1.0]
    assert lesson09.check_ranking([H, 0, 1], seed)[0]


def test_09_1_the_ranking_follows_the_pairs_swings():
    # what the feedback says: the 1:1 pair swings more than the long alone, the min-variance one less
    swings = [pair_volatility(r, 0.5) for r in lesson09.RANK_RATIOS]
    assert swings[1] < swings[0] < swings[2]


def solution_09_1():
    """The notebook's worked solution."""
    ranked = hedge_grid([0, min_variance_ratio(0.5), 1], [0.5], modes=("cross",))
    return list(ranked.set_index("hedge_ratio")["p_liquidation"].sort_values().index)


@pytest.mark.parametrize("answer", [solution_09_1, lambda: [0.375, 0, 1], lambda: (0.38, 0.0, 1),
                                    lambda: [np.float64(0.375), 0, 1.0], lambda: [0.4, 0, 1]])
def test_09_1_accepts_the_ranking_as_a_list_or_a_tuple_of_rounded_ratios(answer, capsys):
    check("09.1", answer(), strict=True)
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("answer, words", [
    ([1, 0.375, 0], "a short as big as the long cancels the risk"),
    ([1, 0, 0.375], "a short as big as the long cancels the risk"),
    ([0, 0.375, 1], "right at correlation 0"),
    ([0, 1, 0.375], "right at correlation 0"),
    ([0.375, 1, 0], "not 'any hedge beats none'"),
])
def test_09_1_each_wrong_ranking_is_told_its_misconception(answer, words):
    result = evaluate("09.1", answer)
    assert not result.ok and words in result.message
    assert "the paths ranked them 0.375" in result.message and result.hint


@pytest.mark.parametrize("answer", [[0, 0, 1], [0.375, 0], [0.375, 0, 1, 1], [0.2, 0, 1],
                                    "0.375, 0, 1", 0.375, [True, 0, 1], [0.375, 0, None]])
def test_09_1_a_malformed_ranking_is_shown_how_to_write_it(answer):
    result = evaluate("09.1", answer)
    assert not result.ok and "in a list, each once" in result.message


def test_09_1_a_wrong_ranking_raises_in_strict_mode():
    with pytest.raises(ExerciseFailed):
        check("09.1", [0, 0.375, 1], strict=True)


# --------------------------------------------------------------------------- 09.2

def test_09_2_compares_the_money_required_deposit_finds():
    alone = required_deposit(0.0, 0.5, "cross")
    hedged = required_deposit(H, 0.5, "cross")
    assert lesson09.money_cut() == pytest.approx(1 - hedged / alone)
    assert 0 < 1 - hedged / alone < lesson09.A_LOT
    assert exercise("09.2").expected() == "a little less"


@pytest.mark.parametrize("seed", SEEDS)
def test_09_2_a_little_less_on_every_seed_and_a_lot_less_at_0_8(seed):
    cut = lesson09.money_cut(seed)
    assert lesson09.how_much_less(cut) == "a little less"
    assert cut <= lesson09._SHRINK + 0.02            # "by about as much as the swing, or less"
    strong = 1 - (lesson09.money_needed(0.6, correlation=0.8, seed=seed)
                  / lesson09.money_needed(0.0, correlation=0.8, seed=seed))
    assert lesson09.how_much_less(strong) == "a lot less"   # the question's "like the 0.6 hedge"


@pytest.mark.parametrize("cut, words", [(-0.1, "more"), (0.0, "more"), (0.05, "a little less"),
                                        (0.199, "a little less"), (0.2, "a lot less")])
def test_09_2_the_three_answers_split_the_cut_at_zero_and_a_fifth(cut, words):
    assert lesson09.how_much_less(cut) == words


@pytest.mark.parametrize("answer, words", [
    ("a lot less", "correlation 0.8"), ("more", "isolated mode"), ("A LOT LESS", "ρ² = 25%"),
])
def test_09_2_each_wrong_answer_is_told_why(answer, words):
    result = evaluate("09.2", answer)
    assert not result.ok and words in result.message and result.hint


def test_09_2_the_right_answer_explains_the_correlation_squared(capsys):
    check("09.2", " a little less", strict=True)
    assert "correlation squared" in capsys.readouterr().out


# --------------------------------------------------------------------------- the notebook

def test_each_exercise_is_predict_then_measure_then_explain():
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    asked = [n for n, c in enumerate(cells) if "exercise" in c.metadata.get("tags", [])]
    assert len(asked) == 2
    previous = 0
    for n in asked:
        before = cells[previous:n]
        predictions = [c for c in before if c.source.startswith("prediction = ...")]
        measures = [c for c in before if c.source.startswith("# Measure:")]
        assert len(predictions) == 1 and len(measures) == 1, n
        assert before.index(predictions[0]) < before.index(measures[0])
        assert "95 % interval" in measures[0].source and "paths" in measures[0].source
        assert cells[n - 1].cell_type == "markdown" and "Explain" in cells[n - 1].source
        previous = n + 1


def test_the_old_09_1_and_its_printed_answer_are_gone():
    text = NOTEBOOK.read_text(encoding="utf-8")
    assert "09.3" not in text and "1:1 hedge (ratio 1)? Give a fraction" not in text


# --------------------------------------------------------------------------- quizzes

def test_the_quiz_puts_the_right_answer_last_and_explains_every_option():
    ex = exercise("09.q1")
    assert ex.expected() == ex.options[-1] and len(ex.options) >= 3
    assert evaluate("09.q1", ex.options[0]).ok is False
    assert "diversification" in evaluate("09.q1", ex.options[1]).message


def test_the_second_quiz_asks_why_min_variance_and_min_liquidation_differ():
    ex = exercise("09.q2")
    assert "0.6" in ex.prompt and "0.5" in ex.prompt
    assert "deep loss" in ex.expected()
    assert "10,000 paths" in evaluate("09.q2", ex.options[0]).message      # luck
    assert "larger ratio" in evaluate("09.q2", ex.options[2]).message      # funding


def test_the_lesson_and_its_feedback_agree_on_the_least_liquidated_ratio():
    # 0.5, not the min-variance 0.6, at correlation 0.8 (the lesson checks it on 10,000 paths)
    grid = hedge_grid([0.5, 0.6], [0.8], modes=("cross",)).set_index("hedge_ratio")
    assert grid["p_liquidation"].idxmin() == 0.5
    assert "least liquidated ratio was 0.5" in exercise("09.1").explanation
