"""Lesson 01 · Margin basics: exercises (answers computed by the engine, BTCUSDT brackets)."""
from ...engine.brackets import Brackets
from ..exercise import Exercise, Mistake
from ...engine.formulas import (bankruptcy_price, initial_margin, liquidation_price, maintenance_margin,
                        notional)

BTC = Brackets.load("BTCUSDT")

#: 01.1: a 0.25 BTC position at 64,000 with 20x leverage.
IM_SIZE, IM_PRICE, IM_LEVERAGE = 0.25, 64_000.0, 20

#: 01.2: an isolated long of 2 BTC from 60,000 with 12,000 USDT of margin (10x).
LP_SIZE, LP_ENTRY, LP_MARGIN = 2.0, 60_000.0, 12_000.0

#: 01.3: an isolated long of 0.5 BTC from 60,000, liquidation 5 % below the entry.
TARGET_SIZE, TARGET_ENTRY, TARGET_DISTANCE = 0.5, 60_000.0, 0.05


def liquidation_with_entry_maintenance():
    """The usual slip: maintenance margin taken at the entry price instead of at the liquidation price."""
    mm_entry = maintenance_margin(LP_SIZE, LP_ENTRY, BTC)
    return LP_ENTRY - (LP_MARGIN - mm_entry) / LP_SIZE


def liquidation_without_cum():
    """The right tier's MMR but no maintenance amount (cum)."""
    right = liquidation_price("long", LP_SIZE, LP_ENTRY, LP_MARGIN, brackets=BTC)
    mmr, _ = BTC.lookup(LP_SIZE * right)
    return liquidation_price("long", LP_SIZE, LP_ENTRY, LP_MARGIN, mmr=mmr, cum=0.0)


def leverage_with_entry_maintenance():
    """The same slip in 01.3: margin = 5 % loss + maintenance margin of the entry notional."""
    position_value = notional(TARGET_SIZE, TARGET_ENTRY)
    mmr = maintenance_margin(TARGET_SIZE, TARGET_ENTRY, BTC) / position_value
    return 1 / (TARGET_DISTANCE + mmr)


def leverage_for_distance(distance=TARGET_DISTANCE):
    """Leverage whose liquidation price is ``distance`` below the entry (bisection on the engine)."""
    target = TARGET_ENTRY * (1 - distance)
    position_value = notional(TARGET_SIZE, TARGET_ENTRY)

    def lp(leverage):
        price = liquidation_price("long", TARGET_SIZE, TARGET_ENTRY, position_value / leverage,
                                  brackets=BTC)
        return 0.0 if price is None else price      # rises with the leverage

    low, high = 1.0, BTC.max_leverage(position_value)
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if lp(middle) < target else (low, middle)
    return (low + high) / 2


def leverage_with_notional_at_target():
    """A slip in 01.3: the notional taken at 57,000 instead of at the entry, 60,000."""
    loss = TARGET_SIZE * TARGET_ENTRY * TARGET_DISTANCE
    target = TARGET_ENTRY * (1 - TARGET_DISTANCE)
    return notional(TARGET_SIZE, target) / (loss + maintenance_margin(TARGET_SIZE, target, BTC))


EXERCISES = [
    Exercise(
        id="01.1",
        prompt="You open a 0.25 BTC position at 64,000 USDT with 20x leverage. How much initial "
               "margin does it lock? Give it in USDT to the nearest whole number.",
        expected=lambda: initial_margin(IM_SIZE, IM_PRICE, IM_LEVERAGE),
        unit="USDT",
        precision=1,
        hint="The lesson's first cell computed it for 0.2 BTC at 10x: initial margin = notional "
             "÷ leverage, and notional = size × price.",
        mistakes=(
            Mistake(lambda: notional(IM_SIZE, IM_PRICE),
                    "That is the notional: the margin is the notional divided by the leverage."),
            Mistake(lambda: notional(IM_SIZE, IM_PRICE) * IM_LEVERAGE,
                    "You multiplied by the leverage: leverage divides what you must put up."),
            Mistake(lambda: IM_PRICE / IM_LEVERAGE,
                    "That is the margin for 1 BTC; the position holds 0.25 BTC."),
        ),
    ),
    Exercise(
        id="01.2",
        prompt="An isolated long of 2 BTC from 60,000 USDT holds 12,000 USDT of margin. At what "
               "mark price is it liquidated, with the BTCUSDT brackets? Give it in USDT to 2 "
               "decimals.",
        expected=lambda: liquidation_price("long", LP_SIZE, LP_ENTRY, LP_MARGIN, brackets=BTC),
        unit="USDT",
        precision=0.01,
        hint="Do what the section 'Where is an isolated position liquidated?' did for the 0.2 BTC "
             "long, with this position's size, entry and margin and the brackets in btc — or "
             "solve margin + size × (P − entry) = size × P × MMR − cum for P, with the MMR and "
             "cum of the tier in the bracket table that holds size × P.",
        mistakes=(
            Mistake(lambda: bankruptcy_price("long", LP_SIZE, LP_ENTRY, LP_MARGIN),
                    "That is the bankruptcy price, where the whole margin is gone. Liquidation "
                    "comes earlier: when equity falls to the maintenance margin."),
            Mistake(liquidation_with_entry_maintenance,
                    "You took the maintenance margin at the entry price. The exchange computes it "
                    "at the mark price, so at the liquidation price itself."),
            Mistake(liquidation_without_cum,
                    "Close, but the maintenance amount (cum) of the tier is missing: "
                    "maintenance margin = notional × MMR − cum."),
            Mistake(lambda: liquidation_price("short", LP_SIZE, LP_ENTRY, LP_MARGIN, brackets=BTC),
                    "That is where a short would be liquidated; a long dies below its entry."),
        ),
    ),
    Exercise(
        id="01.3",
        prompt="An isolated long of 0.5 BTC from 60,000 USDT, with margin = notional / leverage. "
               "Which leverage puts its liquidation price exactly 5 % below the entry (at "
               "57,000)? Give the leverage to 2 decimals.",
        expected=leverage_for_distance,
        unit="x",
        precision=0.01,
        hint="Work backwards from the liquidation equation of the lesson, with P = 57,000: the "
             "margin must cover the loss from 60,000 down to 57,000 (unrealized_pnl) plus the "
             "maintenance margin still required at 57,000 (maintenance_margin with btc). The "
             "leverage is the notional at entry, 30,000 USDT, divided by that margin. Check it "
             "with liquidation_price.",
        mistakes=(
            Mistake(lambda: 1 / TARGET_DISTANCE,
                    "20x puts the bankruptcy price 5 % away. Liquidation comes before it, while "
                    "the maintenance margin is still there, so the leverage must be lower."),
            Mistake(leverage_with_entry_maintenance,
                    "Nearly: you sized the maintenance margin on the entry notional. At the "
                    "liquidation price the position is worth 5 % less, and so is its "
                    "maintenance margin."),
            Mistake(leverage_with_notional_at_target,
                    "Nearly: leverage divides the notional at the ENTRY (0.5 × 60,000 = 30,000), "
                    "which sets the margin; the position is worth less at 57,000, but its margin "
                    "was fixed when it opened."),
        ),
        explanation="The rule of thumb '1 / distance' ignores the maintenance margin and "
                    "overstates the safe leverage.",
    ),
]
