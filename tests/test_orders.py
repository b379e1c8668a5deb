"""The position vocabulary: Order checks itself, Leg, open_orders (a plan in a fresh account)."""
import inspect

import numpy as np
import pytest

from crossmargin import Account, InsufficientBalance, InvalidInput, Leg, Order
from crossmargin.simulation import orders, replay as replay_module, shocks
from crossmargin.simulation.orders import OrderProblem, open_orders


def test_order_and_leg_live_in_one_module_and_keep_their_old_homes():
    assert replay_module.Order is Order is orders.Order
    assert shocks.Leg is Leg is orders.Leg
    assert shocks.as_legs is orders.as_legs and shocks.check_legs is orders.check_legs
    assert replay_module.open_orders is open_orders


def test_a_good_order_has_no_problem():
    order = Order("BTCUSDT", "long", margin=1_000, leverage=5, margin_mode="isolated",
                  stop_distance=0.05, at=3)
    assert order.problems() == [] and order.check() is order
    assert order.amount() == ("margin", 1_000.0)
    assert Order("ETHUSDT", "short", notional=np.float64(3e3)).amount() == ("notional", 3_000.0)


@pytest.mark.parametrize("changes, field, value, limit, words", [
    (dict(side="buy"), "side", "buy", "'long' or 'short'",
     "side must be 'long' or 'short' (got 'buy')"),
    (dict(margin=None), "amount", "none", "exactly one",
     "give exactly one of size, margin or notional (got none)"),
    (dict(size=0.1), "amount", "size, margin", "exactly one", "(got size, margin)"),
    (dict(margin=-5), "amount", -5, "> 0", "margin must be a number > 0 (got -5)"),
    (dict(margin="1000"), "amount", "1000", "> 0", "(got '1000')"),
    (dict(margin=True), "amount", True, "> 0", "(got True)"),
    (dict(leverage=0.5), "leverage", 0.5, ">= 1", "leverage must be a number >= 1 (got 0.5)"),
    (dict(leverage=float("nan")), "leverage", None, ">= 1", "(got nan)"),
    (dict(margin_mode="crossed"), "margin_mode", "crossed", "'cross' or 'isolated'",
     "margin_mode must be 'cross' or 'isolated' (got 'crossed')"),
    (dict(stop_loss=55_000, stop_distance=0.05), "stop", "stop_loss and stop_distance",
     "at most one", "not both"),
    (dict(stop_distance=1.5), "stop", 1.5, "between 0 and 1", "e.g. 0.05 for 5 % (got 1.5)"),
    (dict(stop_loss=0), "stop", 0, "> 0", "stop_loss must be a price > 0 (got 0)"),
    (dict(at=-1), "at", -1, ">= 0", "at must be a step number >= 0 (got -1)"),
    (dict(at=1.0), "at", 1.0, ">= 0", "(got 1.0)"),
    (dict(at=True), "at", True, ">= 0", "(got True)"),
])
def test_each_problem_names_field_value_and_limit(changes, field, value, limit, words):
    base = dict(symbol="BTCUSDT", side="long", margin=1_000, leverage=5)
    order = Order(**{**base, **changes})
    (problem,) = order.problems()
    assert isinstance(problem, OrderProblem)
    assert problem.field == field and problem.limit == limit and words in problem.message
    if value is not None:
        assert problem.value == value
    with pytest.raises(InvalidInput, match="plan item 2: " + problem.message[:20]):
        order.check("plan item 2")


def test_problems_never_raise_whatever_the_fields_hold():
    odd = Order(np.array([1, 2]), ["long"], margin=np.array([1, 2]), leverage="x",
                margin_mode=np.array(["cross"]), stop_loss=[1], at=np.array([0]))
    assert {p.field for p in odd.problems()} == {"side", "amount", "leverage", "margin_mode",
                                                  "stop", "at"}


def test_replay_and_the_monte_carlo_check_the_order_before_running():
    import pandas as pd
    from crossmargin.simulation.replay import replay
    path = pd.DataFrame({"BTCUSDT": [60_000.0, 59_000.0]})
    with pytest.raises(InvalidInput, match="plan item 0: give exactly one of size, margin"):
        replay(path, [Order("BTCUSDT", "long")])
    with pytest.raises(InvalidInput, match="plan item 0: side must be 'long' or 'short'"):
        replay(path, [Order("BTCUSDT", "buy", margin=1_000)])


def test_open_orders_at_prices_marks_then_places_like_the_account():
    plan = [Order("BTCUSDT", "long", margin=2_000, leverage=10, stop_distance=0.05),
            Order("ETHUSDT", "short", notional=6_000, leverage=5, margin_mode="isolated")]
    prices = {"BTCUSDT": 60_000.0, "ETHUSDT": 3_000.0}
    account = open_orders(plan, prices, deposit=10_000)
    manual = Account()
    manual.deposit(10_000)
    manual.mark(prices)
    manual.set_leverage("BTCUSDT", 10)
    manual.open("BTCUSDT", "long", 60_000, margin=2_000)
    manual.set_stop_loss("BTCUSDT", 57_000)
    manual.set_margin_mode("ETHUSDT", "isolated")
    manual.set_leverage("ETHUSDT", 5)
    manual.open("ETHUSDT", "short", 3_000, notional=6_000)
    assert account.summary().equals(manual.summary())
    assert account.positions().equals(manual.positions())
    assert account.ledger().equals(manual.ledger())
    crossed = open_orders(plan, prices, margin_mode="cross")
    assert set(crossed.positions()["margin_mode"]) == {"cross"}


def test_open_orders_at_one_price_per_order_marks_nothing():
    legs = [Leg("BTCUSDT", "long", 2_000, 10, 60_000), Leg("ETHUSDT", "short", 2_000, 10, 3_000)]
    account = open_orders([leg.order("isolated") for leg in legs],
                          [leg.entry_price for leg in legs], deposit=10_000)
    assert account.step == 0
    table = account.positions()
    assert list(table["entry_price"]) == [60_000, 3_000]
    assert list(table["margin_mode"]) == ["isolated", "isolated"]


@pytest.mark.parametrize("call, error, words", [
    (lambda: open_orders([Order("BTCUSDT", "long")], {"BTCUSDT": 1}), InvalidInput,
     "orders item 0: give exactly one"),
    (lambda: open_orders(["BTC"], {"BTCUSDT": 1}), InvalidInput, "orders item 0 must be an Order"),
    (lambda: open_orders([Order("SOLUSDT", "long", margin=1)], {"BTCUSDT": 60_000}),
     InvalidInput, "prices must give SOLUSDT's price"),
    (lambda: open_orders([Order("BTCUSDT", "long", margin=1)], [1, 2]), InvalidInput,
     "one price per order: 1 orders, 2 prices"),
    (lambda: open_orders([Order("BTCUSDT", "long", margin=1)], 5), InvalidInput,
     "mapping symbol -> price or one price per order"),
    (lambda: open_orders([Order("BTCUSDT", "long", margin=1)], [60_000], deposit=0),
     InvalidInput, "deposit must be > 0"),
    (lambda: open_orders([Order("BTCUSDT", "long", margin=20_000)], [60_000]),
     InsufficientBalance, "available balance"),
])
def test_open_orders_refuses_bad_input(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_replay_reads_the_account_through_its_public_face():
    source = inspect.getsource(replay_module)
    assert "account._" not in source and "deepcopy" not in source
