"""Lesson 14 exercises: solutions pass, known mistakes are named (what every exercise must do is in test_exercises_all.py)."""
import pytest

from crossmargin import Order
from crossmargin.lessons.capstone import grade
from crossmargin.check import ExerciseFailed, all_exercises, check, evaluate, exercise
from crossmargin.engine.contracts import contract
from crossmargin.course.exercises import lesson14
from crossmargin.course.exercises.lesson14 import ENTRY, FATES, LEVERAGE, MARGIN, RECKLESS_PAIR
from crossmargin.engine.formulas import liquidation_price

#: The notebook's solution of 14.1.
SOLUTION = [
    Order("BTCUSDT", "long", margin=1_500, leverage=5, margin_mode="isolated",
          stop_distance=0.05),
    Order("ETHUSDT", "short", margin=1_500, leverage=5, margin_mode="cross",
          stop_distance=0.05),
]


def test_ids():
    assert [i for i in all_exercises() if i.startswith("14.")] == [
        "14.1", "14.2", "14.3", "14.q1", "14.q2", "14.q3", "14.q4"]


@pytest.mark.parametrize("exercise_id, solution", [
    ("14.1", lambda: SOLUTION),
    ("14.2", lambda: liquidation_price("long", MARGIN * LEVERAGE / ENTRY, ENTRY, MARGIN,
                                       brackets=contract("BTCUSDT").brackets)),
    ("14.2", lambda: round(lesson14.stop_limit_price(), 2)),
    ("14.3", lambda: "it is closed with the ETH short"),
    ("14.3", lambda: "  It is closed with the ETH short "),
])
def test_the_solution_passes_in_strict_mode(exercise_id, solution, capsys):
    check(exercise_id, solution(), strict=True)
    assert "✓" in capsys.readouterr().out


def test_11_1_says_why_a_reckless_portfolio_fails():
    result = evaluate("14.1", list(RECKLESS_PAIR))
    assert not result.ok and result.hint
    assert "Not passed: the stress day liquidated the portfolio" in result.message
    assert "the account lost 100.0 % of the deposit at its worst" in result.message
    assert "cross took your BTC long with it" in result.message
    with pytest.raises(ExerciseFailed):
        check("14.1", list(RECKLESS_PAIR), strict=True)


def test_11_1_names_the_broken_constraint():
    answer = [Order("BTCUSDT", "long", margin=4_000, leverage=5, margin_mode="cross"),
              Order("ETHUSDT", "short", margin=3_000, leverage=5, margin_mode="cross")]
    result = evaluate("14.1", answer)
    assert not result.ok
    assert "total initial margin must be at most 6,000 USDT" in result.message
    assert "7,000.00 USDT" in result.message


def test_11_1_a_portfolio_that_only_survives_the_known_day_does_not_pass():
    answer = [Order("SOLUSDT", "short", margin=3_000, leverage=10, margin_mode="isolated"),
              Order("ETHUSDT", "long", margin=1_000, leverage=3, margin_mode="isolated")]
    assert grade(answer).survived
    result = evaluate("14.1", answer)
    assert not result.ok and "random weeks liquidate it" in result.message


@pytest.mark.parametrize("leverage, loss, end", [(5, "54.1 %", "5,374.69"),
                                                 (8, "86.6 %", "2,599.50")])
def test_11_1_an_unstopped_pair_that_survives_but_loses_the_money_fails(leverage, loss, end):
    pair = [Order("BTCUSDT", "long", margin=3_000, leverage=leverage, margin_mode="cross"),
            Order("ETHUSDT", "short", margin=3_000, leverage=leverage, margin_mode="cross")]
    result = evaluate("14.1", pair)
    assert not result.ok
    assert (f"it survived the stress day, but the account lost {loss} of the deposit at its "
            "worst (the rules allow at most 20 %)") in result.message
    assert f"You lost {loss} on the stress day" in result.message
    assert f"You end the day with {end} USDT" in result.message


def test_11_1_a_stop_beyond_the_liquidation_price_is_warned_in_the_feedback():
    answer = [Order("BTCUSDT", "long", margin=2_000, leverage=10, margin_mode="isolated",
                    stop_distance=0.15),
              Order("ETHUSDT", "short", margin=1_000, leverage=3, margin_mode="cross")]
    result = evaluate("14.1", answer)
    assert not result.ok
    assert ("Warning: your BTC stop at 51,000.00 sits beyond its liquidation price at entry"
            in result.message)
    assert "liquidation would come first" in result.message
    assert result.message.index("Warning:") < result.message.index("You end the day")


def test_11_1_prompt_states_the_loss_limit():
    prompt = lesson14.EXERCISES[0].prompt
    assert "at most 20 % of the deposit" in prompt and "10 % of the random weeks" in prompt


def test_11_1_pass_message_is_the_grade():
    result = evaluate("14.1", SOLUTION)
    assert result.ok and result.message.startswith("Passed")
    assert "survived the stress day" in result.message


def test_11_2_mistakes_are_named():
    cases = [(ENTRY * (1 - 1 / LEVERAGE), "bankruptcy price"),
             (ENTRY * (1 + 1 / LEVERAGE), "Mind the side"),
             (liquidation_price("short", MARGIN * LEVERAGE / ENTRY, ENTRY, MARGIN,
                                brackets=contract("BTCUSDT").brackets), "side='long'")]
    for answer, words in cases:
        result = evaluate("14.2", answer)
        assert not result.ok and words in result.message


def test_11_2_expected_sits_between_the_bankruptcy_price_and_the_entry():
    lp = lesson14.stop_limit_price()
    assert ENTRY * (1 - 1 / LEVERAGE) < lp < ENTRY


def test_11_3_is_what_the_replay_shows():
    report = grade(list(RECKLESS_PAIR), n_paths=1)
    first = report.liquidations[report.liquidations["row"] == report.liquidations["row"].min()]
    assert set(first["symbol"]) == {"BTCUSDT", "ETHUSDT"}
    assert lesson14.btc_long_fate() == FATES[1]
    for wrong, words in [(FATES[0], "every cross position is closed"),
                         (FATES[2], "never switches your margin mode")]:
        result = evaluate("14.3", wrong)
        assert not result.ok and words in result.message


def test_11_q3_options_sit_beyond_at_and_before_the_liquidation_price():
    lp = liquidation_price("long", MARGIN * lesson14.QUIZ_LEVERAGE / ENTRY, ENTRY, MARGIN,
                           brackets=contract("BTCUSDT").brackets)
    prices = [float(o.split(":")[0].replace(",", "")) for o in exercise("14.q3").options]
    assert prices[0] < lp and abs(prices[1] - lp) < 10 and lp < prices[2] < ENTRY
    assert evaluate("14.q3", exercise("14.q3").options[2]).ok


def test_11_q4_is_what_the_grade_of_the_5x_pair_says():
    pair = [Order("BTCUSDT", "long", margin=3_000, leverage=5, margin_mode="cross"),
            Order("ETHUSDT", "short", margin=3_000, leverage=5, margin_mode="cross")]
    r = grade(pair)
    assert r.survived and not r.within_loss_limit and r.stress_loss > 0.5      # "over half"
    assert r.worst_margin_ratio < 0.8                                          # option 2 wrong
    assert r.odds.p_liquidation < 0.10                                         # option 3 wrong
    assert evaluate("14.q4", exercise("14.q4").options[0]).ok
    assert "not how much money is gone" in evaluate("14.q4", exercise("14.q4").options[1]).message
