"""Lesson 07 · The guide's practical example: exercises (answers computed by the engine).

The example: 10,000 USDT, a BTC long and an ETH short with 4,900 USDT of margin
each (the guide's 5,000 + 5,000 do not fit once the taker fee is paid).
"""
import numpy as np

from .. import formulas, scenarios
from ..check import Exercise, Mistake
from ..contracts import contract
from ..examples import GUIDE_DEPOSIT as DEPOSIT, GUIDE_MARGIN as MARGIN, example_legs
from ..shocks import liquidation_move, shock_outcomes

#: 07.2: BTC -15 % and ETH +15 % at once, at 5x.
TWIST = {"BTCUSDT": -0.15, "ETHUSDT": 0.15}
TWIST_LEVERAGE = 5
#: 07.3: leverages a trader would consider.
LEVERAGES = np.arange(1, 21)


def lowest_liquidating_leverage(price="low"):
    """Lowest whole leverage whose isolated BTC long (4,900 USDT) the BTC crash liquidates.

    ``price="low"``: the crash's lowest mark (what liquidates); ``"final"``: its last one.
    One vectorized liquidation-price call over ``LEVERAGES``.
    """
    btc = scenarios.btc_crash()["BTCUSDT"]
    entry = float(btc.iloc[0])
    mark = float(btc.min() if price == "low" else btc.iloc[-1])
    size = MARGIN * LEVERAGES / entry
    lp = formulas.liquidation_price("long", size, entry, size * entry / LEVERAGES,
                                    brackets=contract("BTCUSDT").brackets)
    hit = np.nan_to_num(lp, nan=0.0) >= mark
    return int(LEVERAGES[hit][0])


def _twist_loss():
    return sum(leg.notional * abs(TWIST[leg.symbol]) for leg in example_legs(TWIST_LEVERAGE))


def _opening_fees(leverage):
    return sum(leg.notional * contract(leg.symbol).taker_fee for leg in example_legs(leverage))


EXERCISES = [
    Exercise(
        id="07.1",
        prompt="The isolated BTC long of the example (4,900 USDT margin, 10x, entry 60,000): at "
               "which BTC move is it liquidated? Give a fraction (-0.25 means -25 %).",
        expected=lambda: liquidation_move(example_legs(10), DEPOSIT, "BTCUSDT", "isolated"),
        rel_tol=1e-3,
        abs_tol=1e-5,
        hint="liquidation_move(example_legs(10), 10_000, 'BTCUSDT', 'isolated') — or "
             "formulas.liquidation_price(...) / 60_000 − 1 with the BTCUSDT brackets.",
        mistakes=(
            Mistake(lambda: -1 / 10,
                    "-1/leverage is (almost) where the margin is all gone: the bankruptcy "
                    "price. Liquidation comes earlier, when what is left equals the maintenance "
                    "margin."),
            Mistake(lambda: 100 * liquidation_move(example_legs(10), DEPOSIT, "BTCUSDT",
                                                   "isolated"),
                    "Right number, wrong unit: give a fraction (-0.25), not a percentage."),
            Mistake(lambda: -liquidation_move(example_legs(10), DEPOSIT, "BTCUSDT", "isolated"),
                    "Mind the sign: a long is liquidated when the price FALLS."),
        ),
    ),
    Exercise(
        id="07.2",
        prompt="At 5x, BTC falls 15 % and ETH rises 15 % at the same moment. How much is left "
               "in the CROSS account (USDT)?",
        expected=lambda: shock_outcomes(example_legs(TWIST_LEVERAGE), DEPOSIT,
                                        TWIST).cross_equity,
        unit="USDT",
        hint="shock_outcomes(example_legs(5), 10_000, {'BTCUSDT': -0.15, 'ETHUSDT': 0.15})"
             ".cross_equity — both legs lose 15 % of their notional.",
        mistakes=(
            Mistake(lambda: DEPOSIT - _twist_loss(),
                    "Close: the opening fees (taker fee on both notionals) left the wallet too."),
            Mistake(lambda: _twist_loss() + _opening_fees(TWIST_LEVERAGE),
                    "That is what was lost; the question asks what is left."),
            Mistake(lambda: 0.0,
                    "Not at 5x: the account loses a lot but its margin ratio stays below "
                    "100 %. (At 10x it would be 0.)"),
        ),
    ),
    Exercise(
        id="07.3",
        prompt="With scenarios.btc_crash() and the example's 4,900 USDT isolated BTC long, what "
               "is the LOWEST whole leverage (1 to 20) at which the long is liquidated?",
        expected=lowest_liquidating_leverage,
        rel_tol=0,
        abs_tol=1e-9,
        hint="A long is liquidated the moment the mark price touches its liquidation price: "
             "compare each leverage's liquidation price with the crash's LOWEST BTC price "
             "(liquidation_price accepts an array of sizes and margins).",
        mistakes=(
            Mistake(lambda: lowest_liquidating_leverage("final"),
                    "You compared with the last price of the path. The crash bottoms out "
                    "lower before it bounces, and the liquidation happens at the bottom."),
        ),
    ),
]
