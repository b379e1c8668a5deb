"""stops.position_size: a position sized from the loss accepted at its stop (fees and a gap
allowance included), by hand numbers, against the Account that opens and stops it, and bad
input refused by name."""
import pytest

from crossmargin import Brackets, formulas
from crossmargin.errors import InvalidInput, LeverageTooHigh
from crossmargin.lessons import examples
from crossmargin.lessons.stops import position_size, sizing_table

BTC = Brackets.load("BTCUSDT")
PLAN = dict(risk_budget=100, entry_price=60_000, stop_price=57_000, gap_allowance=0.01)


def test_a_long_by_hand():
    p = position_size(**PLAN, leverage=10)
    # fill 57,000 × 0.99; per BTC: 60,000 − 56,430 = 3,570 plus 0.05 % of 60,000 and of 56,430
    assert p.planned_fill == pytest.approx(56_430)
    assert p.loss_per_unit == pytest.approx(3_570 + 30 + 28.215)
    assert p.size == pytest.approx(100 / 3_628.215)
    assert p.notional == pytest.approx(60_000 * 100 / 3_628.215)
    assert p.margin == pytest.approx(p.notional / 10)
    assert p.fees == pytest.approx(0.0005 * p.size * (60_000 + 56_430))
    assert p.price_loss == pytest.approx(p.size * 3_570)
    assert p.price_loss + p.fees == pytest.approx(100)
    assert p.taker_fee == 0.0005                     # the contract's taker fee by default


def test_a_short_by_hand():
    p = position_size(200, 60_000, 61_200, side="short", leverage=10, gap_allowance=0.005,
                      taker_fee=0.0004)
    fill = 61_200 * 1.005                            # a short's stop fills above its trigger
    per_btc = (fill - 60_000) + 0.0004 * (60_000 + fill)
    assert p.planned_fill == pytest.approx(fill)
    assert p.size == pytest.approx(200 / per_btc)
    assert p.liquidation_price > fill and p.stop_inside


def test_the_textbook_size_is_the_plan_without_fees_and_gap():
    p = position_size(**{**PLAN, "gap_allowance": 0}, leverage=10, taker_fee=0)
    assert p.size == pytest.approx(100 / 3_000) and p.fees == 0


def test_leverage_changes_the_margin_and_the_liquidation_price_not_the_size():
    table = sizing_table(**PLAN, leverages=(5, 10, 20))
    assert table["size"].nunique() == 1
    assert table["margin"].tolist() == pytest.approx([table["notional"].iloc[0] / lev
                                                      for lev in (5, 10, 20)])
    assert table["stop_inside"].tolist() == ["yes", "yes", "no"]
    # the first tier's isolated liquidation price, EP × (1 − 1/L) / (1 − MMR), MMR 0.4 %
    assert table["liquidation_price"].tolist() == pytest.approx(
        [60_000 * (1 - 1 / lev) / (1 - 0.004) for lev in (5, 10, 20)])
    assert list(table.columns) == ["size", "notional", "margin", "planned_fill",
                                   "liquidation_price", "stop_inside"]


def test_the_liquidation_price_is_the_engines():
    for leverage in (5, 10, 20, 50):
        p = position_size(**PLAN, leverage=leverage)
        assert p.liquidation_price == formulas.liquidation_price(
            "long", p.size, 60_000, p.notional / leverage, brackets=BTC)
        account = examples.btc_long(leverage, size=p.size, margin_mode="isolated")
        assert account.liquidation_price("BTCUSDT") == pytest.approx(p.liquidation_price)


def test_the_account_loses_exactly_the_budget_at_the_planned_fill():
    p = position_size(**PLAN, leverage=10)
    account = examples.btc_long(10, size=p.size, margin_mode="isolated")
    account.set_stop_loss("BTCUSDT", 57_000)
    (event,) = account.mark({"BTCUSDT": p.planned_fill})   # a 1 % gap: fills at the mark
    assert event["type"] == "stop_loss" and event["price"] == pytest.approx(p.planned_fill)
    assert account.summary()["equity"] == pytest.approx(10_000 - 100)


def test_a_stop_outside_the_liquidation_price_is_cancelled_by_the_liquidation():
    p = position_size(**PLAN, leverage=20)
    assert not p.stop_inside and p.liquidation_price > 57_000
    account = examples.btc_long(20, size=p.size, margin_mode="isolated")
    account.set_stop_loss("BTCUSDT", 57_000)
    kinds = [e["type"] for e in account.mark({"BTCUSDT": p.planned_fill})]
    assert kinds == ["stops_cancelled", "liquidation"]


def test_a_planned_fill_past_the_liquidation_price_is_not_inside():
    # at 10x the liquidation price is 54,216.87: a stop at 54,500 is inside, its 1 % gap is not
    p = position_size(100, 60_000, 54_500, leverage=10, gap_allowance=0.01)
    assert 54_500 > p.liquidation_price > p.planned_fill and not p.stop_inside
    assert position_size(100, 60_000, 54_500, leverage=10, gap_allowance=0.001).stop_inside


@pytest.mark.parametrize("change, error, words", [
    ({"risk_budget": 0}, InvalidInput, "risk_budget must be > 0"),
    ({"entry_price": -1}, InvalidInput, "entry_price must be > 0"),
    ({"stop_price": 61_000}, InvalidInput, "stop_price must be below the entry_price"),
    ({"stop_price": 59_000, "side": "short"}, InvalidInput, "stop_price must be above"),
    ({"side": "buy"}, InvalidInput, "side must be 'long' or 'short'"),
    ({"leverage": 0.5}, InvalidInput, "leverage must be >= 1"),
    ({"leverage": "10"}, None, None),
    ({"gap_allowance": -0.01}, InvalidInput, "gap_allowance must be >= 0"),
    ({"gap_allowance": 1}, InvalidInput, "gap_allowance must be a fraction"),
    ({"taker_fee": 0.05}, InvalidInput, "taker_fee must be a fraction below 0.01"),
    ({"symbol": "DOGEUSDT"}, Exception, "DOGEUSDT"),
    ({"risk_budget": 100_000, "leverage": 100}, LeverageTooHigh, "exceeds the"),
])
def test_bad_input_is_refused_by_name(change, error, words):
    args = {**PLAN, "leverage": 10, **change}
    if error is None:                                 # a number as text is read as a number
        assert position_size(**args).leverage == 10
        return
    with pytest.raises(error, match=words):
        position_size(**args)


def test_sizing_table_needs_leverages():
    with pytest.raises(InvalidInput, match="leverages must hold at least one"):
        sizing_table(**PLAN, leverages=())
