"""Reserve / what-if tool: how much to keep in reserve, and what one more trade would do.

Top: the odds that a plan is liquidated within some days, against the share of the
deposit kept in reserve (not committed as margin), cross (blue) and isolated (orange),
from :func:`crossmargin.lessons.reserve.reserve_outcomes` over a small set of seeded random paths.
Each plan × leverage (2 × 25) is one cell of a :class:`~crossmargin.widgets.precompute.Grid`:
the tool computes the one it opens on, then the others in the background, nearest first
(tens of seconds for 500 paths); a leverage or plan move is a lookup, and a setting not
reached yet shows "computing…" and is computed next. The reserve slider only moves the
markers, so it responds at once.

Bottom: a pre-trade check on the plan's cross account at the chosen reserve and leverage:
:func:`crossmargin.lessons.reserve.what_if` (``Account.preview_open`` on a copy) gives the margin
ratio and every liquidation price after a proposed order, before it is placed. A
proposed order against a position the plan holds (a short BTC on a plan long BTC) is not
a new position: in one-way mode it reduces, closes or flips the one held. The tool refuses
it as a proposal and shows, from the engine, what it would do to that position.
"""
from collections import namedtuple

import bqplot as bq
import ipywidgets as W
import numpy as np

from .._validate import positive, side_sign
from ..errors import CrossMarginError, InvalidInput
from ..lessons.reserve import (PLANS, RESERVES, SYMBOLS, market_paths, open_plan, reserve_outcomes,
                       scaled_plan, what_if)
from ..scenarios import START_PRICES
from . import precompute, style

__all__ = ["ReserveTool"]

MAX_LEVERAGE = 25
#: Pre-trade checks kept per tool (the oldest goes first).
CHECKS_KEPT = 2_000
#: A refused check's (WhatIf, ratio line): the trade line and the table follow.
_REFUSED_VIEW = (None, "Cross margin ratio: --")


def _refused(text):
    colour = style.COLORS["liquidation"]
    return f"<span style='color:{colour}'><b>Refused:</b> {text}</span>"


#: One plan × leverage: the engine's tidy ``table``, each mode's odds in % (``lines``, one per
#: reserve) and its rows as dicts (``rows``, one per reserve), both in the reserves' order.
Odds = namedtuple("Odds", "table lines rows")


class _Odds:
    """compute(key) of a ReserveTool's grid: ``reserve_outcomes`` of (plan, leverage) over the
    tool's paths at every reserve of the slider."""

    def __init__(self, paths, reserves, deposit):
        self.paths, self.reserves, self.deposit = paths, reserves, deposit

    def __call__(self, key):
        plan, leverage = key
        table = reserve_outcomes(PLANS[plan], self.paths, SYMBOLS, reserves=self.reserves,
                                 deposit=self.deposit, leverage=leverage)
        lines = {m: g["p_liquidation"].to_numpy() * 100
                 for m, g in table.groupby("mode", sort=False)}
        records = table.to_dict("records")
        rows = {m: [r for r in records if r["mode"] == m] for m in lines}
        return Odds(table, lines, rows)


def _nearest_first(plans, leverages, start):
    """The grid's keys: the start plan first, its leverages nearest the start one first."""
    plan, leverage = start
    return [(p, x) for p in sorted(plans, key=lambda p: p != plan)
            for x in sorted(leverages, key=lambda x: abs(x - leverage))]


class ReserveTool(precompute.GridTool, W.VBox):
    """Reserve and leverage sliders → odds of a liquidation; a proposed order → what-if.

    Controls: ``plan`` (a name from :data:`crossmargin.lessons.reserve.PLANS`), ``reserve``
    (share of the deposit, 0.05-0.90), ``leverage`` (1-25x, every position), and the
    proposed order ``trade_symbol``, ``trade_side``, ``trade_margin`` (USDT, at the same
    leverage, cross). Marks: ``cross_line``, ``isolated_line`` (odds in % against the
    reserve in %), ``markers`` (both odds at the current reserve) and ``reserve_rule``;
    ``key`` is the legend under the figure.
    Labels: ``summary_label``, ``cross_label``, ``isolated_label``, ``status``,
    ``ratio_label``, ``trade_label`` and the HTML ``liquidation_table``. ``table`` is the
    engine's tidy result for the current plan and leverage (None while it is computing or
    when refused), ``account`` the plan's cross account and ``check`` the last
    :class:`~crossmargin.lessons.reserve.WhatIf` (None if refused). ``precomputed``: the
    :class:`~crossmargin.widgets.precompute.Grid` of the odds per plan and leverage, shared by
    the tools built with the same paths and deposit.

    ``background=True``: the grid fills on a worker thread after the build, and a plan or
    leverage not computed yet shows "computing…" until it is (:meth:`wait` blocks until
    then); ``background=False``: a move to a new setting computes it there and then.
    """

    WAIT_SECONDS = 120
    COMPUTING = "<i>computing… (a Monte Carlo per reserve)</i>"
    COMPUTED = "computed in {seconds:.1f} s"

    def __init__(self, plan="two bets: long BTC, long SOL", *, reserve=0.5, leverage=10,
                 deposit=10_000.0, n_paths=500, days=10, steps_per_day=24, seed=10,
                 trade_symbol="ETHUSDT", trade_side="long", trade_margin=1_000.0,
                 background=True):
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
        if not isinstance(background, bool):
            raise InvalidInput(f"background must be True or False (got {background!r})")
        self.deposit = positive(deposit, "deposit")
        self.paths = market_paths(n_paths, days=days, steps_per_day=steps_per_day, seed=seed)
        self.days = days
        self.grid = grid
        self.table = None
        self.account = None
        self.check = None
        self.compute_seconds = 0.0
        keys = _nearest_first(PLANS, range(1, MAX_LEVERAGE + 1), (plan, int(leverage)))
        shared = None if seed is None else ("ReserveTool", n_paths, days, steps_per_day, seed,
                                            self.deposit)
        self._watch(precompute.shared(shared, _Odds(self.paths, grid, self.deposit), keys),
                    background)
        self._odds = None               # the Odds on screen (None: computing or refused)
        self._checks = {}               # pre-trade check key -> what the labels show

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

        self._select(now=True)                  # the setting it opens on: computed here
        self.plan.observe(self._select, names="value")
        self.leverage.observe(self._select, names="value")
        self.reserve.observe(self._on_reserve, names="value")
        for control in (self.trade_symbol, self.trade_side, self.trade_margin):
            control.observe(self._on_trade, names="value")
        self._follow()

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

    def _key(self):
        return self.plan.value, self.leverage.value

    # -- events (a plan or leverage move: GridTool._select) ------------------------------------
    def _computing(self, key):
        """Not computed yet: dim the curves, drop the markers."""
        self._odds, self.table = None, None
        with self.cross_line.hold_sync(), self.isolated_line.hold_sync():
            self.cross_line.opacities = self.isolated_line.opacities = [0.3]
        self._show_status("<i>computing… (a Monte Carlo per reserve, next in line)</i>")
        self._on_reserve()

    def _show(self, key, note=""):
        self._shown, self._note = key, note
        self.compute_seconds = self.precomputed.seconds.get(key, self.compute_seconds)
        try:
            self._odds = self.precomputed.get(key)
        except CrossMarginError as err:
            self._odds = self.table = None
            self.status.value = _refused(str(err))
            with self.cross_line.hold_sync(), self.isolated_line.hold_sync():
                self.cross_line.x = self.cross_line.y = []
                self.isolated_line.x = self.isolated_line.y = []
                self.cross_line.opacities = self.isolated_line.opacities = []
            self._on_reserve()
            return
        self.table = self._odds.table
        self._show_status(note)
        x = self.grid * 100
        with self.cross_line.hold_sync(), self.isolated_line.hold_sync():
            self.cross_line.x, self.cross_line.y = x, self._odds.lines["cross"]
            self.isolated_line.x, self.isolated_line.y = x, self._odds.lines["isolated"]
            if self.cross_line.opacities:
                self.cross_line.opacities = self.isolated_line.opacities = []
        self._on_reserve()

    def _show_status(self, note):
        done, total = self.precomputed.progress
        grid = ("" if done == total else f"{done} of {total} plan × leverage settings computed"
                + (", the rest in the background" if self.background else ""))
        self.status.value = f"<small>{' · '.join(p for p in (note, grid) if p)}</small>"

    def _row(self, mode):
        index = int(np.abs(self.grid - self.reserve.value).argmin())
        return self._odds.rows[mode][index]

    def _on_reserve(self, _change=None):
        reserve = self.reserve.value
        with self._lock:
            with self.markers.hold_sync(), self.reserve_rule.hold_sync():
                self.reserve_rule.x = [reserve * 100, reserve * 100]
                if self._odds is None:
                    self.markers.x, self.markers.y = [], []
                else:
                    cross, isolated = self._row("cross"), self._row("isolated")
                    self.markers.x = [reserve * 100, reserve * 100]
                    self.markers.y = [cross["p_liquidation"] * 100,
                                      isolated["p_liquidation"] * 100]
            if self._odds is not None:
                self._describe(cross, isolated)
            else:
                blank = "<i>computing…</i>" if self._shown is None else "--"
                for label in (self.summary_label, self.cross_label, self.isolated_label):
                    label.value = blank
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
        """The pre-trade check of the plan's account at the reserve and leverage chosen (each
        check is kept: moving back to a setting is a lookup)."""
        symbol, side = self.trade_symbol.value, self.trade_side.value
        key = (self.plan.value, self.reserve.value, self.leverage.value, symbol, side,
               self.trade_margin.value)
        with self._lock:
            try:
                orders = self._orders()
                self.account = open_plan(orders, START_PRICES, deposit=self.deposit,
                                         margin_mode="cross")
            except CrossMarginError as err:
                view = _REFUSED_VIEW + (_refused(str(err)), "")
            else:
                view = self._checks.get(key) or self._check(orders, symbol, side)
            self._checks[key] = view
            while len(self._checks) > CHECKS_KEPT:
                del self._checks[next(iter(self._checks))]
            self.check, self.ratio_label.value, self.trade_label.value, \
                self.liquidation_table.value = view

    def _check(self, orders, symbol, side):
        """(WhatIf or None, ratio line, trade line, liquidation table) of the order proposed."""
        held = {o.symbol: o.side for o in orders}              # the plan's positions' sides
        try:
            if held.get(symbol, side) != side:
                return _REFUSED_VIEW + (self._opposite(symbol, side), "")
            check = what_if(self.account, symbol, side, margin=self.trade_margin.value,
                            leverage=self.leverage.value)
        except CrossMarginError as err:
            return _REFUSED_VIEW + (_refused(str(err)), "")
        preview = check.preview
        before, after = preview["margin_ratio_before"], preview["margin_ratio_after"]
        colour = style.ratio_color(after)
        warn = (" " + style.badge("above 80 %: do not add it", "warning")
                if after >= style.WARNING_RATIO else "")
        ratio = (f"Cross margin ratio: {style.fmt_pct(before)} → "
                 f"<b style='color:{colour}'>{style.fmt_pct(after)}</b>{warn}")
        trade = (f"{side} {symbol}: cost {style.fmt_usdt(preview['cost'])}; available "
                 f"{style.fmt_usdt(preview['available_before'])} → "
                 f"<b>{style.fmt_usdt(preview['available_after'])}</b>")
        columns = ["mark_price", "liquidation_before", "liquidation_after"]
        rows = "".join(
            f"<tr><td>{s}</td><td>{style.fmt_price(mark)}</td>"
            f"<td>{style.fmt_price(was)}</td>"
            f"<td><b>{style.fmt_price(now)}</b></td></tr>"
            for s, (mark, was, now) in zip(check.positions.index,
                                           check.positions[columns].to_numpy()))
        table = ("<table style='border-spacing:14px 2px'><tr><th>symbol</th><th>mark</th>"
                 "<th>liquidation price before</th><th>liquidation price after</th></tr>"
                 f"{rows}</table>")
        return check, ratio, trade, table

    def _opposite(self, symbol, side):
        """Refuse an order against a held position, and say what it would do to it."""
        position = self.account.positions().loc[symbol]
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
        return _refused(
            f"the plan holds a <b>{held}</b> {symbol} position. In one-way mode a {side} "
            f"{symbol} order is not a new position (not a hedge): it trades against the one "
            f"held — {effect}. Propose another symbol, or {position['side']} to add to it.")
