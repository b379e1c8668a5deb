"""Lesson 00 · Start here: two practice exercises and a practice quiz that show how checks work."""
from ..exercise import Exercise, Mistake
from ...engine.formulas import notional, unrealized_pnl

#: The practice position: 0.5 BTC bought at 60,000 USDT.
SIZE = 0.5
ENTRY = 60_000.0
PRICE_NOW = 58_800.0
#: The quiz: the same long, BTC up to 61,200.
PRICE_UP = 61_200.0


def _gain_text(size):
    return f"{unrealized_pnl('long', size, ENTRY, PRICE_UP):+,.0f} USDT"


#: What the quiz's text names (quizzes/lesson00.json): a long's gain on 1 BTC, on 0.5 BTC,
#: and the same gain with the wrong sign.
QUIZ_VALUES = {"gain_of_1_btc": _gain_text(1), "gain": _gain_text(SIZE),
               "loss": f"{-unrealized_pnl('long', SIZE, ENTRY, PRICE_UP):+,.0f} USDT"}

EXERCISES = [
    Exercise(
        id="00.1",
        prompt="What is the notional (the value in USDT) of 0.5 BTC at 60,000 USDT per BTC? "
               "Give it to the nearest whole number.",
        expected=lambda: notional(SIZE, ENTRY),
        unit="USDT",
        precision=1,
        hint="The notional is size × price: the number of BTC times the price of one BTC "
             "(the cell above does it for 2 ETH at 3,000 with formulas.notional).",
        mistakes=(
            Mistake(lambda: ENTRY / SIZE, "You divided: the notional is size × price."),
            Mistake(lambda: ENTRY, "That is the price of one BTC; the position holds 0.5 BTC."),
        ),
        explanation="0.5 BTC is worth half the price of one BTC.",
    ),
    Exercise(
        id="00.2",
        prompt="You are long 0.5 BTC from 60,000 and BTC is now 58,800. What is your profit or "
               "loss in USDT (negative for a loss), to the nearest whole number?",
        expected=lambda: unrealized_pnl("long", SIZE, ENTRY, PRICE_NOW),
        unit="USDT",
        precision=1,
        sign_note="A long loses when the price falls, so the answer is negative: "
                  "0.5 × (58,800 − 60,000).",
        hint="A long gains size × (price now − entry price); a fall gives a negative number.",
        mistakes=(
            Mistake(lambda: unrealized_pnl("long", 1, ENTRY, PRICE_NOW),
                    "That is the loss on 1 BTC; this position holds 0.5 BTC."),
            Mistake(lambda: PRICE_NOW - ENTRY,
                    "That is the price change of one BTC; multiply it by the size, 0.5 BTC."),
        ),
        explanation="A 2 % fall costs 2 % of the position's value.",
    ),
]
