"""Margin-ratio monitor: replay a cross account over a price path, one step at a time.

The account is replayed once with :func:`crossmargin.simulation.replay.replay`; the
monitor then only reads rows of that timeline. At each step it shows the open
positions (mark, unrealized PnL, liquidation price), a gauge of the cross
account's margin ratio (maintenance margin / margin balance) against the 80 %
warning and the 100 % liquidation lines, and the ratio over time with a cursor.
A play button walks through the scenario: it moves by several steps at a time, but
step by step around every step where the ratio crosses 80 % or 100 % (or a position
opens or closes), pauses on the first step at or above 80 % and on the liquidation
with a message, and always ends on the last step. Buttons move one step back or
forward and jump to the first 80 % warning and to the liquidation.
"""
import contextlib
import html

import bqplot as bq
import ipywidgets as W
import numpy as np
import pandas as pd

from .. import scenarios
from ..engine.account import LIQUIDATION_EVENTS
from ..errors import InvalidInput
from ..simulation.replay import Order, Replay, replay as run_replay
from . import style

__all__ = ["MarginRatioMonitor", "DEFAULT_PLAN", "DEFAULT_DEPOSIT"]

#: A cross account with two longs and a small short hedge: in ``btc_crash`` it crosses
#: 80 % and is liquidated during the fall.
DEFAULT_PLAN = (
    Order("BTCUSDT", "long", margin=4_000, leverage=10),
    Order("ETHUSDT", "long", margin=3_000, leverage=10),
    Order("SOLUSDT", "short", margin=1_000, leverage=10),
)
DEFAULT_DEPOSIT = 10_000.0
#: The plots stop at 120 %: above 100 % the account is already being liquidated.
RATIO_CAP = 1.2
_CLOSING_EVENTS = {"liquidation": "liquidated", "stop_loss": "stopped out"}


class MarginRatioMonitor(W.VBox):
    """Positions table, margin-ratio gauge and margin ratio over time for one replay.

    Give a :class:`~crossmargin.simulation.replay.Replay`, or a ``path`` and a ``plan``
    (list of :class:`~crossmargin.Order`) to replay with ``deposit`` USDT. With
    nothing, it replays :data:`DEFAULT_PLAN` over ``scenarios.btc_crash()``.

    Attributes: ``step`` (IntSlider, one row of the path per step); ``play`` (Play
    over ``schedule``: ``play.value`` k shows row ``schedule[k]``); the buttons
    ``back``, ``forward`` (one step), ``to_warning`` and ``to_liquidation``;
    ``warning_step`` (first row at or above 80 %, or None) and ``message`` (why
    playback paused); ``gauge`` with ``gauge_bar``; ``figure`` with ``ratio_line``,
    ``warning_line``, ``liquidation_line``, ``cursor``, ``cursor_dot`` and
    ``liquidation_marker`` (its legend is the HTML ``key``); the labels ``clock``,
    ``status`` and ``table``;
    ``replay`` (the Replay) and ``liquidation_step`` (row of the first
    liquidation, or None).
    """

    def __init__(self, replay=None, *, path=None, plan=None, deposit=DEFAULT_DEPOSIT, step=0):
        if replay is not None:
            if path is not None or plan is not None:
                raise InvalidInput("give either a replay or a path and a plan, not both "
                                   f"(got replay and {'path' if path is not None else 'plan'})")
            if not isinstance(replay, Replay):
                raise InvalidInput(f"replay must be a Replay from simulate.replay "
                                   f"(got {type(replay).__name__})")
        else:
            path = scenarios.btc_crash() if path is None else path
            plan = DEFAULT_PLAN if plan is None else plan
            replay = run_replay(path, plan, deposit=deposit)
        self.replay = replay
        self._read(replay)
        n = len(self._x)
        if isinstance(step, bool) or not isinstance(step, (int, np.integer)) \
                or not 0 <= step < n:
            raise InvalidInput(f"step must be a whole number from 0 to {n - 1} (got {step!r})")

        self._build_schedule()
        self._syncing = False
        self._hold = None
        self.play = W.Play(value=self._tick(int(step)), min=0, max=len(self.schedule) - 1,
                           step=1, interval=80, description="Replay",
                           tooltip="play: step by step where the ratio crosses 80 % and 100 %")
        self.play.add_class("cm-play")
        self.step = W.IntSlider(value=int(step), min=0, max=n - 1, description="Step",
                                continuous_update=True,
                                layout=W.Layout(width="95%", max_width="560px"))
        self.step.add_class("cm-step")
        small = W.Layout(width="auto")
        self.back = W.Button(description="◀ 1 step", tooltip="one step back", layout=small)
        self.forward = W.Button(description="1 step ▶", tooltip="one step forward",
                                layout=small)
        self.to_warning = W.Button(description="⚠ first 80 % warning", layout=small,
                                   disabled=self.warning_step is None,
                                   tooltip="jump to the first step at or above 80 %")
        self.to_liquidation = W.Button(description="✚ liquidation", layout=small,
                                       disabled=self.liquidation_step is None,
                                       tooltip="jump to the liquidation")
        style.add_classes("cm-monitor", back=self.back, forward=self.forward,
                          to_warning=self.to_warning, to_liquidation=self.to_liquidation)
        self.back.on_click(lambda _: self.go(self.step.value - 1))
        self.forward.on_click(lambda _: self.go(self.step.value + 1))
        self.to_warning.on_click(lambda _: self.go(self.warning_step))
        self.to_liquidation.on_click(lambda _: self.go(self.liquidation_step))
        self.clock = style.value_label("cm-clock")
        self.status = style.value_label("cm-status")
        self.message = style.value_label("cm-monitor-message")
        self.table = style.html_block("cm-positions")
        self._build_gauge()
        self._build_figure()
        self.step.observe(self._on_step, names="value")
        self.play.observe(self._on_play, names="value")
        self.play.observe(self._on_playing, names="playing")
        controls = W.VBox([W.HBox([self.play, self.step]),
                           W.HBox([self.back, self.forward, self.to_warning,
                                   self.to_liquidation])])
        # what the step shows beside the chart; the positions table (wide) under both
        now = W.VBox([self.clock, self.status, self.message, self.gauge],
                     layout=W.Layout(flex="1 1 420px", min_width="0"))
        chart = W.VBox([self.figure, self.key], layout=W.Layout(flex="1 1 420px",
                                                                  min_width="0"))
        super().__init__([controls, W.HBox([now, chart],
                                           layout=W.Layout(flex_flow="row wrap",
                                                           align_items="flex-start")),
                          self.table])
        self.add_class("cm-margin-ratio-monitor")
        self.show(int(step))

    # -- playback -----------------------------------------------------------------------------
    def _build_schedule(self):
        """The rows Play visits: every ``stride``-th row, every row near (mostly before) a change of zone
        (below 80 %, at/above 80 %, at/above 100 %, nothing open) and the last row."""
        n = len(self._x)
        stride = max(1, n // 200)
        live = self._any_open
        with np.errstate(invalid="ignore"):
            zone = np.select([live & (self._ratio >= 1), live & (self._ratio >= style.WARNING_RATIO),
                              live], [2, 1, 0], default=-1)
        changes = np.flatnonzero(np.diff(zone)) + 1
        warn = np.flatnonzero(zone >= 1)
        self.warning_step = int(warn[0]) if warn.size else None
        rows = set(range(0, n, stride)) | {n - 1}
        for c in changes:
            rows.update(range(max(0, c - 2 * stride), min(n, c + stride + 1)))
        self.schedule = np.array(sorted(rows), dtype=int)
        self._pauses = {s for s in (self.warning_step, self.liquidation_step) if s is not None}

    def _tick(self, i):
        """Index in ``schedule`` of the last row at or before row ``i``."""
        return int(np.searchsorted(self.schedule, i, side="right") - 1)

    def go(self, i):
        """Show row ``i`` (clipped to the path), as the step buttons do."""
        if i is None:
            return
        self.step.value = int(min(max(int(i), 0), self.step.max))

    def _on_play(self, change):
        if self._syncing:
            return
        k = int(change["new"])
        if self._hold is not None and not self.play.playing:
            if k > self._hold:                       # ticks sent before the pause arrived
                with self._quiet():
                    self.play.value = self._hold
                return
            self._hold = None                        # moved back (e.g. the stop button)
        row = int(self.schedule[k])
        with self._quiet():
            self.step.value = row
        self.show(row)
        if self.play.playing and k == int(change["old"]) + 1 and row in self._pauses:
            self._hold = k
            self.play.playing = False
            self.message.value = self._pause_text(row)

    def _on_playing(self, change):
        if change["new"]:
            self._hold = None
            self.message.value = ""

    def _pause_text(self, row):
        if row == self.liquidation_step:
            return (f"{style.badge('paused', 'neutral')} <b>liquidated</b> at "
                    f"{self._when(row)}: press ▶ to play on to the end")
        return (f"{style.badge('paused', 'warning')} the margin ratio reached "
                f"<b>{style.fmt_pct(self._ratio[row])}</b> at {self._when(row)}: past 80 % "
                f"it is time to act. Press ▶ to go on, or use the step buttons")

    @contextlib.contextmanager
    def _quiet(self):
        """Set the Play and the slider from each other without looping back."""
        self._syncing = True
        try:
            yield
        finally:
            self._syncing = False

    # -- reading the replay once -------------------------------------------------------------
    def _read(self, replay):
        tl = replay.timeline
        account = tl["account"]
        self._index = tl.index
        self._x, self._x_label, self._x_ticks = style.time_axis(tl.index)
        self._ratio = account["margin_ratio"].to_numpy(dtype=float)
        self._equity = account["equity"].to_numpy(dtype=float)
        self._balance = account["cross_margin_balance"].to_numpy(dtype=float)
        self._maintenance = account["maintenance_margin"].to_numpy(dtype=float)
        self.symbols = [s for s in tl.columns.get_level_values(0).unique() if s != "account"]
        self._cols = {s: {c: tl[(s, c)].to_numpy(dtype=float)
                          for c in ("mark_price", "unrealized_pnl", "liquidation_price")}
                      for s in self.symbols}
        self._open = {s: ~np.isnan(self._cols[s]["unrealized_pnl"]) for s in self.symbols}
        self._first_open = {s: int(np.argmax(m)) if m.any() else None
                            for s, m in self._open.items()}
        any_open = np.logical_or.reduce([self._open[s] for s in self.symbols]) \
            if self.symbols else np.zeros(len(tl), bool)
        self._any_open = any_open
        self._ratio_shown = np.where(any_open, np.minimum(self._ratio, RATIO_CAP), np.nan)
        # Events carry the account's step counter: row = step - 1 for a fresh account.
        offset = replay.account.step - len(tl)
        events = replay.events
        closing = events[events["type"].isin(list(_CLOSING_EVENTS))]
        self._closed = {}
        for _, e in closing.iterrows():
            self._closed.setdefault(e["symbol"], []).append((int(e["step"]) - offset - 1,
                                                             _CLOSING_EVENTS[e["type"]]))
        liq = events[events["type"].isin(LIQUIDATION_EVENTS)]
        self.liquidation_step = int(liq["step"].iloc[0]) - offset - 1 if len(liq) else None
        # Side of each symbol: from its events (funding, stop, liquidation) or the final account.
        self._side = {s: "--" for s in self.symbols}
        for _, e in events.iloc[::-1].iterrows():
            if e["symbol"] in self._side and isinstance(e["side"], str):
                self._side[e["symbol"]] = e["side"]
        final = replay.account.positions()
        for s in final.index:
            if s in self._side:
                self._side[s] = final.loc[s, "side"]

    # -- figures, built once ------------------------------------------------------------------
    def _build_gauge(self):
        xs = bq.LinearScale(min=0.0, max=RATIO_CAP)
        ys = bq.LinearScale(min=0.0, max=1.0)
        sc = {"x": xs, "y": ys}
        track = bq.Lines(x=[0.0, RATIO_CAP], y=[0.5, 0.5], scales=sc, stroke_width=26,
                         colors=["#EEEEEE"])
        self.gauge_bar = bq.Lines(x=[0.0, 0.0], y=[0.5, 0.5], scales=sc, stroke_width=26,
                                  colors=[style.COLORS["long"]])
        warn = bq.Lines(x=[style.WARNING_RATIO] * 2, y=[0.05, 0.95], scales=sc, stroke_width=4,
                        colors=[style.COLORS["warning"]])
        liq = bq.Lines(x=[1.0, 1.0], y=[0.05, 0.95], scales=sc, stroke_width=4,
                       colors=[style.COLORS["liquidation"]])
        self.gauge, _, _ = style.figure("Margin ratio now (80 % warning, 100 % liquidation)",
                                        "maintenance margin / margin balance", "",
                                        x_scale=xs, y_scale=ys, css_class="cm-gauge",
                                        marks=[track, self.gauge_bar, warn, liq])
        self.gauge.layout = W.Layout(width="100%", min_width="320px", max_width="760px",
                                     height="120px")
        self.gauge.axes[0].tick_format = ".0%"
        self.gauge.axes[0].tick_values = np.round(np.arange(0, RATIO_CAP + 0.01, 0.2), 1)
        self.gauge.axes[1].visible = False

    def _build_figure(self):
        xs = bq.LinearScale(min=float(self._x[0]), max=float(self._x[-1]))
        ys = bq.LinearScale(min=0.0, max=1.1)
        sc = {"x": xs, "y": ys}
        ends = self._x[[0, -1]]
        self.ratio_line = bq.Lines(x=self._x, y=self._ratio_shown, scales=sc,
                                   colors=[style.COLORS["cross"]], stroke_width=2)
        self.warning_line = bq.Lines(x=ends, y=[style.WARNING_RATIO] * 2, scales=sc,
                                     colors=[style.COLORS["warning"]], stroke_width=3)
        self.liquidation_line = bq.Lines(x=ends, y=[1.0, 1.0], scales=sc,
                                         colors=[style.COLORS["liquidation"]], stroke_width=2)
        self.cursor = bq.Lines(x=ends[:1].repeat(2), y=[0.0, 1.1], scales=sc,
                               colors=[style.COLORS["neutral"]], line_style="dashed")
        self.cursor_dot = bq.Scatter(x=ends[:1], y=[0.0], scales=sc,
                                     colors=[style.COLORS["long"]], default_size=90,
                                     stroke=style.COLORS["text"])
        liq = self.liquidation_step
        self.liquidation_marker = bq.Scatter(
            x=self._x[[liq]] if liq is not None else [], y=[1.0] if liq is not None else [],
            scales=sc, marker="cross", colors=[style.COLORS["liquidation"]], default_size=160)
        self.figure, self.x_scale, self.y_scale = style.figure(
            "Margin ratio over the scenario", self._x_label, "margin ratio", x_scale=xs,
            y_scale=ys, css_class="cm-ratio-figure",
            marks=[self.ratio_line, self.warning_line, self.liquidation_line, self.cursor,
                   self.cursor_dot, self.liquidation_marker])
        self.figure.axes[1].tick_format = ".0%"
        if self._x_ticks is not None:
            self.figure.axes[0].tick_values = self._x_ticks
        entries = [("margin ratio (cross account)", style.COLORS["cross"], "line"),
                   ("80 % warning", style.COLORS["warning"], "line"),
                   ("100 % liquidation", style.COLORS["liquidation"], "line"),
                   ("now", style.COLORS["neutral"], "dashed")]
        if liq is not None:
            entries.append(("liquidated", style.COLORS["liquidation"], "✚"))
        self.key = style.key(entries)

    # -- one step -----------------------------------------------------------------------------
    def _on_step(self, change):
        if self._syncing:
            return
        i = int(change["new"])
        with self._quiet():
            self.play.value = self._tick(i)
        self._hold = None
        self.message.value = ""
        self.show(i)

    def _when(self, i, fmt="%H:%M"):
        return self._index[i].strftime(fmt) if isinstance(self._index, pd.DatetimeIndex) \
            else f"step {i}"

    def show(self, i):
        """Show row ``i`` of the timeline (what moving the slider does)."""
        i = int(i)
        ratio = self._ratio[i]
        shown = self._ratio_shown[i]
        live = bool(self._any_open[i])
        colour = style.ratio_color(ratio) if live else style.COLORS["neutral"]
        x = self._x[[i]]
        with self.gauge_bar.hold_sync():
            self.gauge_bar.x = [0.0, shown if live else 0.0]
            self.gauge_bar.colors = [colour]
        with self.cursor.hold_sync():
            self.cursor.x = x.repeat(2)
        with self.cursor_dot.hold_sync():
            self.cursor_dot.x, self.cursor_dot.y = x, [shown if live else 0.0]
            self.cursor_dot.colors = [colour]
        self.clock.value = (f"<b>{self._when(i, '%Y-%m-%d %H:%M UTC')}</b> · step {i:,} of "
                            f"{len(self._x) - 1:,}")
        self.status.value = self._status(i, ratio, live, colour)
        self.table.value = self._table(i)

    def _status(self, i, ratio, live, colour):
        money = (f"equity {style.fmt_usdt(self._equity[i])} · margin balance "
                 f"{style.fmt_usdt(self._balance[i])} · maintenance margin "
                 f"{style.fmt_usdt(self._maintenance[i])}")
        if not live:
            liq = self.liquidation_step
            if liq is not None and i >= liq:
                return (f"{style.badge('liquidated', 'liquidation')} at {self._when(liq)}: "
                        f"every cross position was closed · {money}")
            return f"Margin ratio -- (no open position) · {money}"
        if ratio >= 1:
            word = style.badge("100 %: liquidation", "liquidation")
        elif ratio >= style.WARNING_RATIO:
            word = style.badge("above 80 %: act now", "warning")
        else:
            word = style.badge("below 80 %", "long")
        return (f"Margin ratio <b style='color:{colour}'>{style.fmt_pct(ratio)}</b> {word} · "
                f"{money}")

    def _table(self, i):
        head = ("<tr><th>symbol</th><th>side</th><th>mark price</th><th>unrealized PnL</th>"
                "<th>liquidation price</th><th>distance to liquidation</th><th>status</th></tr>")
        rows = []
        for s in self.symbols:
            c = self._cols[s]
            side = self._side[s]
            colour = style.COLORS.get(side, style.COLORS["text"])
            mark = c["mark_price"][i]
            if self._open[s][i]:
                lp = c["liquidation_price"][i]
                distance = "--" if np.isnan(lp) else style.fmt_pct(abs(mark - lp) / mark)
                upnl = round(float(c["unrealized_pnl"][i]), 2) + 0.0     # no "-0.00"
                cells = (style.fmt_usdt(upnl), style.fmt_price(lp), distance, "open")
            else:
                closed = [(row, what) for row, what in self._closed.get(s, []) if row <= i]
                first = self._first_open[s]
                state = (f"{closed[-1][1]} at {self._when(closed[-1][0])}" if closed
                         else "not open yet" if first is not None and i < first
                         else "no position")
                cells = ("--", "--", "--", state)
            rows.append(f"<tr><td>{html.escape(s)}</td><td style='color:{colour}'>"
                        f"<b>{html.escape(side)}</b></td><td>{style.fmt_price(mark)}</td>"
                        + "".join(f"<td>{html.escape(v)}</td>" for v in cells) + "</tr>")
        return ("<table class='cm-positions-table' style='font-size:14px;border-collapse:"
                "collapse;text-align:right' cellpadding='4'>" + head + "".join(rows)
                + "</table>")
