"""Cascade lab: a price shock hits a crowd of leveraged traders — how far does it go?

Three sliders: the initial shock, the market impact (how far forced orders move
the price) and the share of high-leverage traders in the crowd. The lab runs
:func:`crossmargin.lessons.cascade.run` on a :func:`crossmargin.lessons.cascade.crowd` and
draws the price round by round and the notional liquidated in each round, with
the number of rounds, the final price and the total liquidated. Each crowd is
built once per share and kept: a slider move runs the cascade only.

:class:`LiquidationChase` is the in-account picture: one position's price and its
(cross) liquidation price on one chart, as another position's loss closes the gap.
"""
import bqplot as bq
import ipywidgets as W
import numpy as np

from ..lessons import cascade
from .._validate import finite
from ..errors import InvalidInput
from . import style

__all__ = ["CascadeLab", "LiquidationChase"]

SHOCK_LIMIT = 20.0
IMPACT_LIMIT = 2.0


def _within(value, field, low, high):
    x = finite(value, field)
    if not low <= x <= high:
        raise InvalidInput(f"{field} must be from {low:g} to {high:g} (got {value!r})")
    return x


class CascadeLab(W.VBox):
    """Shock, impact and leverage mix → a market's liquidation cascade, round by round.

    ``shock`` is in percent (-3 = a 3 % drop), ``impact`` as in
    :func:`crossmargin.lessons.cascade.run` (0.5: force-selling 1 % of the open interest
    moves the price about 0.5 %), ``high_leverage_share`` in percent of the
    traders; the other keywords build the crowd (:func:`crossmargin.lessons.cascade.crowd`).

    Attributes for tests and learners: the sliders ``shock``, ``impact`` and
    ``high_leverage_share``; ``price_figure`` with ``price_line`` (price per round),
    ``start_line`` (price before the shock); ``notional_figure`` with
    ``notional_bars`` (liquidated notional per round, million USDT; the last round,
    which liquidates nobody, is a zero bar); the labels
    ``rounds_label``, ``final_label``, ``liquidated_label`` and ``status``; and
    ``result`` (the last :class:`~crossmargin.lessons.cascade.Cascade`).
    """

    def __init__(self, *, shock=-3.0, impact=0.5, high_leverage_share=20.0, n_accounts=2_000,
                 long_share=0.6, low_leverage=(2, 10), high_leverage=(20, 100),
                 notional=20_000.0, price=60_000.0, symbol="BTCUSDT"):
        shock = _within(shock, "shock", -SHOCK_LIMIT, SHOCK_LIMIT)
        impact = _within(impact, "impact", 0.0, IMPACT_LIMIT)
        share = _within(high_leverage_share, "high_leverage_share", 0.0, 100.0)
        self._options = dict(n_accounts=n_accounts, long_share=long_share,
                             low_leverage=low_leverage, high_leverage=high_leverage,
                             notional=notional, price=price, symbol=symbol)
        self._crowds = {}
        first = self._crowd(share)              # validates the crowd's keywords
        base = symbol.replace("USDT", "")
        self.symbol, self.price = symbol, first.price

        self.shock = style.slider("Initial shock (%)", shock, -SHOCK_LIMIT, SHOCK_LIMIT, 0.5,
                                  fmt="+.1f", css_class="cm-shock")
        self.impact = style.slider("Market impact", impact, 0.0, IMPACT_LIMIT, 0.05,
                                   fmt=".2f", css_class="cm-impact")
        self.high_leverage_share = style.slider(
            f"{high_leverage[0]:g}x-{high_leverage[1]:g}x traders (%)", share, 0.0, 100.0, 5.0,
            fmt=".0f", css_class="cm-high-leverage-share")
        self.controls_note = W.HTML(
            f"<small>Market impact: the % move when forced orders sell (or buy back) 1 % of "
            f"the open interest. {high_leverage[0]:g}x-{high_leverage[1]:g}x traders: the "
            f"share of the crowd at high leverage.</small>")

        colors = style.COLORS
        xs, ys = bq.LinearScale(min=-0.5), bq.LinearScale()
        sc = {"x": xs, "y": ys}
        self.start_line = bq.Lines(x=[], y=[], scales=sc, colors=[colors["neutral"]],
                                   line_style="dashed", stroke_width=2)
        self.price_line = bq.Lines(x=[], y=[], scales=sc, colors=[colors["price"]],
                                   stroke_width=3, marker="circle", marker_size=60)
        self.price_figure, self.price_x, self.price_y = style.figure(
            f"{base} price, round by round", "round (0 = the shock)", f"{base} price (USDT)",
            x_scale=xs, y_scale=ys, css_class="cm-cascade-price",
            marks=[self.start_line, self.price_line])
        self.price_key = style.key([(f"{base} price after each round", colors["price"], "line"),
                                    ("price before the shock", colors["neutral"], "dashed")])

        bx, by = bq.OrdinalScale(), bq.LinearScale(min=0.0)
        self.notional_bars = bq.Bars(x=[], y=[], scales={"x": bx, "y": by},
                                     colors=[colors["liquidation"]], padding=0.3)
        self.notional_figure, self.notional_x, self.notional_y = style.figure(
            "Liquidated in each round", "round (0 = the shock)",
            "liquidated notional (million USDT)", x_scale=bx, y_scale=by,
            css_class="cm-cascade-notional", marks=[self.notional_bars])
        self.notional_figure.axes[1].tick_format = ",.1f"
        self.price_figure.axes[0].tick_format = "d"

        self.rounds_label = style.value_label("cm-rounds")
        self.final_label = style.value_label("cm-final-price")
        self.liquidated_label = style.value_label("cm-total-liquidated")
        self.status = style.value_label("cm-status")
        self.result = None

        for control in (self.shock, self.impact, self.high_leverage_share):
            control.observe(self._on_change, names="value")
        # Controls beside their results, the two figures side by side under them (they wrap
        # under each other on a narrow screen).
        column = W.Layout(flex="1 1 420px", min_width="0")
        row = W.Layout(flex_flow="row wrap", align_items="flex-start")
        for fig in (self.price_figure, self.notional_figure):
            fig.layout = W.Layout(width="100%", min_width="320px", max_width="760px",
                                  height="300px")
        controls = W.VBox([self.shock, self.impact, self.high_leverage_share,
                           self.controls_note], layout=column)
        results = W.VBox([self.status, self.rounds_label, self.final_label,
                          self.liquidated_label], layout=column)
        super().__init__([W.HBox([controls, results], layout=row),
                          W.HBox([W.VBox([self.price_figure, self.price_key], layout=column),
                                  W.VBox([self.notional_figure], layout=column)], layout=row)])
        self.add_class("cm-cascade-lab")
        self.update()

    def _crowd(self, share):
        """The crowd at this share of high-leverage traders (built once, then kept)."""
        key = round(float(share), 6)
        if key not in self._crowds:
            self._crowds[key] = cascade.crowd(high_leverage_share=key / 100, **self._options)
        return self._crowds[key]

    def _on_change(self, _change):
        self.update()

    def update(self):
        """Run the cascade at the sliders' values and redraw every mark and label."""
        crowd = self._crowd(self.high_leverage_share.value)
        result = cascade.run(crowd, self.shock.value / 100, impact=self.impact.value)
        self.result = result
        rounds = result.rounds
        x = rounds["round"].to_numpy(dtype=float)
        prices = rounds["price"].to_numpy()
        last = max(1.0, float(x[-1]))
        low, high = min(prices.min(), self.price), max(prices.max(), self.price)
        pad = 0.05 * (high - low) or 0.01 * self.price
        with self.price_figure.hold_sync():
            self.price_x.max = last + 0.5
            every = np.ceil((last + 1) / 10)               # at most ~10 whole-round ticks
            self.price_figure.axes[0].tick_values = np.arange(0, last + 1, every)
            self.price_y.min, self.price_y.max = low - pad, high + pad
            with self.price_line.hold_sync():
                self.price_line.x, self.price_line.y = x, prices
            with self.start_line.hold_sync():
                self.start_line.x, self.start_line.y = [-0.5, last + 0.5], [self.price] * 2
        notional = rounds["liquidated_notional"].to_numpy() / 1e6
        with self.notional_figure.hold_sync():
            self.notional_y.max = float(notional.max()) * 1.1 or 1.0
            with self.notional_bars.hold_sync():
                self.notional_bars.x, self.notional_bars.y = rounds["round"].to_numpy(), notional
        self._labels(result.summary())

    def _labels(self, s):
        base = self.symbol.replace("USDT", "")
        self.rounds_label.value = (f"Rounds with liquidations: <b>{s['rounds']}</b> "
                                   f"(the shock, then {max(0, s['rounds'] - 1)} more)")
        self.final_label.value = (f"Final {base} price: <b>{style.fmt_price(s['final_price'])}"
                                  f"</b> ({s['final_move']:+.2%} from "
                                  f"{style.fmt_price(s['start_price'])}; the shock alone: "
                                  f"{s['shock']:+.2%})")
        self.liquidated_label.value = (
            f"Total liquidated: <b>{s['liquidated_accounts']:,} of {s['accounts']:,} traders"
            f"</b> ({s['liquidated_share']:.1%}), {style.fmt_usdt(s['liquidated_notional'], 0)}"
            f" of {style.fmt_usdt(s['open_interest'], 0)} open interest")
        if s["liquidated_accounts"] == 0:
            self.status.value = (f"{style.badge('no liquidation', 'long')} the shock reaches "
                                 f"nobody's liquidation price · amplification --")
            return
        amplification = s["amplification"]
        kind = "liquidation" if amplification >= 2 else "warning"
        side = "longs sell" if s["shock"] < 0 else "shorts buy back"
        self.status.value = (f"{style.badge('liquidated', 'liquidation')} forced orders "
                             f"({side}) turned a {s['shock']:+.1%} shock into "
                             f"{s['final_move']:+.1%}: "
                             f"{style.badge(f'{amplification:.1f}x the shock', kind)}")


class LiquidationChase(W.VBox):
    """A position's price and its liquidation price on one chart: watch the gap close.

    ``x``: what changes (e.g. hours, or another coin's move in %); ``price`` and
    ``liquidation_price``: arrays of the same length (NaN where there is no
    position). ``side`` says which way the gap closes: a long is liquidated when
    its liquidation price reaches the price from below. ``x_name`` and
    ``x_format`` write x in the status line (e.g. ``"SOL move"``, ``"{:+.1f} %"``).
    Attributes: ``figure``, ``price_line``, ``liquidation_line``, ``key`` and
    ``status`` (where they met, or the smallest gap). No margin math here: pass
    the engine's numbers.
    """

    def __init__(self, x, price, liquidation_price, *, title, x_label, symbol="BTCUSDT",
                 side="long", x_ticks=None, price_label=None, x_name="x",
                 x_format="{:,.2f}"):
        try:
            x, price, lp = (np.asarray(a, dtype=float) for a in (x, price, liquidation_price))
        except (TypeError, ValueError):
            raise InvalidInput("x, price and liquidation_price must be arrays of numbers") from None
        if x.ndim != 1 or x.size < 2 or price.shape != x.shape or lp.shape != x.shape:
            raise InvalidInput(f"x, price and liquidation_price must be 1-D arrays of the same "
                               f"length >= 2 (got shapes {x.shape}, {price.shape}, {lp.shape})")
        if not np.isfinite(x).all():
            raise InvalidInput("x must be finite everywhere")
        if side not in ("long", "short"):
            raise InvalidInput(f"side must be 'long' or 'short' (got {side!r})")
        shown = np.isfinite(price) & (price > 0)
        if not shown.any():
            raise InvalidInput("price must hold at least one finite price > 0")
        base = symbol.replace("USDT", "")
        colors = style.COLORS
        xs, ys = bq.LinearScale(), bq.LinearScale()
        sc = {"x": xs, "y": ys}
        self.price_line = bq.Lines(x=x, y=price, scales=sc, colors=[colors["price"]],
                                   stroke_width=3)
        self.liquidation_line = bq.Lines(x=x, y=lp, scales=sc, colors=[colors["liquidation"]],
                                         stroke_width=3)
        self.meet_marker = bq.Scatter(x=[], y=[], scales=sc, colors=[colors["liquidation"]],
                                      default_size=160, marker="circle")
        self.figure, _, _ = style.figure(title, x_label, f"{base} price (USDT)", x_scale=xs,
                                         y_scale=ys, css_class="cm-chase-figure",
                                         marks=[self.price_line, self.liquidation_line,
                                                self.meet_marker])
        if x_ticks is not None:
            self.figure.axes[0].tick_values = np.asarray(x_ticks, dtype=float)
        self.key = style.key([(price_label or f"{base} price", colors["price"], "line"),
                              (f"{base} liquidation price", colors["liquidation"], "line"),
                              ("where they meet", colors["liquidation"], "●")])
        self.status = style.value_label("cm-chase-status")
        self.status.value = self._describe(x, price, lp, 1.0 if side == "long" else -1.0,
                                           x_name, x_format)
        super().__init__([self.figure, self.key, self.status])
        self.add_class("cm-liquidation-chase")

    def _describe(self, x, price, lp, sign, x_name, x_format):
        """Where the two lines meet (interpolated between points), or the closest they come.

        A liquidation price that stops while the price goes on means the position was
        closed there (a replay's timeline has no liquidation price once the position is gone).
        """
        with np.errstate(invalid="ignore"):
            gap = sign * (price - lp)                 # > 0 while the position is safe
        known = np.flatnonzero(np.isfinite(gap))
        if not known.size:
            return "No liquidation price: --"
        met = np.flatnonzero(gap <= 0)
        if met.size:
            i = met[0]
            w = gap[i - 1] / (gap[i - 1] - gap[i]) if i and gap[i - 1] > 0 else 1.0
            j = max(i - 1, 0)
            at, level = x[j] + w * (x[i] - x[j]), price[j] + w * (price[i] - price[j])
            return self._mark(at, level, "liquidated",
                              f"the liquidation price meets the price at {x_name} "
                              f"{x_format.format(at)} ({style.fmt_price(level)})")
        last = known[-1]
        if last + 1 < x.size and np.isfinite(price[last + 1]):
            at, level = x[last + 1], price[last + 1]
            return self._mark(at, level, "closed",
                              f"the position closed at {x_name} {x_format.format(at)} "
                              f"({style.fmt_price(level)}); one step earlier its liquidation "
                              f"price was {style.fmt_price(gap[last])} USDT from the price")
        i = known[np.argmin(gap[known])]
        return (f"Smallest gap: {style.fmt_price(gap[i])} USDT at {x_name} "
                f"{x_format.format(x[i])}; never liquidated")

    def _mark(self, at, level, word, text):
        with self.meet_marker.hold_sync():
            self.meet_marker.x, self.meet_marker.y = [at], [level]
        return f"{style.badge(word, 'liquidation')} {text}"
