"""style.time_axis and style.key_html: the shared time axis and HTML legends of the tools."""
import numpy as np
import pandas as pd
import pytest

from crossmargin.widgets import style


def test_a_day_of_minutes_in_hours_since_the_start_utc():
    index = pd.date_range("2024-01-01 01:00", periods=24 * 60 + 1, freq="min",
                          tz="Europe/Paris")          # 00:00 UTC
    x, label, ticks = style.time_axis(index)
    assert x[0] == 0 and x[60] == pytest.approx(1.0) and x[-1] == pytest.approx(24.0)
    assert label == "hours since 2024-01-01 00:00 UTC"
    assert list(ticks) == list(range(0, 25, 3))


@pytest.mark.parametrize("hours, every", [(5, 1), (20, 2), (100, 12), (24 * 30, 168)])
def test_at_most_about_ten_ticks(hours, every):
    index = pd.date_range("2024-01-01", periods=hours + 1, freq="h")       # naive: taken as is
    x, label, ticks = style.time_axis(index)
    assert label == "hours since 2024-01-01 00:00 UTC"
    assert ticks[1] - ticks[0] == every and len(ticks) <= 11 and ticks[-1] <= x[-1]


def test_steps_without_timestamps_and_an_empty_index():
    x, label, ticks = style.time_axis(pd.RangeIndex(4))
    assert list(x) == [0, 1, 2, 3] and label == "step" and ticks is None
    x, label, ticks = style.time_axis(pd.DatetimeIndex([], tz="UTC"))
    assert len(x) == 0 and ticks is None


def test_key_html_draws_lines_dashes_and_markers_and_escapes_labels():
    text = style.key_html([("cross <b>", "#0072B2", "line"), ("now", "#999", "dashed"),
                           ("liquidated", "#D55E00", "✚")])
    assert "border-top:4px solid #0072B2" in text and "border-top:4px dashed #999" in text
    assert "color:#D55E00;font-size:18px'>✚</span>" in text
    assert "cross &lt;b&gt;" in text and "<b>" not in text


def test_key_is_a_widget_with_the_key_class():
    widget = style.key([("isolated", style.COLORS["isolated"], "line")])
    assert "cm-key" in widget._dom_classes
    assert widget.value == style.key_html([("isolated", style.COLORS["isolated"], "line")])
    assert isinstance(style.time_axis(pd.RangeIndex(2))[0], np.ndarray)
