"""Lesson 08 · The guide's practical example: exercises (answers computed by the engine).

The example: 10,000 USDT, a BTC long and an ETH short with 4,900 USDT of margin
each (the guide's 5,000 + 5,000 do not fit once the taker fee is paid).
"""
import numpy as np

from ...engine import formulas
from ... import scenarios
from ..exercise import Exercise, Mistake
from .common import opening_fees
from ...engine.contracts import contract
from ...lessons.examples import GUIDE_DEPOSIT as DEPOSIT, GUIDE_MARGIN as MARGIN, example_legs
from ...simulation.shocks import liquidation_move, shock_outcomes

#: 08.2: BTC -15 % and ETH +15 % at once, at 5x.
TWIST = {"BTCUSDT": -0.15, "ETHUSDT": 0.15}
TWIST_LEVERAGE = 5
#: 08.3: leverages a trader would consider.
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
    lp = formulas.liquidation_price("long", size, entry, MARGIN,
                                    brackets=contract("BTCUSDT").brackets)
    hit = np.nan_to_num(lp, nan=0.0) >= mark
    return int(LEVERAGES[hit][0])


def _twist_loss():
    return sum(leg.notional * abs(TWIST[leg.symbol]) for leg in example_legs(TWIST_LEVERAGE))


def _move(mode="isolated"):
    return liquidation_move(example_legs(10), DEPOSIT, "BTCUSDT", mode)


EXERCISES = [
    Exercise(
        id="08.1",
        prompt="The isolated BTC long of the example (4,900 USDT margin, 10x, entry 60,000): at "
               "which BTC move is it liquidated? Give a fraction (-0.25 means -25 %), to 3 "
               "decimals.",
        expected=_move,
        precision=0.001,
        sign_note="A long is liquidated when the price FALLS: the move is negative.",
        hint="Lesson 02's liquidation_move takes the example's legs (example_legs(10)), the "
             "deposit, the symbol and the margin mode you ask about. By hand: the isolated "
             "liquidation price from liquidation_price (size = 4,900 × 10 / 60,000 BTC, the "
             "4,900 USDT margin as the wallet, the BTCUSDT brackets), then price / 60,000 − 1.",
        mistakes=(
            Mistake(lambda: -1 / 10,
                    "-1/leverage is (almost) where the margin is all gone: the bankruptcy "
                    "price. Liquidation comes earlier, when what is left equals the maintenance "
                    "margin."),
            Mistake(lambda: _move("cross"),
                    "That is the move that liquidates the long in CROSS, where the whole "
                    "shared wallet stands behind it. The isolated long has only its own 4,900 "
                    "USDT."),
        ),
    ),
    Exercise(
        id="08.2",
        prompt="At 5x, BTC falls 15 % and ETH rises 15 % at the same moment. How much is left "
               "in the CROSS account (in USDT, to the nearest whole number)?",
        expected=lambda: shock_outcomes(example_legs(TWIST_LEVERAGE), DEPOSIT,
                                        TWIST).cross_equity,
        unit="USDT",
        precision=1,
        sign_note="What is left in an account is never negative: give a positive number.",
        hint="Lesson 02's shock_outcomes takes the legs (example_legs(5)), the deposit and the "
             "moves as fractions, and reports the equity in both modes, as the explorer above "
             "shows. By hand: both legs lose 15 % of their notional (4,900 × 5 each), and the "
             "opening fees had already left the wallet.",
        mistakes=(
            Mistake(lambda: DEPOSIT - _twist_loss(),
                    "Close: the opening fees (taker fee on both notionals) left the wallet too."),
            Mistake(lambda: _twist_loss() + opening_fees(example_legs(TWIST_LEVERAGE)),
                    "That is what was lost; the question asks what is left."),
            Mistake(lambda: 0.0,
                    "Not at 5x: the account loses a lot but its margin ratio stays below "
                    "100 %. (At 10x it would be 0.)"),
        ),
    ),
    Exercise(
        id="08.3",
        prompt="With scenarios.btc_crash() and the example's 4,900 USDT isolated BTC long, what "
               "is the LOWEST whole leverage (1 to 20) at which the long is liquidated? Give "
               "it to the nearest whole number.",
        expected=lowest_liquidating_leverage,
        precision=1,
        sign_note="A leverage is a positive number (5 for 5x).",
        hint="The lesson's leverage table already brackets it: nothing is liquidated at 2x and "
             "the isolated BTC long is liquidated at 5x, so the answer is 3, 4 or 5. Run "
             "examples.compare_leverages(crash, (3, 4)) as the lesson did and read "
             "'isolated liquidated'. (A long is liquidated the moment the mark touches its "
             "liquidation price, so what counts is the crash's LOWEST BTC price.)",
        mistakes=(
            Mistake(lambda: lowest_liquidating_leverage() - 1,
                    "At that leverage the long survives: its liquidation price stays below the "
                    "crash's lowest BTC price. Try one step higher."),
            Mistake(lambda: lowest_liquidating_leverage("final"),
                    "You compared with the last price of the path. The crash bottoms out "
                    "lower before it bounces, and the liquidation happens at the bottom."),
        ),
    ),
]
