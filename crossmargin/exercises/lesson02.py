"""Lesson 02 · Cross vs isolated: exercises (answers computed by the engine).

The lesson's pair: 10,000 USDT deposited, a BTC long (2,000 USDT margin, 10x,
entry 60,000) and an ETH short (2,000 USDT margin, 10x, entry 3,000).
"""
from ..check import Exercise, Mistake
from ..comparison import open_legs
from ..contracts import contract
from ..shocks import Leg, liquidation_move, shock_outcomes

DEPOSIT = 10_000.0
LEGS = (Leg("BTCUSDT", "long", 2_000, 10, 60_000), Leg("ETHUSDT", "short", 2_000, 10, 3_000))

#: 02.1: BTC falls 12 % at once, ETH does not move.
DROP = -0.12
#: 02.2: ETH rises 15 % (the short loses) while BTC falls.
ETH_RISE = 0.15
#: 02.3: ETH falls 20 % (the short earns), BTC does not move.
ETH_FALL = -0.20


def opened(mode):
    """The lesson's pair opened in an Account, every position in ``mode``."""
    return open_legs(LEGS, DEPOSIT, mode)


def available_after_eth_falls(mode):
    """Available balance once ETH has fallen ``ETH_FALL`` (the short's profit)."""
    account = opened(mode)
    eth = LEGS[1]
    account.mark({"ETHUSDT": eth.entry_price * (1 + ETH_FALL)})
    return account.available_balance()


def _opening_fees():
    return sum(leg.notional * contract(leg.symbol).taker_fee for leg in LEGS)


def _btc_loss(move):
    btc = LEGS[0]
    return btc.size * btc.entry_price * -move


def _eth_loss(move):
    eth = LEGS[1]
    return eth.size * eth.entry_price * move


EXERCISES = [
    Exercise(
        id="02.1",
        prompt="BTC falls 12 % at once and ETH does not move. What is the equity of the CROSS "
               "account (USDT)?",
        expected=lambda: shock_outcomes(LEGS, DEPOSIT, {"BTCUSDT": DROP}).cross_equity,
        unit="USDT",
        hint="shock_outcomes(legs, 10_000, {'BTCUSDT': -0.12}).cross_equity — or by hand: "
             "deposit − opening fees + the BTC long's PnL (nothing is liquidated in cross).",
        mistakes=(
            Mistake(lambda: shock_outcomes(LEGS, DEPOSIT, {"BTCUSDT": DROP}).isolated_equity,
                    "That is the isolated account: there the BTC long is liquidated and loses "
                    "only its 2,000 USDT margin. In cross nothing is liquidated, so the whole "
                    "loss stays in the account."),
            Mistake(lambda: DEPOSIT - _btc_loss(DROP),
                    "Close: the opening fees (taker fee on both notionals) left the wallet too."),
            Mistake(lambda: _btc_loss(DROP) + _opening_fees(),
                    "That is what was lost; the question asks what is left."),
        ),
        explanation="The isolated account keeps more: its liquidation stopped the BTC loss at the "
                    "2,000 USDT margin, while cross carries the whole 12 % loss. A liquidation "
                    "caps a loss — and gives up any recovery if BTC comes back.",
    ),
    Exercise(
        id="02.2",
        prompt="ETH has risen 15 % (the short is losing). How far can BTC fall before the CROSS "
               "account is liquidated? Give the move as a fraction (-0.25 means -25 %).",
        expected=lambda: liquidation_move(LEGS, DEPOSIT, "BTCUSDT", "cross",
                                          {"ETHUSDT": ETH_RISE}),
        rel_tol=1e-3,
        abs_tol=1e-5,
        hint="liquidation_move(legs, 10_000, 'BTCUSDT', 'cross', {'ETHUSDT': 0.15}) — the whole "
             "cross wallet stands behind the long, minus the ETH short's loss and maintenance "
             "margin.",
        mistakes=(
            Mistake(lambda: liquidation_move(LEGS, DEPOSIT, "BTCUSDT", "cross"),
                    "That is with ETH flat. The ETH short's loss drains the shared pool, so the "
                    "BTC long is liquidated sooner."),
            Mistake(lambda: liquidation_move(LEGS, DEPOSIT, "BTCUSDT", "isolated"),
                    "That is where the ISOLATED BTC long dies, with only its own 2,000 USDT "
                    "behind it (and ETH does not matter to it). In cross the whole wallet backs "
                    "it."),
            Mistake(lambda: -(DEPOSIT - _opening_fees() - _eth_loss(ETH_RISE)) / LEGS[0].notional,
                    "That is where the margin balance reaches zero (bankruptcy). Liquidation "
                    "comes a little earlier: when the margin balance falls to the maintenance "
                    "margin (margin ratio 100 %)."),
            Mistake(lambda: 100 * liquidation_move(LEGS, DEPOSIT, "BTCUSDT", "cross",
                                                   {"ETHUSDT": ETH_RISE}),
                    "Right number, wrong unit: give a fraction (-0.25), not a percentage."),
            Mistake(lambda: -liquidation_move(LEGS, DEPOSIT, "BTCUSDT", "cross",
                                              {"ETHUSDT": ETH_RISE}),
                    "Mind the sign: a long is liquidated when the price FALLS."),
        ),
    ),
    Exercise(
        id="02.3",
        prompt="BTC stays flat and ETH falls 20 %: the ETH short earns. What is the available "
               "balance (for new orders) of the CROSS account now (USDT)?",
        expected=lambda: available_after_eth_falls("cross"),
        unit="USDT",
        hint="Available = cross wallet + cross unrealized PnL − cross initial margin, with the "
             "initial margin at the MARK price (Binance). Or open the pair in an Account, mark "
             "ETH and call available_balance().",
        mistakes=(
            Mistake(lambda: available_after_eth_falls("isolated"),
                    "That is the isolated account's available balance (and both accounts' right "
                    "after opening): an isolated profit stays locked inside the ETH position. "
                    "In cross it joins the shared pool at once."),
            Mistake(lambda: (DEPOSIT - _opening_fees() - sum(leg.margin for leg in LEGS)
                             - LEGS[1].size * LEGS[1].entry_price * ETH_FALL),
                    "You kept the ETH initial margin at the entry price; Binance computes it at "
                    "the mark price, and ETH is 20 % lower now."),
        ),
    ),
]
