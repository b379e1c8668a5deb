"""One look for every tool: colours, number formats, figure and label helpers.

Colours are the Okabe–Ito palette (safe for colour-blind readers), with one
meaning each, everywhere in the course (SVG diagrams included):
cross = blue, isolated = orange, liquidation = vermillion, long = green,
short = purple, warning (80 % margin ratio) = yellow, neutral = grey.
"""
import html
import math

import bqplot as bq
import ipywidgets as W
import numpy as np
import pandas as pd

COLORS = {
    "cross": "#0072B2",
    "isolated": "#E69F00",
    "liquidation": "#D55E00",
    "long": "#009E73",
    "short": "#CC79A7",
    "warning": "#F0E442",
    "price": "#56B4E9",
    "neutral": "#999999",
    "text": "#222222",
}

#: Binance recommends acting before the margin ratio reaches 80 %.
WARNING_RATIO = 0.8

FIGURE_LAYOUT = W.Layout(width="100%", min_width="320px", max_width="760px", height="340px")
FIGURE_MARGIN = {"top": 30, "bottom": 45, "left": 75, "right": 20}


def _missing(x):
    return x is None or (isinstance(x, float) and math.isnan(x))


def fmt_usdt(x, decimals=2):
    """``12,345.67 USDT``; ``--`` when there is no value (as exchanges show it)."""
    return "--" if _missing(x) else f"{x:,.{decimals}f} USDT"


def fmt_price(x, decimals=2):
    """``60,000.00``; ``--`` when there is no price (e.g. no liquidation price)."""
    return "--" if _missing(x) else f"{x:,.{decimals}f}"


def fmt_pct(x, decimals=2):
    """``41.49 %`` from 0.4149; ``∞`` when nothing is left; ``--`` when there is no value."""
    if _missing(x):
        return "--"
    if math.isinf(x):
        return "∞"
    return f"{x * 100:,.{decimals}f} %"


def ratio_color(ratio):
    """Green below 80 %, yellow from 80 %, vermillion at 100 % (liquidation)."""
    if _missing(ratio):
        return COLORS["neutral"]
    if ratio >= 1:
        return COLORS["liquidation"]
    return COLORS["warning"] if ratio >= WARNING_RATIO else COLORS["long"]


def figure(title, x_label, y_label, *, x_scale=None, y_scale=None, css_class=None,
           marks=()):
    """A bqplot Figure with the course's layout; returns ``(figure, x_scale, y_scale)``."""
    xs = x_scale or bq.LinearScale()
    ys = y_scale or bq.LinearScale()
    axes = [bq.Axis(scale=xs, label=x_label, grid_lines="dashed", num_ticks=6),
            bq.Axis(scale=ys, label=y_label, side="left", grid_lines="dashed",
                    tick_format=",.0f", label_offset="60px")]
    fig = bq.Figure(marks=list(marks), axes=axes, title=title, layout=FIGURE_LAYOUT,
                    fig_margin=dict(FIGURE_MARGIN), legend_location="top-right",
                    animation_duration=0)
    if css_class:
        fig.add_class(css_class)
    return fig, xs, ys


def time_axis(index):
    """x values, axis label and tick values for a path's index: hours since its first row
    (UTC) for a DatetimeIndex, else step numbers (ticks None: bqplot picks them).

    Hours rather than dates: a browser draws bqplot dates in its own time zone, while the
    course speaks UTC.
    """
    if isinstance(index, pd.DatetimeIndex):
        if len(index) == 0:
            return np.array([], dtype=float), "hours", None
        hours = np.asarray((index - index[0]) / pd.Timedelta(hours=1), dtype=float)
        start = index[0].tz_convert("UTC") if index.tz is not None else index[0]
        span = max(float(hours[-1]), 1e-9)
        every = next((h for h in (1, 2, 3, 6, 12, 24, 48, 168) if span / h <= 10), 24 * 30)
        ticks = np.arange(0.0, span + 1e-9, every)
        return hours, f"hours since {start:%Y-%m-%d %H:%M} UTC", ticks
    return np.arange(len(index), dtype=float), "step", None


def key_html(entries):
    """A legend in HTML, shown under a figure: ``(label, colour, kind)`` with kind ``"line"``,
    ``"dashed"`` or a marker character (e.g. ``"◆"``); readable on a projector."""
    items = []
    for label, colour, kind in entries:
        if kind in ("line", "dashed"):
            line = "solid" if kind == "line" else "dashed"
            swatch = (f"<span style='display:inline-block;width:26px;vertical-align:middle;"
                      f"border-top:4px {line} {colour};box-shadow:0 0 0 1px #bbb'></span>")
        else:
            swatch = f"<span style='color:{colour};font-size:18px'>{html.escape(kind)}</span>"
        items.append(f"<span style='margin-right:18px;white-space:nowrap'>{swatch} "
                     f"{html.escape(label)}</span>")
    return f"<div style='font-size:14px;color:{COLORS['text']}'>{''.join(items)}</div>"


def key(entries):
    """:func:`key_html` in an HTML widget with the ``cm-key`` class."""
    widget = W.HTML(key_html(entries))
    widget.add_class("cm-key")
    return widget


def value_label(css_class=None):
    """An HTML widget for a live number or status line."""
    label = W.HTML(layout=W.Layout(min_height="1.6em"))
    if css_class:
        label.add_class(css_class)
    return label


def badge(text, kind):
    """A coloured status tag in HTML, e.g. ``badge("liquidated", "liquidation")``."""
    colour = COLORS.get(kind, COLORS["neutral"])
    ink = "#222" if kind == "warning" else "#fff"
    return (f"<span style='background:{colour};color:{ink};padding:1px 6px;border-radius:3px;"
            f"font-weight:600'>{text}</span>")


def slider(description, value, minimum, maximum, step, *, fmt=None, css_class=None,
           continuous_update=True):
    """A FloatSlider with the course's width and a readable description."""
    s = W.FloatSlider(value=value, min=minimum, max=maximum, step=step,
                      description=description, continuous_update=continuous_update,
                      readout_format=fmt or ",.2f", style={"description_width": "initial"},
                      layout=W.Layout(width="95%", max_width="520px"))
    if css_class:
        s.add_class(css_class)
    return s
