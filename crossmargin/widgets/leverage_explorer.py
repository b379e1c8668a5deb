"""Leverage explorer: one isolated position, its equity against the mark price, and where it dies.

Controls: leverage, entry price, side, margin. The position's size follows from
the definition of leverage (notional = margin × leverage). The plot shows the
position's equity (margin + unrealized PnL) and its maintenance margin over a
grid of mark prices: the position is liquidated where the two lines meet (the
liquidation price, margin ratio 100 %) and its margin is gone where equity
reaches zero (the bankruptcy price). Every number comes from
:mod:`crossmargin.engine.formulas` with the symbol's bracket table.
"""
import bqplot as bq
import ipywidgets as W
import numpy as np

from ..engine import formulas
from .._validate import finite, positive, side_sign
from ..engine.contracts import contract
from ..errors import InvalidInput
from . import style

__all__ = ["LeverageExplorer"]


class LeverageExplorer(W.VBox):
    """Leverage, entry price, side and margin of one isolated position → equity vs mark price.

    Attributes for tests and curious learners: controls ``leverage``,
    ``entry_price``, ``side``, ``margin``; the ``figure`` with marks
    ``equity_line``, ``maintenance_line``, ``liquidation_line`` (vertical, at
    the liquidation price), ``points`` (entry, liquidation, bankruptcy — named in
    ``point_names``) and their text ``annotations`` (kept inside the plot and apart:
    ``label_extent``); the legend ``key`` (HTML, under the figure); the
    labels ``notional_label``, ``size_label``, ``initial_margin_label``,
    ``maintenance_margin_label``, ``liquidation_label``, ``distance_label``,
    ``bankruptcy_label`` and the ``status`` line. ``values`` holds the latest
    engine numbers.
    """

    MARGIN_RANGE = (10, 100_000)
    ENTRY_RANGE = (0.01, 10_000_000.0)
    GRID_POINTS = 241
    #: Half-width of the price window around the entry (widened to show far-away prices).
    WINDOW = 0.15
    #: Share of the plot's width kept beside the outermost liquidation/bankruptcy price for
    #: their labels.
    LABEL_ROOM = 0.2
    #: Assumed plot width (a 760 px figure less its margins) and width of one label character
    #: (15 px bold), in pixels: enough to keep the labels inside the plot.
    PLOT_PX = 640
    LABEL_CHAR_PX = 9
    #: Heights of the two label rows under the top of the plot (share of its height).
    ROWS = {"liquidation": 0.07, "bankruptcy": 0.17}

    def __init__(self, symbol="BTCUSDT", *, leverage=10, entry_price=60_000, side="long",
                 margin=1_000):
        self.symbol = symbol
        self.brackets = contract(symbol).brackets
        max_leverage = int(self.brackets.max_leverage(0.0))
        leverage = finite(leverage, "leverage")
        if not 1 <= leverage <= max_leverage or leverage != int(leverage):
            raise InvalidInput(f"leverage must be a whole number from 1 to {max_leverage} for "
                               f"{symbol} (got {leverage:g})")
        entry_price = positive(entry_price, "entry_price")
        low_price, high_price = self.ENTRY_RANGE
        if not low_price <= entry_price <= high_price:
            raise InvalidInput(f"entry_price must be between {low_price:,.2f} and "
                               f"{high_price:,.0f} USDT (got {entry_price:,.2f})")
        side_sign(side)
        margin = finite(margin, "margin")
        low, high = self.MARGIN_RANGE
        if not low <= margin <= high or margin != int(margin):
            raise InvalidInput(f"margin must be a whole number of USDT from {low:,} to "
                               f"{high:,} (got {margin:,.2f})")

        self.leverage = style.int_slider("leverage (x)", leverage, 1, max_leverage,
                                         css_class="cm-leverage")
        # Typed, not slid: the picture only shifts with the entry price. (A FloatSlider would
        # also echo a rounded value on first display, which makes the browser drop kernel
        # updates until the echo returns.)
        self.entry_price = W.BoundedFloatText(value=entry_price, min=low_price, max=high_price,
                                              description="entry price (USDT)",
                                              style={"description_width": "initial"})
        self.entry_price.add_class("cm-entry-price")
        self.side = W.ToggleButtons(options=["long", "short"], value=side, description="side",
                                    style={"button_width": "90px", "description_width": "initial"})
        self.side.add_class("cm-side")
        self.margin = style.int_slider("margin (USDT)", margin, low, high, 10,
                                       css_class="cm-margin")

        xs, ys = bq.LinearScale(), bq.LinearScale()
        scales = {"x": xs, "y": ys}
        self.x_scale, self.y_scale = xs, ys
        self.equity_line = bq.Lines(scales=scales, stroke_width=3)
        self.maintenance_line = bq.Lines(scales=scales, stroke_width=2, line_style="dashed",
                                         colors=[style.COLORS["neutral"]])
        self.liquidation_line = bq.Lines(scales=scales, stroke_width=2,
                                         colors=[style.COLORS["liquidation"]])
        self.points = bq.Scatter(scales=scales, default_size=90, stroke=style.COLORS["text"])
        # One text mark per point, each placed its own way so that close points stay readable.
        self.annotations = {
            "entry": bq.Label(scales=scales, text=["entry"], colors=[style.COLORS["text"]],
                              default_size=15),
            "liquidation": bq.Label(scales=scales, text=["liquidation"],
                                    colors=[style.COLORS["liquidation"]], default_size=15),
            "bankruptcy": bq.Label(scales=scales, text=["bankruptcy"],
                                   colors=[style.COLORS["text"]], default_size=15),
        }
        self.figure, _, _ = style.figure(
            f"{symbol} isolated position: equity vs mark price", "mark price (USDT)",
            "USDT", x_scale=xs, y_scale=ys, css_class="cm-leverage-figure",
            marks=[self.maintenance_line, self.equity_line, self.liquidation_line, self.points,
                   *self.annotations.values()])
        self.figure.axes[0].tick_format = ",.0f"
        # The legend is HTML under the figure (updated with the side's colour): inside the
        # plot it covered the line and the labels.
        self.key = style.key([])

        names = ("notional", "size", "initial_margin", "maintenance_margin", "liquidation",
                 "distance", "bankruptcy")
        for name in names:
            setattr(self, f"{name}_label", style.value_label(f"cm-{name.replace('_', '-')}"))
        self.status = style.value_label("cm-leverage-status")
        self.values = {}

        for control in (self.leverage, self.entry_price, self.side, self.margin):
            control.observe(self._update, names="value")
        self._update()
        labels = W.GridBox([getattr(self, f"{n}_label") for n in names],
                           layout=W.Layout(grid_template_columns="repeat(2, minmax(0, 1fr))",
                                           max_width="760px"))
        super().__init__([self.leverage, self.entry_price, self.side, self.margin, self.figure,
                          self.key, labels, self.status])
        self.add_class("cm-leverage-explorer")

    def _window(self, entry, side, *prices):
        """Price range: entry ± 15 %, widened to include the liquidation and bankruptcy prices,
        with room for their labels on the empty side of the line (left of them for a long,
        right for a short), then rounded out to round prices. Returns ``(low, high, ticks)``."""
        low, high = entry * (1 - self.WINDOW), entry * (1 + self.WINDOW)
        shown = [p for p in prices if p is not None]
        for price in shown:
            low, high = min(low, price - 0.05 * entry), max(high, price + 0.05 * entry)
        low = max(low, 0.01 * entry)
        room = self.LABEL_ROOM
        if shown and side == "long":
            p = min(shown)
            if (p - low) < room * (high - low):
                low = max(0.0, (p - room * high) / (1 - room))
        elif shown:
            p = max(shown)
            if (high - p) < room * (high - low):
                high = (p - room * low) / (1 - room)
        return style.nice_range(low, high)

    def _fraction(self, x):
        return (x - self.x_scale.min) / (self.x_scale.max - self.x_scale.min)

    def label_extent(self, name):
        """Left and right ends of a text label, as fractions of the plot's width (0 to 1
        inside), estimated with :data:`LABEL_CHAR_PX` per character on a plot
        :data:`PLOT_PX` wide; ``None`` when the label is hidden."""
        label = self.annotations[name]
        if not len(label.x):
            return None
        start = self._fraction(float(label.x[0])) + label.x_offset / self.PLOT_PX
        width = len(label.text[0]) * self.LABEL_CHAR_PX / self.PLOT_PX
        return (start, start + width) if label.align == "start" else (start - width, start)

    def _place(self, x, text, prefer, gap):
        """``(align, x_offset)``: the text on the ``prefer`` side of ``x`` ("start": to the
        right), or on the other side if it would leave the plot there."""
        f = self._fraction(x)
        width = (len(text) * self.LABEL_CHAR_PX + gap) / self.PLOT_PX
        fits = f + width <= 0.99 if prefer == "start" else f - width >= 0.01
        if not fits:
            prefer = "end" if prefer == "start" else "start"
        return prefer, (gap if prefer == "start" else -gap)

    def _update(self, _change=None):
        lev, entry = self.leverage.value, self.entry_price.value
        side, margin = self.side.value, self.margin.value
        self.values = v = formulas.position_summary(side, lev, entry, margin,
                                                    brackets=self.brackets)
        size, liq, bankrupt = v["size"], v["liquidation_price"], v["bankruptcy_price"]
        x_low, x_high, x_ticks = self._window(entry, side, liq, bankrupt)
        grid = np.linspace(x_low, x_high, self.GRID_POINTS)
        equity, mm_curve = formulas.position_curve(side, size, entry, margin, grid,
                                                   brackets=self.brackets)

        xs, ys, names, colors = [entry], [margin], ["entry"], [style.COLORS["price"]]
        if liq is not None:
            xs.append(liq)
            ys.append(formulas.maintenance_margin(size, liq, self.brackets))
            names.append("liquidation")
            colors.append(style.COLORS["liquidation"])
        if bankrupt is not None:
            xs.append(bankrupt)
            ys.append(0.0)
            names.append("bankruptcy")
            colors.append(style.COLORS["text"])
        y_low = min(float(equity.min()), float(mm_curve.min()), 0.0)
        y_high = max(float(equity.max()), float(mm_curve.max()))
        y_low, y_high, y_ticks = style.nice_range(y_low, y_high)
        with self.figure.hold_sync():
            self.x_scale.min, self.x_scale.max = x_low, x_high
            self.y_scale.min, self.y_scale.max = y_low, y_high
            self.figure.axes[0].tick_values = x_ticks
            self.figure.axes[0].tick_format = style.tick_format(x_ticks)
            self.figure.axes[1].tick_values = y_ticks
            self.figure.axes[1].tick_format = style.tick_format(y_ticks)
        with self.equity_line.hold_sync():
            self.equity_line.x, self.equity_line.y = grid, equity
            self.equity_line.colors = [style.COLORS[side]]
        with self.maintenance_line.hold_sync():
            self.maintenance_line.x, self.maintenance_line.y = grid, mm_curve
        with self.liquidation_line.hold_sync():
            self.liquidation_line.x = [liq, liq] if liq is not None else []
            self.liquidation_line.y = [y_low, y_high] if liq is not None else []
            self.liquidation_line.visible = liq is not None
        with self.points.hold_sync():
            self.points.x, self.points.y = np.array(xs), np.array(ys)
            self.points.colors = colors
        self.point_names = names
        long = side == "long"
        # "entry" beside its point, under the line on its empty side (right of a rising
        # line, left of a falling one). "liquidation" and "bankruptcy" in two rows near the
        # top, on the empty side of the line (left for a long, right for a short), so that
        # they never overlap each other, the entry label or the vertical liquidation line.
        height = y_high - y_low
        spots = {"entry": (entry, margin, "start" if long else "end", 10, 22)}
        for name, x in (("liquidation", liq), ("bankruptcy", bankrupt)):
            spots[name] = (x, y_high - self.ROWS[name] * height, "end" if long else "start", 6,
                           0)
        for name, label in self.annotations.items():
            x, y, prefer, gap, y_offset = spots[name]
            with label.hold_sync():
                if x is None:
                    label.x, label.y = [], []
                    continue
                label.align, label.x_offset = self._place(x, label.text[0], prefer, gap)
                label.x, label.y, label.y_offset = [x], [y], y_offset
        self.key.value = style.key_html([
            ("position equity (margin + PnL)", style.COLORS[side], "line"),
            ("maintenance margin", style.COLORS["neutral"], "dashed"),
            ("liquidation price", style.COLORS["liquidation"], "line")])
        self._labels(entry, side)

    def _labels(self, entry, side):
        v = self.values
        base = self.brackets.symbol.replace("USDT", "")
        self.notional_label.value = f"<b>notional</b> {style.fmt_usdt(v['notional'])}"
        self.size_label.value = f"<b>size</b> {v['size']:,.6f} {base}"
        self.initial_margin_label.value = (f"<b>initial margin</b> "
                                           f"{style.fmt_usdt(v['initial_margin'])}")
        self.maintenance_margin_label.value = (
            f"<b>maintenance margin</b> {style.fmt_usdt(v['maintenance_margin'])} at entry")
        self.bankruptcy_label.value = (f"<b>bankruptcy price</b> "
                                       f"{style.fmt_price(v['bankruptcy_price'])}")
        liq = v["liquidation_price"]
        if v["liquidated"]:
            self.liquidation_label.value = (f"<b>liquidation price</b> "
                                            f"{style.badge('liquidated', 'liquidation')}")
        else:
            self.liquidation_label.value = f"<b>liquidation price</b> {style.fmt_price(liq)}"
        if liq is None:
            self.distance_label.value = "<b>distance to liquidation</b> --"
        else:
            move = v["distance"]
            where = "below" if move < 0 else "above"
            self.distance_label.value = (f"<b>distance to liquidation</b> "
                                         f"{style.fmt_pct(abs(move))} {where} entry")
        notes = []
        if v["liquidated"]:
            notes.append(f"{style.badge('liquidated', 'liquidation')} on opening: the maintenance "
                         f"margin ({style.fmt_usdt(v['maintenance_margin'])}) is more than the "
                         f"margin ({style.fmt_usdt(self.margin.value)}).")
        elif liq is None:
            notes.append(f"{style.badge('no liquidation price', 'neutral')} the margin covers "
                         "the whole position: even at a price of 0 the long only loses its margin.")
        else:
            notes.append(f"Margin ratio at entry {style.fmt_pct(v['margin_ratio'])}; it reaches "
                         f"100 % when the mark price hits {style.fmt_price(liq)}.")
        if self.leverage.value > v["max_leverage"]:
            notes.append(f"{style.badge('refused', 'warning')} {self.leverage.value}x is above "
                         f"the {v['max_leverage']:g}x the bracket allows for a "
                         f"{style.fmt_usdt(v['notional'], 0)} position: the exchange would "
                         "refuse this order.")
        self.status.value = "<br>".join(notes)
