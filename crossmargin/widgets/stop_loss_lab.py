"""Stop-loss lab: one position, one stop, one price path — where does it end?

:class:`StopLossLab` is the tool: a scenario, a stop distance and a leverage
→ the price path with the entry, the stop and the liquidation price, the fill,
and the profit or loss with and without the stop. The outcomes come from
:func:`crossmargin.lessons.stops.stop_outcome` (the same rules as
:func:`crossmargin.simulation.replay.replay`, vectorized so a slider stays fast); it is
re-exported here with :class:`~crossmargin.lessons.stops.StopOutcome`.
"""
import html

import bqplot as bq
import ipywidgets as W

from .. import scenarios
from .._validate import MARGIN_MODES, check_margin_mode, finite, positive
from ..errors import InvalidInput
from ..lessons.stops import GAP_THRESHOLD, PricePath, StopOutcome, contract_for, stop_outcome
from . import style

__all__ = ["StopOutcome", "stop_outcome", "GAP_THRESHOLD", "StopLossLab", "LAB_SCENARIOS"]

#: The scenarios the lab offers by default; ``scenario_names`` may also name scenario files
#: (see :func:`crossmargin.scenarios.load`) that have a column for the lab's ``symbol``.
LAB_SCENARIOS = ("btc_crash", "gap_through_stop", "whipsaw")


_EXIT_TEXT = {"stop": ("stopped out", "text"), "liquidated": ("liquidated", "liquidation"),
              "open": ("still open", "long")}


class StopLossLab(W.VBox):
    """Move the stop and the leverage; see where one long (BTC by default) ends on a scenario.

    The position is a long on ``symbol`` opened at the scenario's first price with
    ``margin`` USDT at the chosen leverage, in an account funded with ``deposit``
    USDT (isolated: only ``margin`` backs it; cross: the whole wallet does).

    Attributes tests and learners drive: ``scenario`` (Dropdown), ``stop_distance``
    (% slider), ``leverage`` (slider), ``margin_mode`` (ToggleButtons); the
    ``figure`` with ``price_line``, ``entry_line``, ``stop_line``,
    ``liquidation_line``, ``fill_marker`` and ``no_stop_marker`` (legend: the HTML
    ``key``); the labels
    ``status``, ``fill``, ``pnl``, ``distances`` and ``description``; and
    ``outcome`` / ``outcome_without_stop`` (the last :class:`StopOutcome` s).
    """

    def __init__(self, scenario="btc_crash", *, stop_distance=5.0, leverage=10.0,
                 margin_mode="isolated", margin=1_000.0, deposit=10_000.0,
                 scenario_names=LAB_SCENARIOS, symbol="BTCUSDT"):
        names = tuple(scenario_names)
        if not names:
            raise InvalidInput("scenario_names must name at least one scenario, e.g. "
                               f"{LAB_SCENARIOS} (got none)")
        if scenario not in names:
            raise InvalidInput(f"scenario must be one of {', '.join(names)} (got {scenario!r})")
        check_margin_mode(margin_mode)
        self.contract = contract_for(symbol, None)
        self.symbol = symbol
        base = self.contract.base
        self.margin = positive(margin, "margin")
        self.deposit = positive(deposit, "deposit")
        stop_distance = finite(stop_distance, "stop_distance")
        if not 0.5 <= stop_distance <= 20:
            raise InvalidInput(f"stop_distance must be from 0.5 to 20 % (got {stop_distance!r})")
        max_lev = min(100.0, float(self.contract.brackets.max_leverage(self.margin * 100)))
        leverage = finite(leverage, "leverage")
        if not 1 <= leverage <= max_lev:
            raise InvalidInput(f"leverage must be from 1 to {max_lev:g} (got {leverage!r})")
        # Each scenario's path is built once (an unknown name raises here, listing the known
        # ones); moving a slider only reads these arrays.
        self._frames = {n: scenarios.load(n) for n in names}
        self._paths = {n: PricePath(f, symbol) for n, f in self._frames.items()}
        self._x = {n: style.time_axis(f.index) for n, f in self._frames.items()}

        self.scenario = W.Dropdown(options=list(names), value=scenario, description="Scenario",
                                   style={"description_width": "initial"})
        self.scenario.add_class("cm-scenario")
        self.stop_distance = style.slider("Stop distance (% below entry)", stop_distance, 0.5,
                                          20, 0.5, fmt=".1f", css_class="cm-stop-distance")
        self.leverage = style.slider("Leverage (x)", leverage, 1, max_lev, 1, fmt=".0f",
                                     css_class="cm-leverage")
        self.margin_mode = W.ToggleButtons(options=list(MARGIN_MODES), value=margin_mode,
                                           description="Margin mode",
                                           style={"description_width": "initial"})
        self.margin_mode.add_class("cm-margin-mode")
        self.description = style.value_label("cm-description")

        xs, ys = bq.LinearScale(), bq.LinearScale()
        sc = {"x": xs, "y": ys}
        dashed = dict(scales=sc, line_style="dashed", stroke_width=2)
        self.price_line = bq.Lines(x=[], y=[], scales=sc, colors=[style.COLORS["price"]],
                                   stroke_width=2)
        self.entry_line = bq.Lines(x=[], y=[], colors=[style.COLORS["long"]], **dashed)
        self.stop_line = bq.Lines(x=[], y=[], colors=[style.COLORS["text"]], **dashed)
        self.liquidation_line = bq.Lines(x=[], y=[], colors=[style.COLORS["liquidation"]],
                                         **dashed)
        self.fill_marker = bq.Scatter(x=[], y=[], scales=sc, colors=[style.COLORS["text"]],
                                      default_size=140, marker="diamond")
        self.no_stop_marker = bq.Scatter(x=[], y=[], scales=sc,
                                         colors=[style.COLORS["liquidation"]], fill=False,
                                         stroke=style.COLORS["liquidation"], default_size=140,
                                         marker="circle")
        self._marks = (self.price_line, self.entry_line, self.stop_line,
                       self.liquidation_line, self.fill_marker, self.no_stop_marker)
        self.figure, self.x_scale, self.y_scale = style.figure(
            f"{base} long: stop vs liquidation", self._x[scenario][1], f"{base} mark price (USDT)",
            x_scale=xs, y_scale=ys, css_class="cm-stop-loss-figure", marks=self._marks)
        self.key = style.key([
            (f"{base} mark price", style.COLORS["price"], "line"),
            ("entry", style.COLORS["long"], "dashed"),
            ("stop trigger", style.COLORS["text"], "dashed"),
            ("liquidation price", style.COLORS["liquidation"], "dashed"),
            ("exit with the stop", style.COLORS["text"], "◆"),
            ("liquidation without a stop", style.COLORS["liquidation"], "○")])

        self.status = style.value_label("cm-status")
        self.fill = style.value_label("cm-fill")
        self.pnl = style.value_label("cm-pnl")
        self.distances = style.value_label("cm-distances")
        self.outcome = self.outcome_without_stop = None

        for control in (self.scenario, self.stop_distance, self.leverage, self.margin_mode):
            control.observe(self._on_change, names="value")
        controls = W.VBox([self.scenario, self.description, self.margin_mode,
                           self.stop_distance, self.leverage])
        super().__init__([controls, self.figure, self.key, self.status, self.fill, self.pnl,
                          self.distances])
        self.add_class("cm-stop-loss-lab")
        self._scenario_shown = None
        self.update()

    def _on_change(self, _change):
        self.update()

    def update(self):
        """Recompute both outcomes from the controls and redraw marks and labels."""
        name = self.scenario.value
        data = self._paths[name]
        options = dict(leverage=self.leverage.value, margin=self.margin, deposit=self.deposit,
                       margin_mode=self.margin_mode.value, symbol=self.symbol,
                       contract=self.contract)
        with_stop = stop_outcome(data, stop_distance=self.stop_distance.value / 100, **options)
        without = stop_outcome(data, **options)
        self.outcome, self.outcome_without_stop = with_stop, without
        x, x_label, x_ticks = self._x[name]
        ends = x[[0, -1]]
        entry, trigger, lp = with_stop.entry_price, with_stop.trigger, with_stop.liquidation_price
        low, high = float(data.prices.min()), float(data.prices.max())
        bottom = min(low, trigger)
        lp_on_chart = lp is not None and lp >= 0.7 * low
        if lp_on_chart:
            bottom = min(bottom, lp)
        with self.figure.hold_sync():
            if self._scenario_shown != name:
                with self.price_line.hold_sync():
                    self.price_line.x, self.price_line.y = x, data.prices
                self.figure.axes[0].label = x_label
                self.figure.axes[0].tick_values = x_ticks
                self.x_scale.min, self.x_scale.max = float(x[0]), float(x[-1])
                self.description.value = html.escape(self._frames[name].attrs["description"])
                self._scenario_shown = name
            self.y_scale.min, self.y_scale.max = bottom * 0.98, max(high, entry) * 1.01
            with self.entry_line.hold_sync():
                self.entry_line.x, self.entry_line.y = ends, [entry, entry]
            with self.stop_line.hold_sync():
                self.stop_line.x, self.stop_line.y = ends, [trigger, trigger]
            with self.liquidation_line.hold_sync():
                self.liquidation_line.x = ends if lp_on_chart else []
                self.liquidation_line.y = [lp, lp] if lp_on_chart else []
            self._marker(self.fill_marker, x, with_stop,
                         "text" if with_stop.exit == "stop" else "liquidation")
            self._marker(self.no_stop_marker, x, without, "liquidation")
        self._labels(with_stop, without, lp_on_chart)

    @staticmethod
    def _marker(mark, x, outcome, kind):
        with mark.hold_sync():
            if outcome.exit == "open":
                mark.x, mark.y = [], []
            else:
                mark.x, mark.y = x[[outcome.exit_step]], [outcome.exit_price]
                mark.colors = [style.COLORS[kind]]

    def _labels(self, out, without, lp_on_chart):
        text, kind = _EXIT_TEXT[out.exit]
        when = "" if out.exit_time is None else f" at {out.exit_time:%H:%M} UTC"
        self.status.value = f"With the stop: {style.badge(text, kind)}{when}"
        if out.exit == "stop":
            gap = ("filled at the trigger (no slippage)" if out.slippage == 0 else
                   f"the price gapped through the trigger: {style.fmt_price(out.slippage)} "
                   f"USDT worse per {self.contract.base} "
                   f"({style.fmt_usdt(out.slippage * out.size)} on {out.size:.4f} "
                   f"{self.contract.base})")
            lp = out.liquidation_price
            beyond = ("; the fill is past the liquidation price too: the stop came too late"
                      if lp is not None and out.exit_price <= lp else "")
            self.fill.value = (f"Trigger {style.fmt_price(out.trigger)} · fill "
                               f"{style.fmt_price(out.exit_price)} — {gap}{beyond}")
        elif out.exit == "liquidated" and out.exit_price <= out.trigger:   # the lab is long
            self.fill.value = (f"The price gapped through the stop at "
                               f"{style.fmt_price(out.trigger)} and the liquidation price in one "
                               f"step: the liquidation came first and cancelled the stop "
                               f"(liquidated at {style.fmt_price(out.exit_price)})")
        elif out.exit == "liquidated":
            self.fill.value = (f"Liquidated at {style.fmt_price(out.exit_price)} before the "
                               f"stop at {style.fmt_price(out.trigger)} could trigger")
        else:
            self.fill.value = (f"The stop at {style.fmt_price(out.trigger)} never triggered; "
                               f"fill --")
        no_text, _ = _EXIT_TEXT[without.exit]
        self.pnl.value = (f"Profit/loss with the stop: <b>{out.pnl:+,.2f} USDT</b> · without a "
                          f"stop: <b>{without.pnl:+,.2f} USDT</b> ({no_text}) — fees and "
                          f"funding included")
        stop_pct = self.stop_distance.value
        if out.liquidation_price is None:
            self.distances.value = (f"Stop {stop_pct:.1f} % below entry · liquidation price -- "
                                    f"(this position cannot be liquidated)")
            return
        liq_pct = (out.entry_price - out.liquidation_price) / out.entry_price * 100
        where = "" if lp_on_chart else " (below the chart)"
        verdict = (style.badge("stop sits before liquidation", "long") if stop_pct < liq_pct
                   else style.badge("stop is beyond liquidation: it cannot help",
                                    "liquidation"))
        self.distances.value = (f"Stop {stop_pct:.1f} % below entry · liquidation price "
                                f"{style.fmt_price(out.liquidation_price)}{where}, "
                                f"{liq_pct:.2f} % below entry · {verdict}")
