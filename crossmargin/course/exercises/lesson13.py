"""Lesson 13 · A reconstructed crash day: exercises (answers computed by the engine).

13.1 asks the lowest leverage at which FAQ 2's large cross account is liquidated on the
reconstructed 2025-10-10; 13.2 which of two Multi-Assets accounts the collateral's wick on the
venue's own order book liquidates; 13.3 which leg of a reversed hedge auto-deleveraging closes.
Every answer is the same whatever the seed of the day's noise (tests/test_exercises_lesson13.py
checks several seeds).
"""
from ...lessons import crashday
from ...lessons.crashday import CollateralAccount
from ...simulation.orders import Order
from ..exercise import Exercise, Mistake

#: 13.1: FAQ 2's large account, one BTC long with 9,000 USDT of margin in 10,000 USDT, cross.
FAQ2_MARGIN = 9_000

#: 13.2: two accounts worth 22,200 USDT at 12:00, SOL valued from the venue's own book.
ACCOUNT_A = CollateralAccount(collateral=60, usdt=8_880, notional=75_000, leverage=5)
ACCOUNT_B = CollateralAccount(collateral=100, usdt=0, notional=55_000, leverage=5)
WHICH = ("A", "B", "both", "neither")

#: 13.3: the hedge reversed: long SOL, short BTC, the same sizes as crashday.HEDGER.
REVERSED_HEDGER = (10_000.0, (Order("SOLUSDT", "long", notional=30_000, leverage=10),
                              Order("BTCUSDT", "short", notional=30_000, leverage=10)))
LEGS = ("the SOL long", "the BTC short", "both legs", "neither")


def lowest_cross_leverage(seed=10):
    """13.1: the lowest whole leverage at which the 9,000 USDT cross long is liquidated."""
    return crashday.lowest_liquidating_leverage(crashday.day(seed), margin=FAQ2_MARGIN,
                                                mode="cross")


def lowest_isolated_leverage(seed=10):
    """13.1's slip: the same long isolated (its own 9,000 USDT only)."""
    return crashday.lowest_liquidating_leverage(crashday.day(seed), margin=FAQ2_MARGIN,
                                                mode="isolated")


def _one_of(hit, options):
    """The answer for ``hit``, the names found among the first two ``options``: its one
    name, ``options[2]`` ("both") for two, ``options[3]`` ("neither") for none."""
    return options[2] if len(hit) == 2 else hit[0] if hit else options[3]


def wick_liquidates(seed=10):
    """13.2: which of A and B the own-book valuation liquidates (one of :data:`WHICH`)."""
    prices = crashday.day(seed)
    gone = [name for name, account in (("A", ACCOUNT_A), ("B", ACCOUNT_B))
            if crashday.collateral_case(account, "own book", prices).liquidated]
    return _one_of(gone, WHICH)


def reversed_hedge_closed(seed=10):
    """13.3: the legs of the reversed hedge that ADL closes (one of :data:`LEGS`)."""
    closed = crashday.hedge_leg_on_the_day(crashday.day(seed), hedger=REVERSED_HEDGER).closed
    names = {("SOLUSDT", "long"): LEGS[0], ("BTCUSDT", "short"): LEGS[1]}
    return _one_of([names[leg] for leg in closed], LEGS)


EXERCISES = [
    Exercise(
        id="13.1",
        prompt="FAQ 2's large account: a 10,000 USDT cross account opens one BTC long with "
               "9,000 USDT of margin at the reconstructed day's first price. What is the lowest "
               "whole leverage (1x, 2x, 3x ...) at which the day liquidates it? Answer the "
               "leverage as a number, to the nearest whole number.",
        expected=lowest_cross_leverage,
        precision=1,
        sign_note="Give the leverage as a positive number (7, not -7).",
        hint="The FAQ 2 table replayed 2x, 3x, 5x and 10x only: the answer sits between two "
             "of its rows. Replay the plan crashday.faq2_plan(leverage, 9_000) at the "
             "leverages in between, replay(day[['BTCUSDT']], plan, margin_mode='cross'), and "
             "look at liquidations().",
        mistakes=(
            Mistake(lowest_isolated_leverage,
                    "That is the isolated long's answer: isolated, only its own 9,000 USDT "
                    "stand behind it. In cross the other 1,000 USDT of the wallet back it too, "
                    "so it takes a little more leverage to be liquidated."),
            Mistake(lambda: 10,
                    "10x is the first row of the FAQ 2 table that liquidates the cross "
                    "account, but the table jumped from 5x to 10x: replay 6x to 9x."),
        ),
        explanation="At this leverage BTC's fall from the open to the perpetual's low takes "
                    "the whole wallet; one step lower, the 1,000 USDT kept aside is enough.",
    ),
    Exercise(
        id="13.2",
        prompt="Two Multi-Assets cross accounts, each worth 22,200 USDT at 12:00 UTC, on the "
               "venue that values SOL from its own order book (crashday.own_book_price). "
               "A: 60 SOL and 8,880 USDT, a BTC long of 75,000 USDT at 5x. "
               "B: 100 SOL, a BTC long of 55,000 USDT at 5x. Which does the reconstructed "
               "day liquidate: 'A', 'B', 'both' or 'neither'?",
        expected=wick_liquidates,
        kind="choice",
        options=WHICH,
        hint="Build each with crashday.CollateralAccount(collateral=..., usdt=..., "
             "notional=..., leverage=5) and replay it with crashday.collateral_case(account, "
             "'own book'); .liquidated says it. Before you run it: which part of each account's "
             "margin can an order book wick?",
        mistakes=(
            Mistake(lambda: "A",
                    "A holds the larger position, but 8,880 USDT of its margin is USDT, which no "
                    "order book wicks, and its 60 SOL lose less than B's 100 SOL when SOL's price "
                    "on the venue's book drops 35 % below the index."),
            Mistake(lambda: "both",
                    "A survives: its USDT does not wick, so the wick takes 35 % of a smaller "
                    "SOL holding, not enough to reach its maintenance margin."),
            Mistake(lambda: "neither",
                    "Valued at the index, neither would be liquidated. On this venue SOL is "
                    "valued from its own order book, where it wicks 35 % below the index at "
                    "21:20: replay both with valuation 'own book'."),
        ),
        explanation="A collateral wick hurts in proportion to the collateral that can wick: "
                    "the share of the margin held in the coin matters more than the size of "
                    "the position.",
    ),
    Exercise(
        id="13.3",
        prompt="The hedge reversed: the hedger is long SOL and short BTC (30,000 USDT each at "
               "10x, from 12:00), the same day, the same dip buyer going bankrupt at 21:13 with "
               "an empty insurance fund. Which of the hedger's legs does auto-deleveraging "
               "close: 'the SOL long', 'the BTC short', 'both legs' or 'neither'?",
        expected=reversed_hedge_closed,
        kind="choice",
        options=LEGS,
        hint="Ask what the bankrupt trader held, and which side of that symbol the venue can "
             "close to cover the deficit. To check: crashday.hedge_leg_on_the_day(day, "
             "hedger=(10_000, [Order('SOLUSDT', 'long', notional=30_000, leverage=10), "
             "Order('BTCUSDT', 'short', notional=30_000, leverage=10)])).closed.",
        mistakes=(
            Mistake(lambda: LEGS[1],
                    "The BTC short is the profitable leg, but ADL closes positions opposite to "
                    "the bankrupt one in the same symbol: the dip buyer was long SOL, so only "
                    "SOL shorts stand in the queue."),
            Mistake(lambda: LEGS[0],
                    "The SOL long is on the same side as the bankrupt dip buyer (and losing): "
                    "ADL takes the other side, the profitable SOL shorts."),
            Mistake(lambda: LEGS[2],
                    "ADL closes only opposite positions in the bankrupt trader's symbol; this "
                    "hedger holds none, so neither leg is touched (the calm short is closed)."),
        ),
        explanation="Auto-deleveraging looks for profit on the other side of the bankrupt "
                    "position, in its symbol: which leg of a hedge it can hit depends on who "
                    "goes bankrupt, not on which leg is winning.",
    ),
]
