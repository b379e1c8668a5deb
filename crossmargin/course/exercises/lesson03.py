"""Lesson 03 · Activate, deposit, select: exercises (answers computed by the engine)."""
from ...engine.account import Account
from ..exercise import Exercise, Mistake

#: The collateral of exercises 03.1 and 03.2.
BTC_AMOUNT = 0.5
BTC_PRICE = 60_000.0
BTC_FALL = 0.20


def _btc_account():
    account = Account()
    account.deposit(BTC_AMOUNT, "BTC", price=BTC_PRICE)
    return account


def margin_value_of_btc():
    """What 0.5 BTC at 60,000 adds to the cross wallet (USDT)."""
    return float(_btc_account().summary()["cross_wallet_balance"])


def margin_value_after_fall():
    """The same 0.5 BTC after BTC falls 20 % (the new mark moves the collateral's value)."""
    account = _btc_account()
    account.mark({"BTCUSDT": BTC_PRICE * (1 - BTC_FALL)})
    return float(account.summary()["cross_wallet_balance"])


#: Exercise 03.3: a BTC long backed by BTC, then a fall.
LONG_SIZE, LONG_LEVERAGE, SECOND_FALL = 0.4, 5, 0.10


def equity_loss_btc_backed():
    """Equity lost when BTC falls 10 % under a 0.4 BTC long backed by 0.5 BTC of collateral."""
    account = _btc_account()
    account.mark({"BTCUSDT": BTC_PRICE})
    account.set_leverage("BTCUSDT", LONG_LEVERAGE)
    account.open("BTCUSDT", "long", BTC_PRICE, size=LONG_SIZE)
    before = account.summary()["equity"]
    account.mark({"BTCUSDT": BTC_PRICE * (1 - SECOND_FALL)})
    return float(before - account.summary()["equity"])


def _long_loss():
    return LONG_SIZE * BTC_PRICE * SECOND_FALL


def _collateral_loss():
    return margin_value_of_btc() * SECOND_FALL


def _market_value(price):
    return BTC_AMOUNT * price


EXERCISES = [
    Exercise(
        id="03.1",
        prompt="You deposit 0.5 BTC while BTC is at 60,000 USDT. How many USDT of margin does it "
               "add to the cross wallet? Give it to the nearest whole number.",
        expected=margin_value_of_btc,
        unit="USDT",
        precision=1,
        hint="Market value first (amount × price), then the collateral value ratio of BTC "
             "(COLLATERAL_VALUE_RATIOS['BTC']).",
        mistakes=(
            Mistake(lambda: _market_value(BTC_PRICE),
                    "That is the market value: only the collateral value ratio of it (95 % for "
                    "BTC) counts as margin."),
            Mistake(lambda: _market_value(BTC_PRICE) - margin_value_of_btc(),
                    "That is the haircut, the part that does not count."),
            Mistake(lambda: margin_value_of_btc() / BTC_PRICE,
                    "That is in BTC; the cross wallet counts in USDT."),
        ),
        explanation="BTC counts 95 % of its market value.",
    ),
    Exercise(
        id="03.2",
        prompt="BTC then falls 20 %, to 48,000 USDT. How many USDT of margin does the same 0.5 BTC "
               "count for now? Give it to the nearest whole number.",
        expected=margin_value_after_fall,
        unit="USDT",
        precision=1,
        hint="As in the collateral builder's table at -30 %: the collateral is valued at the new "
             "price, and BTC's collateral value ratio applies to that new value.",
        mistakes=(
            Mistake(margin_value_of_btc,
                    "The collateral's value follows the price: after the fall it counts for less."),
            Mistake(lambda: _market_value(BTC_PRICE * (1 - BTC_FALL)),
                    "That is the new market value; apply BTC's 95 % ratio to it."),
            Mistake(lambda: margin_value_of_btc() - _market_value(BTC_PRICE) * BTC_FALL,
                    "You took the whole market drop off the margin value; the 95 % ratio "
                    "applies to the drop too."),
        ),
        explanation="Collateral that falls with the market shrinks your margin exactly when your "
                    "longs lose.",
    ),
    Exercise(
        id="03.3",
        prompt="An account deposits 0.5 BTC at 60,000 and opens a 0.4 BTC long at 60,000 with 5x "
               "leverage. BTC falls 10 %, to 54,000. By how many USDT does its equity fall? Give "
               "a positive number, to the nearest whole number.",
        expected=equity_loss_btc_backed,
        unit="USDT",
        precision=1,
        sign_note="The question asks by how much the equity FALLS: give the fall as a positive "
                  "number.",
        hint="Do what the cell comparing accounts A and B did: two things lose value, the long "
             "(size × price drop) and the collateral (its margin value, 95 % of its market value, "
             "falls with the price).",
        mistakes=(
            Mistake(_long_loss,
                    "That is the long's loss alone: the BTC collateral loses value too."),
            Mistake(_collateral_loss,
                    "That is the collateral's loss alone: the long loses too."),
            Mistake(lambda: _long_loss() + _market_value(BTC_PRICE) * SECOND_FALL,
                    "Close: the collateral counts at 95 % of its value, so it loses 95 % of "
                    "its market drop."),
        ),
        explanation="The account is long 0.4 BTC through the position and 0.475 BTC through its "
                    "collateral.",
    ),
]
