"""Venue switcher: one portfolio, four venues' screens, as the prices move.

:class:`VenueSwitcher` shows what Binance, Bybit, OKX and Hyperliquid would put on screen for
the same cross account (:data:`~crossmargin.lessons.comparison.SCREEN_PORTFOLIOS`): the
account ratio under the venue's own name and which way it moves to liquidation (a gauge and
the ratio over the whole range of moves), each position's liquidation price under the venue's
own symbol, the largest withdrawal, the funding interval and the clearance fee. Every number
is a row of :func:`~crossmargin.lessons.comparison.venue_screens` (each venue's
``Account(venue=...)`` marked at every move of the slider), computed once per portfolio and
what moves; a slider move or a venue switch only redraws.
"""
import html
import math

import bqplot as bq
import ipywidgets as W
import numpy as np

from ..engine import platforms
from ..engine.venues import VENUE_NAMES, venue as get_venue
from ..errors import InvalidInput
from ..lessons.comparison import (MOVING, SCREEN_MOVES, SCREEN_PORTFOLIOS, START_PRICES,
                                  venue_screens)
from ..lessons.liquidation import short_name
from . import style

__all__ = ["VenueSwitcher", "RISING_CAP", "FALLING_RANGE", "gauge_position"]

#: The gauge of a ratio that rises to liquidation ends at 120 %.
RISING_CAP = 1.2
#: The gauge of OKX's ratio, which falls to liquidation, runs from 5,000 % down to 80 %
#: (a logarithmic scale: the ratio is huge while the account is safe).
FALLING_RANGE = (50.0, 0.8)
_RISING_TICKS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2)
_FALLING_TICKS = (50.0, 20.0, 10.0, 5.0, 2.0, 1.0)
#: What each venue's ratio is, in words (the engine's descriptions of the venues).
_RULES = {name.lower(): entry["margin_ratio_rule"] for name, entry in platforms.VENUES.items()}
_RULES["hyperliquid"] = platforms.HYPERLIQUID["margin_ratio_rule"]


def gauge_position(ratio, falls):
    """Where ``ratio`` sits on the gauge, from 0 (left, safe) to 1 (right end), liquidation
    toward the right for every venue: a rising ratio on a linear scale up to
    :data:`RISING_CAP`; a falling one (OKX) on a reversed logarithmic scale over
    :data:`FALLING_RANGE`. A missing ratio is 0."""
    if ratio is None or not math.isfinite(ratio):
        return 1.0 if ratio == math.inf and not falls else 0.0
    if not falls:
        return min(max(ratio, 0.0), RISING_CAP) / RISING_CAP
    high, low = FALLING_RANGE
    if ratio <= 0:
        return 1.0
    return min(max(math.log(high / ratio) / math.log(high / low), 0.0), 1.0)


class VenueSwitcher(W.VBox):
    """One cross portfolio on Binance, Bybit, OKX and Hyperliquid: each venue's own screen.

    Controls: ``venue`` (ToggleButtons), ``portfolio`` (Dropdown of ``portfolios``),
    ``moving`` (ToggleButtons: BTC alone, or every coin together) and ``move`` (IntSlider,
    % of the start prices). Views: ``headline`` (the ratio under the venue's name, its value
    and its rule), ``gauge`` (with ``gauge_bar``, ``gauge_liquidation``, ``gauge_warning``
    and ``gauge_ticks``), ``figure`` (the venue's ratio over every move: ``ratio_line``,
    ``liquidation_line``, ``cursor``, ``cursor_dot``, ``liquidated_marks``), ``screen``
    (the screen's numbers, a table) and ``status``. ``screens`` is the
    :func:`~crossmargin.lessons.comparison.venue_screens` result shown (``{venue: table}``),
    ``row`` the row of the move shown, as a dict.
    """

    def __init__(self, venue="binance", portfolio="BTC long + ETH short (hedge)",
                 moving="BTC only", move=0, *, portfolios=None, deposit=10_000.0):
        self.portfolios = dict(SCREEN_PORTFOLIOS if portfolios is None else portfolios)
        if not self.portfolios:
            raise InvalidInput("portfolios must name at least one portfolio {name: [Order, "
                               "...]} (got none)")
        get_venue(venue)                                   # an unknown venue, by name
        venue = venue.lower()
        if portfolio not in self.portfolios:
            raise InvalidInput(f"portfolio must be one of {', '.join(self.portfolios)} "
                               f"(got {portfolio!r})")
        if moving not in MOVING:
            raise InvalidInput(f"moving must be one of {', '.join(MOVING)} (got {moving!r})")
        low, high = int(round(SCREEN_MOVES[0] * 100)), int(round(SCREEN_MOVES[-1] * 100))
        if isinstance(move, bool) or not isinstance(move, (int, np.integer)) \
                or not low <= move <= high:
            raise InvalidInput(f"move must be a whole percent from {low} to {high} "
                               f"(got {move!r})")
        self.deposit = deposit
        self._cache = {}
        self.screens = self._screens(portfolio, moving)     # bad orders or deposit: refused

        wide = {"description_width": "initial"}
        self.venue = W.ToggleButtons(options=[(short_name(v), v) for v in VENUE_NAMES],
                                     value=venue, description="Venue", style=wide)
        self.portfolio = W.Dropdown(options=list(self.portfolios), value=portfolio,
                                    description="Portfolio", style=wide,
                                    layout=W.Layout(width="auto"))
        self.moving = W.ToggleButtons(options=list(MOVING), value=moving,
                                      description="What moves", style=wide)
        self.move = style.int_slider(self._move_label(moving), move, low, high)
        self.headline = style.value_label()
        self.status = style.value_label()
        self.screen = style.html_block()
        style.add_classes("cm-venue-switcher", venue=self.venue, portfolio=self.portfolio,
                          moving=self.moving, move=self.move, headline=self.headline,
                          status=self.status, screen=self.screen)
        self._build_gauge()
        self._build_figure()
        self.venue.observe(lambda _: self._show_venue(), names="value")
        self.portfolio.observe(self._on_data, names="value")
        self.moving.observe(self._on_data, names="value")
        self.move.observe(lambda _: self.update(), names="value")
        chart = W.VBox([self.figure, self.key], layout=W.Layout(flex="1 1 440px",
                                                                  min_width="0"))
        # a fixed width: a number that grows a digit must not resize (and redraw) the chart
        self.screen.layout = W.Layout(flex="0 0 330px", width="330px", margin="0 12px 0 0")
        super().__init__([W.HBox([self.venue]), W.HBox([self.portfolio, self.moving],
                                                       layout=W.Layout(flex_flow="row wrap")),
                          self.move, self.headline, self.gauge, self.status,
                          W.HBox([self.screen, chart], layout=W.Layout(
                              flex_flow="row wrap", align_items="flex-start"))])
        self.add_class("cm-venue-switcher")
        self.row = None
        self._show_venue()

    # -- data ----------------------------------------------------------------------------------
    def _screens(self, portfolio, moving):
        """Each venue's screens of ``portfolio`` as ``moving`` moves (computed once)."""
        key = (portfolio, moving)
        if key not in self._cache:
            self._cache[key] = venue_screens(self.portfolios[portfolio], START_PRICES,
                                             moving=MOVING[moving], deposit=self.deposit)
        return self._cache[key]

    @staticmethod
    def _move_label(moving):
        return "BTC move, % (ETH held)" if MOVING[moving] == ("BTCUSDT",) else \
            "move of every price, %"

    def _on_data(self, _change):
        self.screens = self._screens(self.portfolio.value, self.moving.value)
        self.move.description = self._move_label(self.moving.value)
        self._show_venue()

    # -- figures, built once ---------------------------------------------------------------------
    def _build_gauge(self):
        xs, ys = bq.LinearScale(min=-0.02, max=1.02), bq.LinearScale(min=0.0, max=1.0)
        sc = {"x": xs, "y": ys}
        track = bq.Lines(x=[0.0, 1.0], y=[0.62, 0.62], scales=sc, stroke_width=24,
                         colors=["#EEEEEE"])
        self.gauge_bar = bq.Lines(x=[0.0, 0.0], y=[0.62, 0.62], scales=sc, stroke_width=24,
                                  colors=[style.COLORS["long"]])
        self.gauge_warning = bq.Lines(x=[0.0, 0.0], y=[0.38, 0.86], scales=sc, stroke_width=4,
                                      colors=[style.COLORS["warning"]])
        self.gauge_liquidation = bq.Lines(x=[0.0, 0.0], y=[0.38, 0.86], scales=sc,
                                          stroke_width=4, colors=[style.COLORS["liquidation"]])
        self.gauge_ticks = bq.Label(x=[], y=[], text=[], scales=sc, align="middle",
                                    default_size=12, colors=[style.COLORS["text"]])
        self.gauge = bq.Figure(marks=[track, self.gauge_bar, self.gauge_warning,
                                      self.gauge_liquidation, self.gauge_ticks],
                               axes=[], fig_margin={"top": 8, "bottom": 4, "left": 20,
                                                    "right": 20},
                               layout=W.Layout(width="100%", min_width="320px",
                                               max_width="760px", height="80px"),
                               animation_duration=0)
        self.gauge.add_class("cm-venue-gauge")

    def _build_figure(self):
        x = SCREEN_MOVES * 100
        xs, ys = bq.LinearScale(min=float(x[0]), max=float(x[-1])), bq.LogScale()
        sc = {"x": xs, "y": ys}
        self.ratio_line = bq.Lines(x=x, y=np.ones_like(x), scales=sc, stroke_width=2,
                                   colors=[style.COLORS["cross"]])
        self.liquidation_line = bq.Lines(x=x[[0, -1]], y=[1.0, 1.0], scales=sc,
                                         colors=[style.COLORS["liquidation"]], stroke_width=2)
        self.cursor = bq.Lines(x=[0.0, 0.0], y=[1e-3, 1e3], scales=sc, line_style="dashed",
                               colors=[style.COLORS["neutral"]])
        self.cursor_dot = bq.Scatter(x=[0.0], y=[1.0], scales=sc, default_size=90,
                                     colors=[style.COLORS["long"]], stroke=style.COLORS["text"])
        self.liquidated_marks = bq.Scatter(x=[], y=[], scales=sc, marker="cross",
                                           default_size=160,
                                           colors=[style.COLORS["liquidation"]])
        self.y_scale = ys
        self.figure, _, _ = style.figure(
            "", "move, %", "ratio", x_scale=xs, y_scale=ys, css_class="cm-venue-figure",
            marks=[self.liquidation_line, self.ratio_line, self.cursor, self.cursor_dot,
                   self.liquidated_marks])
        self.figure.axes[1].tick_format = ",.0%"
        self.figure.axes[0].tick_values = np.arange(-60, 61, 20)
        self.key = style.key([("the venue's ratio", style.COLORS["cross"], "line"),
                              ("100 %: liquidation", style.COLORS["liquidation"], "line"),
                              ("this move", style.COLORS["neutral"], "dashed"),
                              ("liquidated from here on", style.COLORS["liquidation"], "✚")])

    # -- a venue: its scales and its curve -----------------------------------------------------
    def _show_venue(self):
        """The chosen venue's screens: the gauge's scale, the ratio curve, then the move."""
        name = self.venue.value
        table = self.screens[name]
        falls = table["liquidation_at"].iloc[0].startswith("falls")
        self._table = table
        self._falls = falls
        self._columns = {c: table[c].to_numpy() for c in table.columns}
        self._liquidated = table["status"].to_numpy() == "liquidated"
        ratio = np.asarray(self._columns["margin_ratio"], dtype=float)
        shown = np.where(np.isfinite(ratio) & (ratio > 0), ratio, np.nan)
        x = SCREEN_MOVES * 100
        edges = [i for i in range(len(x)) if self._liquidated[i] and (
            (i + 1 < len(x) and not self._liquidated[i + 1]) or
            (i > 0 and not self._liquidated[i - 1]))]
        finite = shown[np.isfinite(shown)]
        low = min(float(finite.min()) if finite.size else 1.0, 1.0) / 1.5
        high = max(float(finite.max()) if finite.size else 1.0, 1.0) * 1.5
        ticks = [t for t in (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5,
                             10, 20, 50, 100, 200) if low <= t <= high]
        ticks_pos = [gauge_position(t, falls) for t in (_FALLING_TICKS if falls
                                                         else _RISING_TICKS)]
        label = f"{short_name(name)} · {table['ratio_name'].iloc[0]}"
        with self.figure.hold_sync():
            self.y_scale.min, self.y_scale.max = low, high
            self.figure.axes[1].tick_values = ticks
            self.figure.axes[1].tick_format = ",.1%" if min(ticks) < 0.01 else ",.0%"
            self.figure.axes[1].label = table["ratio_name"].iloc[0]
            self.figure.axes[0].label = self.move.description
            self.figure.title = (f"{label}: {'falls' if falls else 'rises'} to 100 % "
                                 f"as the account loses")
            self.ratio_line.y = shown
            self.liquidated_marks.x = x[edges]
            self.liquidated_marks.y = np.ones(len(edges))
            self.cursor.y = [low, high]
        with self.gauge.hold_sync():
            self.gauge_liquidation.x = [gauge_position(1.0, falls)] * 2
            self.gauge_warning.x = [gauge_position(style.WARNING_RATIO, False)] * 2
            self.gauge_warning.visible = not falls
            self.gauge_ticks.x = ticks_pos
            self.gauge_ticks.y = [0.05] * len(ticks_pos)
            self.gauge_ticks.text = [f"{t * 100:,.0f} %" for t in (_FALLING_TICKS if falls
                                                                    else _RISING_TICKS)]
        self.update()

    # -- one move --------------------------------------------------------------------------------
    def update(self):
        """Show the row of the current move (no computation: a lookup in ``screens``)."""
        i = int(self.move.value) - int(round(SCREEN_MOVES[0] * 100))
        row = {c: v[i] for c, v in self._columns.items()}
        self.row = row
        ratio = float(row["margin_ratio"])
        live = math.isfinite(ratio)
        rising = (1 / ratio if ratio > 0 else math.inf) if self._falls else ratio
        colour = style.ratio_color(rising) if live else (
            style.COLORS["liquidation"] if row["status"] == "liquidated" else
            style.COLORS["neutral"])
        position = gauge_position(ratio, self._falls) if live else (
            1.0 if row["status"] == "liquidated" else 0.0)
        with self.gauge_bar.hold_sync():
            self.gauge_bar.x = [0.0, position]
            self.gauge_bar.colors = [colour]
        with self.figure.hold_sync():
            self.cursor.x = [self.move.value] * 2
            self.cursor_dot.x = [self.move.value]
            self.cursor_dot.y = [ratio if live and ratio > 0 else 1.0]
            self.cursor_dot.colors = [colour]
        self.headline.value = self._headline(row, ratio, live)
        self.status.value = self._status(row)
        self.screen.value = self._screen_html(row)

    def _headline(self, row, ratio, live):
        name = self.venue.value
        value = style.fmt_pct(ratio) if live else "--"
        arrow = "falls ↓ to 100 % = liquidation" if self._falls else \
            "rises ↑ to 100 % = liquidation"
        return (f"<span style='font-size:16px'><b>{html.escape(short_name(name))}'s screen: "
                f"{html.escape(row['ratio_name'])} {value}</b></span> · {arrow}<br>"
                f"<span style='color:#555'>{html.escape(_RULES[name])}</span>")

    def _status(self, row):
        settle = row["collateral"]
        if row["status"] == "liquidated":
            return (style.badge("liquidated", "liquidation") +
                    f" a jump this far from the start liquidates the account: every position "
                    f"closed, {row['equity']:,.2f} {settle} left")
        if row["status"] == "partly liquidated":
            return (style.badge("partly liquidated", "warning") +
                    " the venue cut a position at this move")
        return style.badge("open", "long") + " every position is open"

    def _screen_html(self, row):
        settle = row["collateral"]
        symbols = self._table.attrs.get("symbols", {})
        mm = "maintenance margin + fee to close" if self._falls else "maintenance margin"
        rows = [("equity", f"{row['equity']:,.2f} {settle}"),
                ("wallet balance", f"{row['wallet_balance']:,.2f} {settle}"),
                (mm, f"{row['maintenance_margin']:,.2f} {settle}")]
        for symbol, own in symbols.items():
            lp = row.get(f"{symbol} liquidation_price")
            rows.append((f"{own} liquidation", style.fmt_price(lp)))
        rows += [("max withdraw", f"{row['max_withdraw']:,.2f} {settle}"),
                 ("funding", f"every {row['funding_interval_hours']:g} h"),
                 ("clearance fee, of the notional", style.fmt_pct(row["clearance_fee"], 3))]
        cells = "".join(f"<tr><td style='padding:1px 10px 1px 0;color:#444'>"
                        f"{html.escape(k)}</td><td style='text-align:right;white-space:nowrap'><b>"
                        f"{html.escape(v)}"
                        f"</b></td></tr>" for k, v in rows)
        return f"<table class='cm-venue-screen'>{cells}</table>"
