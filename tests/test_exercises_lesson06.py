"""Lesson 06 exercises: solutions pass, known mistakes are named (what every exercise must do is in test_exercises_all.py). Numbers by hand in the comments."""
import math

import pytest

from crossmargin import Account, formulas, venue
from crossmargin.check import ExerciseFailed, all_exercises, check, evaluate, exercise
from crossmargin.course.exercises import lesson06
from crossmargin.lessons.liquidation import left_after_fee, walk_through

IDS = [i for i in all_exercises() if i.startswith("06.")]   # its quizzes too


def notebook_solution_06_1():
    return left_after_fee(200_000, venue="binance", symbol="SOLUSDT").left


def notebook_solution_06_2():
    return walk_through("binance", "gap past bankruptcy").deleveraged.account.iloc[0]


def notebook_solution_06_3():
    wallet = 10_000 - venue("bybit").taker_fee * (49_000 + 49_000)
    return formulas.bankruptcy_price("long", 49_000 / 60_000, 60_000, wallet)


def test_ids():
    assert IDS == ["06.1", "06.2", "06.3", "06.q1"]


def test_06_1_the_cut_saves_the_sol_long_and_the_fee_is_paid_on_the_cut_only():
    """200,000 of SOL at 20x, alone with its margin: at 100 % the equity is the maintenance
    margin; the cut to the 50,000 floor pays 1.25 % on what it closes; the SOL tier's 1.5 %
    is above that fee, so something is left and a position stays open."""
    out = lesson06.sol_left()
    assert out.left == pytest.approx(exercise("06.1").expected())
    assert 0 < out.left < out.equity_at_liquidation
    assert out.left + out.fees == pytest.approx(out.equity_at_liquidation)
    rate, _ = venue("binance").brackets("SOL").lookup(200_000 / 150 * out.price)
    assert rate > venue("binance").liquidation_fee_rate          # 1.5 % > 1.25 %
    size = 200_000 / lesson06.SOL_ENTRY
    cut = size - 50_000 / out.price                              # down to the tier's floor
    assert out.fees == pytest.approx(0.0125 * cut * out.price)
    # the fee on the whole position, the slip 06.1 names, would leave much less
    assert lesson06._fee_on_everything() < out.left


def test_06_1_opens_sol_where_left_after_fee_does():
    """SOL_ENTRY is left_after_fee's opening price: the same account by hand is liquidated at
    the mark left_after_fee reports."""
    account = Account()
    account.deposit(200_000 / 20 + 200_000 * account.contracts["SOLUSDT"].taker_fee)
    account.mark({"SOLUSDT": lesson06.SOL_ENTRY})
    account.set_leverage("SOLUSDT", 20)
    account.open("SOLUSDT", "long", lesson06.SOL_ENTRY, notional=200_000)
    assert account.liquidation_price("SOLUSDT") == pytest.approx(lesson06.sol_left().price,
                                                                 rel=1e-5)


def test_06_2_the_bold_short_goes_first_and_nobody_with_a_funded_insurance_fund():
    walk = walk_through("binance", "gap past bankruptcy")
    assert exercise("06.2").expected() == "bold short"
    assert list(walk.adl_queue.account) == ["bold short", "calm short"]
    # the calm short's profit in USDT is the larger one: the ranking is not by USDT
    profit = walk.adl_queue.set_index("account")
    mark = walk.prices[0]["BTCUSDT"]
    assert 1.5 * (60_000 - mark) > 0.5 * (60_000 - mark)
    assert profit.loc["bold short", "adl_score"] > profit.loc["calm short", "adl_score"]
    funded = walk_through("binance", "gap past bankruptcy", insurance_fund=math.inf)
    assert funded.deleveraged.empty                    # the third option, with money in the fund


def test_06_3_by_hand():
    """Bybit: both legs 49,000 of notional, fee 0.055 % each: wallet 10,000 - 53.90 = 9,946.10;
    0.816667 BTC from 60,000: 60,000 - 9,946.10 / 0.816667 = 47,821.10."""
    assert exercise("06.3").expected() == pytest.approx(60_000 - 9_946.10 / (49_000 / 60_000))
    assert round(exercise("06.3").expected()) == 47_821
    walk = walk_through("bybit", "hedged pair")
    assert exercise("06.3").expected() < walk.liquidation_price


@pytest.mark.parametrize("exercise_id, solution", [
    ("06.1", notebook_solution_06_1),
    ("06.1", lambda: round(notebook_solution_06_1())),
    ("06.2", notebook_solution_06_2),
    ("06.2", lambda: notebook_solution_06_2().upper()),
    ("06.3", notebook_solution_06_3),
    ("06.3", lambda: 47_821),
])
def test_the_solution_passes_in_strict_mode(exercise_id, solution, capsys):
    check(exercise_id, solution(), strict=True)
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("exercise_id, answer, words", [
    ("06.1", 0, "SOL's tier above 50,000 has a rate of 1.5 %"),
    ("06.1", 2_754, "the equity when the liquidation starts"),
    ("06.1", 344, "charges 1.25 % on the whole position"),
    ("06.1", 1_784, "the fee the cut paid"),
    ("06.1", 893, "40,000 USDT"),
    ("06.1", -969, "positive number"),
    ("06.2", "calm short", "ranks by profit on margin times leverage"),
    ("06.2", "nobody: the insurance fund pays", "the insurance fund is empty"),
    ("06.3", 54_000, "as if it were isolated"),                    # 60,000 - 4,900 / 0.816667
    ("06.3", 47_755, "the opening fees already left the wallet"),  # 60,000 - 10,000 / 0.816667
    ("06.3", 47_815, "Binance's 0.05 % taker fee"),                 # 60,000 - 9,951 / 0.816667
    ("06.3", 48_363, "That is the liquidation price"),
])
def test_mistakes_get_their_message(exercise_id, answer, words):
    result = evaluate(exercise_id, answer)
    assert not result.ok and words in result.message and result.hint


def test_a_wrong_solution_raises_in_strict_mode():
    with pytest.raises(ExerciseFailed, match="06.1"):
        check("06.1", 0, strict=True)


@pytest.mark.parametrize("exercise_id, answer", [("06.1", 969), ("06.1", 969.4),
                                                 ("06.3", 47_821), ("06.3", 47_820.7)])
def test_the_answer_at_the_stated_precision_is_accepted(exercise_id, answer):
    assert evaluate(exercise_id, answer).ok
    assert "to the nearest whole number" in exercise(exercise_id).prompt


def test_the_prompts_describe_the_built_in_cases():
    from crossmargin.lessons.liquidation import CASES
    crowd = CASES["gap past bankruptcy"].crowd
    assert {name: (deposit, o.side, o.size, o.leverage) for name, (deposit, (o,)) in crowd.items()} \
        == {"bold short": (2_000, "short", 0.5, 20), "calm short": (60_000, "short", 1.5, 2)}
    assert "(0.5 BTC at 20x, 2,000 USDT" in exercise("06.2").prompt
    assert "(1.5 BTC at 2x, 60,000 USDT)" in exercise("06.2").prompt
    pair = CASES["hedged pair"]
    assert pair.deposit == 10_000 and pair.start == {"BTCUSDT": 60_000, "ETHUSDT": 3_000}
    assert [(o.side, o.margin, o.leverage) for o in pair.orders] == [("long", 4_900, 10),
                                                                    ("short", 4_900, 10)]
    assert "each 4,900 USDT of margin at 10x" in exercise("06.3").prompt


def test_the_prompts_numbers_are_the_engines():
    assert "Bybit's 0.055 % taker fee" in exercise("06.3").prompt
    assert venue("bybit").taker_fee == 0.00055
    assert "1.25 % clearance fee" in exercise("06.1").hint


def test_the_quiz_names_the_engines_fee_and_the_small_longs_tier_rate():
    quiz = exercise("06.q1")
    answer = quiz.expected()
    assert "the 1.25 % fee on a cut" in answer and "their tier's 0.5 % rate" in answer
    assert max(len(o) for o in quiz.options) <= 110     # one line each in the quiz widget
    rate, _ = venue("binance").brackets("BTC").lookup(100_000)
    assert rate == 0.005 and venue("binance").liquidation_fee_rate == 0.0125
    assert evaluate("06.q1", answer).ok
    wipe_out = next(o for o in quiz.options if o.startswith("Every cross liquidation"))
    assert "used to say so" in evaluate("06.q1", wipe_out).message
