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
    assert monitor.step.value == 0 and monitor.step.max == len(run.timeline) - 1
    assert monitor.play.max == len(monitor.schedule) - 1 and monitor.play.value == 0


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
    k = int(np.searchsorted(monitor.schedule, 300))
    monitor.play.value = k
    row = int(monitor.schedule[k])
    assert monitor.step.value == row and 300 <= row < 310
    ratio = run.timeline[("account", "margin_ratio")].iloc[row]
    assert list(monitor.gauge_bar.x) == pytest.approx([0, ratio])
    assert monitor.gauge_bar.colors == [style.COLORS["long"]]
    assert f"step {row:,} of 1,440" in monitor.clock.value
    assert monitor.play.step == 1 and monitor.play.interval > 0


def test_playback_never_skips_the_crossings_and_reaches_the_last_step(monitor):
    rows = list(monitor.schedule)
    assert monitor.warning_step == 482 and monitor.liquidation_step == 483
    assert set(range(470, 490)) <= set(rows)        # step by step around 80 % and 100 %
    assert rows[0] == 0 and rows[-1] == 1_440        # not 1,435
    assert max(np.diff(rows)) <= 7 and len(rows) < 300   # still quick elsewhere


def _ticks(monitor, times):
    for _ in range(times):
        if not monitor.play.playing or monitor.play.value == monitor.play.max:
            return
        monitor.play.value += 1                     # what the browser's Play does


def test_playing_pauses_on_the_warning_then_on_the_liquidation_then_ends(run):
    monitor = MarginRatioMonitor(run)
    monitor.play.playing = True
    _ticks(monitor, 10_000)
    assert not monitor.play.playing and monitor.step.value == 482
    assert "act now" in monitor.status.value and "paused" in monitor.message.value
    assert "90.62 %" in monitor.message.value and list(monitor.cursor_dot.y) == \
        pytest.approx([run.timeline[("account", "margin_ratio")].iloc[482]])
    hold = monitor.play.value
    monitor.play.value = hold + 1       # ticks the browser sent before it saw the pause
    monitor.play.value = hold + 2
    assert monitor.step.value == 482 and monitor.play.value == hold
    assert "step 482 of" in monitor.clock.value and "paused" in monitor.message.value
    monitor.play.playing = True
    assert monitor.message.value == ""
    _ticks(monitor, 10_000)
    assert not monitor.play.playing and monitor.step.value == 483
    assert "liquidated" in monitor.message.value and "liquidated" in monitor.status.value
    monitor.play.playing = True
    _ticks(monitor, 10_000)
    assert monitor.step.value == 1_440 and "step 1,440 of 1,440" in monitor.clock.value
    monitor.play.value = 0              # the stop button: back to the start, no hold
    assert monitor.step.value == 0 and "step 0 of" in monitor.clock.value


def test_the_slider_and_the_play_show_the_same_row(monitor):
    for i in (0, 1, 480, 481, 1_000, 1_439, 1_440):
        monitor.step.value = i
        assert f"step {i:,} of" in monitor.clock.value
        assert monitor.cursor.x[0] == monitor.ratio_line.x[i]
        assert monitor.schedule[monitor.play.value] <= i       # play goes on from here
    monitor.step.value = 481
    monitor.play.playing = True
    monitor.play.value += 1
    assert monitor.step.value == 482 and "step 482 of" in monitor.clock.value


def test_step_buttons_and_jumps(monitor):
    monitor.step.value = 478
    monitor.forward.click()
    monitor.forward.click()
    assert monitor.step.value == 480 and "step 480 of" in monitor.clock.value
    monitor.back.click()
    assert monitor.step.value == 479
    monitor.to_warning.click()
    assert monitor.step.value == 482 and "act now" in monitor.status.value
    monitor.to_liquidation.click()
    assert monitor.step.value == 483 and "liquidated" in monitor.status.value
    monitor.step.value = 0
    monitor.back.click()
    assert monitor.step.value == 0
    monitor.step.value = 1_440
    monitor.forward.click()
    assert monitor.step.value == 1_440


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
    assert monitor.to_liquidation.disabled and monitor.schedule[-1] == 1_440


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


def test_the_step_readings_sit_beside_the_chart_and_the_table_under_both(monitor):
    controls, row, table = monitor.children
    assert monitor.play in controls.children[0].children
    assert monitor.forward in controls.children[1].children
    now, chart = row.children
    assert [monitor.clock, monitor.status, monitor.message, monitor.gauge] == list(now.children)
    assert [monitor.figure, monitor.key] == list(chart.children)
    assert table is monitor.table and row.layout.flex_flow == "row wrap"
