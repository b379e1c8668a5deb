"""Lesson 11 · Capstone: exercises (answers computed by the engine).

11.1 grades the learner's own portfolio with :func:`crossmargin.capstone.grade`;
11.2 asks for a liquidation price (where a stop must not be); 11.3 asks what a cross
liquidation does to the position that was not the problem.
"""
from .. import capstone
from ..capstone import RECKLESS_PAIR
from ..check import Exercise, Mistake
from ..contracts import contract
from ..formulas import liquidation_price

#: 11.2: an isolated BTC long opened at 60,000 with 2,000 USDT of margin at 5x.
ENTRY, MARGIN, LEVERAGE = 60_000.0, 2_000.0, 5

#: 11.3 asks about capstone.RECKLESS_PAIR (BTC long / ETH short, 3,000 USDT each, 10x, cross).
FATES = ("it stays open", "it is closed with the ETH short", "it switches to isolated margin")


def check_portfolio(answer):
    """11.1: ``(passed, what the grade says)`` for the learner's portfolio: the verdict,
    the broken constraints, the warnings (a stop beyond its liquidation price) and the
    explanation, in that order."""
    report = capstone.grade(answer)
    return report.passed, " ".join([report.verdict, *map(str, report.violations),
                                    *(f"Warning: {w}" for w in report.warnings),
                                    *report.explanation])


def stop_limit_price():
    """11.2: the isolated long's liquidation price (a stop must sit above it)."""
    size = MARGIN * LEVERAGE / ENTRY
    return liquidation_price("long", size, ENTRY, MARGIN,
                             brackets=contract("BTCUSDT").brackets)


def btc_long_fate():
    """11.3: what the stress day's cross liquidation did to the reckless pair's BTC long."""
    report = capstone.grade(list(RECKLESS_PAIR), n_paths=1)
    first = report.liquidations[report.liquidations["row"] == report.liquidations["row"].min()]
    closed = set(first["symbol"])
    if {"BTCUSDT", "ETHUSDT"} <= closed:
        return FATES[1]
    return FATES[0]


EXERCISES = [
    Exercise(
        id="11.1",
        prompt=(f"Build your portfolio: answer = [Order(...), ...] with 2 or 3 positions that "
                f"follow the rules (capstone.rules()): no liquidation on the stress day, a loss "
                f"of at most {capstone.MAX_STRESS_LOSS * 100:.0f} % of the deposit there at any "
                f"minute, and a liquidation in at most "
                f"{capstone.MAX_LIQUIDATION_ODDS * 100:.0f} % of the random weeks."),
        kind="custom",
        validate=check_portfolio,
        hint=(f"Budget the loss first (lessons 06 and 10): a stop 5 % away costs about 5 % of "
              f"its position's notional, so the stops together must cost less than "
              f"{capstone.MAX_STRESS_LOSS * capstone.DEPOSIT:,.0f} USDT. Then keep each stop "
              "between the entry and the liquidation price, and most of the 10,000 USDT in "
              "reserve. CapstoneReport(grade(answer)) draws where the day hurt."),
    ),
    Exercise(
        id="11.2",
        prompt="An isolated BTC long opened at 60,000 with 2,000 USDT of margin at 5x: what "
               "is its liquidation price? (Its stop must sit above it to fire first.)",
        expected=stop_limit_price,
        unit="USDT",
        rel_tol=1e-4,
        hint="formulas.liquidation_price('long', size, 60_000, 2_000, brackets=...) with "
             "size = margin × leverage / entry and the BTCUSDT brackets.",
        mistakes=(
            Mistake(lambda: ENTRY * (1 - 1 / LEVERAGE),
                    "That is the bankruptcy price, where the margin is all gone. Liquidation "
                    "comes earlier: when what is left equals the maintenance margin."),
            Mistake(lambda: ENTRY * (1 + 1 / LEVERAGE),
                    "Mind the side: a long is liquidated when the price falls."),
            Mistake(lambda: liquidation_price("short", MARGIN * LEVERAGE / ENTRY, ENTRY, MARGIN,
                                              brackets=contract("BTCUSDT").brackets),
                    "That is a short's liquidation price: pass side='long'."),
        ),
    ),
    Exercise(
        id="11.3",
        prompt="The reckless pair (BTC long and ETH short, 3,000 USDT each at 10x, both "
               "cross) is liquidated on the stress day when ETH rallies. What happens to the "
               "BTC long at that moment? Answer with one of: " + "; ".join(FATES) + ".",
        kind="choice",
        options=FATES,
        expected=btc_long_fate,
        hint="Look at report.liquidations for the reckless pair: which symbols close at the "
             "same hour?",
        mistakes=(
            Mistake(lambda: FATES[0],
                    "That is what isolated margin promises. In cross one margin balance backs "
                    "every position: when it falls to the maintenance margin, every cross "
                    "position is closed at once."),
            Mistake(lambda: FATES[2],
                    "An exchange never switches your margin mode, and the mode cannot change "
                    "while a position is open."),
        ),
        explanation="A cross liquidation takes every cross position, winners and losers alike.",
    ),
]
