"""Lesson 10 · Leverage and cascades: exercises (answers computed by the engine).

Each goes predict → measure → explain: the learner writes a prediction, runs a measurement,
then answers a question whose answer does not depend on the seed, and the feedback says why.

- 10.1: the shared pool over random paths at correlation -0.5: how many times as often does it
  save the BTC long as drag it down? A Monte Carlo, so a whole number: the ratio moves with
  the seed, its rounding does not (tested on seeds 1, 2, 3, 9, 42).
- 10.2: three 10x longs (BTC, ETH, SOL, 3,000 USDT of margin each) in one cross account of
  10,000 USDT; SOL falls, BTC and ETH do not: from what fall of SOL is BTC's cross liquidation
  price above the one it would have isolated? (Binance's formula: no randomness.)
- 10.3: the market cascade: the smallest share of high-leverage traders at which a -3 % shock
  reaches the traders at 10x or less. (The crowd is built without randomness.)
"""
from functools import lru_cache

import numpy as np

from ...lessons import cascade
from ... import scenarios
from ..exercise import Exercise, Mistake
from ...simulation.shocks import Leg, liquidation_move
from ...simulation.replay import Order

#: 10.1: the lesson's pool test (BTC and SOL longs at 20x, just enough money for both).
POOL_PLAN = (Order("BTCUSDT", "long", margin=2_000, leverage=20),
             Order("SOLUSDT", "long", margin=2_000, leverage=20))
POOL_DEPOSIT = 4_040
POOL_SEED = 9
POOL_PATHS = dict(n_paths=2_000, n_steps=1_440, start_prices=[60_000, 150],
                  daily_volatility=[0.03, 0.055])
#: 10.1: SOL tends to rise when BTC falls.
AGAINST = -0.5
SAVED, DRAGGED = cascade.EFFECTS[:2]

#: 10.2: the lesson's cross account: three 10x longs with 3,000 USDT of margin each.
DEPOSIT = 10_000
THREE_LONGS = (Leg("BTCUSDT", "long", 3_000, 10, 60_000), Leg("ETHUSDT", "long", 3_000, 10, 3_000),
               Leg("SOLUSDT", "long", 3_000, 10, 150))

#: 10.3: the lesson's market: default crowd, a -3 % shock, impact 0.5; shares in %.
SHOCK, IMPACT = -0.03, 0.5
SHARES = np.arange(0, 101, 5)
LOW_LEVERAGE_TOP = 10


# --------------------------------------------------------------------------- 10.1

@lru_cache(maxsize=16)
def pool_counts(correlation=AGAINST, seed=POOL_SEED):
    """How many of the 2,000 paths got each verdict of ``cascade.shared_pool_effect``."""
    paths = scenarios.random_paths(correlation=correlation, seed=seed, **POOL_PATHS)
    effect = cascade.shared_pool_effect(POOL_PLAN, paths, ["BTCUSDT", "SOLUSDT"],
                                        deposit=POOL_DEPOSIT)
    return effect["effect"].value_counts()


def saves_per_drag(correlation=AGAINST, seed=POOL_SEED):
    """Paths saved by the pool ÷ paths dragged down by it."""
    counts = pool_counts(correlation, seed)
    return float(counts[SAVED] / counts[DRAGGED])


# --------------------------------------------------------------------------- 10.2

def btc_liquidation_price(sol_move=0.0, mode="cross"):
    """BTC's liquidation price in the three-long account after SOL moves ``sol_move``
    (isolated: the BTC long on its own 3,000 USDT, which SOL cannot move)."""
    moves = {"SOLUSDT": sol_move} if mode == "cross" else None
    return 60_000 * (1 + liquidation_move(THREE_LONGS, DEPOSIT, "BTCUSDT", mode, moves))


def account_killing_fall():
    """SOL's fall (in %) that liquidates the whole account with BTC and ETH flat."""
    return -100 * liquidation_move(THREE_LONGS, DEPOSIT, "SOLUSDT", "cross")


def crossover_fall():
    """SOL's fall (in %, BTC and ETH flat) from which BTC's cross liquidation price is above
    its isolated one: bisection on :func:`btc_liquidation_price`, which rises as SOL falls."""
    alone = btc_liquidation_price(mode="isolated")
    low, high = 0.0, account_killing_fall() / 100
    if btc_liquidation_price(-high) <= alone:
        raise ValueError("BTC's cross liquidation price never passes its isolated one")
    while high - low > 1e-9:
        middle = (low + high) / 2
        low, high = (middle, high) if btc_liquidation_price(-middle) <= alone else (low, middle)
    return 100 * high


def _btc_isolated_fall():
    """10.2 slip: how far BTC itself falls (in %) before its isolated long is liquidated."""
    return -100 * liquidation_move(THREE_LONGS, DEPOSIT, "BTCUSDT", "isolated")


def _price(fall):
    return f"{btc_liquidation_price(-fall):,.0f}"


# --------------------------------------------------------------------------- 10.3

def reaches_low_leverage(share_pct):
    """Does the lesson's cascade liquidate any trader at 10x or less at this share (%)?"""
    out = cascade.run(cascade.crowd(high_leverage_share=share_pct / 100), SHOCK, impact=IMPACT)
    gone = out.accounts[out.accounts["liquidated_round"].notna()]
    return bool((gone["leverage"] <= LOW_LEVERAGE_TOP).any())


def tipping_share():
    """Smallest share (multiple of 5 %) at which the cascade reaches the low-leverage traders."""
    return float(next(s for s in SHARES if reaches_low_leverage(s)))


EXERCISES = [
    Exercise(
        id="10.1",
        prompt="The pool test at correlation -0.5 (same plan, 2,000 paths, seed 9): how many "
               "times as often did the shared wallet SAVE the BTC long as drag it down? Give "
               "the ratio to the nearest whole number.",
        expected=saves_per_drag,
        precision=1,
        hint="The measurement printed how many paths the pool saved and how many it dragged "
             "down: divide the first by the second, and round.",
        explanation="At -0.5 SOL tends to rise when BTC falls, so at BTC's worst minute SOL is "
                    "often the winner and its profit carries the long: the SOL long works as "
                    "a hedge. It still drags BTC down on some paths, since SOL swings almost "
                    "twice as hard as BTC and its own falls sometimes come first. The ratio "
                    "moves with the seed, but rounds to the same whole number on every seed the "
                    "tests try: that is why the question asks for a whole number.",
        mistakes=(
            Mistake(lambda: 1 / saves_per_drag(),
                    "Less than one: that is drags per save (the lesson's 'dragged down / "
                    "saved' ratio), or a share of the paths. Divide the paths SAVED by the "
                    "paths dragged down."),
            Mistake(lambda: 1.0,
                    "One save per drag would mean the pool helps as often as it hurts. Look at "
                    "the two counts the measurement printed: their 95 % intervals do not even "
                    "overlap."),
        ),
    ),
    Exercise(
        id="10.2",
        prompt="The lesson's cross account (10,000 USDT; BTC, ETH and SOL longs at 10x with "
               "3,000 USDT of margin each). SOL falls while BTC and ETH do not move. From what "
               "fall of SOL is BTC's cross liquidation price above the one BTC would have as an "
               "isolated long on its own 3,000 USDT? In %, to the nearest whole number.",
        expected=crossover_fall,
        unit="%",
        precision=1,
        sign_note="Give the fall as a positive percent (12, not -12).",
        hint="btc_lp (computed above) holds BTC's cross liquidation price for every SOL fall "
             "from 0 to 40 % in steps of 0.5 % (sol holds the moves, negative): find the first "
             "one above btc_alone. Or use that the line is straight: it climbs by the same "
             "amount for every 1 % SOL falls.",
        explanation="Up to that fall the cross BTC long is the safer one: the whole wallet "
                    "stands behind it, the money left spare and what is left of the other "
                    "margins. Past it, SOL's loss has eaten more than BTC's own margin would "
                    "have given it, and BTC is closer to liquidation than it would be isolated. "
                    "'Cross is safer' holds only while the other positions do not lose too much.",
        mistakes=(
            Mistake(account_killing_fall,
                    "That is the fall at which SOL alone liquidates the whole account (BTC's "
                    "cross liquidation price reaches 60,000). It passes the isolated price "
                    "much earlier."),
            Mistake(_btc_isolated_fall,
                    "That is how far BTC itself can fall before its isolated long is "
                    "liquidated. The question asks how far SOL must fall."),
            Mistake(lambda: 20.0,
                    f"At a 20 % fall BTC's cross liquidation price ({_price(0.2)}) is still "
                    f"below the isolated one ({btc_liquidation_price(mode='isolated'):,.0f}): "
                    "it passes it a little further."),
            Mistake(lambda: 30.0,
                    f"At a 30 % fall the cross price ({_price(0.3)}) is well above the "
                    "isolated one, but it passed it earlier, between 20 and 30 %."),
        ),
    ),
    Exercise(
        id="10.3",
        prompt="The lesson's market: the default crowd, a -3 % shock, impact 0.5. What is the "
               "smallest share of high-leverage traders, in % and to the nearest 5, at which "
               "the cascade liquidates traders at 10x or less?",
        expected=tipping_share,
        unit="%",
        precision=5,
        hint="The measurement printed the final move at each share, and the move that "
             "liquidates the nearest 10x long (nearest_10x): the answer is the first share "
             "whose final move goes past it.",
        explanation="Below that share the forced selling stops short of the nearest 10x long. "
                    "One step more and it reaches the 10x traders, whose own forced selling "
                    "pushes the price on to the next ones. So the final move grows in a jump, "
                    "not step by step: a small change in the crowd tips the cascade much "
                    "further.",
        mistakes=(
            Mistake(lambda: tipping_share() - 5,
                    "At that share every high-leverage long is liquidated, but the price stops "
                    "above the 10x traders' liquidation price: the cascade ends there."),
            Mistake(lambda: 40.0,
                    "At 40 % the cascade runs far into the 10x traders, but it already did at "
                    "a smaller share: look for the first share whose final move passes the "
                    "nearest 10x long's."),
        ),
    ),
]
