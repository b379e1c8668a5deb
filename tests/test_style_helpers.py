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


def test_add_classes_names_each_part_under_the_tool_prefix():
    first, second = style.value_label(), style.html_block("cm-tool-table")
    style.add_classes("cm-tool", amount_kind=first, to_warning=second)
    assert first._dom_classes == ("cm-tool-amount-kind",)
    assert second._dom_classes == ("cm-tool-table", "cm-tool-to-warning")
    assert second.layout.min_height is None and first.layout.min_height == "1.6em"


def test_int_slider_has_the_course_width_and_a_whole_value():
    s = style.int_slider("margin (USDT)", 1_234.0, 10, 5_000, 10, css_class="cm-margin")
    assert (s.value, s.min, s.max, s.step) == (1_234, 10, 5_000, 10)
    assert s.continuous_update and s.style.description_width == "initial"
    assert (s.layout.width, s.layout.max_width) == ("95%", "520px")
    assert s._dom_classes == ("cm-margin",)
    assert style.control_layout() is not style.control_layout()


# -- colours that can be read ------------------------------------------------------------------
def test_contrast_ratio_matches_wcag_examples():
    assert style.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert style.contrast_ratio("#ffffff", "#fff") == pytest.approx(1.0)
    assert style.contrast_ratio("#777777") == pytest.approx(4.48, abs=0.01)
    # The old warning yellow: fails even the 3:1 of graphics.
    assert style.contrast_ratio("#F0E442") < 1.5


def test_the_warning_colour_reads_on_white_and_stays_apart_from_liquidation():
    warning = style.COLORS["warning"]
    assert style.contrast_ratio(warning, "#ffffff") >= 4.5        # text (and so lines: 3:1)
    # Lighter or darker than vermillion by a margin a colour-blind reader sees too (the
    # luminance difference survives any colour-vision deficiency), and not the same hue.
    assert style.contrast_ratio(warning, style.COLORS["liquidation"]) >= 1.5
    assert style.contrast_ratio(warning, style.COLORS["isolated"]) >= 1.5
    assert warning.upper() not in {c.upper() for k, c in style.COLORS.items() if k != "warning"}
    assert style.ratio_color(0.85) == warning


def test_badges_ink_reaches_text_contrast_when_one_can():
    for kind in ("warning", "long", "neutral", "cross"):
        colour = style.COLORS[kind]
        ink = style.badge("x", kind).split(";color:")[1].split(";")[0]
        assert style.contrast_ratio(colour, ink) >= 4.5, kind


# -- round ticks ---------------------------------------------------------------------------------
@pytest.mark.parametrize("low, high", [(50_842.3, 69_157.7), (0.01, 1.0), (-0.1, 1.05),
                                       (59_500.0, 62_300.0), (3.2, 3.3), (-17_000, 21_000)])
def test_nice_ticks_are_round_multiples_of_one_two_or_five(low, high):
    ticks = style.nice_ticks(low, high)
    step = ticks[1] - ticks[0]
    mantissa = step / 10 ** np.floor(np.log10(step) + 1e-9)
    assert round(mantissa, 6) in (1, 2, 5)
    assert np.allclose(ticks / step, np.round(ticks / step))
    assert low <= ticks[0] and ticks[-1] <= high and 3 <= len(ticks) <= 12
    lo, hi, full = style.nice_range(low, high)
    assert lo <= low and high <= hi and full[0] == lo and full[-1] == hi
    assert np.allclose(full / step, np.round(full / step)) or len(full) >= 3


def test_nice_range_of_a_single_value_is_not_empty():
    lo, hi, ticks = style.nice_range(60_000, 60_000)
    assert lo < 60_000 < hi and len(ticks) >= 2


def test_key_wraps_within_the_output_and_draws_dash_patterns():
    text = style.key_html([("a", "#0072B2", "dotted ▲"), ("b", "#E69F00", "dash_dotted ◆")],
                          title="cross")
    assert "max-width:900px" in text and "flex-wrap:wrap" in text
    assert "stroke-dasharray='2,4'" in text and "stroke-dasharray='8,4,2,4'" in text
    assert ">▲</text>" in text and "<b style='margin-right:10px'>cross</b>" in text


@pytest.mark.parametrize("ticks, fmt", [([50_000, 55_000, 60_000], ",.0f"),
                                        ([0.0, 0.05, 0.1], ",.2f"), ([0.2, 0.4], ",.1f"),
                                        ([0.002, 0.004], ",.3f")])
def test_tick_format_shows_round_ticks_exactly(ticks, fmt):
    assert style.tick_format(ticks) == fmt
