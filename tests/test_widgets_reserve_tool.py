"""ReserveTool: the curves are the engine's odds, markers follow the reserve, the what-if is
Account.preview_open's, extreme values and refusals never raise."""
import numpy as np
import pandas as pd
import pytest

from crossmargin import CrossMarginError, InvalidInput
from crossmargin.lessons.reserve import PLANS, SYMBOLS, open_plan, reserve_outcomes, scaled_plan, what_if
from crossmargin.scenarios import START_PRICES
from crossmargin.widgets import ReserveTool
from crossmargin.widgets.style import fmt_pct, fmt_price, fmt_usdt

SMALL = dict(n_paths=80, days=5, background=False)


@pytest.fixture(scope="module")
def tool():
    return ReserveTool(**SMALL)


def engine_table(tool, plan, leverage):
    return reserve_outcomes(PLANS[plan], tool.paths, SYMBOLS, reserves=tool.grid,
                            leverage=leverage)


def test_curves_are_the_engine_odds(tool):
    assert "cm-reserve-tool" in tool._dom_classes
    table = engine_table(tool, "two bets: long BTC, long SOL", 10)
    cross = table[table["mode"] == "cross"]["p_liquidation"].to_numpy() * 100
    isolated = table[table["mode"] == "isolated"]["p_liquidation"].to_numpy() * 100
    np.testing.assert_allclose(tool.cross_line.x, tool.grid * 100)
    np.testing.assert_allclose(tool.cross_line.y, cross)
    np.testing.assert_allclose(tool.isolated_line.y, isolated)
    assert cross[0] > cross[-1] and isolated.max() - isolated.min() < 5


def test_markers_and_labels_follow_the_reserve(tool):
    tool.reserve.value = 0.3
    table = tool.table
    cross = table[(table["mode"] == "cross") & np.isclose(table["reserve"], 0.3)].iloc[0]
    isolated = table[(table["mode"] == "isolated") & np.isclose(table["reserve"], 0.3)].iloc[0]
    assert list(tool.markers.x) == pytest.approx([30, 30])
    assert list(tool.markers.y) == pytest.approx([cross.p_liquidation * 100,
                                                  isolated.p_liquidation * 100])
    assert list(tool.reserve_rule.x) == pytest.approx([30, 30])
    assert fmt_pct(cross.p_liquidation, 1) in tool.cross_label.value
    assert fmt_usdt(cross.median_equity, 0) in tool.cross_label.value
    assert fmt_pct(isolated.p_all_liquidated, 1) in tool.isolated_label.value
    assert fmt_usdt(7_000, 0) in tool.summary_label.value and "7.00x" in tool.summary_label.value


def test_leverage_reruns_the_monte_carlo_and_caches_it(tool):
    before = list(tool.cross_line.y)
    fresh = not tool.precomputed.ready(("two bets: long BTC, long SOL", 20))
    tool.leverage.value = 20
    table = engine_table(tool, "two bets: long BTC, long SOL", 20)
    np.testing.assert_allclose(tool.cross_line.y,
                               table[table["mode"] == "cross"]["p_liquidation"] * 100)
    assert list(tool.cross_line.y) != before
    assert ("computed in" if fresh else "cached") in tool.status.value
    tool.leverage.value = 10
    assert list(tool.cross_line.y) == before and "cached" in tool.status.value
    assert tool.precomputed.ready(("two bets: long BTC, long SOL", 20))


def test_the_grid_is_every_plan_and_leverage_nearest_first(tool):
    keys = tool.precomputed.keys
    assert len(keys) == 2 * 25 == len(set(keys))
    assert {p for p, _ in keys} == set(PLANS) and sorted({x for _, x in keys}) == list(range(1, 26))
    assert keys[:3] == (("two bets: long BTC, long SOL", 10), ("two bets: long BTC, long SOL", 9),
                        ("two bets: long BTC, long SOL", 11))
    assert {p for p, _ in keys[:25]} == {"two bets: long BTC, long SOL"}
    assert keys[-1] == ("hedge: long BTC, short ETH", 25)
    assert tool.wait() and not tool.background


#: The background tool's paths: no other test builds one with them, so its grid is its own.
BG = dict(n_paths=40, days=4)


def test_in_the_background_a_new_leverage_shows_computing_then_the_engine_odds():
    tool = ReserveTool(**BG)
    grid = tool.precomputed
    two, hedge = "two bets: long BTC, long SOL", "hedge: long BTC, short ETH"
    try:
        assert tool.table is not None and "computed in" in tool.status.value
        assert not grid.ready((two, 25))           # the last leverage of its plan's row
        tool.leverage.value = 25
        assert tool.table is None and list(tool.markers.x) == []
        assert "computing…" in tool.status.value and "computing…" in tool.cross_label.value
        assert tool.cross_line.opacities == [0.3] == tool.isolated_line.opacities
        assert tool.check is not None and "→" in tool.ratio_label.value   # the what-if goes on
        assert tool.wait(timeout=300)
        table = reserve_outcomes(PLANS[two], tool.paths, SYMBOLS, reserves=tool.grid,
                                 leverage=25)
        pd.testing.assert_frame_equal(tool.table, table, check_exact=True)
        np.testing.assert_array_equal(tool.cross_line.y,
                                      table[table["mode"] == "cross"]["p_liquidation"] * 100)
        assert tool.cross_line.opacities == [] and "computing" not in tool.status.value
        row = table[(table["mode"] == "isolated") & np.isclose(table["reserve"], 0.5)].iloc[0]
        assert list(tool.markers.y)[1] == row["p_liquidation"] * 100

        # The whole grid, each cell the engine's table; a plan switch is then a lookup.
        assert grid.wait(timeout=900) and grid.progress == (50, 50) and grid.complete
        assert all(len(grid.get(key).table) == 2 * 18 for key in grid.keys)   # mode x reserve
        assert all(list(grid.get(key).table.columns) == list(table.columns) for key in grid.keys)
        for key in [(hedge, 1), (hedge, 17), (two, 5)]:
            pd.testing.assert_frame_equal(
                grid.get(key).table,
                reserve_outcomes(PLANS[key[0]], tool.paths, SYMBOLS, reserves=tool.grid,
                                 leverage=key[1]), check_exact=True)
        tool.plan.value = hedge
        assert "cached" in tool.status.value and tool.table is grid.get((hedge, 25)).table
        again = ReserveTool(leverage=17, **BG)
        assert again.precomputed is grid and again.table is grid.get((two, 17)).table
    finally:
        grid.stop()


def test_a_refused_setting_is_kept_in_the_grid_and_shown_as_refused():
    """5e7 USDT at 25x is beyond the brackets' leverage: refused at the build and, kept in
    the grid, refused again on a lookup — never a traceback."""
    tool = ReserveTool(deposit=5e7, leverage=25, n_paths=20, days=2, background=False)
    assert tool.table is None and "Refused" in tool.status.value and "4x maximum" in \
        tool.status.value
    assert list(tool.cross_line.y) == [] and tool.cross_label.value == "--"
    with pytest.raises(CrossMarginError, match="exceeds the"):
        tool.precomputed.get(("two bets: long BTC, long SOL", 25))
    tool.leverage.value = 1
    assert tool.table is not None and "Refused" not in tool.status.value
    tool.leverage.value = 25
    assert tool.table is None and "Refused" in tool.status.value


def test_plan_switch(tool):
    tool.plan.value = "hedge: long BTC, short ETH"
    table = engine_table(tool, "hedge: long BTC, short ETH", tool.leverage.value)
    np.testing.assert_allclose(tool.isolated_line.y,
                               table[table["mode"] == "isolated"]["p_liquidation"] * 100)
    assert set(tool.account.open_symbols) == {"BTCUSDT", "ETHUSDT"}
    tool.plan.value = "two bets: long BTC, long SOL"


def test_what_if_is_the_engine_preview(tool):
    tool.reserve.value = 0.5
    tool.trade_symbol.value, tool.trade_side.value = "ETHUSDT", "short"
    tool.trade_margin.value = 1_500
    account = open_plan(scaled_plan(PLANS["two bets: long BTC, long SOL"], 0.5, leverage=10),
                        START_PRICES)
    check = what_if(account, "ETHUSDT", "short", margin=1_500, leverage=10)
    assert fmt_pct(check.preview["margin_ratio_before"]) in tool.ratio_label.value
    assert fmt_pct(check.preview["margin_ratio_after"]) in tool.ratio_label.value
    assert fmt_usdt(check.preview["available_after"]) in tool.trade_label.value
    for symbol in ("BTCUSDT", "SOLUSDT", "ETHUSDT"):
        assert fmt_price(check.positions.loc[symbol, "liquidation_after"]) in \
            tool.liquidation_table.value
    assert tool.check.preview["margin_ratio_after"] == check.preview["margin_ratio_after"]


def test_extreme_values_show_liquidated_and_refusals_without_raising():
    tool = ReserveTool(reserve=0.05, leverage=25, **SMALL)
    row = tool.table[(tool.table["mode"] == "cross") & np.isclose(tool.table["reserve"], 0.05)]
    assert row["p_liquidation"].iloc[0] > 0.3
    assert "liquidated on" in tool.cross_label.value
    tool.trade_margin.value = 1e6
    assert "Refused" in tool.trade_label.value and tool.check is None
    assert tool.ratio_label.value == "Cross margin ratio: --"
    tool.trade_margin.value = 0                      # margin must be > 0: refused, no traceback
    assert "Refused" in tool.trade_label.value


@pytest.mark.parametrize("kwargs, words", [
    (dict(plan="three bets"), "plan must be one of"),
    (dict(reserve=0.33), "steps of 0.05"),
    (dict(reserve=0.95), "steps of 0.05"),
    (dict(reserve=-1), "reserve must be > 0"),
    (dict(leverage=0), "leverage must be a whole number"),
    (dict(leverage=2.5), "leverage must be a whole number"),
    (dict(leverage=30), "leverage must be a whole number"),
    (dict(trade_symbol="XRPUSDT"), "trade_symbol"),
    (dict(trade_side="up"), "trade_side"),
    (dict(trade_margin=-5), "trade_margin"),
    (dict(n_paths=0), "n_paths"),
    (dict(days=0), "days"),
    (dict(deposit="a lot"), "deposit"),
    (dict(background=1), "background must be True or False"),
])
def test_bad_constructor_arguments(kwargs, words):
    with pytest.raises(InvalidInput, match=words):
        ReserveTool(**{**SMALL, **kwargs})


def test_an_order_against_a_held_position_is_refused_and_shown():
    tool = ReserveTool(**SMALL)                       # the plan holds a long BTC
    held = tool.account.positions().loc["BTCUSDT", "contracts"]
    tool.trade_symbol.value = "BTCUSDT"
    tool.trade_side.value = "short"
    trial = tool.account.copy()
    trial.open("BTCUSDT", "short", trial.mark_price("BTCUSDT"), margin=1_000)
    left = trial.positions().loc["BTCUSDT", "contracts"]
    text = tool.trade_label.value
    assert tool.check is None and "Refused" in text and "one-way mode" in text
    assert f"long {held:,.6g} BTC" in text and f"long {left:,.6g} BTC" in text
    assert "reduce" in text and left < held
    assert tool.ratio_label.value == "Cross margin ratio: --"
    assert tool.liquidation_table.value == ""
    tool.trade_margin.value = 5_000                   # more than the long: close and flip
    assert "close and flip" in tool.trade_label.value and "short" in tool.trade_label.value
    tool.trade_margin.value = 1_000
    tool.trade_side.value = "long"                    # adding to the long is a normal check
    assert tool.check is not None and "Refused" not in tool.trade_label.value
    assert tool.account.positions().loc["BTCUSDT", "contracts"] == pytest.approx(held)


def test_controls_and_results_sit_side_by_side():
    tool = ReserveTool(**SMALL)
    top, bottom = tool.children[1], tool.children[3]
    left, right = top.children
    assert tool.plan in left.children and tool.cross_label in left.children
    assert tool.figure in right.children and tool.key in right.children
    assert tool.ratio_label in bottom.children[1].children
    assert tool.trade_margin in bottom.children[0].children
    assert top.layout.flex_flow == "row wrap" and tool.figure.layout.height == "300px"
