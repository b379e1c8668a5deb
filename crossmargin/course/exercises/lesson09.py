"""Lesson 09 · Hedging: exercises (answers computed by the engine).

The pair is :func:`crossmargin.lessons.hedging.hedge_plan` with the lesson's defaults (BTC long
of 3,000 USDT at 15x, ETH short of ratio × its notional, 10,000 USDT deposit), over
:func:`crossmargin.lessons.hedging.hedge_paths` (1,000 seeded paths of 30 days).
"""
import functools

from ..exercise import Exercise, Mistake
from ...lessons.hedging import hedge_grid, min_variance_ratio, required_deposit

#: 09.1 and 09.2: the hedge ratios to compare, and the correlation.
RATIOS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5)
CORRELATION = 0.8
#: 09.3: a weaker correlation.
WEAK_CORRELATION = 0.5


@functools.lru_cache(maxsize=1)
def ratio_table():
    """``hedge_grid(RATIOS, [0.8])``: odds and equity for every ratio, both modes."""
    return hedge_grid(RATIOS, [CORRELATION])


def odds(ratio, mode="cross"):
    """The odds of any liquidation at ``ratio`` (correlation 0.8) in ``mode``."""
    table = ratio_table()
    row = table[(table["hedge_ratio"] == ratio) & (table["mode"] == mode)]
    return float(row["p_liquidation"].iloc[0])


def safest_ratio(mode="cross"):
    """The ratio of RATIOS with the lowest odds of a liquidation in ``mode`` (the smallest
    ratio if several tie)."""
    rows = ratio_table()[ratio_table()["mode"] == mode]
    return float(rows.loc[rows["p_liquidation"].idxmin(), "hedge_ratio"])


@functools.lru_cache(maxsize=8)
def money_needed(ratio, mode="cross", correlation=WEAK_CORRELATION):
    """``required_deposit`` for the lesson's pair: odds of a liquidation at most 5 %."""
    return required_deposit(ratio, correlation, mode)


def _weak_ratio():
    return min_variance_ratio(WEAK_CORRELATION)


EXERCISES = [
    Exercise(
        id="09.1",
        prompt="At correlation 0.8, what are the CROSS account's odds of any liquidation with a "
               "1:1 hedge (hedge ratio 1)? Give a fraction (0.25 means 25 % of the paths), "
               "to 3 decimals.",
        expected=lambda: odds(1.0),
        precision=0.001,
        hint="The table of odds in 'Reduced liquidation risk' has a row for hedge ratio 1 at "
             "correlation 0.8, in percent: read its cross column and write it as a fraction "
             "(12.3 % is 0.123). Compare it with ratio 0.",
        explanation="About the same as with no hedge: ETH swings more than BTC, so a 1:1 "
                    "short over-hedges.",
        mistakes=(
            Mistake(lambda: odds(1.0, "isolated"),
                    "That is the isolated row. In isolated mode the short's profit cannot "
                    "reach the long; the question is about cross."),
            Mistake(lambda: odds(0.0),
                    "That is the row with hedge ratio 0 (no ETH short); the question asks "
                    "about ratio 1."),
        ),
    ),
    Exercise(
        id="09.2",
        prompt="At correlation 0.8, which hedge ratio of 0, 0.25, 0.5, 0.75, 1, 1.25, 1.5 gives "
               "the CROSS account the lowest odds of a liquidation? Give the ratio to 2 "
               "decimals.",
        expected=safest_ratio,
        precision=0.01,
        hint="hedge_grid(ratios, [0.8]) with these seven ratios gives one row per ratio and "
             "mode: keep the cross rows and find the smallest p_liquidation (the 'odds' table "
             "above did the same with other ratios).",
        explanation="A little below ρ·σ_BTC/σ_ETH = 0.8 × 3 % / 4 % = 0.6, the ratio that "
                    "makes the pair's swings smallest: a liquidation needs one deep loss, and "
                    "each extra dollar of short adds its own loss when ETH rallies, and its "
                    "own margin and fee (0.5 is also the least liquidated on 10,000 paths).",
        mistakes=(
            Mistake(lambda: 1.0,
                    "A 1:1 hedge is not the tightest: ETH moves about 4/3 as much as BTC, so "
                    "ratio 1 is too much short. Look at the measured odds."),
            Mistake(lambda: safest_ratio("isolated"),
                    "That ratio is the safest in ISOLATED mode (no ETH short: nothing more to "
                    "liquidate). The question is about cross."),
            Mistake(lambda: min_variance_ratio(CORRELATION),
                    "0.6 is the theory's best ratio, but it is not one of the choices: pick the "
                    "listed ratio with the lowest measured odds."),
        ),
    ),
    Exercise(
        id="09.3",
        prompt="At correlation 0.5, hedge with the min-variance ratio ρ·σ_BTC/σ_ETH. How much "
               "money (USDT) must the CROSS account hold so that its odds of a liquidation "
               "stay at or below 5 %? Give it to the nearest 100.",
        expected=lambda: money_needed(_weak_ratio()),
        unit="USDT",
        precision=100,
        hint="The ratio comes from min_variance_ratio, as in the section 'Why correlation "
             "decides'; then required_deposit, as in the table 'needed' (its arguments: ratio, "
             "correlation, mode). Use correlation 0.5 in both.",
        explanation="Less than without a hedge, but only a little: at correlation 0.5 the "
                    "short offsets less of the long.",
        mistakes=(
            Mistake(lambda: money_needed(min_variance_ratio(CORRELATION)),
                    "That uses the ratio for correlation 0.8 (0.6). At 0.5 the best ratio is "
                    "smaller: min_variance_ratio(0.5)."),
            Mistake(lambda: money_needed(0.0),
                    "That is the pair without a hedge (ratio 0)."),
            Mistake(lambda: money_needed(_weak_ratio(), "isolated"),
                    "That is isolated mode, where each leg needs its own margin. The question "
                    "is about cross."),
            Mistake(lambda: money_needed(_weak_ratio(), correlation=CORRELATION),
                    "That is the right ratio, but the paths at correlation 0.8: pass 0.5 to "
                    "required_deposit as well."),
        ),
    ),
]
