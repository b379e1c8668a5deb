"""Capstone report: one graded portfolio on the stress day, in three plots and plain words.

Give it what :func:`crossmargin.lessons.capstone.grade` returned::

    report = grade(portfolio)
    CapstoneReport(report)

On top, the verdict and the numbers it rests on (the stress-day loss against the
rules' limit, the liquidation odds against theirs), then the ``hour`` slider. Below,
in a grid that fits a laptop screen: how far each price moved from the start (%),
coloured by the side you hold (long green, short purple, not held grey); the
account's equity against the loss limit, with a vermillion ✚ at every liquidation
and a grey ◆ at every stop-loss fill; the margin ratio of the cross account (blue)
and of each isolated position (orange) against the 80 % warning and 100 %
liquidation lines; and the explanation in words. The x axis counts hours since the
start of the day (UTC); the slider moves a cursor over the three plots and says
where everything stood at that moment. The widget only reads the grade: every
number comes from the engine's replay.

Before the learner has built a portfolio (``grade(...)`` of the exercise's
placeholder), it shows only what to do; a portfolio that broke a constraint shows
its violations, without plots.
"""
import html

import bqplot as bq
import ipywidgets as W
import numpy as np

from .._validate import finite
from ..lessons.capstone import (DEPOSIT, MAX_LIQUIDATION_ODDS, MAX_STRESS_LOSS, RECKLESS_PAIR, Grade,
                        duration, grade)
from ..errors import InvalidInput
from . import style

__all__ = ["CapstoneReport"]

#: The ratio plot stops at 120 %: from 100 % the account (or position) is liquidated.
RATIO_CAP = 1.2
#: bqplot line styles of the isolated positions' ratio lines, and the CSS border of their key.
_ISOLATED_STYLES = (("solid", "solid"), ("dashed", "dashed"), ("dotted", "dotted"))
_LAYOUT = dict(width="100%", min_width="300px", height="240px")
_MARGIN = {"top": 30, "bottom": 40, "left": 70, "right": 15}
#: The grid of plots: two columns where there is room, one on a narrow screen.
_GRID = dict(grid_template_columns="repeat(auto-fit, minmax(380px, 1fr))",
             grid_gap="4px 16px", width="100%")


def _swatch(label, colour, css):
    return (f"<span style='margin-right:18px;white-space:nowrap'><span style='display:"
            f"inline-block;width:26px;vertical-align:middle;border-top:4px {css} {colour};"
            f"box-shadow:0 0 0 1px #bbb'></span> {html.escape(label)}</span>")


class CapstoneReport(W.VBox):
    """A graded capstone portfolio: prices, equity and margin ratios over the stress day,
    the verdict and the explanation.

    ``report``: a :class:`~crossmargin.lessons.capstone.Grade` (default: the grade of
    :data:`~crossmargin.lessons.capstone.RECKLESS_PAIR`); ``hour``: where the cursor starts
    (hours since the start of the day).

    Attributes: ``hour`` (FloatSlider) and the labels ``verdict``, ``numbers``, ``now``
    and ``text``; ``prices_figure`` with ``price_lines`` (dict by symbol);
    ``equity_figure`` with ``equity_line``, ``deposit_line``, ``loss_limit_line``,
    ``liquidation_markers`` and ``stop_markers``; ``ratio_figure`` with ``ratio_lines``
    (dict by name, as in ``report.ratios``), ``warning_line``, ``liquidation_line`` and
    ``ratio_liquidation_markers``; ``cursors`` (one per figure); ``x`` (hours); ``grid``
    (the plots and the words). Shown: the verdict, the numbers and the grid when the
    portfolio was graded; only the verdict and what to do when it was not (the
    placeholder ``...`` or a broken constraint).
    """

    def __init__(self, report=None, *, hour=0.0):
        if report is None:
            report = grade(list(RECKLESS_PAIR))
        if not isinstance(report, Grade):
            raise InvalidInput(f"report must be what capstone.grade(portfolio) returns "
                               f"(got {type(report).__name__})")
        self.report = report
        self.x, x_label, ticks = style.time_axis(report.path.index)
        end = float(self.x[-1])
        start = finite(hour, "hour")
        if not 0 <= start <= end:
            raise InvalidInput(f"hour must be from 0 to {end:g} (got {hour!r})")
        graded = report.replay is not None
        self._sides = ({s: p["side"] for s, p in report.positions.iterrows()} if graded else {})
        if graded:
            self._equity = report.replay.timeline[("account", "equity")].to_numpy(dtype=float)
            self._ratios = {n: report.ratios[n].to_numpy(dtype=float) for n in report.ratios}
            self._closings = self._read_closings()
        self._moves = {s: report.path[s].to_numpy(dtype=float) / report.path[s].iloc[0] - 1
                       for s in report.path.columns}
        self._build_prices(x_label, ticks)
        self._build_equity(x_label, ticks, graded)
        self._build_ratios(x_label, ticks, graded)
        self.cursors = [self._cursor(f) for f in (self.prices_figure, self.equity_figure,
                                                  self.ratio_figure)]
        self.hour = style.slider("Hour of the day", start, 0.0, end, 1 / 12, fmt=".2f",
                                 css_class="cm-hour")
        self.hour.disabled = not graded
        self.verdict = style.value_label("cm-verdict")
        self.numbers = style.value_label("cm-numbers")
        self.now = style.value_label("cm-now")
        self.text = style.html_block("cm-report-text")
        self._fill_text(graded)
        self.hour.observe(self._on_hour, names="value")
        self.grid = W.GridBox(
            [W.VBox([self.prices_figure, self.prices_key]),
             W.VBox([self.equity_figure, self.equity_key]),
             W.VBox([self.ratio_figure, self.ratio_key]), self.text],
            layout=W.Layout(**_GRID))
        shown = ([self.verdict, self.numbers, self.hour, self.now, self.grid] if graded
                 else [self.verdict, self.numbers, self.text] if report.answered
                 else [self.verdict, self.numbers])
        super().__init__(shown, layout=W.Layout(max_width="1200px"))
        self.add_class("cm-capstone-report")
        self.show(start)

    # -- figures, built once ----------------------------------------------------------------
    def _scales(self, y_scale):
        """Scales of one figure: hours on x, ``y_scale`` on y (marks are built with them)."""
        return {"x": bq.LinearScale(min=float(self.x[0]), max=float(self.x[-1])), "y": y_scale}

    def _figure(self, title, x_label, y_label, sc, marks, css, ticks):
        fig, _, _ = style.figure(title, x_label, y_label, x_scale=sc["x"], y_scale=sc["y"],
                                 css_class=css, marks=marks)
        fig.layout = W.Layout(**_LAYOUT)
        fig.fig_margin = dict(_MARGIN)
        if ticks is not None:
            fig.axes[0].tick_values = ticks
        return fig

    def _cursor(self, fig):
        xs, ys = fig.marks[0].scales["x"], fig.marks[0].scales["y"]
        lo, hi = self._span(fig)
        lo = lo if ys.min is None else ys.min
        hi = hi if ys.max is None else ys.max
        line = bq.Lines(x=[0.0, 0.0], y=[lo, hi], scales={"x": xs, "y": ys},
                        colors=[style.COLORS["neutral"]], line_style="dashed")
        fig.marks = [*fig.marks, line]
        return line

    @staticmethod
    def _span(fig):
        values = np.concatenate([np.asarray(m.y, dtype=float).ravel() for m in fig.marks
                                 if len(m.y)] or [np.zeros(1)])
        values = values[np.isfinite(values)]
        return (float(values.min()), float(values.max())) if len(values) else (0.0, 1.0)

    def _liquidation_rows(self, graded):
        """Rows with a liquidation, once each (a cross liquidation closes several positions
        in one row: one ✚)."""
        if not graded:
            return np.zeros(0, dtype=int)
        return np.unique(self.report.liquidations["row"].to_numpy(dtype=int))

    def _build_prices(self, x_label, ticks):
        path = self.report.path
        sc = self._scales(bq.LinearScale())
        self.price_lines, entries = {}, []
        for symbol in path.columns:
            prices = path[symbol].to_numpy(dtype=float)
            side = self._sides.get(symbol)
            colour = style.COLORS[side] if side else style.COLORS["neutral"]
            base = symbol.replace("USDT", "")
            self.price_lines[symbol] = bq.Lines(
                x=self.x, y=(prices / prices[0] - 1) * 100, scales=sc, colors=[colour],
                stroke_width=2, line_style="solid" if side else "dashed")
            entries.append((f"{base} ({side})" if side else f"{base} (not held)", colour,
                            "line" if side else "dashed"))
        self.prices_figure = self._figure("The stress day (stylized): prices",
                                          x_label, "move from start (%)", sc,
                                          list(self.price_lines.values()), "cm-prices-figure",
                                          ticks)
        self.prices_key = style.key(entries)

    def _build_equity(self, x_label, ticks, graded):
        report = self.report
        sc = self._scales(bq.LinearScale(min=0.0))
        x = self.x if graded else []
        equity = (report.replay.timeline[("account", "equity")].to_numpy(dtype=float)
                  if graded else [])
        self.equity_line = bq.Lines(x=x, y=equity, scales=sc, colors=[style.COLORS["text"]],
                                    stroke_width=3)
        self.deposit_line = bq.Lines(x=self.x[[0, -1]], y=[DEPOSIT, DEPOSIT], scales=sc,
                                     colors=[style.COLORS["neutral"]], line_style="dashed")
        floor = DEPOSIT * (1 - MAX_STRESS_LOSS)
        self.loss_limit_line = bq.Lines(x=self.x[[0, -1]], y=[floor, floor], scales=sc,
                                        colors=[style.COLORS["liquidation"]],
                                        line_style="dashed", stroke_width=2)
        rows = self._liquidation_rows(graded)
        self.liquidation_markers = bq.Scatter(
            x=self.x[rows], y=np.asarray(equity, dtype=float)[rows] if graded else [],
            scales=sc, marker="cross", colors=[style.COLORS["liquidation"]], default_size=160)
        stops = report.stops["row"].to_numpy(dtype=int) if graded else np.zeros(0, int)
        self.stop_markers = bq.Scatter(
            x=self.x[stops], y=np.asarray(equity, dtype=float)[stops] if graded else [],
            scales=sc, marker="diamond", colors=[style.COLORS["neutral"]], default_size=110,
            stroke=style.COLORS["text"])
        self.equity_figure = self._figure(
            "Your account's equity", x_label, "equity (USDT)", sc,
            [self.equity_line, self.deposit_line, self.loss_limit_line,
             self.liquidation_markers, self.stop_markers],
            "cm-equity-figure", ticks)
        entries = [("equity", style.COLORS["text"], "line"),
                   (f"deposit ({DEPOSIT:,.0f} USDT)", style.COLORS["neutral"], "dashed"),
                   (f"loss limit ({floor:,.0f} USDT: −{MAX_STRESS_LOSS * 100:.0f} %)",
                    style.COLORS["liquidation"], "dashed"),
                   ("liquidation", style.COLORS["liquidation"], "✚"),
                   ("stop-loss fill", style.COLORS["neutral"], "◆")]
        self.equity_key = style.key(entries)

    def _build_ratios(self, x_label, ticks, graded):
        ratios = self.report.ratios if graded else None
        sc = self._scales(bq.LinearScale(min=0.0, max=RATIO_CAP * 100))
        self.ratio_lines, keys = {}, []
        names = list(ratios.columns) if graded else []
        isolated = 0
        for name in names:
            values = ratios[name].to_numpy(dtype=float)
            if np.isnan(values).all():
                continue
            if name == "cross account":
                colour, (dash, css) = style.COLORS["cross"], _ISOLATED_STYLES[0]
            else:
                colour, (dash, css) = style.COLORS["isolated"], _ISOLATED_STYLES[isolated]
                isolated += 1
            held = int(np.flatnonzero(~np.isnan(values))[-1]) + 1     # until it closed
            self.ratio_lines[name] = bq.Lines(x=self.x[:held],
                                              y=np.minimum(values[:held], RATIO_CAP) * 100,
                                              scales=sc, colors=[colour], stroke_width=3,
                                              line_style=dash)
            keys.append(_swatch(f"margin ratio, {name}", colour, css))
        ends = self.x[[0, -1]]
        self.warning_line = bq.Lines(x=ends, y=[80.0, 80.0], scales=sc,
                                     colors=[style.COLORS["warning"]], stroke_width=3)
        self.liquidation_line = bq.Lines(x=ends, y=[100.0, 100.0], scales=sc,
                                         colors=[style.COLORS["liquidation"]], stroke_width=2)
        rows = self._liquidation_rows(graded)
        self.ratio_liquidation_markers = bq.Scatter(
            x=self.x[rows], y=np.full(len(rows), 100.0), scales=sc, marker="cross",
            colors=[style.COLORS["liquidation"]], default_size=160)
        self.ratio_figure = self._figure(
            "Margin ratio (maintenance / margin balance)", x_label, "margin ratio (%)",
            sc,
            [*self.ratio_lines.values(), self.warning_line, self.liquidation_line,
             self.ratio_liquidation_markers], "cm-ratio-figure", ticks)
        keys += [_swatch("80 % warning", style.COLORS["warning"], "solid"),
                 _swatch("100 % liquidation", style.COLORS["liquidation"], "solid")]
        self.ratio_key = W.HTML(f"<div style='font-size:14px;color:{style.COLORS['text']}'>"
                                f"{''.join(keys)}</div>")
        self.ratio_key.add_class("cm-key")

    # -- words ------------------------------------------------------------------------------
    def _fill_text(self, graded):
        report = self.report
        kind = "long" if report.passed else ("neutral" if not report.valid else "liquidation")
        word = "passed" if report.passed else ("not graded" if not report.valid
                                               else "not passed")
        self.verdict.value = (f"{style.badge(word, kind)} "
                              f"<b>{html.escape(report.verdict)}</b>")
        if not report.answered:
            self.numbers.value = (
                "Build your portfolio in exercise 14.1 above, then run this cell: the report "
                "will draw the stress day, your equity against the loss limit "
                f"({DEPOSIT * (1 - MAX_STRESS_LOSS):,.0f} USDT) and your margin ratios, and "
                "say why the portfolio passed or not.")
            self.text.value = ""
            return
        if graded:
            self.numbers.value = self._numbers()
        else:
            self.numbers.value = "No numbers yet: fix the constraints below and grade again."
        items = [html.escape(str(v)) for v in report.violations]
        items += [f"<b>Warning:</b> {html.escape(w)}" for w in report.warnings]
        items += [html.escape(s) for s in report.explanation]
        self.text.value = ("<ul style='font-size:14px;line-height:1.4;margin:4px 0;"
                           "padding-left:18px'>" + "".join(f"<li>{i}</li>" for i in items)
                           + "</ul>")

    def _numbers(self):
        """The verdict's numbers, each beside its limit (green within, vermillion past it)."""
        report, odds = self.report, self.report.odds

        def judged(value, ok):
            colour = style.COLORS["long"] if ok else style.COLORS["liquidation"]
            return f"<b style='color:{colour}'>{value}</b>"

        loss = judged(style.fmt_pct(report.stress_loss, 1), report.within_loss_limit)
        liq = judged(style.fmt_pct(odds.p_liquidation, 1),
                     odds.p_liquidation <= MAX_LIQUIDATION_ODDS)
        count = judged(len(report.liquidations), report.survived)
        return (f"stress-day loss at worst {loss} of the deposit (limit "
                f"{MAX_STRESS_LOSS * 100:.0f} %) · liquidations {count} (limit 0) · a "
                f"liquidation in {liq} of {odds.paths:,} random weeks (limit "
                f"{MAX_LIQUIDATION_ODDS * 100:.0f} %)<br>final equity "
                f"{style.fmt_usdt(report.final_equity)} · lowest "
                f"{style.fmt_usdt(report.lowest_equity)} · worst margin ratio "
                f"{style.fmt_pct(report.worst_margin_ratio, 1)} "
                f"({html.escape(report.worst_where)}) · wipe-out in "
                f"{style.fmt_pct(odds.p_wipeout, 1)} of random weeks")

    # -- the cursor -------------------------------------------------------------------------
    def _on_hour(self, change):
        self.show(change["new"])

    def show(self, hour):
        """Put the cursor at ``hour`` and say where everything stood (what the slider does)."""
        h = min(max(float(hour), 0.0), float(self.x[-1]))
        i = int(np.searchsorted(self.x, h + 1e-9, side="right") - 1)    # slider round-off
        for cursor in self.cursors:
            with cursor.hold_sync():
                cursor.x = [self.x[i], self.x[i]]
        self.now.value = self._status(i)

    def _status(self, i):
        report = self.report
        path = report.path
        moves = " · ".join(f"{s.replace('USDT', '')} {self._moves[s][i] * 100:+.1f} %"
                           for s in path.columns)
        when = f"{duration(self.x[i])} in" if i else "start of the day"
        head = f"<b>{when}</b> ({path.index[i]:%Y-%m-%d %H:%M} UTC): {moves}"
        if report.replay is None:
            return head
        parts = [f"equity {style.fmt_usdt(self._equity[i])}"]
        parts += [f"{html.escape(name)} {self._ratio_text(name, i)}" for name in self.ratio_lines]
        return f"{head}<br>{' · '.join(parts)}"

    def _ratio_text(self, name, i):
        for row, badge in self._closings.get(name, ()):
            if row <= i:
                return badge
        ratio = self._ratios[name][i]
        if np.isnan(ratio):
            return "--"
        return f"<b style='color:{style.ratio_color(ratio)}'>{style.fmt_pct(ratio, 1)}</b>"

    def _read_closings(self):
        """{ratio name: [(row, badge)]}: when the cross account or an isolated position was
        liquidated or stopped out (a cross stop leaves the account, so only its
        liquidation counts)."""
        out = {}
        for table, word, kind in ((self.report.liquidations, "liquidated", "liquidation"),
                                  (self.report.stops, "stopped out", "neutral")):
            for row, symbol, side, mode in zip(table["row"], table["symbol"], table["side"],
                                               table["margin_mode"]):
                if mode == "cross" and word != "liquidated":
                    continue
                name = "cross account" if mode == "cross" else \
                    f"isolated {symbol.replace('USDT', '')} {side}"
                out.setdefault(name, []).append((int(row), style.badge(word, kind)))
        return out
