"""Lesson 02 · Cross vs isolated: exercises (answers computed by the engine).

The lesson's pair: 10,000 USDT deposited, a BTC long (2,000 USDT margin, 10x,
entry 60,000) and an ETH short (2,000 USDT margin, 10x, entry 3,000).
"""
from ..exercise import Exercise, Mistake
from .common import opening_fees
from ...lessons.comparison import open_legs
from ...simulation.shocks import Leg, liquidation_move, shock_outcomes

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
               "account, in USDT to the nearest whole number?",
        expected=lambda: shock_outcomes(LEGS, DEPOSIT, {"BTCUSDT": DROP}).cross_equity,
        unit="USDT",
        precision=1,
        hint="Use shock_outcomes as in the section 'Losses covered by gains', with BTC's move "
             "alone — or by hand: the cross wallet after the opening fees (cross.balances() "
             "above) plus the BTC long's PnL; nothing is liquidated in cross.",
        mistakes=(
            Mistake(lambda: shock_outcomes(LEGS, DEPOSIT, {"BTCUSDT": DROP}).isolated_equity,
                    "That is the isolated account: there the BTC long is liquidated and loses "
                    "only its 2,000 USDT margin. In cross nothing is liquidated, so the whole "
                    "loss stays in the account."),
            Mistake(lambda: DEPOSIT - _btc_loss(DROP),
                    "Close: the opening fees (taker fee on both notionals) left the wallet too."),
            Mistake(lambda: _btc_loss(DROP) + opening_fees(LEGS),
                    "That is what was lost; the question asks what is left."),
            Mistake(lambda: DEPOSIT - opening_fees(LEGS) - _btc_loss(DROP) / 2,
                    "That takes off 1,200 USDT, 12 % of the 10,000 USDT deposit. The long loses "
                    "12 % of its notional (20,000 USDT at 10x): 2,400 USDT."),
        ),
        explanation="The isolated account keeps more: its liquidation stopped the BTC loss at the "
                    "2,000 USDT margin, while cross carries the whole 12 % loss. A liquidation "
                    "caps a loss — and gives up any recovery if BTC comes back.",
    ),
    Exercise(
        id="02.2",
        prompt="ETH has risen 15 % (the short is losing). How far can BTC fall before the CROSS "
               "account is liquidated? Give the move as a fraction (-0.25 means -25 %), to 2 "
               "decimals.",
        expected=lambda: liquidation_move(LEGS, DEPOSIT, "BTCUSDT", "cross",
                                          {"ETHUSDT": ETH_RISE}),
        precision=0.01,
        sign_note="A long is liquidated when the price FALLS, so the move is negative "
                  "(-0.25 means BTC falls 25 %).",
        hint="The table under '3. Flexibility' shows the BTC move that liquidates the cross "
             "account for ETH moves of 0 %, 10 %, 20 % and 30 %; liquidation_move computes it for "
             "any ETH move. The whole cross wallet stands behind the long, minus the ETH short's "
             "loss and maintenance margin.",
        mistakes=(
            Mistake(lambda: liquidation_move(LEGS, DEPOSIT, "BTCUSDT", "cross"),
                    "That is with ETH flat. The ETH short's loss drains the shared pool, so the "
                    "BTC long is liquidated sooner."),
            Mistake(lambda: liquidation_move(LEGS, DEPOSIT, "BTCUSDT", "isolated"),
                    "That is where the ISOLATED BTC long dies, with only its own 2,000 USDT "
                    "behind it (and ETH does not matter to it). In cross the whole wallet backs "
                    "it."),
            Mistake(lambda: -(DEPOSIT - opening_fees(LEGS) - _eth_loss(ETH_RISE))
                    / LEGS[0].notional,
                    "That is where the margin balance reaches zero (bankruptcy). Liquidation "
                    "comes a little earlier: when the margin balance falls to the maintenance "
                    "margin (margin ratio 100 %)."),
        ),
    ),
    Exercise(
        id="02.3",
        prompt="BTC stays flat and ETH falls 20 %: the ETH short earns. What is the available "
               "balance (for new orders) of the CROSS account now, in USDT to the nearest whole "
               "number?",
        expected=lambda: available_after_eth_falls("cross"),
        unit="USDT",
        precision=1,
        hint="Do what the cell under '1. Capital efficiency' did for ETH -10 %, with ETH at 2,400 "
             "— or by hand: available = cross wallet + cross unrealized PnL − cross initial "
             "margin, with the initial margin at the MARK price (Binance).",
        mistakes=(
            Mistake(lambda: available_after_eth_falls("isolated"),
                    "That is the isolated account's available balance (and both accounts' right "
                    "after opening): an isolated profit stays locked inside the ETH position. "
                    "In cross it joins the shared pool at once."),
            Mistake(lambda: (DEPOSIT - opening_fees(LEGS) - sum(leg.margin for leg in LEGS)
                             - LEGS[1].size * LEGS[1].entry_price * ETH_FALL),
                    "You kept the ETH initial margin at the entry price; Binance computes it at "
                    "the mark price, and ETH is 20 % lower now."),
            Mistake(lambda: DEPOSIT - opening_fees(LEGS)
                    - LEGS[1].size * LEGS[1].entry_price * ETH_FALL,
                    "That is the margin balance (wallet + unrealized PnL). The available balance "
                    "also subtracts the initial margin the two open positions lock."),
        ),
    ),
]
