"""CapstoneReport: the graded portfolio's prices, equity and margin ratios, and its words."""
import numpy as np
import pytest

from crossmargin.lessons.capstone import DEPOSIT, MAX_STRESS_LOSS, grade
from crossmargin.errors import InvalidInput
from crossmargin.simulation.replay import Order
from crossmargin.widgets import COLORS, CapstoneReport
from crossmargin.widgets.style import fmt_usdt

RECKLESS = [Order("BTCUSDT", "long", margin=3_000, leverage=10, margin_mode="cross"),
            Order("ETHUSDT", "short", margin=3_000, leverage=10, margin_mode="cross")]
DEFENDED = [Order("BTCUSDT", "long", margin=2_000, leverage=3, margin_mode="isolated",
                  stop_distance=0.08),
            Order("ETHUSDT", "short", margin=1_500, leverage=3, margin_mode="cross",
                  stop_distance=0.08),
            Order("SOLUSDT", "short", margin=1_000, leverage=2, margin_mode="isolated")]


@pytest.fixture(scope="module")
def reckless():
    return grade(RECKLESS, n_paths=200)


@pytest.fixture(scope="module")
def defended():
    return grade(DEFENDED, n_paths=200)


def test_default_is_the_reckless_pair():
    w = CapstoneReport()
    assert [o.symbol for o in w.report.portfolio] == ["BTCUSDT", "ETHUSDT"]
    assert not w.report.survived and len(w.liquidation_markers.x) == 1


def test_root_class_and_parts(reckless):
    w = CapstoneReport(reckless)
    assert "cm-capstone-report" in w._dom_classes
    assert "cm-hour" in w.hour._dom_classes
    assert w.grid in w.children and w.hour in w.children
    panels = [p.children[0] for p in w.grid.children[:3]]
    assert panels == [w.prices_figure, w.equity_figure, w.ratio_figure]
    assert w.text is w.grid.children[3]
    assert w.equity_figure.title == "Your account's equity"
    assert "hours since 2024-01-01 00:00 UTC" in w.equity_figure.axes[0].label


def test_liquidation_markers_sit_where_the_replay_liquidated(reckless):
    w = CapstoneReport(reckless)
    rows = reckless.liquidations["row"].to_numpy()
    assert len(rows) == 2 and rows[0] == rows[1]         # one cross liquidation, two positions
    equity = reckless.replay.timeline[("account", "equity")].to_numpy()
    hour = reckless.liquidations["hour"].iloc[0]
    assert list(w.liquidation_markers.x) == [hour] == list(w.ratio_liquidation_markers.x)
    assert np.allclose(w.liquidation_markers.y, equity[rows[:1]])
    assert np.allclose(w.ratio_liquidation_markers.y, 100.0)
    assert len(w.stop_markers.x) == 0
    assert np.allclose(w.equity_line.y, equity)


def test_ratio_lines_are_the_graders_ratios_in_percent_capped(reckless, defended):
    w = CapstoneReport(defended)
    assert set(w.ratio_lines) == {"cross account", "isolated BTC long", "isolated SOL short"}
    for name, line in w.ratio_lines.items():
        expected = np.minimum(defended.ratios[name].to_numpy(), 1.2) * 100
        held = len(line.y)                           # drawn until the position closed
        assert np.allclose(line.y, expected[:held]) and np.isnan(expected[held:]).all()
        assert np.allclose(line.x, w.x[:held])
    stopped = defended.stops.set_index("symbol").loc["BTCUSDT", "row"]
    assert len(w.ratio_lines["isolated BTC long"].y) == stopped + 1
    assert w.ratio_lines["cross account"].colors == [COLORS["cross"]]
    assert w.ratio_lines["isolated BTC long"].colors == [COLORS["isolated"]]
    assert {w.ratio_lines[n].line_style for n in ("isolated BTC long", "isolated SOL short")} \
        == {"solid", "dashed"}
    assert list(w.warning_line.y) == [80.0, 80.0] and list(w.liquidation_line.y) == [100.0, 100.0]
    liquidated = CapstoneReport(reckless).ratio_lines["cross account"].y
    assert np.nanmax(liquidated) == pytest.approx(100.0)


def test_stop_markers_and_prices_coloured_by_side(defended):
    w = CapstoneReport(defended)
    assert np.allclose(sorted(w.stop_markers.x), sorted(defended.stops["hour"]))
    assert w.price_lines["BTCUSDT"].colors == [COLORS["long"]]
    assert w.price_lines["ETHUSDT"].colors == [COLORS["short"]]
    path = defended.path["SOLUSDT"].to_numpy()
    assert np.allclose(w.price_lines["SOLUSDT"].y, (path / path[0] - 1) * 100)


def test_words_come_from_the_grade(reckless, defended):
    w = CapstoneReport(reckless)
    assert "not passed" in w.verdict.value and reckless.verdict in w.verdict.value
    assert "cross took your BTC long with it" in w.text.value
    assert fmt_usdt(reckless.final_equity) in w.numbers.value
    assert f"{reckless.odds.paths:,} random weeks" in w.numbers.value
    assert "passed" in CapstoneReport(defended).verdict.value


def test_the_hour_slider_moves_every_cursor_and_says_what_stood(reckless):
    w = CapstoneReport(reckless)
    w.hour.value = 5.0
    assert all(list(c.x) == [5.0, 5.0] for c in w.cursors)
    equity = reckless.replay.timeline[("account", "equity")].iloc[300]
    assert fmt_usdt(equity) in w.now.value and "05:00 UTC" in w.now.value
    move = reckless.path["BTCUSDT"].iloc[300] / reckless.path["BTCUSDT"].iloc[0] - 1
    assert f"BTC {move * 100:+.1f} %" in w.now.value
    assert "liquidated" not in w.now.value
    w.hour.value = 23.0
    assert "liquidated" in w.now.value


def test_extreme_hours_never_raise(reckless, defended):
    for report in (reckless, defended):
        w = CapstoneReport(report, hour=24.0)
        assert list(w.cursors[0].x) == [24.0, 24.0]
        w.hour.value = 0.0
        assert "start of the day" in w.now.value
        w.show(1e9)
        w.show(-5)
    w = CapstoneReport(defended, hour=23.9)
    assert "stopped out" in w.now.value


def test_a_portfolio_that_broke_the_rules_shows_its_violations():
    report = grade([Order("BTCUSDT", "long", margin=3_000, leverage=20)])
    w = CapstoneReport(report)
    assert "not graded" in w.verdict.value
    assert "leverage must be from 1x to 10x (got 20)" in w.text.value
    assert len(w.equity_line.x) == 0 and w.ratio_lines == {}
    assert list(w.children) == [w.verdict, w.numbers, w.text]      # no empty plots
    assert w.hour.disabled
    w.hour.value = 12.0                    # disabled in the browser; still harmless here
    assert "BTC" in w.now.value


@pytest.mark.parametrize("kwargs, words", [
    ({"report": "a report"}, "report must be what capstone.grade"),
    ({"report": 42}, "got int"),
])
def test_bad_report_is_refused(kwargs, words):
    with pytest.raises(InvalidInput, match=words):
        CapstoneReport(**kwargs)


@pytest.mark.parametrize("hour", [-1, 25, "noon", float("nan")])
def test_bad_start_hour_is_refused(reckless, hour):
    with pytest.raises(InvalidInput, match="hour"):
        CapstoneReport(reckless, hour=hour)


def test_two_isolated_liquidations_give_two_markers_and_both_ratios_reach_100():
    report = grade([Order("BTCUSDT", "long", margin=3_000, leverage=10, margin_mode="isolated"),
                    Order("ETHUSDT", "short", margin=3_000, leverage=10,
                          margin_mode="isolated")], n_paths=20)
    w = CapstoneReport(report)
    hours = sorted(report.liquidations["hour"])
    assert len(hours) == 2 and hours[0] < 8 < hours[1] < 16     # crash, then ETH's rally
    assert np.allclose(sorted(w.liquidation_markers.x), hours)
    for name in ("isolated BTC long", "isolated ETH short"):
        assert w.ratio_lines[name].y[-1] >= 100.0
    w.hour.value = hours[0] + 0.5
    assert w.now.value.count("liquidated") == 1
    w.hour.value = 23.0
    assert w.now.value.count("liquidated") == 2


def test_the_loss_and_its_limit_are_shown_and_drawn(reckless, defended):
    w = CapstoneReport(defended)
    assert f"{defended.stress_loss * 100:.1f} %" in w.numbers.value
    assert f"(limit {MAX_STRESS_LOSS * 100:.0f} %)" in w.numbers.value
    assert list(w.loss_limit_line.y) == [DEPOSIT * (1 - MAX_STRESS_LOSS)] * 2
    assert "loss limit (8,000 USDT" in w.equity_key.value
    assert "You lost" in w.text.value and "the rules allow at most 20 %" in w.text.value
    assert "100.0 %" in CapstoneReport(reckless).numbers.value


def test_an_unstopped_5x_pair_shows_a_loss_past_the_limit_in_vermillion():
    pair = [Order("BTCUSDT", "long", margin=3_000, leverage=5, margin_mode="cross"),
            Order("ETHUSDT", "short", margin=3_000, leverage=5, margin_mode="cross")]
    report = grade(pair, n_paths=50)
    w = CapstoneReport(report)
    assert "not passed" in w.verdict.value and "the rules allow at most 20 %" in w.verdict.value
    assert f"color:{COLORS['liquidation']}'>{report.stress_loss * 100:.1f} %" in w.numbers.value


def test_the_exercise_placeholder_says_what_to_do_instead_of_an_empty_report():
    w = CapstoneReport(grade(...))
    assert list(w.children) == [w.verdict, w.numbers]
    assert "Build your portfolio in exercise 14.1 above, then run this cell" in w.numbers.value
    assert "Not graded yet" in w.verdict.value and w.hour.disabled
