"""Liquidation stepper: one liquidation, event by event, on the venue you pick.

:class:`LiquidationStepper` shows :func:`crossmargin.lessons.liquidation.walk_through`: pick a
venue and an account (:data:`~crossmargin.lessons.liquidation.CASES`), then step with Back /
Next through what the venue does — stops cancelled, cuts, the close, the venue's share, the
insurance fund, auto-deleveraging — with a sentence per event and a bar per money pot (the
trader's equity, the insurance fund, the venue's fees, the counterparties) that moves with
each event. Every walk-through is computed once when the tool
is built; a step only redraws.
"""
import html

import bqplot as bq
import ipywidgets as W
import numpy as np

from ..engine.venues import VENUE_NAMES, venue as get_venue
from ..errors import InvalidInput
from ..lessons.liquidation import CASE_NAMES, CASES, DUST, short_name, walk_through
from . import style

__all__ = ["LiquidationStepper", "BARS", "POT_LABELS", "POT_COLORS"]

#: The bars: the trader's equity (wallet + open positions' PnL, whose split the text gives)
#: and the pots it goes to. Together they stay equal to the equity at the mark.
BARS = ("equity", "fund", "venue", "counterparties")
#: What each bar is called on the chart.
POT_LABELS = {"equity": "trader's equity", "fund": "insurance fund", "venue": "venue's fees",
              "counterparties": "counterparties (ADL)"}
#: The colour of each bar (style.COLORS names): the trader's money in the cross blue, the
#: fund near-black, the venue grey, what ADL takes from others in vermillion.
POT_COLORS = {"equity": "cross", "fund": "text", "venue": "neutral",
              "counterparties": "liquidation"}
_EVENT_NAMES = {"mark": "prices move", "stops_cancelled": "stops cancelled",
                "partial_liquidation": "partial liquidation (cut)",
                "liquidation": "position closed", "backstop": "backstop vault",
                "venue_share": "the venue's share", "insurance_cover": "insurance fund pays",
                "adl_cover": "auto-deleveraging", "collateral_sale": "collateral sold",
                "other": "other bookings"}


class LiquidationStepper(W.VBox):
    """Step through one liquidation on Binance, Bybit, OKX or Hyperliquid.

    ``venue`` and ``portfolio`` (Dropdowns) choose the walk-through; ``back`` / ``next``
    (Buttons) and ``event`` (IntSlider: the event's number, 1 to N, as ``position`` reads
    it) step through it; the labels ``position`` ("event 2 of 6"), ``event_text`` (the
    event in plain words), ``totals`` (the equity's wallet and PnL, the bars' sum, money as
    :func:`~crossmargin.formats.fmt_price` writes it) and ``summary`` (bankruptcy price,
    what the trader kept, the fund, who was deleveraged); ``events_list`` lists every
    event, the current one in bold; the ``figure`` with ``bars`` (one per :data:`BARS`) and
    ``bar_labels``; ``walks`` maps ``(venue, portfolio)`` to its
    :class:`~crossmargin.lessons.liquidation.Walkthrough`, ``walk`` is the one shown.
    """

    def __init__(self, venue="binance", portfolio="small BTC long", *, venues=VENUE_NAMES,
                 portfolios=CASE_NAMES):
        venues = tuple(venues) if not isinstance(venues, str) else (venues,)
        portfolios = tuple(portfolios) if not isinstance(portfolios, str) else (portfolios,)
        if not venues:
            raise InvalidInput(f"venues must name at least one of {', '.join(VENUE_NAMES)} "
                               f"(got none)")
        if not portfolios:
            raise InvalidInput(f"portfolios must name at least one of {', '.join(CASE_NAMES)} "
                               f"(got none)")
        for name in venues:
            get_venue(name)                              # an unknown venue is refused by name
        if venue not in venues:
            raise InvalidInput(f"venue must be one of {', '.join(venues)} (got {venue!r})")
        if portfolio not in portfolios:
            raise InvalidInput(f"portfolio must be one of {', '.join(portfolios)} "
                               f"(got {portfolio!r})")
        self.walks = {(v, p): walk_through(v, p) for v in venues for p in portfolios}

        wide = {"description_width": "initial"}
        self.venue = W.Dropdown(options=[(short_name(v), v) for v in venues], value=venue,
                                description="Venue", style=wide)
        self.portfolio = W.Dropdown(options=list(portfolios), value=portfolio,
                                    description="Account", style=wide)
        self.description = style.value_label()
        self.back = W.Button(description="◀ Back", tooltip="previous event")
        self.next = W.Button(description="Next ▶", tooltip="next event", button_style="primary")
        self.event = W.IntSlider(value=1, min=1, max=2, description="Event", style=wide,
                                 continuous_update=True, layout=style.control_layout())
        self.position = style.value_label()
        self.event_text = style.value_label()
        self.totals = style.value_label()
        self.summary = style.value_label()
        self.events_list = style.html_block()
        style.add_classes("cm-liquidation-stepper", venue=self.venue,
                          portfolio=self.portfolio, back=self.back, next=self.next,
                          event=self.event, position=self.position, event_text=self.event_text,
                          totals=self.totals, summary=self.summary,
                          events_list=self.events_list, description=self.description)

        labels = [POT_LABELS[p] for p in BARS]
        colors = [style.COLORS[POT_COLORS[p]] for p in BARS]
        xs, ys = bq.OrdinalScale(domain=labels), bq.LinearScale()
        self.bars = bq.Bars(x=labels, y=np.zeros(len(BARS)), scales={"x": xs, "y": ys},
                            colors=colors, padding=0.3, base=0.0)
        self.bar_labels = bq.Label(x=labels, y=np.zeros(len(BARS)), text=[""] * len(BARS),
                                   scales={"x": xs, "y": ys}, colors=[style.COLORS["text"]],
                                   align="middle", font_weight="bold", default_size=13,
                                   y_offset=-6)
        self.zero_line = bq.Lines(x=[labels[0], labels[-1]], y=[0, 0],
                                  scales={"x": xs, "y": ys}, colors=[style.COLORS["neutral"]])
        self.y_scale = ys
        self.figure, _, _ = style.figure("Where the money is", "", "USDT", x_scale=xs,
                                         y_scale=ys, css_class="cm-liquidation-figure",
                                         marks=[self.zero_line, self.bars, self.bar_labels])
        self.figure.axes[0].grid_lines = "none"
        self.figure.axes[1].label_offset = "62px"
        self.figure.fig_margin = {"top": 30, "bottom": 40, "left": 80, "right": 20}

        self.back.on_click(lambda _: self._move(-1))
        self.next.on_click(lambda _: self._move(+1))
        self.venue.observe(self._on_choice, names="value")
        self.portfolio.observe(self._on_choice, names="value")
        self.event.observe(lambda _: self.update(), names="value")
        buttons = W.HBox([self.back, self.next, self.position])
        super().__init__([W.HBox([self.venue, self.portfolio]), self.description, buttons,
                          self.event, self.event_text, self.figure, self.totals,
                          self.events_list, self.summary])
        self.add_class("cm-liquidation-stepper")
        self.walk = None
        self._on_choice(None)

    # -- controls ---------------------------------------------------------------------------
    def _move(self, step):
        self.event.value = int(np.clip(self.event.value + step, 1, self.event.max))

    def _on_choice(self, _change):
        """A new venue or account: its walk-through, from its first event, on its own scale."""
        self.walk = self.walks[(self.venue.value, self.portfolio.value)]
        values = np.array([_bars(e) for e in self.walk.events])
        low, high, ticks = style.nice_range(min(0.0, values.min()), max(0.0, values.max()))
        pad = 0.12 * (high - low)                     # room for the value above each bar
        settle = self.walk.accounts["trader"].settle
        with self.figure.hold_sync():
            self.y_scale.min, self.y_scale.max = low - (pad if low < 0 else 0), high + pad
            self.figure.axes[1].tick_values = ticks
            self.figure.axes[1].label = settle
            self.figure.title = f"Where the money is: {short_name(self.walk.venue)}"
        self.description.value = html.escape(f"{self.walk.case}: "
                                             f"{CASES[self.walk.case].description}")
        self.summary.value = self._summary()
        with self.event.hold_trait_notifications():
            self.event.max = max(2, len(self.walk.events))
            self.event.value = 1
        self.event.disabled = len(self.walk.events) < 2
        self.update()

    # -- view -------------------------------------------------------------------------------
    def update(self):
        """Redraw the bars and labels for the current event (no computation)."""
        events = self.walk.events
        n = min(self.event.value, len(events)) - 1         # the slider counts from 1
        e = events[n]
        values = _bars(e)
        settle = self.walk.accounts["trader"].settle
        with self.figure.hold_sync():
            self.bars.y = values
            self.bar_labels.y = [max(v, 0.0) for v in values]
            self.bar_labels.text = [style.fmt_price(v, 0) for v in values]
        self.back.disabled = n == 0
        self.next.disabled = n >= len(events) - 1
        self.position.value = (f"event <b>{n + 1}</b> of {len(events)}: "
                               f"{html.escape(_EVENT_NAMES.get(e.kind, e.kind))}")
        self.event_text.value = f"<b>{html.escape(e.text)}</b>"
        held = ", ".join(f"{side} {size:,.4g} {s}" for s, (side, size) in
                         e.open_positions.items()) or "none"
        total = sum(values)
        money = style.fmt_price                    # "-0.00" (rounding dust) reads "0.00"
        self.totals.value = (f"Trader's equity {money(e.equity)} {settle} = wallet "
                             f"{money(e.wallet)} + open positions' PnL {money(e.positions)} · "
                             f"open: {html.escape(held)} · all bars together {money(total)} "
                             f"{settle} (a liquidation only moves money between them)")
        items = "".join(
            f"<li style='{'font-weight:700' if i == n else 'color:#555'}'>"
            f"{html.escape(_EVENT_NAMES.get(x.kind, x.kind))}</li>"
            for i, x in enumerate(events))
        self.events_list.value = (f"<ol style='margin:2px 0;padding-left:1.6em;columns:2'>"
                                  f"{items}</ol>")

    def _summary(self):
        walk = self.walk
        settle = walk.accounts["trader"].settle
        parts = []
        if walk.bankruptcy_price:
            parts.append("bankruptcy price " + ", ".join(
                f"{s} {style.fmt_price(p)}" for s, p in walk.bankruptcy_price.items()
                if p is not None))
        parts.append(f"the trader keeps {style.fmt_price(walk.kept)} {settle}"
                     + (" with a position still open" if walk.survived else ""))
        parts.append(f"the fund {'gets' if walk.fund >= 0 else 'pays'} "
                     f"{style.fmt_price(abs(walk.fund))} {settle}")
        if walk.venue_fees:
            parts.append(f"the venue keeps {style.fmt_price(walk.venue_fees)} {settle} of fees")
        if len(walk.deleveraged):
            parts.append("auto-deleveraged: " + ", ".join(
                f"{r.account} ({r.side} {r.size:,.4g} {r.symbol})"
                for r in walk.deleveraged.itertuples()))
        return "At the end: " + html.escape("; ".join(parts)) + "."



def _bars(event):
    """The bars' values for ``event``, in the order of :data:`BARS` (the engine's rounding
    dust, below :data:`~crossmargin.lessons.liquidation.DUST`, shown as 0)."""
    values = [event.equity if p == "equity" else getattr(event, p) for p in BARS]
    return [0.0 if abs(v) < DUST else float(v) for v in values]
