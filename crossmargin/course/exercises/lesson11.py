"""Lesson 11 · Tips and FAQ: exercises (answers computed by the engine).

The accounts are the lesson's two plans (:data:`crossmargin.lessons.reserve.PLANS`: 10,000 USDT,
two positions with 2,500 USDT of margin each at 10x, cross) at the course's start prices.
"""
import functools

import pandas as pd

from ...engine import formulas
from ...lessons import indicators
from ..exercise import Exercise, Mistake
from ...engine.contracts import contract
from ...lessons.reserve import PLANS, SYMBOLS, market_paths, open_plan, reserve_outcomes, what_if
from ...scenarios import START_PRICES

HEDGE, TWO_BETS = "hedge: long BTC, short ETH", "two bets: long BTC, long SOL"
#: 11.1: the proposed order on the hedge account.
PROPOSED = dict(symbol="SOLUSDT", side="long", margin=2_000, leverage=10)
#: 11.2: reserves to try with the two bets at 10x, and the odds to stay under.
CANDIDATES = (0.4, 0.5, 0.6, 0.7)
TARGET = 0.05
#: 11.3: a tiny price series and the RSI window.
RSI_PRICES = (100, 102, 101, 104, 103, 106)
RSI_WINDOW = 3
#: 11.4: the moves of the two bets' prices.
MOVES = {"BTCUSDT": -0.05, "SOLUSDT": -0.10}


def btc_liquidation(moment="after", plan=HEDGE):
    """11.1: the hedge's BTC liquidation price before or after the proposed SOL long
    (``plan=TWO_BETS``: the same order previewed on the lesson's ``account``, the two bets)."""
    account = open_plan(PLANS[plan], START_PRICES)
    symbol, side = PROPOSED["symbol"], PROPOSED["side"]
    check = what_if(account, symbol, side, margin=PROPOSED["margin"],
                    leverage=PROPOSED["leverage"])
    return float(check.positions.loc["BTCUSDT", f"liquidation_{moment}"])


def _isolated_btc_liquidation():
    long = PLANS[HEDGE][0]
    size = long.margin * long.leverage / START_PRICES["BTCUSDT"]
    return formulas.liquidation_price("long", size, START_PRICES["BTCUSDT"], long.margin,
                                      brackets=contract("BTCUSDT").brackets)


@functools.lru_cache(maxsize=1)
def _reserve_odds():
    table = reserve_outcomes(PLANS[TWO_BETS], market_paths(), SYMBOLS, reserves=CANDIDATES)
    return table.pivot(index="reserve", columns="mode", values="p_liquidation")


def reserve_odds():
    """11.2: the two bets' odds of a liquidation at each candidate reserve, by mode (one
    Monte Carlo per process, then remembered)."""
    return _reserve_odds().copy()


def smallest_reserve(mode="cross"):
    """11.2: the smallest candidate reserve whose odds of a liquidation are below TARGET
    (NaN when none is)."""
    odds = reserve_odds()[mode]
    safe = odds[odds < TARGET]
    return float(safe.index.min()) if len(safe) else float("nan")


def _next_riskier():
    """11.2 mistake: the candidate just below the answer."""
    answer = smallest_reserve()
    lower = [r for r in CANDIDATES if r < answer]
    return lower[-1] if lower else float("nan")


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


def effective_leverage(measure="now"):
    """11.4: total notional / equity of the two bets after MOVES (``"start"``: before)."""
    account = open_plan(PLANS[TWO_BETS], START_PRICES)
    if measure != "start":
        account.mark({s: START_PRICES[s] * (1 + m) for s, m in MOVES.items()})
    positions, equity = account.positions(), account.summary()["equity"]
    if measure == "entry_notional":
        return float((positions["contracts"] * positions["entry_price"]).sum() / equity)
    return float(positions["notional"].sum() / equity)


EXERCISES = [
    Exercise(
        id="11.1",
        prompt="The hedge account (reserve.open_plan(reserve.PLANS['hedge: long BTC, short "
               "ETH'], START_PRICES)) considers a SOL long with 2,000 USDT of margin at 10x. "
               "What would the BTC long's liquidation price be AFTER that order (USDT), to the "
               "nearest whole number?",
        expected=btc_liquidation,
        unit="USDT",
        precision=1,
        hint="Not `account`: that variable holds the two bets. Open the hedge account named in "
             "the question (hedge_account = reserve.open_plan(...)), preview the SOL long on it "
             "with reserve.what_if as in tip 1, and read the BTCUSDT row of its .positions "
             "table, column liquidation_after.",
        mistakes=(
            Mistake(lambda: btc_liquidation(plan=TWO_BETS),
                    "That is the preview on `account`, the two bets (long BTC, long SOL). The "
                    "question is about the hedge account: open it with "
                    "reserve.PLANS['hedge: long BTC, short ETH']."),
            Mistake(lambda: btc_liquidation("before"),
                    "That is the liquidation price before the order. In cross the new "
                    "position shares the wallet: its fee and maintenance margin move the BTC "
                    "liquidation price."),
            Mistake(_isolated_btc_liquidation,
                    "That is where the BTC long would be liquidated on its own, isolated with "
                    "its 2,500 USDT. In cross the whole wallet backs it."),
        ),
    ),
    Exercise(
        id="11.2",
        prompt="The two bets (long BTC, long SOL) at 10x, cross, over reserve.market_paths(): "
               "which is the smallest reserve among 0.4, 0.5, 0.6 and 0.7 at which the "
               "account is liquidated on fewer than 5 % of the paths? Give the share of the "
               "deposit (like 0.4), to 1 decimal.",
        expected=smallest_reserve,
        precision=0.1,
        hint="The cell that built by_reserve in tip 3 ran reserve.reserve_outcomes on `plan` "
             "(the two bets) over `paths`: run it with these four reserves and read "
             "p_liquidation in the cross rows.",
        mistakes=(
            Mistake(_next_riskier,
                    "Not yet: at that reserve the cross account is still liquidated on 5 % of "
                    "the paths or more."),
        ),
    ),
    Exercise(
        id="11.3",
        prompt="Prices 100, 102, 101, 104, 103, 106. With a 3-step window and Wilder's "
               "smoothing, what is the RSI at the last price, to 1 decimal?",
        expected=rsi_by_hand,
        precision=0.1,
        hint="Changes +2, -1, +3, -1, +3. First averages: the mean of the first three gains "
             "and losses; then average = (previous × 2 + current) / 3. RSI = 100 − 100 / (1 + "
             "average gain / average loss). Check it with indicators.rsi (tip 4).",
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
    Exercise(
        id="11.4",
        prompt="The two bets account (reserve.open_plan(reserve.PLANS['two bets: long BTC, "
               "long SOL'], START_PRICES), cross, 10x) is marked after BTC falls 5 % and SOL "
               "10 %. What is its effective leverage now (total notional / equity), to 1 "
               "decimal?",
        expected=effective_leverage,
        precision=0.1,
        hint="Mark the new prices (5 % and 10 % below START_PRICES) with account.mark({...}), "
             "then use FAQ 3's definition: the notional column of positions(), summed, "
             "divided by the equity in summary().",
        mistakes=(
            Mistake(lambda: 10.0,
                    "10x is the leverage setting: it fixed the initial margin of each order. "
                    "The account's effective leverage is total notional / equity."),
            Mistake(lambda: effective_leverage("start"),
                    "That is the effective leverage at the start. Losses shrank the equity "
                    "faster than the notional: mark the new prices first."),
            Mistake(lambda: effective_leverage("entry_notional"),
                    "Close: the notional is taken at the mark price (size × mark), not at the "
                    "entry price."),
        ),
    ),
]
