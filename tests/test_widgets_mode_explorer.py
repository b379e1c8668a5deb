"""ModeExplorer: sliders drive the marks and labels with the engine's numbers."""
import re

import numpy as np
import pytest

from crossmargin.errors import InsufficientBalance, InvalidInput, LeverageTooHigh
from crossmargin.simulation.shocks import Leg, liquidation_move, shock_outcomes
from crossmargin.widgets import ModeExplorer
from crossmargin.widgets.style import COLORS, fmt_usdt


def text(label):
    """The label's text, its lines joined by " — "."""
    return re.sub(r"<[^>]+>", "", label.value.replace("</div>", " — "))


@pytest.fixture
def explorer():
    return ModeExplorer()


def test_defaults_and_hooks(explorer):
    assert "cm-mode-explorer" in explorer._dom_classes
    assert "cm-btc-shock" in explorer.btc_shock._dom_classes
    assert "cm-eth-shock" in explorer.eth_shock._dom_classes
    assert explorer.btc_shock.continuous_update and explorer.eth_shock.continuous_update
    assert (explorer.btc_shock.min, explorer.btc_shock.max) == (-60, 60)
    assert [leg.side for leg in explorer.legs] == ["long", "short"]
    assert explorer.isolated_line.colors == [COLORS["isolated"]]
    assert explorer.cross_line.colors == [COLORS["cross"]]
    assert "no liquidation" in text(explorer.isolated_status)


def test_lines_are_the_engine_curves_at_the_eth_move(explorer):
    explorer.eth_shock.value = 12
    grid = explorer.grid / 100
    out = shock_outcomes(explorer.legs, 10_000, {"BTCUSDT": grid, "ETHUSDT": 0.12})
    np.testing.assert_allclose(explorer.cross_line.y, out.cross_equity)
    np.testing.assert_allclose(explorer.isolated_line.y, out.isolated_equity)
    np.testing.assert_allclose(explorer.cross_line.x, explorer.grid)
    assert "ETH +12 %" in explorer.figure.title


def test_a_keyboard_step_moves_the_markers(explorer):
    before = (list(explorer.isolated_marker.x), list(explorer.cross_marker.y))
    explorer.btc_shock.value = explorer.btc_shock.value - explorer.btc_shock.step
    assert list(explorer.isolated_marker.x) == [-1.0] != before[0]
    one = shock_outcomes(explorer.legs, 10_000, {"BTCUSDT": -0.01})
    assert explorer.cross_marker.y[0] == pytest.approx(one.cross_equity)
    assert explorer.cross_marker.y[0] < before[1][0]


def test_btc_drop_liquidates_the_isolated_long_only(explorer):
    explorer.btc_shock.value = -15
    out = shock_outcomes(explorer.legs, 10_000, {"BTCUSDT": -0.15})
    iso, cross = text(explorer.isolated_status), text(explorer.cross_status)
    assert f"Isolated: BTC long liquidated — equity {fmt_usdt(out.isolated_equity)}" in iso
    assert f"Cross: no liquidation — equity {fmt_usdt(out.cross_equity)}" in cross
    assert explorer.isolated_marker.stroke == COLORS["liquidation"]
    assert explorer.cross_marker.stroke == COLORS["text"]


def test_rules_sit_at_the_liquidation_moves(explorer):
    explorer.eth_shock.value = 20
    iso = liquidation_move(explorer.legs, 10_000, "BTCUSDT", "isolated")
    cross = liquidation_move(explorer.legs, 10_000, "BTCUSDT", "cross", {"ETHUSDT": 0.2})
    assert explorer.isolated_liquidation_rule.x[0] == pytest.approx(iso * 100)
    assert explorer.cross_liquidation_rule.x[0] == pytest.approx(cross * 100)
    assert explorer.cross_liquidation_rule.visible
    explorer.eth_shock.value = -60          # the short's profit carries the long past -60 %
    assert not explorer.cross_liquidation_rule.visible


@pytest.mark.parametrize("btc, eth, isolated", [
    (-60, 60, "BTC long and ETH short liquidated"), (-60, -60, "BTC long liquidated"),
    (60, 60, "ETH short liquidated"), (60, -60, "no liquidation")])
def test_extreme_shocks_show_liquidated_and_never_raise(explorer, btc, eth, isolated):
    explorer.btc_shock.value, explorer.eth_shock.value = btc, eth
    assert text(explorer.isolated_status).startswith(f"Isolated: {isolated} — equity")
    if (btc, eth) == (-60, 60):
        assert "Cross: all positions liquidated — equity 0.00 USDT" in text(explorer.cross_status)
        assert explorer.cross_marker.y[0] == 0
        assert "liquidated" in text(explorer.cross_status).split("margin ratio:")[1]


def test_configured_for_the_guides_example():
    w = ModeExplorer(btc_margin=4_900, eth_margin=4_900, btc_leverage=5, eth_leverage=5,
                     btc_move_pct=-25, eth_move_pct=-25)
    legs = [Leg("BTCUSDT", "long", 4_900, 5, 60_000), Leg("ETHUSDT", "short", 4_900, 5, 3_000)]
    out = shock_outcomes(legs, 10_000, {"BTCUSDT": -0.25, "ETHUSDT": -0.25})
    assert text(w.isolated_status).startswith(
        f"Isolated: BTC long liquidated — equity {fmt_usdt(out.isolated_equity)}")
    assert not out.cross_liquidated and "Cross: no liquidation" in text(w.cross_status)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(btc_margin=-1), InvalidInput, "margin"),
    (dict(eth_leverage=0), InvalidInput, "leverage"),
    (dict(btc_side="up"), InvalidInput, "side"),
    (dict(btc_move_pct=75), InvalidInput, "btc_move_pct must be between -60 and 60"),
    (dict(eth_move_pct="x"), InvalidInput, "eth_move_pct"),
    (dict(deposit=0), InvalidInput, "deposit"),
    (dict(btc_margin=5_000, eth_margin=5_000), InsufficientBalance, "available balance"),
    (dict(btc_leverage=200), LeverageTooHigh, "200x"),
])
def test_bad_setups_are_refused(kwargs, error, words):
    with pytest.raises(error, match=words):
        ModeExplorer(**kwargs)


@pytest.mark.parametrize("btc, eth", [(0, 0), (-60, 60), (-60, -60), (60, 60), (60, -60),
                                      (-15, 0), (-50, 7)])
def test_result_cards_keep_three_unwrapped_lines_so_the_chart_never_jumps(explorer, btc, eth):
    """A card that wrapped to more lines pushed the chart down under the cursor."""
    explorer.btc_shock.value, explorer.eth_shock.value = btc, eth
    for card in (explorer.isolated_status, explorer.cross_status):
        lines = re.findall(r"<div style='([^']*)'>", card.value)
        assert len(lines) == 3 and "<br>" not in card.value
        assert all("white-space:nowrap" in line and "text-overflow:ellipsis" in line
                   for line in lines)
    boxes = explorer.children[3].children
    assert all(box.layout.overflow == "hidden" and box.layout.width == "50%" for box in boxes)


def test_the_legend_is_outside_the_plot_where_no_rule_crosses_it(explorer):
    assert not any(getattr(m, "display_legend", False) for m in explorer.figure.marks)
    assert explorer.key in explorer.children and "cm-key" in explorer.key._dom_classes
    for words in ("isolated", "cross", "BTC long liquidated (isolated)",
                  "whole account liquidated (cross)", "deposit 10,000 USDT"):
        assert words in explorer.key.value
    assert "stroke-dasharray='8,4,2,4'" in explorer.key.value      # the cross rule's -·-·


def test_equity_axis_has_round_ticks_up_to_the_scale_top(explorer):
    ticks = np.asarray(explorer.figure.axes[1].tick_values)
    step = ticks[1] - ticks[0]
    assert ticks[0] == 0 and ticks[-1] == explorer.figure.marks[0].scales["y"].max
    assert np.allclose(np.diff(ticks), step) and step in (1_000, 2_000, 5_000, 10_000)
