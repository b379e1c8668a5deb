"""Reserve / what-if tool: how much to keep in reserve, and what one more trade would do.

Top: the odds that a plan is liquidated within some days, against the share of the
deposit kept in reserve (not committed as margin), cross (blue) and isolated (orange),
from :func:`crossmargin.lessons.reserve.reserve_outcomes` over a small set of seeded random paths.
The leverage slider re-runs that Monte Carlo (on release, cached per plan and leverage);
the reserve slider only moves the markers, so it responds at once.

Bottom: a pre-trade check on the plan's cross account at the chosen reserve and leverage:
:func:`crossmargin.lessons.reserve.what_if` (``Account.preview_open`` on a copy) gives the margin
ratio and every liquidation price after a proposed order, before it is placed. A
proposed order against a position the plan holds (a short BTC on a plan long BTC) is not
a new position: in one-way mode it reduces, closes or flips the one held. The tool refuses
it as a proposal and shows, from the engine, what it would do to that position.
"""
import time

import bqplot as bq
import ipywidgets as W
import numpy as np

from .._validate import positive, side_sign
from ..errors import CrossMarginError, InvalidInput
from ..lessons.reserve import (PLANS, RESERVES, SYMBOLS, market_paths, open_plan, reserve_outcomes,
                       scaled_plan, what_if)
from ..scenarios import START_PRICES
from . import style

__all__ = ["ReserveTool"]

MAX_LEVERAGE = 25


def _refused(text):
    colour = style.COLORS["liquidation"]
    return f"<span style='color:{colour}'><b>Refused:</b> {text}</span>"


class ReserveTool(W.VBox):
    """Reserve and leverage sliders → odds of a liquidation; a proposed order → what-if.

    Controls: ``plan`` (a name from :data:`crossmargin.lessons.reserve.PLANS`), ``reserve``
    (share of the deposit, 0.05-0.90), ``leverage`` (1-25x, every position), and the
    proposed order ``trade_symbol``, ``trade_side``, ``trade_margin`` (USDT, at the same
    leverage, cross). Marks: ``cross_line``, ``isolated_line`` (odds in % against the
    reserve in %), ``markers`` (both odds at the current reserve) and ``reserve_rule``;
    ``key`` is the legend under the figure.
    Labels: ``summary_label``, ``cross_label``, ``isolated_label``, ``status``,
    ``ratio_label``, ``trade_label`` and the HTML ``liquidation_table``. ``table`` is the
    engine's tidy result for the current plan and leverage, ``account`` the plan's cross
    account and ``check`` the last :class:`~crossmargin.lessons.reserve.WhatIf` (None if refused).
    """

    def __init__(self, plan="two bets: long BTC, long SOL", *, reserve=0.5, leverage=10,
                 deposit=10_000.0, n_paths=500, days=10, steps_per_day=24, seed=10,
                 trade_symbol="ETHUSDT", trade_side="long", trade_margin=1_000.0):
        if plan not in PLANS:
            raise InvalidInput(f"plan must be one of {', '.join(map(repr, PLANS))} "
                               f"(got {plan!r})")
        grid = np.asarray(RESERVES)
        reserve = positive(reserve, "reserve")
        if np.abs(grid - reserve).min() > 1e-9:
            raise InvalidInput(f"reserve must be one of {grid[0]:g} to {grid[-1]:g} in steps "
                               f"of 0.05 (got {reserve!r})")
        if isinstance(leverage, bool) or leverage != int(leverage) or \
                not 1 <= leverage <= MAX_LEVERAGE:
            raise InvalidInput(f"leverage must be a whole number from 1 to {MAX_LEVERAGE} "
                               f"(got {leverage!r})")
        if trade_symbol not in SYMBOLS:
            raise InvalidInput(f"trade_symbol must be one of {', '.join(SYMBOLS)} "
                               f"(got {trade_symbol!r})")
        side_sign(trade_side, "trade_side")
        self.deposit = positive(deposit, "deposit")
        self.paths = market_paths(n_paths, days=days, steps_per_day=steps_per_day, seed=seed)
        self.days = days
        self.grid = grid
        self.table = None
        self.account = None
        self.check = None
        self._tables = {}
        self.compute_seconds = 0.0

        wide = {"description_width": "initial"}
        self.plan = W.Dropdown(options=list(PLANS), value=plan, description="Plan", style=wide,
                               layout=style.control_layout())
        self.reserve = style.slider("Reserve (share of the deposit kept back)", reserve,
                                    float(grid[0]), float(grid[-1]), 0.05, fmt=".0%")
        self.leverage = style.int_slider("Leverage (x), every position", leverage, 1,
                                         MAX_LEVERAGE, continuous_update=False)
        self.trade_symbol = W.Dropdown(options=SYMBOLS, value=trade_symbol,
                                       description="Proposed order", style=wide)
        self.trade_side = W.ToggleButtons(options=[("Long", "long"), ("Short", "short")],
                                          value=trade_side, style={"button_width": "80px"})
        self.trade_margin = W.BoundedFloatText(value=positive(trade_margin, "trade_margin"),
                                               min=0.0, max=1e9, description="margin (USDT)",
                                               style=wide, layout=W.Layout(width="230px"))
        style.add_classes("cm-reserve-tool", plan=self.plan, reserve=self.reserve,
                          leverage=self.leverage, trade_symbol=self.trade_symbol,
                          trade_side=self.trade_side, trade_margin=self.trade_margin)

        self.status = style.value_label("cm-reserve-tool-status")
        self.summary_label = style.value_label("cm-reserve-tool-summary")
        self.cross_label = style.value_label("cm-reserve-tool-cross")
        self.isolated_label = style.value_label("cm-reserve-tool-isolated")
        self.ratio_label = style.value_label("cm-reserve-tool-ratio")
        self.trade_label = style.value_label("cm-reserve-tool-trade")
        self.liquidation_table = style.html_block("cm-reserve-tool-liquidations")
        self._build_figure(n_paths)

        column = W.Layout(flex="1 1 440px", min_width="0")
        row = W.Layout(flex_flow="row wrap", align_items="flex-start")
        super().__init__([
            W.HTML(f"<b>Keep a reserve?</b> 10-day odds over {n_paths:,} seeded random paths "
                   f"(hourly marks), {self.deposit:,.0f} USDT deposit"),
            W.HBox([W.VBox([self.plan, self.reserve, self.leverage, self.status,
                            self.summary_label, self.cross_label, self.isolated_label],
                           layout=column),
                    W.VBox([self.figure, self.key], layout=column)], layout=row),
            W.HTML("<b>Pre-trade check</b> on the plan's cross account (Account.preview_open)"),
            W.HBox([W.VBox([W.HBox([self.trade_symbol, self.trade_side],
                                   layout=W.Layout(flex_flow="row wrap")),
                            self.trade_margin], layout=column),
                    W.VBox([self.ratio_label, self.trade_label, self.liquidation_table],
                           layout=column)], layout=row)])
        self.add_class("cm-reserve-tool")

        self.plan.observe(self._on_plan_or_leverage, names="value")
        self.leverage.observe(self._on_plan_or_leverage, names="value")
        self.reserve.observe(self._on_reserve, names="value")
        for control in (self.trade_symbol, self.trade_side, self.trade_margin):
            control.observe(self._on_trade, names="value")
        self._on_plan_or_leverage()

    def _build_figure(self, n_paths):
        xs = bq.LinearScale(min=0.0, max=100.0)
        ys = bq.LinearScale(min=0.0, max=100.0)
        scales = {"x": xs, "y": ys}
        colors = style.COLORS
        self.isolated_line = bq.Lines(scales=scales, colors=[colors["isolated"]], stroke_width=4)
        self.cross_line = bq.Lines(scales=scales, colors=[colors["cross"]], stroke_width=4)
        self.reserve_rule = bq.Lines(x=[0.0, 0.0], y=[0.0, 100.0], scales=scales,
                                     colors=[colors["neutral"]], line_style="dashed",
                                     stroke_width=1)
        self.markers = bq.Scatter(x=[], y=[], scales=scales, marker="circle", default_size=140,
                                  colors=[colors["cross"], colors["isolated"]], stroke="white")
        self.figure, _, _ = style.figure(
            f"Odds of a liquidation within {self.days} days ({n_paths:,} paths)",
            "reserve (% of the deposit not used as margin)", "paths liquidated (%)",
            x_scale=xs, y_scale=ys, css_class="cm-reserve-tool-figure",
            marks=[self.reserve_rule, self.isolated_line, self.cross_line, self.markers])
        for axis in self.figure.axes:
            axis.tick_values = np.arange(0.0, 101.0, 20.0)
        self.figure.layout = W.Layout(width="100%", min_width="320px", max_width="760px",
                                      height="300px")
        self.key = style.key([("cross: the whole account liquidated", colors["cross"], "line"),
                              ("isolated: some position liquidated", colors["isolated"], "line"),
                              ("current reserve", colors["neutral"], "dashed")])

    # -- engine -----------------------------------------------------------------------------
    def _orders(self, reserve=None):
        """The plan at the slider's reserve and leverage (margins in USDT)."""
        return scaled_plan(PLANS[self.plan.value],
                           self.reserve.value if reserve is None else reserve,
                           deposit=self.deposit, leverage=self.leverage.value)

    def _compute(self):
        """The tidy odds table of the current plan and leverage (cached)."""
        key = (self.plan.value, self.leverage.value)
        if key not in self._tables:
            started = time.perf_counter()
            self._tables[key] = reserve_outcomes(PLANS[self.plan.value], self.paths, SYMBOLS,
                                                 reserves=self.grid, deposit=self.deposit,
                                                 leverage=self.leverage.value)
            self.compute_seconds = time.perf_counter() - started
        return self._tables[key]

    # -- events -----------------------------------------------------------------------------
    def _on_plan_or_leverage(self, _change=None):
        self.status.value = "<i>computing… (a Monte Carlo per reserve)</i>"
        try:
            self.table = self._compute()
        except CrossMarginError as err:
            self.table = None
            self.status.value = _refused(str(err))
            with self.cross_line.hold_sync(), self.isolated_line.hold_sync():
                self.cross_line.x = self.cross_line.y = []
                self.isolated_line.x = self.isolated_line.y = []
            self._on_reserve()
            return
        self.status.value = ""
        x = self.grid * 100
        by_mode = {m: g["p_liquidation"].to_numpy() * 100
                   for m, g in self.table.groupby("mode", sort=False)}
        with self.cross_line.hold_sync(), self.isolated_line.hold_sync():
            self.cross_line.x, self.cross_line.y = x, by_mode["cross"]
            self.isolated_line.x, self.isolated_line.y = x, by_mode["isolated"]
        self._on_reserve()

    def _row(self, mode):
        index = int(np.abs(self.grid - self.reserve.value).argmin())
        rows = self.table[self.table["mode"] == mode]
        return rows.iloc[index]

    def _on_reserve(self, _change=None):
        reserve = self.reserve.value
        with self.markers.hold_sync(), self.reserve_rule.hold_sync():
            self.reserve_rule.x = [reserve * 100, reserve * 100]
            if self.table is None:
                self.markers.x, self.markers.y = [], []
            else:
                cross, isolated = self._row("cross"), self._row("isolated")
                self.markers.x = [reserve * 100, reserve * 100]
                self.markers.y = [cross["p_liquidation"] * 100, isolated["p_liquidation"] * 100]
        if self.table is None:
            for label in (self.summary_label, self.cross_label, self.isolated_label):
                label.value = "--"
        else:
            self._describe(cross, isolated)
        self._on_trade()

    def _describe(self, cross, isolated):
        reserve = self.reserve.value
        self.summary_label.value = (
            f"Reserve {style.fmt_usdt(reserve * self.deposit, 0)}; margin "
            f"{style.fmt_usdt(cross['margin'], 0)} at {self.leverage.value}x → notional "
            f"{style.fmt_usdt(cross['notional'], 0)}: the cross account starts at "
            f"<b>{cross['effective_leverage']:.2f}x</b> effective leverage")
        self.cross_label.value = (
            f"{style.badge('cross', 'cross')} whole account liquidated on "
            f"<b>{style.fmt_pct(cross['p_liquidation'], 1)}</b> of the paths; "
            f"median equity after {self.days} days {style.fmt_usdt(cross['median_equity'], 0)}")
        self.isolated_label.value = (
            f"{style.badge('isolated', 'isolated')} a position liquidated on "
            f"<b>{style.fmt_pct(isolated['p_liquidation'], 1)}</b>, every position on "
            f"{style.fmt_pct(isolated['p_all_liquidated'], 1)}; median equity "
            f"{style.fmt_usdt(isolated['median_equity'], 0)}")

    def _on_trade(self, _change=None):
        symbol, side = self.trade_symbol.value, self.trade_side.value
        try:
            self.account = open_plan(self._orders(), START_PRICES, deposit=self.deposit,
                                     margin_mode="cross")
            held = self.account.positions()
            if symbol in held.index and held.loc[symbol, "side"] != side:
                self._refuse_opposite(symbol, side, held.loc[symbol])
                return
            self.check = what_if(self.account, symbol, side, margin=self.trade_margin.value,
                                 leverage=self.leverage.value)
        except CrossMarginError as err:
            self._refuse(str(err))
            return
        self._show_check()

    def _refuse(self, text):
        self.check = None
        self.ratio_label.value = "Cross margin ratio: --"
        self.trade_label.value = _refused(text)
        self.liquidation_table.value = ""

    def _refuse_opposite(self, symbol, side, position):
        """Refuse an order against a held position, and show what it would do to it."""
        base = self.account.contracts[symbol].base
        held = f"{position['side']} {position['contracts']:,.6g} {base}"
        trial = self.account.copy()                       # the engine's answer, on a copy
        try:
            trial.set_leverage(symbol, self.leverage.value)
            trial.open(symbol, side, trial.mark_price(symbol), margin=self.trade_margin.value)
        except CrossMarginError as err:
            effect = f"the account refuses it anyway: {err}"
        else:
            after = trial.positions()
            if symbol not in after.index:
                effect = f"it would close the {held} position"
            else:
                now = after.loc[symbol]
                verb = "reduce" if now["side"] == position["side"] else "close and flip"
                effect = (f"it would {verb} it: {held} → <b>{now['side']} "
                          f"{now['contracts']:,.6g} {base}</b>")
        self._refuse(
            f"the plan holds a <b>{held}</b> {symbol} position. In one-way mode a {side} "
            f"{symbol} order is not a new position (not a hedge): it trades against the one "
            f"held — {effect}. Propose another symbol, or {position['side']} to add to it.")

    def _show_check(self):
        symbol, side = self.trade_symbol.value, self.trade_side.value
        preview = self.check.preview
        before, after = preview["margin_ratio_before"], preview["margin_ratio_after"]
        colour = style.ratio_color(after)
        warn = (" " + style.badge("above 80 %: do not add it", "warning")
                if after >= style.WARNING_RATIO else "")
        self.ratio_label.value = (f"Cross margin ratio: {style.fmt_pct(before)} → "
                                  f"<b style='color:{colour}'>{style.fmt_pct(after)}</b>{warn}")
        self.trade_label.value = (
            f"{side} {symbol}: cost {style.fmt_usdt(preview['cost'])}; available "
            f"{style.fmt_usdt(preview['available_before'])} → "
            f"<b>{style.fmt_usdt(preview['available_after'])}</b>")
        rows = "".join(
            f"<tr><td>{s}</td><td>{style.fmt_price(r['mark_price'])}</td>"
            f"<td>{style.fmt_price(r['liquidation_before'])}</td>"
            f"<td><b>{style.fmt_price(r['liquidation_after'])}</b></td></tr>"
            for s, r in self.check.positions.iterrows())
        self.liquidation_table.value = (
            "<table style='border-spacing:14px 2px'><tr><th>symbol</th><th>mark</th>"
            "<th>liquidation price before</th><th>liquidation price after</th></tr>"
            f"{rows}</table>")
