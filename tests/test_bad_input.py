"""Every public entry point refuses bad input with a specific, named error and changes nothing."""
import math

import pytest

from crossmargin import Account
from crossmargin.errors import (CrossMarginError, InsufficientBalance, InvalidInput,
                                LeverageTooHigh, MarginModeLocked, NoPosition, UnknownSymbol)

BAD_NUMBERS = [0, -1.0, math.nan, math.inf, -math.inf, "ten", None, True]


def state(acc):
    return (acc.summary().to_json(), acc.positions().to_json(), acc.balances().to_json(),
            acc.ledger().to_json(), acc.step, str(acc._modes), str(acc._leverage), str(acc._marks))


@pytest.fixture
def busy(account):
    """The 10,000 USDT account with a cross BTC long and an isolated ETH short."""
    account.set_leverage("BTCUSDT", 10)
    account.open("BTCUSDT", "long", 60_000, size=0.1)
    account.set_margin_mode("ETHUSDT", "isolated")
    account.open("ETHUSDT", "short", 3_000, size=1)
    account.set_stop_loss("BTCUSDT", 55_000)
    return account


CASES = [
    # (call, error type, words the message must contain)
    (lambda a, x: a.deposit(x), InvalidInput, "amount"),
    (lambda a, x: a.withdraw(x), InvalidInput, "amount"),
    (lambda a, x: a.open("SOLUSDT", "long", x, size=1), InvalidInput, "price"),
    (lambda a, x: a.open("SOLUSDT", "long", 150, size=x), InvalidInput, "size"),
    (lambda a, x: a.open("SOLUSDT", "long", 150, margin=x), InvalidInput, "margin"),
    (lambda a, x: a.open("SOLUSDT", "long", 150, notional=x), InvalidInput, "notional"),
    (lambda a, x: a.close("BTCUSDT", size=x), InvalidInput, "size"),
    (lambda a, x: a.close("BTCUSDT", price=x), InvalidInput, "price"),
    (lambda a, x: a.add_margin("ETHUSDT", x), InvalidInput, "amount"),
    (lambda a, x: a.set_stop_loss("BTCUSDT", x), InvalidInput, "trigger_price"),
    (lambda a, x: a.set_leverage("SOLUSDT", x), InvalidInput, "leverage"),
    (lambda a, x: a.mark({"BTCUSDT": x}), InvalidInput, "mark price of BTCUSDT"),
]


# None means "not given" for the optional keywords of open and close: left out there.
OPTIONAL = {3, 4, 5, 6, 7}   # indexes into CASES
COMBOS = [(*case, bad) for i, case in enumerate(CASES) for bad in BAD_NUMBERS
          if not (bad is None and i in OPTIONAL)]


@pytest.mark.parametrize("call, error, field, bad", COMBOS)
def test_bad_numbers_are_refused_and_change_nothing(busy, call, error, field, bad):
    before = state(busy)
    with pytest.raises(error, match=field) as info:
        call(busy, bad)
    assert repr(bad) in str(info.value) or str(bad) in str(info.value)
    assert state(busy) == before


@pytest.mark.parametrize("call, error, message", [
    (lambda a: a.open("DOGEUSDT", "long", 1, size=1), UnknownSymbol, "'DOGEUSDT' is not traded"),
    (lambda a: a.mark({"DOGEUSDT": 1}), UnknownSymbol, "DOGEUSDT"),
    (lambda a: a.open("SOLUSDT", "buy", 150, size=1), InvalidInput, "side must be 'long' or 'short' .got 'buy'"),
    (lambda a: a.open("SOLUSDT", "long", 150), InvalidInput, "exactly one of size, margin or notional .got none"),
    (lambda a: a.open("SOLUSDT", "long", 150, size=1, margin=10), InvalidInput, "got size, margin"),
    (lambda a: a.set_leverage("BTCUSDT", 0.5), InvalidInput, "leverage must be >= 1 .got 0.5"),
    (lambda a: a.set_leverage("SOLUSDT", 51), LeverageTooHigh, "51x exceeds the 50x maximum"),
    (lambda a: a.set_leverage("BTCUSDT", 126), LeverageTooHigh, "126x exceeds the 125x"),
    (lambda a: a.open("SOLUSDT", "long", 150, margin=9_500), InsufficientBalance, "available balance is"),
    (lambda a: a.withdraw(9_500), InsufficientBalance, "maximum withdrawable"),
    (lambda a: a.withdraw(1, "BTC"), InsufficientBalance, "exceeds the 0.0 BTC in the wallet"),
    (lambda a: a.deposit(1, "DOGE"), InvalidInput, "asset must be one of USDT, BTC"),
    (lambda a: a.set_margin_mode("BTCUSDT", "isolated"), MarginModeLocked, "while a position is open"),
    (lambda a: a.set_margin_mode("SOLUSDT", "portfolio"), InvalidInput, "'cross' or 'isolated' .got 'portfolio'"),
    (lambda a: a.close("SOLUSDT"), NoPosition, "SOLUSDT has no open position"),
    (lambda a: a.close("BTCUSDT", size=5), InvalidInput, "size must be <= the open 0.1"),
    (lambda a: a.add_margin("BTCUSDT", 10), InvalidInput, "applies to isolated positions; BTCUSDT is cross"),
    (lambda a: a.add_margin("ETHUSDT", 50_000), InsufficientBalance, "exceeds the"),
    (lambda a: a.set_stop_loss("BTCUSDT", 61_000), InvalidInput, "must be below the mark price 60,000.00 .got 61,000.00"),
    (lambda a: a.set_stop_loss("ETHUSDT", 2_900), InvalidInput, "must be above the mark price"),
    (lambda a: a.set_leverage("ETHUSDT", 5), InvalidInput, "open isolated ETHUSDT position"),
    (lambda a: a.mark([60_000]), InvalidInput, "prices must be a mapping"),
    (lambda a: a.mark({"BTCUSDT": 1}, time="not a time"), InvalidInput, "time must be a date-time"),
    (lambda a: a.deposit(1, "BTC"), InvalidInput, "deposit of BTC needs a price"),
])
def test_refusals_name_what_is_wrong_and_change_nothing(busy, call, error, message):
    if "needs a price" in message:
        busy = Account()
    before = state(busy)
    with pytest.raises(error, match=message):
        call(busy)
    assert state(busy) == before


def test_a_big_order_is_capped_by_the_bracket_leverage(account):
    account.deposit(10_000_000)
    account.set_leverage("BTCUSDT", 100)
    before = state(account)
    with pytest.raises(LeverageTooHigh, match="100x exceeds the 75x maximum of BTCUSDT's bracket"):
        account.open("BTCUSDT", "long", 60_000, notional=1_000_000)
    assert state(account) == before
    account.set_leverage("BTCUSDT", 50)
    account.open("BTCUSDT", "long", 60_000, notional=1_000_000)
    before = state(account)
    with pytest.raises(LeverageTooHigh, match="100x exceeds the 75x maximum of BTCUSDT for a 1,000,000"):
        account.set_leverage("BTCUSDT", 100)
    assert state(account) == before


def test_time_cannot_go_backwards():
    acc = Account(time="2026-01-02")
    with pytest.raises(InvalidInput, match="must not go backwards"):
        acc.mark({"BTCUSDT": 60_000}, time="2026-01-01")


def test_every_error_is_a_value_error():
    assert issubclass(CrossMarginError, ValueError)


def test_account_constructor_checks_its_arguments():
    with pytest.raises(InvalidInput, match="contracts must be Contract specs"):
        Account(["BTCUSDT"])
    with pytest.raises(InvalidInput, match="gap_threshold must be >= 0 .got -1"):
        Account(gap_threshold=-1)
