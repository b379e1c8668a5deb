"""Lesson 09 · Hedging: exercises (answers computed by the engine).

Both go predict → measure → explain: the learner writes a prediction, runs a Monte Carlo of the
lesson's pair (:func:`crossmargin.lessons.hedging.hedge_plan`: BTC long of 3,000 USDT at 15x, ETH
short of ratio × its notional, 10,000 USDT deposit) over the lesson's 1,000 seeded paths
(:func:`crossmargin.lessons.hedging.hedge_paths`), then answers a question whose answer is the
same on every seed the tests try (an ordering, a choice), and the feedback says why.

- 09.1: at correlation 0.5, rank the cross accounts at hedge ratios 0, 0.375 (min variance) and 1
  from the least to the most often liquidated.
- 09.2: at correlation 0.5, how much less money (odds of a liquidation at most 5 %) does the
  min-variance hedge need than the long alone: 'a lot less', 'a little less' or 'more'?
"""
import functools
import math
import numbers

from ..exercise import Exercise
from ...lessons.hedging import SEED, hedge_grid, min_variance_ratio, pair_volatility, \
    required_deposit

#: Both exercises: a correlation between the lesson's 0.8 and 0.
CORRELATION = 0.5
#: 09.1: no hedge, the min-variance hedge (0.375) and 1:1.
MIN_VARIANCE = round(min_variance_ratio(CORRELATION), 10)
RANK_RATIOS = (0.0, MIN_VARIANCE, 1.0)
#: 09.2: the answers, and where "a lot less" starts (a fifth less money or more).
CHOICES = ("a lot less", "a little less", "more")
A_LOT = 0.2


# --------------------------------------------------------------------------- 09.1

@functools.lru_cache(maxsize=8)
def rank_odds(seed=SEED):
    """Cross odds of any liquidation at each of RANK_RATIOS (correlation 0.5, 1,000 paths of
    ``seed``), with the Wilson interval and the paths: the rows of ``hedge_grid``."""
    grid = hedge_grid(list(RANK_RATIOS), [CORRELATION], modes=("cross",), seed=seed)
    return grid.set_index("hedge_ratio")


def measured_ranking(seed=SEED):
    """RANK_RATIOS from the least to the most often liquidated on the paths of ``seed``."""
    odds = rank_odds(seed)["p_liquidation"]
    return [float(r) for r in sorted(RANK_RATIOS, key=lambda r: (odds[r], r))]


def _ratios(answer):
    """The learner's list as three of RANK_RATIOS (each within 0.03), or None."""
    if not isinstance(answer, (list, tuple)) or len(answer) != 3:
        return None
    out = []
    for x in answer:
        if not isinstance(x, numbers.Real) or isinstance(x, bool) or not math.isfinite(x):
            return None
        near = [r for r in RANK_RATIOS if abs(x - r) <= 0.03]
        if not near:
            return None
        out.append(near[0])
    return out if len(set(out)) == 3 else None


def _odds_words(seed=SEED):
    rows = rank_odds(seed)
    return {r: f"{rows.loc[r, 'p_liquidation']:.1%}" for r in RANK_RATIOS}


def _swing(ratio):
    return f"{pair_volatility(ratio, CORRELATION):.1%}"


def check_ranking(answer, seed=SEED):
    """09.1: ``(ok, message)`` for a list of the three ratios, least liquidated first."""
    ranking = _ratios(answer)
    if ranking is None:
        return False, (f"write the three ratios 0, {MIN_VARIANCE:g} and 1 in a list, each once, "
                       f"least liquidated first: answer = [..., ..., ...] (got {answer!r})")
    odds, h = _odds_words(seed), MIN_VARIANCE
    measured = measured_ranking(seed)
    paths = int(rank_odds(seed)["paths"].min())
    shown = ", then ".join(f"{r:g} ({odds[r]})" for r in measured) + f" of {paths:,} paths"
    if ranking == measured:
        return True, f"right: {shown}."
    first, second = ranking[0], ranking[1]
    if first == 1.0:
        why = (f"1:1 first is the belief that a short as big as the long cancels the risk. ETH "
               f"swings 4/3 as much as BTC and, at correlation 0.5, much of its move is its own: "
               f"the 1:1 pair swings {_swing(1.0)} of the long's notional a day, more than the "
               f"long alone ({_swing(0.0)}), and it was liquidated on {odds[1.0]} of the paths.")
    elif first == 0.0:
        why = (f"No hedge first would be right at correlation 0, where the min-variance ratio "
               f"is 0. At 0.5 the min-variance short still offsets part of the long: the pair "
               f"swings {_swing(h)} a day instead of {_swing(0.0)}, and was liquidated on "
               f"{odds[h]} of the paths against {odds[0.0]} with no hedge.")
    elif second == 1.0:
        why = (f"The min-variance hedge first is right, but not 'any hedge beats none': past "
               f"the min-variance ratio every extra dollar of short adds ETH's own swings. At 1 "
               f"the pair swings {_swing(1.0)} a day, more than the long alone "
               f"({_swing(0.0)}): liquidated on {odds[1.0]} of the paths, against {odds[0.0]} "
               f"with no hedge.")
    else:
        why = "Compare the three odds the measurement printed."
    return False, f"the paths ranked them {shown}. {why}"


# --------------------------------------------------------------------------- 09.2

@functools.lru_cache(maxsize=32)
def money_needed(ratio, mode="cross", correlation=CORRELATION, seed=SEED):
    """``required_deposit`` for the lesson's pair: odds of a liquidation at most 5 %."""
    return required_deposit(ratio, correlation, mode, seed=seed)


def money_cut(seed=SEED):
    """How much less money the min-variance hedge needs than the long alone, as a fraction
    of the long's (cross, correlation 0.5; negative: it needs more)."""
    return 1 - money_needed(MIN_VARIANCE, seed=seed) / money_needed(0.0, seed=seed)


def how_much_less(cut):
    """The answer of 09.2 for a cut of ``cut`` (a fraction): one of CHOICES."""
    return CHOICES[2] if cut <= 0 else (CHOICES[0] if cut >= A_LOT else CHOICES[1])


#: How much the min-variance short shrinks the pair's daily swing: 1 - √(1 - ρ²).
_SHRINK = 1 - pair_volatility(MIN_VARIANCE, CORRELATION) / pair_volatility(0.0, CORRELATION)
_STRONG_SHRINK = 1 - pair_volatility(min_variance_ratio(0.8), 0.8) / pair_volatility(0.0, 0.8)

EXERCISES = [
    Exercise(
        id="09.1",
        prompt=f"At correlation 0.5, rank three cross accounts from the least to the most often "
               f"liquidated: no hedge (ratio 0), the min-variance hedge ({MIN_VARIANCE:g}) and a "
               f"1:1 hedge (1). Give the three ratios in a list, least liquidated first.",
        kind="custom",
        validate=check_ranking,
        hint="The measurement printed each ratio's odds of a liquidation with its 95 % "
             "interval: sort the three ratios from the smallest odds to the largest. The daily "
             "swing printed next to each (pair_volatility, the formula of 'Why correlation "
             "decides') says why.",
        explanation=f"The odds follow the pair's swings: at correlation 0.5 the min-variance "
                    f"short removes ρ² = {CORRELATION ** 2:.0%} of the variance, while a 1:1 short adds more of "
                    f"ETH's own swings than it offsets. Swings and liquidations do not always "
                    f"rank ratios alike (at 0.8 the least liquidated ratio was 0.5, below the "
                    f"min-variance 0.6), but these three lie far enough apart that the paths "
                    f"rank them the same way on every seed the tests try.",
    ),
    Exercise(
        id="09.2",
        prompt="At correlation 0.5, compare the least money a cross account needs to keep its "
               "odds of a liquidation at or below 5 %: with the min-variance hedge, against "
               "the long alone. Answer 'a lot less' (a fifth less or more), 'a little less' "
               "(less, but by under a fifth) or 'more'.",
        expected=lambda: how_much_less(money_cut()),
        kind="choice",
        options=CHOICES,
        hint="The measurement printed the money each account needs and how much less the "
             "hedged one needs, in %: a fifth is 20 %.",
        feedback={
            CHOICES[0]: "That is what the 0.6 hedge did at correlation 0.8 (the table 'needed' "
                        "above). At 0.5 the min-variance short removes only ρ² = "
                        f"{CORRELATION ** 2:.0%} of the pair's variance, so its daily swing "
                        f"shrinks by about {_SHRINK:.0%} (√(1 − ρ²) ≈ {1 - _SHRINK:.2f}), not by "
                        f"{_STRONG_SHRINK:.0%} as at 0.8, and the money needed shrinks with the "
                        "swing.",
            CHOICES[1]: f"The min-variance short cuts the pair's daily swing by about "
                        f"{_SHRINK:.0%} (from {_swing(0.0)} to {_swing(MIN_VARIANCE)} of the "
                        "long's notional), and the money needed falls by about as much or "
                        "less: the short brings its own maintenance margin and fees. How much "
                        "a hedge saves grows with the correlation squared, so a weak "
                        "correlation saves little.",
            CHOICES[2]: "True in isolated mode, where each leg must survive on its own margin "
                        "(the table 'needed' above), and for a 1:1 hedge. In cross the short's "
                        "gains reach the long, and at the min-variance ratio the pair swings "
                        "less than the long alone, so it needs less money.",
        },
    ),
]
