"""Lesson 04 · Open positions: exercises (answers computed by the engine)."""
from ...engine.account import Account
from ...engine.brackets import Brackets
from ..exercise import Exercise, Mistake
from ...engine.contracts import contract

PRICE = 60_000.0
#: Exercise 04.1: a 0.25 BTC long at 20x.
SIZE, LEVERAGE = 0.25, 20
#: Exercise 04.2: the largest BTC long of a 10,000 USDT account at 20x.
BALANCE = 10_000.0
#: Exercise 04.3: the notional whose highest allowed leverage is asked.
NOTIONAL = 700_000.0


def _account():
    account = Account()
    account.deposit(BALANCE)
    account.mark({"BTCUSDT": PRICE})
    account.set_leverage("BTCUSDT", LEVERAGE)
    return account


def order_total():
    """Initial margin + taker fee of the 04.1 order (the preview's ``total``: Binance's cost,
    initial margin + open loss, is without the fee), from the engine's pre-trade preview."""
    return float(_account().preview_open("BTCUSDT", "long", PRICE, size=SIZE)["total"])


def max_size():
    """``Account.max_open_size`` of a BTC long, 10,000 USDT at 20x."""
    return _account().max_open_size("BTCUSDT", "long", PRICE)


def highest_leverage():
    """The bracket table's maximum leverage for a 700,000 USDT BTCUSDT position."""
    return Brackets.load("BTCUSDT").max_leverage(NOTIONAL)


def _notional():
    return SIZE * PRICE


def _fees():
    return contract("BTCUSDT").maker_fee, contract("BTCUSDT").taker_fee


def _tier_below():
    table = Brackets.load("BTCUSDT")
    return float(table.max_leverages[table.tier(NOTIONAL) - 1])


EXERCISES = [
    Exercise(
        id="04.1",
        prompt="How much of your available balance does a market order to long 0.25 BTC at "
               "60,000 USDT with 20x leverage take (its cost, initial margin, plus the taker "
               "fee), in USDT, to 2 decimals?",
        expected=order_total,
        unit="USDT",
        precision=0.01,   # tells "fee on the margin" (750.375) from the total (757.50)
        sign_note="What the order takes from your balance is a positive number of USDT.",
        hint="Do what the lesson's first table did for 0.1 BTC at 10x: the notional is size × "
             "price, the initial margin is notional / leverage, and the taker fee "
             "(contract('BTCUSDT').taker_fee, 0.05 %) is a share of the notional. Or ask the "
             "engine: preview_open on an account set to 20x, and read its 'total'.",
        mistakes=(
            Mistake(lambda: _notional() / LEVERAGE,
                    "That is the initial margin alone: a market order also pays the taker fee."),
            Mistake(lambda: _notional() / LEVERAGE + _notional() * _fees()[0],
                    "You used the maker fee; a market order takes liquidity and pays the taker "
                    "fee."),
            Mistake(lambda: _notional() / LEVERAGE * (1 + _fees()[1]),
                    "The fee is charged on the notional, not on the margin."),
            Mistake(lambda: _notional() / LEVERAGE + 2 * _notional() * _fees()[1],
                    "You counted the taker fee twice: opening pays it once; the second fee "
                    "comes only when the position is closed."),
            Mistake(lambda: _notional() * (1 + _fees()[1]),
                    "That is the whole notional: with 20x leverage you put up only 1/20 of it."),
            Mistake(_notional,
                    "That is the notional: with 20x leverage you put up only 1/20 of it, plus "
                    "the fee."),
        ),
    ),
    Exercise(
        id="04.2",
        prompt="An account holds 10,000 USDT and nothing else. At 20x, what is the largest BTC "
               "long it can open at 60,000 USDT, in BTC, to 3 decimals?",
        expected=max_size,
        unit="BTC",
        precision=0.001,   # tells "fee forgotten" (3.333) from the limit (3.300)
        sign_note="A size is a positive number of BTC, for a long as for a short.",
        hint="Each BTC needs its initial margin (60,000 / 20) plus its taker fee (60,000 × "
             "0.05 %) from the available balance: divide the balance by what one BTC needs. "
             "The lesson's max_open_size table did the same at 5x, 10x, 20x and 50x.",
        mistakes=(
            Mistake(lambda: BALANCE * LEVERAGE / PRICE,
                    "Close, but the fee must fit in the balance too: each BTC costs price/20 + "
                    "the taker fee."),
            Mistake(lambda: BALANCE / PRICE,
                    "That is the size without leverage; at 20x each BTC needs only 1/20 of its "
                    "price as margin."),
            Mistake(lambda: BALANCE * LEVERAGE / PRICE * (1 - contract("BTCUSDT").taker_fee),
                    "Close: you took the fee off the balance as if it were charged on the "
                    "margin. The fee is charged on the notional, 20 times bigger: each BTC "
                    "needs 3,000 USDT of margin plus 30 USDT of fee."),
        ),
    ),
    Exercise(
        id="04.3",
        prompt="Using the BTCUSDT bracket table, what is the highest leverage allowed for a "
               "position of 700,000 USDT notional (in x, to the nearest whole number)?",
        expected=highest_leverage,
        unit="x",
        precision=1,
        sign_note="A leverage is a positive number (20 for 20x).",
        hint="Read the bracket table shown above: find the tier whose notional floor ≤ "
             "700,000 < notional cap, and read its maximum leverage.",
        mistakes=(
            Mistake(lambda: contract("BTCUSDT").max_leverage,
                    "That is the first tier's maximum, for small positions only; the cap falls "
                    "as the notional grows."),
            Mistake(_tier_below,
                    "That is the tier below; 700,000 is past that tier's cap of 600,000."),
        ),
    ),
]
