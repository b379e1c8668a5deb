"""Lesson 14 · Capstone: exercises and quizzes (answers computed by the engine).

14.1 grades the learner's own portfolio with :func:`crossmargin.lessons.capstone.grade`;
14.2 asks for a liquidation price (where a stop must not be); 14.3 asks what a cross
liquidation does to the position that was not the problem. The quizzes 14.q1-14.q4
check the course's core skills: reading OKX's margin ratio, when cross lowers the risk,
where a stop goes, and why surviving the stress day is not enough.
"""
from ...lessons import capstone
from ...lessons.capstone import RECKLESS_PAIR
from ..exercise import Exercise, Mistake
from ...engine.contracts import contract
from ...engine.formulas import liquidation_price

#: 14.2: an isolated BTC long opened at 60,000 with 2,000 USDT of margin at 5x.
ENTRY, MARGIN, LEVERAGE = 60_000.0, 2_000.0, 5

#: 14.3 asks about capstone.RECKLESS_PAIR (BTC long / ETH short, 3,000 USDT each, 10x, cross).
FATES = ("it stays open", "it is closed with the ETH short", "it switches to isolated margin")

#: 14.q3: the same long at 10x: its liquidation price, rounded to 10 USDT.
QUIZ_LEVERAGE = 10


def _btc_liquidation(side, leverage):
    return liquidation_price(side, MARGIN * leverage / ENTRY, ENTRY, MARGIN,
                             brackets=contract("BTCUSDT").brackets)


def _maintenance_rate():
    rate, _ = contract("BTCUSDT").brackets.lookup(MARGIN * LEVERAGE)
    return float(rate)


def check_portfolio(answer):
    """14.1: ``(passed, what the grade says)`` for the learner's portfolio: the verdict,
    the broken constraints, the warnings (a stop beyond its liquidation price) and the
    explanation, in that order."""
    report = capstone.grade(answer)
    return report.passed, " ".join([report.verdict, *map(str, report.violations),
                                    *(f"Warning: {w}" for w in report.warnings),
                                    *report.explanation])


def stop_limit_price():
    """14.2: the isolated long's liquidation price (a stop must sit above it)."""
    return _btc_liquidation("long", LEVERAGE)


def btc_long_fate():
    """14.3: what the stress day's cross liquidation did to the reckless pair's BTC long."""
    report = capstone.grade(list(RECKLESS_PAIR), n_paths=1)
    first = report.liquidations[report.liquidations["row"] == report.liquidations["row"].min()]
    closed = set(first["symbol"])
    if {"BTCUSDT", "ETHUSDT"} <= closed:
        return FATES[1]
    return FATES[0]


_LP = round(_btc_liquidation("long", QUIZ_LEVERAGE), -1)
#: What 14.q3's text names (quizzes/lesson14.json): the 10x long's liquidation price, a stop
#: beyond it, and a stop between it and the entry.
QUIZ_VALUES = {"liquidation_price": f"{_LP:,.0f}", "stop_beyond": f"{_LP - 1_000:,.0f}",
               "stop_between": f"{_LP + 1_800:,.0f}"}

EXERCISES = [
    Exercise(
        id="14.1",
        prompt=(f"Build your portfolio: answer = [Order(...), ...] with 2 or 3 positions that "
                f"follow the rules (capstone.rules()): no liquidation on the stress day, a loss "
                f"of at most {capstone.MAX_STRESS_LOSS * 100:.0f} % of the deposit there at any "
                f"minute, and a liquidation in at most "
                f"{capstone.MAX_LIQUIDATION_ODDS * 100:.0f} % of the random weeks."),
        kind="custom",
        validate=check_portfolio,
        hint=(f"Budget the loss first (lessons 07 and 11): a stop 5 % away costs about 5 % of "
              f"its position's notional, so the stops together must cost less than "
              f"{capstone.MAX_STRESS_LOSS * capstone.DEPOSIT:,.0f} USDT. Then keep each stop "
              "between the entry and the liquidation price, and most of the 10,000 USDT in "
              "reserve. CapstoneReport(grade(answer)) draws where the day hurt."),
    ),
    Exercise(
        id="14.2",
        prompt="An isolated BTC long opened at 60,000 with 2,000 USDT of margin at 5x: what "
               "is its liquidation price in USDT, to the nearest whole number? (Its stop must "
               "sit above it to fire first.)",
        expected=stop_limit_price,
        unit="USDT",
        precision=1,
        sign_note="A price is never negative.",
        hint="Lesson 01 found a liquidation price with formulas.liquidation_price. Work out "
             "the size first (the notional is margin × leverage, in BTC that is notional ÷ "
             "entry); liquidation comes where what is left of the margin equals the "
             "maintenance margin of BTCUSDT's brackets.",
        mistakes=(
            Mistake(lambda: ENTRY * (1 - 1 / LEVERAGE),
                    "That is the bankruptcy price, where the margin is all gone. Liquidation "
                    "comes earlier: when what is left equals the maintenance margin."),
            Mistake(lambda: ENTRY * (1 + 1 / LEVERAGE),
                    "Mind the side: a long is liquidated when the price falls."),
            Mistake(lambda: _btc_liquidation("short", LEVERAGE),
                    "That is a short's liquidation price: pass side='long'."),
            Mistake(lambda: ENTRY * (1 - 1 / LEVERAGE + _maintenance_rate()),
                    "That is the shortcut entry × (1 − 1/leverage + maintenance rate): it "
                    "counts the maintenance margin at the entry price, but it shrinks as the "
                    "price falls. formulas.liquidation_price solves it exactly."),
        ),
    ),
    Exercise(
        id="14.3",
        prompt="The reckless pair (BTC long and ETH short, 3,000 USDT each at 10x, both "
               "cross) is liquidated on the stress day when ETH rallies. What happens to the "
               "BTC long at that moment? Answer with one of: " + "; ".join(FATES) + ".",
        kind="choice",
        options=FATES,
        expected=btc_long_fate,
        hint="Lesson 02: in cross one margin balance backs every cross position. Look at "
             "report.liquidations for the reckless pair: which symbols close at the same hour?",
        feedback={
            FATES[0]: "That is what isolated margin promises. In cross one margin balance "
                      "backs every position: when it falls to the maintenance margin the "
                      "liquidation starts, and for positions this small Binance's one cut "
                      "cannot restore it, so every cross position is closed.",
            FATES[1]: "Here the liquidation closes every cross position, winners and losers "
                      "alike: the BTC long closes at the same minute as the ETH short.",
            FATES[2]: "An exchange never switches your margin mode, and the mode cannot "
                      "change while a position is open (lesson 03).",
        },
    ),
]
