"""Lesson 00 · Start here: two practice exercises that show how checks work."""
from ..check import Exercise, Mistake
from ..formulas import notional, unrealized_pnl

#: The practice position: 0.5 BTC bought at 60,000 USDT.
SIZE = 0.5
ENTRY = 60_000.0
PRICE_NOW = 58_800.0

EXERCISES = [
    Exercise(
        id="00.1",
        prompt="What is the notional (the value in USDT) of 0.5 BTC at 60,000 USDT per BTC?",
        expected=lambda: notional(SIZE, ENTRY),
        unit="USDT",
        hint="notional = size × price.",
        mistakes=(
            Mistake(lambda: ENTRY / SIZE, "You divided: the notional is size × price."),
            Mistake(lambda: ENTRY, "That is the price of one BTC; the position holds 0.5 BTC."),
        ),
        explanation="0.5 BTC is worth half the price of one BTC.",
    ),
    Exercise(
        id="00.2",
        prompt="You are long 0.5 BTC from 60,000 and BTC is now 58,800. What is your profit or "
               "loss in USDT (negative for a loss)?",
        expected=lambda: unrealized_pnl("long", SIZE, ENTRY, PRICE_NOW),
        unit="USDT",
        hint="A long gains size × (price now − entry price); a fall gives a negative number.",
        mistakes=(
            Mistake(lambda: -unrealized_pnl("long", SIZE, ENTRY, PRICE_NOW),
                    "Right size, wrong sign: a long loses when the price falls."),
            Mistake(lambda: unrealized_pnl("long", 1, ENTRY, PRICE_NOW),
                    "That is the loss on 1 BTC; this position holds 0.5 BTC."),
        ),
        explanation="A 2 % fall costs 2 % of the position's value.",
    ),
]
