"""OrderTicket: the preview is the engine's, refusals show the engine's message, orders fill."""
import math

import pytest

from crossmargin import Account, LeverageTooHigh, MarginModeLocked
from crossmargin.errors import InvalidInput
from crossmargin.widgets import OrderTicket
from crossmargin.widgets.order_ticket import default_account
from crossmargin.widgets.style import fmt_pct, fmt_price, fmt_usdt


def engine_preview(account, symbol, side, leverage, mode="cross", **order):
    trial = account.copy()
    if trial.margin_mode(symbol) != mode:
        trial.set_margin_mode(symbol, mode)
    trial.set_leverage(symbol, leverage)
    return trial.preview_open(symbol, side, trial.mark_price(symbol), **order)


def test_default_ticket_previews_a_btc_long():
    t = OrderTicket()
    assert t.account.available_balance() == 10_000
    p = engine_preview(default_account(), "BTCUSDT", "long", 20, margin=1_000)
    assert list(t.mark_point.x) == [60_000]
    assert list(t.liquidation_point.x) == pytest.approx([p["liquidation_price_after"]])
    assert list(t.distance_line.x) == pytest.approx([p["liquidation_price_after"], 60_000])
    assert fmt_usdt(p["cost"]) in t.cost_label.value and fmt_usdt(p["fee"]) in t.cost_label.value
    assert fmt_usdt(p["available_after"]) in t.available_label.value
    assert fmt_pct(p["margin_ratio_after"]) in t.ratio_label.value
    assert fmt_price(p["liquidation_price_after"]) in t.liquidation_label.value
    assert not t.place.disabled and t.status.value == ""
    assert "cm-order-ticket" in t._dom_classes


def test_controls_move_the_preview():
    t = OrderTicket()
    t.leverage.value = 10
    t.side.value = "short"
    t.symbol.value = "ETHUSDT"
    assert t.leverage.value == 20 and t.leverage.max == 125     # ETH's own setting and range
    t.leverage.value = 5
    t.amount_kind.value = "size"
    t.amount.value = 2
    p = engine_preview(t.account, "ETHUSDT", "short", 5, size=2)
    assert t.preview["size"] == 2
    assert list(t.liquidation_point.x) == pytest.approx([p["liquidation_price_after"]])
    assert t.liquidation_point.x[0] > t.mark_point.x[0] == 3_000          # a short's LP is above
    assert fmt_usdt(p["cost"]) in t.cost_label.value
    t.symbol.value = "SOLUSDT"
    assert t.leverage.max == 50


def test_switching_margin_and_size_keeps_the_order():
    t = OrderTicket(leverage=10, margin=1_500)
    size = t.preview["size"]
    t.amount_kind.value = "size"
    assert t.amount.value == pytest.approx(size, abs=1e-6)
    t.amount_kind.value = "margin"
    assert t.amount.value == pytest.approx(1_500, abs=0.01)


def test_bracket_refusal_shows_the_engine_message():
    t = OrderTicket(leverage=125, margin=1_000)          # 125,000 USDT notional at 125x
    trial = t.account.copy()
    trial.set_leverage("BTCUSDT", 125)
    with pytest.raises(LeverageTooHigh) as err:
        trial.open("BTCUSDT", "long", 60_000, margin=1_000)
    assert str(err.value) in t.status.value and "#D55E00" in t.status.value
    assert t.place.disabled and t.preview is None
    assert list(t.liquidation_point.x) == [] and t.cost_label.value == "Cost: --"
    assert t.submit() is None and t.account.open_symbols == []


def test_max_size_respects_the_bracket_and_fills():
    t = OrderTicket(leverage=125)
    t.fill_max()
    assert t.amount_kind.value == "size"
    engine_max = t._trial().max_open_size("BTCUSDT", "long", 60_000)
    assert t.amount.value <= engine_max and t.amount.value == pytest.approx(engine_max, abs=1e-6)
    assert t.preview["notional"] <= 50_000
    assert t.submit() is not None and t.account.leverage("BTCUSDT") == 125


def test_place_order_opens_it_and_refreshes():
    t = OrderTicket(leverage=10, margin=2_000)
    cost = t.preview["total"]
    filled = t.submit()
    assert filled is not None and "Filled: long" in t.status.value
    assert t.account.open_symbols == ["BTCUSDT"] and t.account.leverage("BTCUSDT") == 10
    assert t.account.available_balance() == pytest.approx(10_000 - cost)
    assert "BTCUSDT" in t.positions_table.value
    assert list(t.before_point.x) == pytest.approx([t.account.liquidation_price("BTCUSDT")])
    t.place.click()                                          # the button does the same
    assert t.account.positions().loc["BTCUSDT", "contracts"] == pytest.approx(2 * filled["size"])


def test_opposite_side_reduces_in_one_way_mode():
    t = OrderTicket(leverage=10, size=0.5)
    t.submit()
    t.side.value = "short"
    t.amount.value = 0.2
    assert "reduces your open long" in t.size_label.value
    t.submit()
    row = t.account.positions().loc["BTCUSDT"]
    assert (row["side"], row["contracts"]) == ("long", pytest.approx(0.3))
    t.amount.value = 0.3
    assert "the position is closed" in t.liquidation_label.value
    assert list(t.liquidation_point.x) == [] and not t.distance_line.visible


def test_mode_change_with_an_open_position_is_refused_and_changes_nothing():
    t = OrderTicket(leverage=10)
    t.submit()
    before = t.account.summary()
    t.margin_mode.value = "isolated"
    with pytest.raises(MarginModeLocked) as err:
        t.account.copy().set_margin_mode("BTCUSDT", "isolated")
    assert str(err.value) in t.status.value and "stays on cross" in t.status.value
    assert t.margin_mode.value == "cross"              # the toggle shows the real mode
    assert t.account.margin_mode("BTCUSDT") == "cross"
    assert t.account.summary().equals(before)
    assert t.preview is not None and not t.place.disabled     # a cross order, previewed
    assert t.submit() is not None and t.account.margin_mode("BTCUSDT") == "cross"


def test_a_fresh_ticket_previews_this_order_and_after_a_fill_another_one():
    t = OrderTicket(leverage=10, margin=2_000)
    assert "if you place this order" in t.preview_title.value
    assert t.liquidation_label.value.startswith("Liquidation price after this order")
    t.submit()
    lp = t.account.liquidation_price("BTCUSDT")
    size = t.account.positions().loc["BTCUSDT", "contracts"]
    # the fill names the new position and its own liquidation price
    assert f"long {size:,.6g} BTC" in t.status.value and fmt_price(lp) in t.status.value
    # what is previewed now is a second order on top of it, and says so
    assert "if you place another order" in t.preview_title.value
    assert fmt_price(lp) in t.preview_title.value
    assert "of the position after that order" in t.liquidation_label.value
    assert f"now: {fmt_price(lp)}" in t.liquidation_label.value
    assert list(t.before_point.x) == pytest.approx([lp])
    t.symbol.value = "ETHUSDT"                          # no ETH position: this order again
    assert "if you place this order" in t.preview_title.value


def test_a_typed_amount_is_previewed_at_once_and_placed_as_previewed():
    t = OrderTicket(leverage=10, margin=1_000)
    assert t.amount.continuous_update                    # every keystroke reaches the preview
    t.amount.value = 1_234.5
    p = engine_preview(t.account, "BTCUSDT", "long", 10, margin=1_234.5)
    assert fmt_usdt(p["cost"]) in t.cost_label.value
    filled = t.submit()
    assert filled["size"] == pytest.approx(p["size"])
    assert t.account.positions().loc["BTCUSDT", "contracts"] == pytest.approx(p["size"])


def test_place_order_refuses_values_it_did_not_preview():
    t = OrderTicket(leverage=10, margin=1_000)
    t._previewed = dict(t._previewed, amount=5_000.0)   # as if the screen showed another order
    assert t.submit() is None and t.account.open_symbols == []
    assert "changed since the preview" in t.status.value


def test_isolated_order_needs_usdt():
    account = Account()
    account.deposit(1, "BTC", price=60_000)
    account.mark({"BTCUSDT": 60_000})
    t = OrderTicket(account, margin_mode="isolated", margin=500)
    assert "other collateral backs cross positions only" in t.status.value
    t.margin_mode.value = "cross"
    assert t.preview is not None and t.status.value == ""


@pytest.mark.parametrize("amount", [0, 1e9])
def test_extreme_amounts_show_dashes_not_tracebacks(amount):
    t = OrderTicket()
    t.amount.value = amount
    assert t.preview is None and "Refused" in t.status.value
    for label in (t.size_label, t.cost_label, t.liquidation_label, t.max_label):
        assert label.value.endswith(": --")


def test_symbol_without_a_mark_is_explained():
    account = Account()
    account.deposit(1_000)
    account.mark({"BTCUSDT": 60_000})
    t = OrderTicket(account)
    t.symbol.value = "SOLUSDT"
    assert "SOLUSDT has no mark price" in t.status.value and t.place.disabled


def test_a_long_that_cannot_be_liquidated_shows_dashes():
    t = OrderTicket(leverage=1, margin=1_000)          # 1x long inside a 10,000 USDT wallet
    assert t.preview["liquidation_price_after"] is None
    assert "<b>--</b>" in t.liquidation_label.value and list(t.liquidation_point.x) == []


@pytest.mark.parametrize("kwargs", [dict(account="mine"), dict(symbol="DOGEUSDT"),
                                    dict(side="up"), dict(leverage=200), dict(leverage=2.5),
                                    dict(leverage=0), dict(margin=-1), dict(size=math.nan),
                                    dict(margin_mode="portfolio")])
def test_bad_arguments_are_refused(kwargs):
    with pytest.raises(InvalidInput):
        OrderTicket(**kwargs)


def test_the_preview_sits_beside_the_controls():
    t = OrderTicket()
    row = t.children[1]
    controls, preview = row.children
    assert t.status in controls.children and t.place in controls.children[0].children[-1].children
    assert list(preview.children[:2]) == [t.preview_title, t.price_label]
    assert t.max_label in preview.children and row.layout.flex_flow == "row wrap"
    assert controls.children[0].layout.flex is None      # the controls do not stretch
