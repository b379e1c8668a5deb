"""Lesson 12 exercises: solutions pass, known mistakes are named (what every exercise must do
is in test_exercises_all.py)."""
import pytest

from crossmargin.check import ExerciseFailed, all_exercises, check, evaluate, exercise
from crossmargin.course.exercises import lesson12
from crossmargin.engine import platforms
from crossmargin.lessons import comparison as C

IDS = [i for i in all_exercises() if i.startswith("12.")]


def test_ids():
    assert IDS == ["12.1", "12.2", "12.3", "12.q1", "12.q2"]


def notebook_solution_12_1():
    equity = 800 / 0.40                       # Binance: MM / margin balance = 40 %
    return platforms.okx_margin_ratio(equity, 800, 160_000 * 0.0005) * 100


def test_12_1_by_hand():
    assert exercise("12.1").expected() == pytest.approx(2_000 / 880 * 100)
    assert round(exercise("12.1").expected(), 1) == 227.3


def notebook_solution_12_2():
    """The lesson's table of limits at +30 %."""
    limits = C.withdrawal_limits(C.SCREEN_PORTFOLIOS["BTC long + ETH short (hedge)"],
                                 C.START_PRICES, marks={"BTCUSDT": 78_000})
    above = list(limits.index[limits["published_limit"] > limits["wallet_balance"]])
    return "Hyperliquid only" if above == ["hyperliquid"] else ", ".join(above)


def test_12_2_by_the_rules():
    limits = lesson12.withdraw_limits()
    wallet = limits["wallet_balance"]
    # Binance keeps the maintenance margin back: wallet 9,980 - MM 184
    assert limits.loc["binance", "published_limit"] == pytest.approx(9_980 - 184)
    assert limits.loc["bybit", "published_limit"] == pytest.approx(wallet["bybit"])
    assert limits.loc["okx", "published_limit"] == pytest.approx(wallet["okx"])
    # Hyperliquid: account value 9,982 + 6,000 - max(IM 4,600, 10 % of 46,000)
    assert limits.loc["hyperliquid", "published_limit"] == pytest.approx(9_982 + 6_000 - 4_600)
    assert limits.loc["hyperliquid", "published_limit"] == pytest.approx(
        platforms.hyperliquid_max_withdraw(15_982, 4_600, 46_000))
    # the engine's Account pays out at most the USDC held
    assert limits.loc["hyperliquid", "max_withdraw"] == pytest.approx(wallet["hyperliquid"])
    assert exercise("12.2").expected() == "Hyperliquid only"


def test_12_2_a_smaller_rally_frees_margin_on_every_venue_but_pays_out_nowhere():
    before = lesson12.withdraw_limits(0.0)
    after = lesson12.withdraw_limits(0.10)
    assert (after["published_limit"] > before["published_limit"] + 1_000).all()
    assert (after["published_limit"] < after["wallet_balance"]).all()
    assert not after["profit_can_leave"].any()


def notebook_solution_12_3():
    legs = [C.Exposure("BTC", "long", 30_000), C.Exposure("BTC", "short", 15_000, "future"),
            C.Exposure("ETH", "short", 10_000)]
    return C.illustrative_portfolio_margin(legs, grouping="coin")


def test_12_3_by_hand():
    assert exercise("12.3").expected() == pytest.approx((30_000 - 15_000) * 0.004
                                                         + 10_000 * 0.004)


@pytest.mark.parametrize("exercise_id, solution", [
    ("12.1", notebook_solution_12_1),
    ("12.1", lambda: 227.3),
    ("12.2", notebook_solution_12_2),
    ("12.2", lambda: "HYPERLIQUID ONLY"),
    ("12.3", notebook_solution_12_3),
    ("12.3", lambda: 100),
])
def test_the_solution_passes_in_strict_mode(exercise_id, solution, capsys):
    check(exercise_id, solution(), strict=True)
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("exercise_id, answer, words", [
    ("12.1", 250.0, "without OKX's fee term"),
    ("12.1", 60.0, "room left"),
    ("12.1", 40.0, "That is Binance's number"),
    ("12.1", 277.8, "took the fee away"),
    ("12.1", 44.0, "Binance's orientation"),
    ("12.1", 0.44, "as a fraction"),
    ("12.1", 2.273, "multiply by 100"),
    ("12.1", -227.3, "wrong sign"),
    ("12.2", "Binance only", "keeps the limit below the wallet"),
    ("12.2", "bybit and okx", "never passes the wallet"),
    ("12.2", "all four", "only backs the initial margin"),
    ("12.2", "none of them", "account value"),
    ("12.3", 220, "ordinary cross margin"),
    ("12.3", 20, "as if BTC and ETH always moved together"),
    ("12.3", 60, "the BTC unit alone"),
])
def test_mistakes_get_their_message(exercise_id, answer, words):
    result = evaluate(exercise_id, answer)
    assert not result.ok and words in result.message and result.hint


def test_a_wrong_solution_raises_in_strict_mode():
    with pytest.raises(ExerciseFailed, match="12.1"):
        check("12.1", 250.0, strict=True)


@pytest.mark.parametrize("exercise_id, answer", [("12.1", 227.27), ("12.1", 227.3),
                                                 ("12.3", 100.4)])
def test_the_answer_at_the_stated_precision_is_accepted(exercise_id, answer):
    assert evaluate(exercise_id, answer).ok


def test_the_quizzes_name_the_misconceptions():
    q1, q2 = exercise("12.q1"), exercise("12.q2")
    assert "Account MM rate" in q1.prompt and q1.expected().startswith("The account's")
    assert "BTC quarterly future" in q2.expected()
    assert evaluate("12.q2", q2.options[2]).message.count("risk units by underlying") == 1
