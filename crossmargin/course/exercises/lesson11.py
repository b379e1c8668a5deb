"""Lesson 11 · Tips and FAQ: exercises (answers computed by the engine).

Each exercise is predict → measure → explain: the learner writes a prediction (a choice),
runs the measurement cell, then answers with something the random seed cannot change — a
choice the Monte Carlo settles far beyond its 95 % intervals (11.1), or a number from one
deterministic account (11.2) or price series (11.3, in the optional extension) — and the
feedback explains the mechanism. The accounts are the lesson's plans
(:data:`crossmargin.lessons.reserve.PLANS`: 10,000 USDT, two positions with 2,500 USDT of
margin each at 10x, cross) at the course's start prices.
"""
import functools

import pandas as pd

from ...lessons import indicators
from ...lessons.reserve import PLANS, SYMBOLS, market_paths, open_plan, reserve_outcomes
from ...scenarios import START_PRICES
from ...simulation.stats import wilson_interval
from ..exercise import Exercise, Mistake

__all__ = ["EXERCISES", "RESERVE_OPTIONS", "LEVERAGE_OPTIONS", "RSI_OPTIONS", "reserve_odds",
           "reserve_verdict", "effective_leverage", "rsi_by_hand"]

TWO_BETS = "two bets: long BTC, long SOL"
#: 11.1: the smallest and largest reserve the measurement compares (and two between).
RESERVES = (0.05, 0.25, 0.5, 0.75)
RESERVE_OPTIONS = ("cross only", "isolated only", "both", "neither")
#: 11.2: the moves of the two bets' prices, and what a learner may predict.
MOVES = {"BTCUSDT": -0.05, "SOLUSDT": -0.10}
LEVERAGE_OPTIONS = ("lower than at the start", "the same", "higher, but below 10x",
                    "above 10x")
#: 11.3: a tiny price series, the RSI window, and the zones a learner may predict.
RSI_PRICES = (100, 102, 101, 104, 103, 106)
RSI_WINDOW = 3
RSI_OPTIONS = ("below 30", "30 to 70", "above 70")


@functools.lru_cache(maxsize=8)
def _reserve_odds(seed):
    table = reserve_outcomes(PLANS[TWO_BETS], market_paths(seed=seed), SYMBOLS,
                             reserves=RESERVES)
    return table.pivot(index="reserve", columns="mode", values="p_liquidation")


def reserve_odds(seed=10):
    """11.1: the two bets' odds of a liquidation at each reserve (rows) by mode (columns)
    over :func:`~crossmargin.lessons.reserve.market_paths` (1,000 paths; remembered)."""
    return _reserve_odds(seed).copy()


def reserve_verdict(seed=10):
    """11.1: in which modes the odds fall from the smallest to the largest reserve — a fall
    counts when the two 95 % Wilson intervals do not overlap — as one of RESERVE_OPTIONS."""
    odds, n = reserve_odds(seed), 1_000
    fell = []
    for mode in ("cross", "isolated"):
        smallest = wilson_interval(round(odds[mode].iloc[0] * n), n)
        largest = wilson_interval(round(odds[mode].iloc[-1] * n), n)
        if largest[1] < smallest[0]:
            fell.append(mode)
    return {("cross",): "cross only", ("isolated",): "isolated only",
            ("cross", "isolated"): "both", (): "neither"}[tuple(fell)]


def effective_leverage(measure="now"):
    """11.2: total notional / equity of the two bets after MOVES (``"start"``: before;
    ``"entry_notional"``: the notional taken at the entry prices, the slip)."""
    account = open_plan(PLANS[TWO_BETS], START_PRICES)
    if measure != "start":
        account.mark({s: START_PRICES[s] * (1 + m) for s, m in MOVES.items()})
    positions, equity = account.positions(), account.summary()["equity"]
    if measure == "entry_notional":
        return float((positions["contracts"] * positions["entry_price"]).sum() / equity)
    return float(positions["notional"].sum() / equity)


def rsi_by_hand(method="wilder"):
    """11.3: the last RSI of RSI_PRICES; ``"simple"`` averages only the last RSI_WINDOW
    changes (Cutler's variant), ``"rs"`` gives RS instead of the RSI."""
    prices = pd.Series(RSI_PRICES, dtype=float)
    if method == "wilder":
        return float(indicators.rsi(prices, RSI_WINDOW).iloc[-1])
    change = prices.diff().iloc[-RSI_WINDOW:]
    gain, loss = change.clip(lower=0).mean(), (-change).clip(lower=0).mean()
    if method == "simple":
        return float(100 - 100 / (1 + gain / loss))
    rsi = rsi_by_hand("wilder")
    return 100 / (100 - rsi) - 1                                   # RS from RSI


_WHY_RESERVE = ("In cross the wallet puts the reserve behind every position: the effective "
                "leverage, (1 − reserve) × 10, falls, so a liquidation needs a bigger move. An "
                "isolated position can lose only its own margin; a smaller one at the same 10x "
                "is liquidated by the same move, so its odds stay put and the reserve is simply "
                "what is left.")

EXERCISES = [
    Exercise(
        id="11.1",
        prompt="The two bets (long BTC, long SOL) at 10x over the lesson's 1,000 paths: from a "
               "5 % to a 75 % reserve, in which mode do the odds of a liquidation fall? Answer "
               "with one of 'cross only', 'isolated only', 'both' or 'neither'.",
        kind="choice",
        options=RESERVE_OPTIONS,
        expected=reserve_verdict,
        feedback={
            "cross only": _WHY_RESERVE,
            "isolated only": "Look at the isolated row again: its odds barely move, well inside "
                             "their 95 % intervals; it is the cross odds that fall. "
                             + _WHY_RESERVE,
            "both": "Tempting: a bigger reserve makes the positions smaller in both modes. But an "
                    "isolated liquidation price depends on its leverage, not on its size. "
                    + _WHY_RESERVE,
            "neither": "The cross odds fall far more than their 95 % intervals allow; only the "
                       "isolated ones stay put. " + _WHY_RESERVE,
        },
        hint="Compare the first and the last reserve in each mode's row: a fall counts when "
             "the two 95 % intervals do not overlap.",
    ),
    Exercise(
        id="11.2",
        prompt="The two bets account (reserve.open_plan(reserve.PLANS['two bets: long BTC, "
               "long SOL'], START_PRICES), cross, 10x) is marked after BTC falls 5 % and SOL "
               "10 %. What is its effective leverage now (total notional / equity), to 1 "
               "decimal?",
        expected=effective_leverage,
        precision=0.1,
        explanation="The losses came out of the equity in full, while the notional shrank "
                    "only by the price moves: notional / equity rose from about 5x at the "
                    "start. The 10x setting fixed each order's initial margin, nothing more; "
                    "in cross only a liquidation caps the account's effective leverage.",
        hint="FAQ 3's definition: the notional column of the measured positions, summed, "
             "divided by the equity the measurement printed.",
        mistakes=(
            Mistake(lambda: 10.0,
                    "10x is the leverage setting: it fixed the initial margin of each order. "
                    "The account's effective leverage is total notional / equity."),
            Mistake(lambda: effective_leverage("start"),
                    "That is the effective leverage at the start. Losses shrank the equity "
                    "faster than the notional: use the marked account."),
            Mistake(lambda: effective_leverage("entry_notional"),
                    "Close: the notional is taken at the mark price (size × mark), not at the "
                    "entry price."),
        ),
    ),
    Exercise(
        id="11.3",
        prompt="Prices 100, 102, 101, 104, 103, 106. With a 3-step window and Wilder's "
               "smoothing, what is the RSI at the last price, to 1 decimal?",
        expected=rsi_by_hand,
        precision=0.1,
        explanation="Above 70, 'overbought' by the textbook: gains outweighed losses in the "
                    "recent changes. The RSI describes the moves behind it; it says nothing "
                    "about the next one (the study above).",
        hint="Changes +2, -1, +3, -1, +3. First averages: the mean of the first three gains "
             "and losses; then average = (previous × 2 + current) / 3. RSI = 100 − 100 / (1 + "
             "average gain / average loss). Compare with the measurement.",
        mistakes=(
            Mistake(lambda: rsi_by_hand("simple"),
                    "That averages only the last three changes (Cutler's RSI). Wilder's "
                    "averages carry the earlier changes along: (previous × 2 + current) / 3."),
            Mistake(lambda: rsi_by_hand("rs"),
                    "That is RS, the ratio of the average gain to the average loss. The RSI "
                    "is 100 − 100 / (1 + RS)."),
            Mistake(lambda: rsi_by_hand() / 100,
                    "The RSI is on a 0–100 scale, not a fraction of 1: multiply by 100."),
        ),
    ),
]
