"""Lesson 10 · Leverage and cascades: exercises (answers computed by the engine).

- 10.1: the shared pool over random paths at correlation -0.5: how often does it
  save the BTC long?
- 10.2: three 10x longs (BTC, ETH, SOL, 3,000 USDT of margin each) in one cross
  account of 10,000 USDT; SOL falls 20 %: where is BTC's liquidation price now?
- 10.3: the market cascade: the smallest share of high-leverage traders at which
  a -3 % shock reaches the low-leverage traders.
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
POOL_PATHS = dict(n_paths=2_000, n_steps=1_440, start_prices=[60_000, 150],
                  daily_volatility=[0.03, 0.055], seed=9)

#: 10.2: the lesson's cross account: three 10x longs with 3,000 USDT of margin each.
DEPOSIT = 10_000
THREE_LONGS = (Leg("BTCUSDT", "long", 3_000, 10, 60_000), Leg("ETHUSDT", "long", 3_000, 10, 3_000),
               Leg("SOLUSDT", "long", 3_000, 10, 150))
SOL_FALL = -0.20

#: 10.3: the lesson's market: default crowd, a -3 % shock, impact 0.5; shares in %.
SHOCK, IMPACT = -0.03, 0.5
SHARES = np.arange(0, 101, 5)
LOW_LEVERAGE_TOP = 10


def btc_liquidation_price(sol_move=SOL_FALL, mode="cross"):
    """BTC's liquidation price in the three-long account after SOL moves ``sol_move``."""
    moves = {"SOLUSDT": sol_move} if mode == "cross" else None
    return 60_000 * (1 + liquidation_move(THREE_LONGS, DEPOSIT, "BTCUSDT", mode, moves))


def reaches_low_leverage(share_pct):
    """Does the lesson's cascade liquidate any trader at 10x or less at this share (%)?"""
    out = cascade.run(cascade.crowd(high_leverage_share=share_pct / 100), SHOCK, impact=IMPACT)
    gone = out.accounts[out.accounts["liquidated_round"].notna()]
    return bool((gone["leverage"] <= LOW_LEVERAGE_TOP).any())


def tipping_share():
    """Smallest share (multiple of 5 %) at which the cascade reaches the low-leverage traders."""
    return float(next(s for s in SHARES if reaches_low_leverage(s)))


@lru_cache(maxsize=4)
def pool_shares(correlation):
    """Share of the paths per effect (saved, dragged down, ...) at this correlation."""
    paths = scenarios.random_paths(correlation=correlation, **POOL_PATHS)
    effect = cascade.shared_pool_effect(POOL_PLAN, paths, ["BTCUSDT", "SOLUSDT"],
                                        deposit=POOL_DEPOSIT)
    return effect["effect"].value_counts(normalize=True)


def btc_move(sol_move=SOL_FALL):
    """10.2 slip: BTC's liquidation MOVE (a fraction) instead of its price."""
    return float(liquidation_move(THREE_LONGS, DEPOSIT, "BTCUSDT", "cross",
                                  {"SOLUSDT": sol_move}))


EXERCISES = [
    Exercise(
        id="10.1",
        prompt="Rerun the lesson's pool test (same plan, paths and seed) at correlation -0.5. "
               "In what share of the paths (a fraction) does the shared wallet SAVE the BTC "
               "long? Give it to 3 decimals.",
        expected=lambda: float(pool_shares(-0.5)["saved by the pool"]),
        precision=0.001,
        hint="The cell that built by_correlation ran the same test at correlations 0.4 and 0: "
             "draw the days with -0.5 as the correlation (same seed), run "
             "cascade.shared_pool_effect on them, and read the 'saved by the pool' share of "
             "value_counts(normalize=True).",
        mistakes=(
            Mistake(lambda: float(pool_shares(-0.5)["dragged down by the pool"]),
                    "That is the share dragged DOWN by the pool; the question asks how often it "
                    "saves the BTC long."),
            Mistake(lambda: float(pool_shares(0.8)["saved by the pool"]),
                    "That is the lesson's run at correlation 0.8; pass -0.5 as the correlation."),
        ),
    ),
    Exercise(
        id="10.2",
        prompt="The lesson's cross account (10,000 USDT; BTC, ETH and SOL longs at 10x with "
               "3,000 USDT of margin each). SOL falls 20 % while BTC and ETH do not move. "
               "Where is BTC's liquidation price now (USDT), to the nearest whole number?",
        expected=lambda: btc_liquidation_price(),
        unit="USDT",
        precision=1,
        hint="The cell that computed btc_lp called liquidation_move(legs, 10_000, 'BTCUSDT', "
             "'cross', {'SOLUSDT': ...}) for a whole range of SOL moves: give it SOL's move as "
             "a fraction (-0.2). It returns BTC's move; the price is 60,000 × (1 + move).",
        mistakes=(
            Mistake(lambda: btc_liquidation_price(0.0),
                    "That is BTC's liquidation price before SOL fell. In cross, SOL's loss is "
                    "part of BTC's formula (the other positions' unrealized PnL)."),
            Mistake(lambda: btc_liquidation_price(mode="isolated"),
                    "That is the isolated BTC position's price, which SOL cannot move. The "
                    "account is cross."),
            Mistake(lambda: 150 * (1 + SOL_FALL),
                    "120 is SOL's new price; the question asks for BTC's liquidation price."),
            Mistake(btc_move,
                    "That is BTC's liquidation MOVE, a fraction of its price. Turn it into a "
                    "price: 60,000 × (1 + move)."),
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
        hint="In the lab, set the shock to -3 % and the impact to 0.5, then move the "
             "'High-leverage traders' slider in steps of 5 until the final move passes the "
             "nearest 10x long's liquidation move (printed above the lab, with nearest_10x). "
             "Or rerun the 'mix' cell with more shares.",
        mistakes=(
            Mistake(lambda: tipping_share() - 5,
                    "At that share every high-leverage long is liquidated, but the price stops "
                    "above the 10x traders' liquidation price: the cascade ends there."),
        ),
    ),
]
