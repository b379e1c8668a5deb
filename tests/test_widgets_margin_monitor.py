"""MarginRatioMonitor: a replay shown one step at a time."""
import math

import numpy as np
import pytest

from crossmargin import Order, replay, scenarios
from crossmargin.errors import InvalidInput
from crossmargin.widgets import MarginRatioMonitor, style
from crossmargin.widgets.margin_monitor import DEFAULT_DEPOSIT, DEFAULT_PLAN


@pytest.fixture(scope="module")
def run():
    return replay(scenarios.btc_crash(), DEFAULT_PLAN, deposit=DEFAULT_DEPOSIT)


@pytest.fixture
def monitor(run):
    return MarginRatioMonitor(run)


def test_the_default_replays_the_crash_plan_and_liquidates(run):
    monitor = MarginRatioMonitor()
    assert "cm-margin-ratio-monitor" in monitor._dom_classes
    first = run.liquidations()["time"].iloc[0]
    assert monitor.liquidation_step == run.timeline.index.get_loc(first)
    assert monitor.symbols == ["BTCUSDT", "ETHUSDT", "SOLUSDT"]
    assert monitor.step.value == 0 and monitor.play.max == len(run.timeline) - 1


def test_a_step_shows_that_row_of_the_timeline(monitor, run):
    i = monitor.liquidation_step - 1
    monitor.step.value = i
    ratio = run.timeline[("account", "margin_ratio")].iloc[i]
    assert 0.8 <= ratio < 1                        # the warning zone, one minute before
    assert list(monitor.gauge_bar.x) == pytest.approx([0, ratio])
    assert monitor.gauge_bar.colors == [style.ratio_color(ratio)] == [style.COLORS["warning"]]
    assert list(monitor.cursor_dot.y) == pytest.approx([ratio])
    assert monitor.cursor.x[0] == monitor.ratio_line.x[i]
    assert style.fmt_pct(ratio) in monitor.status.value
    assert "act now" in monitor.status.value
    lp = run.timeline[("BTCUSDT", "liquidation_price")].iloc[i]
    mark = run.timeline[("BTCUSDT", "mark_price")].iloc[i]
    assert style.fmt_price(lp) in monitor.table.value
    assert style.fmt_price(mark) in monitor.table.value
    assert style.fmt_pct(abs(mark - lp) / mark) in monitor.table.value
    assert "08:02" in monitor.clock.value


def test_after_the_liquidation_every_position_shows_liquidated(monitor, run):
    i = monitor.liquidation_step
    monitor.step.value = i
    assert "liquidated" in monitor.status.value
    assert monitor.table.value.count("liquidated at 08:03") == 3
    assert list(monitor.gauge_bar.x) == [0, 0]
    assert monitor.gauge_bar.colors == [style.COLORS["neutral"]]
    assert list(monitor.liquidation_marker.y) == [1.0]
    assert monitor.liquidation_marker.x[0] == monitor.ratio_line.x[i]


def test_the_ratio_line_is_the_timeline_while_positions_are_open(monitor, run):
    ratio = run.timeline[("account", "margin_ratio")].to_numpy()
    line = np.asarray(monitor.ratio_line.y, dtype=float)
    liq = monitor.liquidation_step
    assert line[:liq] == pytest.approx(ratio[:liq])
    assert np.isnan(line[liq:]).all()
    assert monitor.warning_line.y[0] == 0.8 and monitor.liquidation_line.y[0] == 1.0


def test_play_drives_the_step(monitor, run):
    monitor.play.value = 300
    assert monitor.step.value == 300
    ratio = run.timeline[("account", "margin_ratio")].iloc[300]
    assert list(monitor.gauge_bar.x) == pytest.approx([0, ratio])
    assert monitor.gauge_bar.colors == [style.COLORS["long"]]
    assert monitor.play.step >= 1 and monitor.play.interval > 0


def test_a_path_and_a_plan_with_a_stop_and_a_late_order():
    plan = [Order("BTCUSDT", "long", margin=3_000, leverage=10, stop_distance=0.03),
            Order("ETHUSDT", "short", margin=1_000, leverage=5, at=600)]
    monitor = MarginRatioMonitor(path=scenarios.btc_crash(), plan=plan)
    assert monitor.liquidation_step is None
    monitor.step.value = 100
    assert "not open yet" in monitor.table.value
    monitor.step.value = 1_440
    assert "stopped out at" in monitor.table.value
    assert "short" in monitor.table.value
    assert list(monitor.liquidation_marker.x) == []


def test_a_path_without_timestamps_counts_steps():
    path = scenarios.slow_grind()[["BTCUSDT"]].reset_index(drop=True).iloc[::10]
    path = path.reset_index(drop=True)
    monitor = MarginRatioMonitor(path=path, plan=[Order("BTCUSDT", "long", margin=9_000,
                                                        leverage=20)])
    monitor.step.value = 50
    assert "step 50" in monitor.clock.value
    assert monitor.ratio_line.x[50] == 50 and monitor.figure.axes[0].label == "step"


def test_the_time_axis_counts_hours_in_utc(monitor):
    assert monitor.ratio_line.x[0] == 0 and monitor.ratio_line.x[60] == pytest.approx(1.0)
    assert monitor.figure.axes[0].label == "hours since 2024-01-01 00:00 UTC"
    assert list(monitor.figure.axes[0].tick_values) == list(range(0, 25, 3))
    assert "80 % warning" in monitor.key.value and "liquidated" in monitor.key.value


def test_every_step_updates_without_error(monitor):
    for i in range(0, len(monitor.ratio_line.x), 37):
        monitor.step.value = i
        assert monitor.status.value and monitor.table.value
    monitor.step.value = monitor.step.max
    assert "liquidated" in monitor.status.value


@pytest.mark.parametrize("kwargs", [
    dict(replay="crash"),
    dict(step=-1), dict(step=1_441), dict(step=2.5), dict(step=True),
    dict(deposit=-10),
    dict(plan=["BTCUSDT long"]),
])
def test_bad_arguments_raise(kwargs):
    with pytest.raises(InvalidInput):
        MarginRatioMonitor(**kwargs)


def test_a_replay_and_a_path_together_are_refused(run):
    with pytest.raises(InvalidInput, match="not both"):
        MarginRatioMonitor(run, path=scenarios.btc_crash())


def test_a_constructor_step_shows_that_step(run):
    monitor = MarginRatioMonitor(run, step=480)
    ratio = run.timeline[("account", "margin_ratio")].iloc[480]
    assert monitor.step.value == 480
    assert list(monitor.gauge_bar.x) == pytest.approx([0, ratio])
    assert not math.isnan(ratio)
