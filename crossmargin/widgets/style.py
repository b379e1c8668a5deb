"""One look for every tool: colours, number formats, figure and label helpers.

Colours are the Okabe–Ito palette (safe for colour-blind readers), with one
meaning each, everywhere in the course (SVG diagrams included):
cross = blue, isolated = orange, liquidation = vermillion, long = green,
short = purple, warning (80 % margin ratio) = dark amber, neutral = grey.

Okabe–Ito's yellow (#F0E442) is only 1.3:1 against white: too faint for a line (WCAG asks
3:1 for graphics) and far too faint for text (4.5:1). The warning colour is a dark amber
instead, 6.4:1 on white, and clearly darker than the liquidation vermillion (1.7:1 between
them), so the two stay apart for colour-blind readers too. :func:`contrast_ratio` checks it.
"""
import html
import math

import bqplot as bq
import ipywidgets as W
import numpy as np
import pandas as pd

from ..formats import fmt_pct, fmt_price, fmt_usdt, missing  # noqa: F401 (formats shared)
from ..lessons.monitoring import WARNING_RATIO

COLORS = {
    "cross": "#0072B2",
    "isolated": "#E69F00",
    "liquidation": "#D55E00",
    "long": "#009E73",
    "short": "#CC79A7",
    "warning": "#735C00",
    "price": "#56B4E9",
    "neutral": "#999999",
    "text": "#222222",
}

#: Widest a key (HTML legend) may grow: it wraps inside an output area of ~900 px.
KEY_MAX_WIDTH = "900px"

FIGURE_LAYOUT = W.Layout(width="100%", min_width="320px", max_width="760px", height="340px")
FIGURE_MARGIN = {"top": 30, "bottom": 45, "left": 75, "right": 20}


def relative_luminance(colour):
    """WCAG 2 relative luminance of a ``#rrggbb`` (or ``#rgb``) colour, from 0 to 1."""
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    channels = [int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first, second="#ffffff"):
    """WCAG 2 contrast ratio of two colours, from 1 (same) to 21 (black on white).

    Text needs 4.5:1 against its background, lines and markers 3:1."""
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def nice_step(span, count=6):
    """A round tick step (1, 2 or 5 times a power of ten) giving about ``count`` ticks
    over ``span``."""
    span = abs(float(span))
    if not math.isfinite(span) or span == 0:
        return 1.0
    raw = span / max(1, count)
    power = 10.0 ** math.floor(math.log10(raw))
    error = raw / power
    factor = 10 if error >= math.sqrt(50) else 5 if error >= math.sqrt(10) else \
        2 if error >= math.sqrt(2) else 1
    return factor * power


def _round_to_step(values, step):
    decimals = max(0, -math.floor(math.log10(step)) + 1)
    return np.round(np.asarray(values, dtype=float), decimals)


def nice_ticks(low, high, count=6):
    """Round tick values (multiples of :func:`nice_step`) between ``low`` and ``high``."""
    low, high = sorted((float(low), float(high)))
    step = nice_step(high - low, count)
    first = math.ceil(low / step - 1e-9)
    last = math.floor(high / step + 1e-9)
    return _round_to_step(np.arange(first, last + 1) * step, step)


def nice_range(low, high, count=6):
    """``(min, max, ticks)``: ``low``..``high`` widened to round values, with round ticks
    from end to end (for a scale's ``min``/``max`` and its axis's ``tick_values``)."""
    low, high = sorted((float(low), float(high)))
    if high == low:
        pad = abs(low) * 0.05 or 1.0
        low, high = low - pad, high + pad
    step = nice_step(high - low, count)
    start = math.floor(low / step + 1e-9) * step
    stop = math.ceil(high / step - 1e-9) * step
    ticks = _round_to_step(np.arange(round((stop - start) / step) + 1) * step + start, step)
    return float(ticks[0]), float(ticks[-1]), ticks


def tick_format(ticks):
    """A d3 format that shows round ``ticks`` exactly: ``",.0f"`` for whole numbers, else as
    many decimals as their step needs (``",.2f"`` for 0.05)."""
    ticks = np.asarray(ticks, dtype=float)
    step = float(np.min(np.diff(ticks))) if ticks.size > 1 else 1.0
    decimals = 0 if step >= 1 else min(8, -math.floor(math.log10(step) + 1e-9))
    return f",.{decimals}f"


def ratio_color(ratio):
    """Green below 80 %, dark amber from 80 %, vermillion at 100 % (liquidation)."""
    if missing(ratio):
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


#: Dash patterns of bqplot's line styles, for the swatches of :func:`key_html`.
DASHES = {"line": "", "solid": "", "dashed": "8,5", "dotted": "2,4", "dash_dotted": "8,4,2,4"}


def _swatch(colour, line, marker):
    """A short line in the mark's dash pattern, with its marker in the middle (inline SVG)."""
    dash = DASHES[line]
    dash = f" stroke-dasharray='{dash}'" if dash else ""
    dot = (f"<text x='17' y='12' text-anchor='middle' font-size='13' fill='{colour}'>"
           f"{html.escape(marker)}</text>" if marker else "")
    return (f"<svg width='34' height='16' style='vertical-align:middle'>"
            f"<line x1='1' y1='8' x2='33' y2='8' stroke='{colour}' stroke-width='3'{dash}/>"
            f"{dot}</svg>")


def key_html(entries, title=None):
    """A legend in HTML, shown under a figure: ``(label, colour, kind)`` with kind ``"line"``,
    ``"dashed"``, a marker character (e.g. ``"◆"``), or a line style of :data:`DASHES` and a
    marker (e.g. ``"dotted ▲"``: the line as the mark draws it); readable on a projector.
    ``title`` (optional) heads the row in bold. The entries wrap onto new rows: the key is
    never wider than :data:`KEY_MAX_WIDTH`."""
    items = [f"<b style='margin-right:10px'>{html.escape(title)}</b>"] if title else []
    for label, colour, kind in entries:
        line, _, marker = kind.partition(" ")
        if kind in ("line", "dashed"):
            border = "solid" if kind == "line" else "dashed"
            swatch = (f"<span style='display:inline-block;width:26px;vertical-align:middle;"
                      f"border-top:4px {border} {colour};box-shadow:0 0 0 1px #bbb'></span>")
        elif line in DASHES:
            swatch = _swatch(colour, line, marker)
        else:
            swatch = f"<span style='color:{colour};font-size:18px'>{html.escape(kind)}</span>"
        items.append(f"<span style='margin-right:18px;white-space:nowrap'>{swatch} "
                     f"{html.escape(label)}</span> ")
    return (f"<div style='font-size:14px;color:{COLORS['text']};max-width:{KEY_MAX_WIDTH};"
            f"display:flex;flex-wrap:wrap;align-items:center;row-gap:2px'>"
            f"{''.join(items)}</div>")


def key(entries, title=None):
    """:func:`key_html` in an HTML widget with the ``cm-key`` class."""
    widget = W.HTML(key_html(entries, title))
    widget.add_class("cm-key")
    return widget


def value_label(css_class=None):
    """An HTML widget for a live number or status line."""
    label = W.HTML(layout=W.Layout(min_height="1.6em"))
    if css_class:
        label.add_class(css_class)
    return label


def html_block(css_class=None):
    """An HTML widget for a table or a block of text (no minimum height: it is as tall as
    what it holds)."""
    block = W.HTML()
    if css_class:
        block.add_class(css_class)
    return block


def add_classes(prefix, **widgets):
    """Give each widget the class ``{prefix}-{name}``, its keyword with ``_`` written ``-``:
    ``add_classes("cm-order-ticket", amount_kind=w)`` gives ``w`` ``cm-order-ticket-amount-kind``
    (the names browser tests and custom CSS find the parts by)."""
    for name, widget in widgets.items():
        widget.add_class(f"{prefix}-{name.replace('_', '-')}")


def badge(text, kind):
    """A coloured status tag in HTML, e.g. ``badge("liquidated", "liquidation")``."""
    colour = COLORS.get(kind, COLORS["neutral"])
    # White ink, unless only dark ink reaches the 4.5:1 that text needs on this background.
    ink = "#222" if contrast_ratio(colour, "#fff") < 4.5 <= contrast_ratio(colour, "#222") \
        else "#fff"
    return (f"<span style='background:{colour};color:{ink};padding:1px 6px;border-radius:3px;"
            f"font-weight:600'>{text}</span>")


def control_layout():
    """The course's width for a control: 95 % of the output area, at most 520 px (a new
    Layout at each call: a widget's layout is its own)."""
    return W.Layout(width="95%", max_width="520px")


def slider(description, value, minimum, maximum, step, *, fmt=None, css_class=None,
           continuous_update=True):
    """A FloatSlider with the course's width and a readable description."""
    s = W.FloatSlider(value=value, min=minimum, max=maximum, step=step,
                      description=description, continuous_update=continuous_update,
                      readout_format=fmt or ",.2f", style={"description_width": "initial"},
                      layout=control_layout())
    if css_class:
        s.add_class(css_class)
    return s


def int_slider(description, value, minimum, maximum, step=1, *, css_class=None,
               continuous_update=True):
    """An IntSlider (``value`` made whole) with the course's width and a readable
    description: leverage, margin in whole USDT."""
    s = W.IntSlider(value=int(value), min=minimum, max=maximum, step=step,
                    description=description, continuous_update=continuous_update,
                    style={"description_width": "initial"}, layout=control_layout())
    if css_class:
        s.add_class(css_class)
    return s
