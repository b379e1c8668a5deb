"""Mode explorer: the same two positions, isolated and cross, after an instant price shock.

Two positions (by default a BTC long and an ETH short) are opened from one
deposit. Two sliders move BTC and ETH at once, from -60 % to +60 %. The plot
shows the account's equity after the shock against the BTC move, at the
current ETH move: isolated (orange) and cross (blue), a marker at the current
BTC move, and vermillion rules where the isolated BTC position and the cross
account are liquidated. Two status lines say what was liquidated and what is
left. Every number comes from :func:`crossmargin.simulation.shocks.shock_outcomes` (one
vectorized call per slider move) and :func:`crossmargin.simulation.shocks.liquidation_move`.
"""
import bqplot as bq
import ipywidgets as W
import numpy as np

from .._validate import finite
from ..errors import InvalidInput
from ..simulation.shocks import Leg, liquidation_move, shock_outcomes
from . import style

__all__ = ["ModeExplorer"]

BTC, ETH = "BTCUSDT", "ETHUSDT"


def _name(leg):
    """'BTC long' from a leg."""
    return f"{leg.symbol.replace('USDT', '')} {leg.side}"


class ModeExplorer(W.VBox):
    """Price-shock sliders for two positions → equity and liquidations, isolated vs cross.

    Attributes for tests and curious learners: the sliders ``btc_shock`` and
    ``eth_shock`` (percent); the ``figure`` with marks ``isolated_line``,
    ``cross_line``, ``isolated_marker``, ``cross_marker``, ``deposit_line``,
    ``isolated_liquidation_rule`` (BTC move that liquidates the isolated BTC
    position) and ``cross_liquidation_rule`` (BTC move that liquidates the cross
    account at the current ETH move); the labels ``isolated_status`` and
    ``cross_status``; ``legs``, ``deposit``, ``grid`` (BTC moves in %) and
    ``outcome`` (the :class:`~crossmargin.simulation.shocks.ShockOutcomes` at the sliders).
    """

    MOVE_LIMIT = 60.0
    GRID_STEP = 0.5

    def __init__(self, *, deposit=10_000, btc_margin=2_000, btc_leverage=10, btc_side="long",
                 eth_margin=2_000, eth_leverage=10, eth_side="short", btc_price=60_000,
                 eth_price=3_000, btc_move_pct=0.0, eth_move_pct=0.0):
        self.legs = (Leg(BTC, btc_side, btc_margin, btc_leverage, btc_price),
                     Leg(ETH, eth_side, eth_margin, eth_leverage, eth_price))
        self.deposit = float(deposit)
        limit = self.MOVE_LIMIT
        for field, value in (("btc_move_pct", btc_move_pct), ("eth_move_pct", eth_move_pct)):
            if not -limit <= finite(value, field) <= limit:
                raise InvalidInput(f"{field} must be between {-limit:g} and {limit:g} "
                                   f"(got {value!r})")
        self.grid = np.arange(-limit, limit + self.GRID_STEP / 2, self.GRID_STEP)
        # The whole BTC x ETH square once: validates the setup and fixes the y axis.
        square = shock_outcomes(self.legs, self.deposit,
                                {BTC: self.grid[::4, None] / 100, ETH: self.grid[None, ::4] / 100})
        top = max(square.isolated_equity.max(), square.cross_equity.max(), self.deposit)
        self._top = float(top) * 1.05
        self._isolated_rule = liquidation_move(self.legs, self.deposit, BTC, "isolated")

        self.btc_shock = style.slider("BTC move (%)", float(btc_move_pct), -limit, limit, 1.0,
                                      fmt="+.0f", css_class="cm-btc-shock")
        self.eth_shock = style.slider("ETH move (%)", float(eth_move_pct), -limit, limit, 1.0,
                                      fmt="+.0f", css_class="cm-eth-shock")

        xs = bq.LinearScale(min=-limit, max=limit)
        ys = bq.LinearScale(min=0.0, max=self._top)
        scales = {"x": xs, "y": ys}
        colors = style.COLORS
        self.deposit_line = bq.Lines(x=[-limit, limit], y=[self.deposit, self.deposit],
                                     scales=scales, colors=[colors["neutral"]],
                                     line_style="dashed", stroke_width=1)
        # Isolated drawn wide under a narrower cross line: where they agree, both stay visible.
        self.isolated_line = bq.Lines(scales=scales, colors=[colors["isolated"]], stroke_width=7)
        self.cross_line = bq.Lines(scales=scales, colors=[colors["cross"]], stroke_width=3)
        self.isolated_liquidation_rule = bq.Lines(
            scales=scales, colors=[colors["liquidation"]], stroke_width=2, line_style="dashed")
        self.cross_liquidation_rule = bq.Lines(
            scales=scales, colors=[colors["liquidation"]], stroke_width=2,
            line_style="dash_dotted")
        self.isolated_marker = bq.Scatter(scales=scales, colors=[colors["isolated"]],
                                          stroke=colors["text"], stroke_width=3,
                                          default_size=260)
        self.cross_marker = bq.Scatter(scales=scales, colors=[colors["cross"]],
                                       stroke=colors["text"], stroke_width=3,
                                       default_size=110, marker="square")
        self.figure, _, _ = style.figure(
            "Equity after an instant shock", "BTC move (%)", "equity (USDT)",
            x_scale=xs, y_scale=ys, css_class="cm-mode-figure",
            marks=[self.deposit_line, self.isolated_liquidation_rule, self.cross_liquidation_rule,
                   self.isolated_line, self.cross_line, self.isolated_marker, self.cross_marker])
        self.figure.axes[0].tick_values = np.arange(-limit, limit + 1, 20)
        _, self._top, y_ticks = style.nice_range(0.0, self._top)
        ys.max = self._top
        self.figure.axes[1].tick_values = y_ticks
        # The legend is HTML under the figure: inside the plot, the rules crossed it.
        self.key = style.key([
            ("isolated", colors["isolated"], "line"), ("cross", colors["cross"], "line"),
            (f"{_name(self.legs[0])} liquidated (isolated)", colors["liquidation"], "dashed"),
            ("whole account liquidated (cross)", colors["liquidation"], "dash_dotted"),
            (f"deposit {style.fmt_usdt(self.deposit, 0)}", colors["neutral"], "dashed"),
            ("the sliders' shock", colors["text"], "●")])
        self.caption = self.key

        self.isolated_status = style.value_label("cm-isolated-status")
        self.cross_status = style.value_label("cm-cross-status")
        self.outcome = None
        self._set_rule(self.isolated_liquidation_rule, self._isolated_rule)

        self.btc_shock.observe(self._update, names="value")
        self.eth_shock.observe(self._update, names="value")
        self._update()

        setup = W.HTML(
            f"<b>{style.fmt_usdt(self.deposit, 0)} deposit</b> · "
            + " · ".join(f"<span style='color:{colors[leg.side]};font-weight:600'>"
                         f"{_name(leg)}</span> {style.fmt_usdt(leg.margin, 0)} margin at "
                         f"{leg.leverage:g}x (entry {style.fmt_price(leg.entry_price, 0)})"
                         for leg in self.legs))
        cards = W.HBox([self._card(self.isolated_status, "isolated"),
                        self._card(self.cross_status, "cross")],
                       layout=W.Layout(max_width="760px", width="100%"))
        super().__init__([setup, self.btc_shock, self.eth_shock, cards, self.figure,
                          self.key])
        self.add_class("cm-mode-explorer")

    @staticmethod
    def _card(label, mode):
        # Three lines that never wrap (see _card_html): the card's height stays the same at
        # every slider value, so the chart below never jumps under the cursor.
        box = W.VBox([label], layout=W.Layout(
            width="50%", padding="2px 8px", margin="2px", overflow="hidden",
            border=f"solid 3px {style.COLORS[mode]}"))
        box.add_class(f"cm-{mode}-card")
        return box

    def _set_rule(self, rule, move):
        """A vertical rule at ``move`` (a fraction); hidden when there is none in view."""
        shown = move is not None and abs(move * 100) <= self.MOVE_LIMIT
        with rule.hold_sync():
            rule.x = [move * 100, move * 100] if shown else [0.0, 0.0]
            rule.y = [0.0, self._top]
            rule.visible = shown

    def _update(self, _change=None):
        btc, eth = self.btc_shock.value, self.eth_shock.value
        curves = shock_outcomes(self.legs, self.deposit, {BTC: self.grid / 100, ETH: eth / 100})
        out = self.outcome = shock_outcomes(self.legs, self.deposit,
                                            {BTC: btc / 100, ETH: eth / 100})
        cross_rule = liquidation_move(self.legs, self.deposit, BTC, "cross", {ETH: eth / 100})
        with self.isolated_line.hold_sync():
            self.isolated_line.x, self.isolated_line.y = self.grid, curves.isolated_equity
        with self.cross_line.hold_sync():
            self.cross_line.x, self.cross_line.y = self.grid, curves.cross_equity
        ink, dead = style.COLORS["text"], style.COLORS["liquidation"]
        with self.isolated_marker.hold_sync():
            self.isolated_marker.x, self.isolated_marker.y = [btc], [out.isolated_equity]
            self.isolated_marker.stroke = dead if out.liquidated("isolated") else ink
        with self.cross_marker.hold_sync():
            self.cross_marker.x, self.cross_marker.y = [btc], [out.cross_equity]
            self.cross_marker.stroke = dead if out.cross_liquidated else ink
        self._set_rule(self.cross_liquidation_rule, cross_rule)
        self.figure.title = f"Equity after an instant shock (ETH {eth:+.0f} %)"
        self._labels()

    @staticmethod
    def _card_html(*lines):
        """Card text: one ``div`` per line, never wrapped (an ellipsis if it is too long)."""
        return "".join(f"<div style='white-space:nowrap;overflow:hidden;"
                       f"text-overflow:ellipsis'>{line}</div>" for line in lines)

    def _labels(self):
        out, colors = self.outcome, style.COLORS
        dead = out.liquidated("isolated")
        names = [_name(leg) for leg in self.legs if leg.symbol in dead]
        what = (" and ".join(names) + " liquidated") if names else "no liquidation"
        ratios = ", ".join(
            f"{_name(leg)} {'liquidated' if leg.symbol in dead else style.fmt_pct(out.isolated_margin_ratio[leg.symbol])}"
            for leg in self.legs)
        self.isolated_status.value = self._card_html(
            f"<b style='color:{colors['isolated']}'>Isolated:</b> {what}",
            f"equity <b>{style.fmt_usdt(out.isolated_equity)}</b>",
            f"<small>margin ratio: {ratios}</small>")
        if out.cross_liquidated:
            what, ratio = "all positions liquidated", "liquidated"
        else:
            what, ratio = "no liquidation", style.fmt_pct(out.cross_margin_ratio)
        self.cross_status.value = self._card_html(
            f"<b style='color:{colors['cross']}'>Cross:</b> {what}",
            f"equity <b>{style.fmt_usdt(out.cross_equity)}</b>",
            f"<small>account margin ratio: {ratio}</small>")
