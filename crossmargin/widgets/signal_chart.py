"""Signal chart: a price with its two moving averages, the RSI, and the entry/exit signals.

A plot, not a control panel: everything it draws comes from
:func:`crossmargin.lessons.indicators.signals` (and, when given, the trades of a
:func:`crossmargin.lessons.indicators.backtest`). Time runs in hours since the first row (UTC).
"""
import bqplot as bq
import ipywidgets as W
import numpy as np

from ..lessons import indicators
from ..errors import InvalidInput
from . import style

__all__ = ["SignalChart"]


class SignalChart(W.VBox):
    """Price, fast and slow averages and signals (top); Wilder's RSI and its threshold (below).

    ``frame`` is the engine's :func:`~crossmargin.lessons.indicators.signals` table. Marks:
    ``price_line``, ``fast_line``, ``slow_line``, ``entry_marks`` (▲ at entry signals),
    ``exit_marks`` (▼ at exit signals), ``stop_marks`` (✕ where a backtest's stop or
    liquidation closed a trade), ``rsi_line`` and ``overbought_line``. ``summary`` counts
    the signals (and the trades, with ``backtest``).
    """

    def __init__(self, prices, *, fast=indicators.FAST, slow=indicators.SLOW,
                 rsi_window=indicators.RSI_WINDOW, overbought=indicators.OVERBOUGHT,
                 backtest=None, title=None):
        self.frame = indicators.signals(prices, fast=fast, slow=slow, rsi_window=rsi_window,
                                        overbought=overbought)
        if backtest is not None and not isinstance(backtest, indicators.Backtest):
            raise InvalidInput(f"backtest must be what indicators.backtest returns "
                               f"(got {backtest!r})")
        name = getattr(prices, "name", None) or "price"
        self.x, x_label, ticks = style.time_axis(self.frame.index)
        colors = style.COLORS
        xs, ys = bq.LinearScale(), bq.LinearScale()
        scales = {"x": xs, "y": ys}
        f = self.frame
        self.price_line = bq.Lines(x=self.x, y=f["price"].to_numpy(), scales=scales,
                                   colors=[colors["price"]], stroke_width=2)
        self.fast_line = bq.Lines(x=self.x, y=f["fast_ma"].to_numpy(), scales=scales,
                                  colors=[colors["text"]], stroke_width=2)
        self.slow_line = bq.Lines(x=self.x, y=f["slow_ma"].to_numpy(), scales=scales,
                                  colors=[colors["neutral"]], stroke_width=3,
                                  line_style="dashed")
        entry, leave = f["entry"].to_numpy(), f["exit"].to_numpy()
        self.entry_marks = bq.Scatter(x=self.x[entry], y=f["price"].to_numpy()[entry],
                                      scales=scales, marker="triangle-up", default_size=120,
                                      colors=[colors["long"]])
        self.exit_marks = bq.Scatter(x=self.x[leave], y=f["price"].to_numpy()[leave],
                                     scales=scales, marker="triangle-down", default_size=120,
                                     colors=[colors["text"]])
        stops = self._stops(backtest)
        self.stop_marks = bq.Scatter(x=self.x[stops[0]], y=stops[1], scales=scales,
                                     marker="cross", default_size=140,
                                     colors=[colors["liquidation"]])
        self.figure, _, _ = style.figure(
            title or f"{name}: price, moving averages and signals", x_label, "price (USDT)",
            x_scale=xs, y_scale=ys, css_class="cm-signal-chart-price",
            marks=[self.price_line, self.slow_line, self.fast_line, self.entry_marks,
                   self.exit_marks, self.stop_marks])
        self._fit_scales(xs, ys, stops[1])

        rs, rys = bq.LinearScale(), bq.LinearScale(min=0.0, max=100.0)
        rsi_scales = {"x": rs, "y": rys}
        span = [float(self.x[0]), float(self.x[-1])] if len(self.x) else [0.0, 1.0]
        self.rsi_line = bq.Lines(x=self.x, y=f["rsi"].to_numpy(), scales=rsi_scales,
                                 colors=[colors["cross"]], stroke_width=2)
        self.overbought_line = bq.Lines(x=span, y=[float(overbought)] * 2, scales=rsi_scales,
                                        colors=[colors["warning"]], stroke_width=4,
                                        line_style="dashed")
        self.rsi_figure, _, _ = style.figure(
            f"RSI ({rsi_window} steps, Wilder)", x_label, "RSI", x_scale=rs, y_scale=rys,
            css_class="cm-signal-chart-rsi", marks=[self.overbought_line, self.rsi_line])
        self.rsi_figure.layout = W.Layout(width="100%", min_width="320px", max_width="760px",
                                          height="220px")
        for fig in (self.figure, self.rsi_figure):
            if ticks is not None:
                fig.axes[0].tick_values = ticks
        self.rsi_figure.axes[1].tick_values = [0.0, 30.0, 50.0, 70.0, 100.0]
        self._align_rsi()

        keys = [(name, colors["price"], "line"), (f"fast average ({fast})", colors["text"], "line"),
                (f"slow average ({slow})", colors["neutral"], "dashed"),
                ("entry", colors["long"], "▲"), ("exit", colors["text"], "▼")]
        if backtest is not None:
            keys.append(("stop / liquidation", colors["liquidation"], "✕"))
        rsi_keys = [("RSI", colors["cross"], "line"),
                    (f"overbought ({overbought:g})", colors["warning"], "dashed")]
        self.summary = style.value_label("cm-signal-chart-summary")
        text = f"{int(entry.sum())} entry and {int(leave.sum())} exit signals"
        if backtest is not None:
            count = len(backtest.trades)
            text += (f"; {count} trade{'' if count == 1 else 's'}, profit/loss "
                     f"{backtest.pnl:+,.2f} USDT after fees and funding")
        self.summary.value = text
        super().__init__([self.figure, style.key(keys), self.rsi_figure, style.key(rsi_keys),
                          self.summary])
        self.add_class("cm-signal-chart")

    #: Room left around the data, as a share of its range: a marker at the highest price
    #: was drawn over the title, one at the last row over the plot's edge.
    PAD = 0.08

    def _fit_scales(self, xs, ys, stop_prices):
        """Round y range with room above and below every marker; x with room at both ends."""
        f = self.frame
        values = np.concatenate([f[c].to_numpy(dtype=float) for c in ("price", "fast_ma",
                                                                       "slow_ma")]
                                + [np.asarray(stop_prices, dtype=float)])
        values = values[np.isfinite(values)]
        if values.size:
            low, high = float(values.min()), float(values.max())
            pad = self.PAD * ((high - low) or abs(high) or 1.0)
            ys.min, ys.max, ticks = style.nice_range(low - pad, high + pad)
            self.figure.axes[1].tick_values = ticks
            self.figure.axes[1].tick_format = style.tick_format(ticks)
        if len(self.x):
            span = float(self.x[-1] - self.x[0]) or 1.0
            xs.min, xs.max = float(self.x[0]) - 0.02 * span, float(self.x[-1]) + 0.02 * span

    def _align_rsi(self):
        """The RSI plot's time axis spans exactly the price plot's."""
        price_x, rsi_x = self.price_line.scales["x"], self.rsi_line.scales["x"]
        rsi_x.min, rsi_x.max = price_x.min, price_x.max

    def _stops(self, backtest):
        """(row numbers, fill prices) of the trades a stop or a liquidation closed."""
        if backtest is None:
            return np.array([], dtype=int), np.array([])
        trades = backtest.trades
        hit = trades[trades["exit"].isin(["stop_loss", "liquidation"])]
        rows = hit["exit_step"].to_numpy(dtype=int)
        if len(rows) and rows.max() >= len(self.x):
            raise InvalidInput("backtest must come from the same prices as the chart "
                               f"(a trade ends at row {rows.max()}, the prices have "
                               f"{len(self.x)} rows)")
        return rows, hit["exit_price"].to_numpy(dtype=float)
