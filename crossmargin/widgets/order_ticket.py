"""Order ticket: a market order with a pre-trade preview, as on an exchange's order panel.

The preview is ``Account.preview_open`` run on a copy of the ticket's account with the
ticket's leverage and margin mode applied (``set_leverage``, ``set_margin_mode``); the
maximum size is ``Account.max_open_size`` on that copy. "Place order" repeats the same
calls on the account itself, with exactly the values the preview showed. The amount is
previewed on every keystroke. An order the engine refuses shows the engine's own message; a
margin-mode switch the engine refuses puts the toggle back on the symbol's real mode.
After a fill the ticket says what the new position is (size, liquidation price); the
preview then reads "if you place another order", since that is what it shows.
"""
import contextlib
import math

import bqplot as bq
import ipywidgets as W

from .._validate import check_margin_mode, positive, side_sign
from ..engine.account import Account
from ..errors import CrossMarginError, InvalidInput
from . import style

__all__ = ["OrderTicket", "default_account"]

#: Marks of the default account (made-up prices, as everywhere in the course).
DEFAULT_MARKS = {"BTCUSDT": 60_000.0, "ETHUSDT": 3_000.0, "SOLUSDT": 150.0}


def default_account():
    """A fresh account: 10,000 USDT, BTC at 60,000, ETH at 3,000, SOL at 150."""
    account = Account()
    account.deposit(10_000)
    account.mark(DEFAULT_MARKS)
    return account


def _ok(text):
    return f"<span style='color:{style.COLORS['long']};font-weight:600'>{text}</span>"


def _refused(text):
    return (f"<span style='color:{style.COLORS['liquidation']};font-weight:600'>"
            f"Refused:</span> <span style='color:{style.COLORS['liquidation']}'>{text}</span>")


class OrderTicket(W.VBox):
    """Symbol, side, leverage, margin or size, margin mode -> preview -> "Place order".

    Controls: ``symbol``, ``side``, ``leverage``, ``amount`` (a number), ``amount_kind``
    (``"margin"`` in USDT or ``"size"`` in base units), ``margin_mode``, buttons
    ``max_button`` and ``place``. Preview labels: ``price_label``, ``size_label``,
    ``cost_label``, ``available_label``, ``ratio_label``, ``liquidation_label``,
    ``max_label``, under ``preview_title`` (what the preview is of: this order, or another
    one on top of a position); ``status`` shows a refusal (red) or the last fill (green).
    ``figure`` shows the mark (``mark_point``), the liquidation price after the order
    (``liquidation_point``, joined to the mark by ``distance_line``) and before it
    (``before_point``, if the symbol already has a position). ``preview`` is the last
    engine preview (a Series) or None when the order would be refused.
    """

    def __init__(self, account=None, *, symbol="BTCUSDT", side="long", leverage=None,
                 margin=1_000.0, size=None, margin_mode=None):
        if account is None:
            account = default_account()
        if not isinstance(account, Account):
            raise InvalidInput(f"account must be a crossmargin Account (got {account!r})")
        if not isinstance(symbol, str) or symbol not in account.contracts:
            raise InvalidInput(f"symbol must be one of {', '.join(account.contracts)} "
                               f"(got {symbol!r})")
        side_sign(side)
        if size is not None:
            kind, amount = "size", positive(size, "size")
        else:
            kind, amount = "margin", positive(margin, "margin")
        spec = account.contracts[symbol]
        if leverage is None:
            leverage = account.leverage(symbol)
        leverage = positive(leverage, "leverage")
        if not 1 <= leverage <= spec.max_leverage or leverage != int(leverage):
            raise InvalidInput(f"leverage must be a whole number from 1 to {spec.max_leverage:g}"
                               f" for {symbol} (got {leverage:g})")
        margin_mode = account.margin_mode(symbol) if margin_mode is None else margin_mode
        check_margin_mode(margin_mode)

        self.account = account
        self.preview = None
        self._previewed = None
        self._held = {}
        self._syncing = False
        wide = {"description_width": "initial"}
        self.symbol = W.Dropdown(options=list(account.contracts), value=symbol,
                                 description="Symbol", style=wide)
        self.side = W.ToggleButtons(options=[("Long", "long"), ("Short", "short")], value=side,
                                    style={"button_width": "90px"})
        self.margin_mode = W.ToggleButtons(options=[("Cross", "cross"), ("Isolated", "isolated")],
                                           value=margin_mode, style={"button_width": "90px"})
        self.leverage = style.int_slider("Leverage (x)", leverage, 1, int(spec.max_leverage))
        self.amount_kind = W.ToggleButtons(options=[("Margin (USDT)", "margin"),
                                                    ("Size (base)", "size")], value=kind,
                                           style={"button_width": "115px"})
        self.amount = W.BoundedFloatText(value=amount, min=0.0, max=1e12, step=None,
                                         description="Amount", style=wide,
                                         continuous_update=True,
                                         layout=W.Layout(width="200px"))
        self.max_button = W.Button(description="Max size", tooltip="fill in the largest size")
        self.place = W.Button(description="Place order", button_style="success",
                              icon="check")
        style.add_classes("cm-order-ticket", symbol=self.symbol, side=self.side,
                          mode=self.margin_mode, leverage=self.leverage,
                          amount_kind=self.amount_kind, amount=self.amount,
                          max=self.max_button, place=self.place)

        self.preview_title = style.value_label("cm-order-ticket-preview-title")
        self.price_label = style.value_label("cm-order-ticket-price")
        self.size_label = style.value_label("cm-order-ticket-size")
        self.cost_label = style.value_label("cm-order-ticket-cost")
        self.available_label = style.value_label("cm-order-ticket-available")
        self.ratio_label = style.value_label("cm-order-ticket-ratio")
        self.liquidation_label = style.value_label("cm-order-ticket-liquidation")
        self.max_label = style.value_label("cm-order-ticket-max")
        self.status = style.value_label("cm-order-ticket-status")
        self.positions_table = style.html_block("cm-order-ticket-positions")

        self._build_figure()
        order = W.VBox([self.symbol, W.HBox([self.side, self.margin_mode]), self.leverage,
                        W.HBox([self.amount_kind, self.amount]),
                        W.HBox([self.max_button, self.place])])
        preview = W.VBox([self.preview_title, self.price_label, self.size_label,
                          self.cost_label, self.available_label, self.ratio_label,
                          self.liquidation_label, self.max_label],
                         layout=W.Layout(flex="1 1 420px", min_width="0"))
        super().__init__([W.HTML("<b>Order ticket</b> (market order at the mark price)"),
                          W.HBox([W.VBox([order, self.status],
                                         layout=W.Layout(flex="1 1 420px", min_width="0")),
                                  preview], layout=W.Layout(flex_flow="row wrap")),
                          self.figure, W.HTML("<b>Open positions</b>"), self.positions_table])
        self.add_class("cm-order-ticket")

        self.symbol.observe(self._on_symbol, names="value")
        self.amount_kind.observe(self._on_kind, names="value")
        self.margin_mode.observe(self._on_mode, names="value")
        for control in (self.side, self.leverage, self.amount):
            control.observe(self._update, names="value")
        self.max_button.on_click(lambda _: self.fill_max())
        self.place.on_click(lambda _: self.submit())
        self.refresh()

    def _build_figure(self):
        xs, ys = bq.LinearScale(), bq.LinearScale(min=-1.0, max=3.0)   # room for the legend
        scales = {"x": xs, "y": ys}
        self.distance_line = bq.Lines(x=[0.0, 0.0], y=[0.0, 0.0], colors=[style.COLORS["long"]],
                                      stroke_width=6, labels=["distance to liquidation"],
                                      display_legend=True, scales=scales)
        self.before_point = bq.Scatter(x=[], y=[], marker="circle", default_size=160,
                                       colors=[style.COLORS["neutral"]],
                                       labels=["liquidation price now"],
                                       display_legend=True, scales=scales)
        self.liquidation_point = bq.Scatter(x=[], y=[], marker="circle", default_size=220,
                                            colors=[style.COLORS["liquidation"]],
                                            labels=["liquidation price if placed"],
                                            display_legend=True, scales=scales)
        self.mark_point = bq.Scatter(x=[], y=[], marker="diamond", default_size=220,
                                     colors=[style.COLORS["price"]],
                                     labels=["mark price (the fill)"], display_legend=True,
                                     scales=scales)
        self.figure, self.x_scale, _ = style.figure(
            "Mark price and liquidation price", "price (USDT)", "",
            x_scale=xs, y_scale=ys, css_class="cm-order-ticket-figure",
            marks=[self.distance_line, self.before_point, self.liquidation_point,
                   self.mark_point])
        self.figure.axes[0].num_ticks = None          # round prices on the axis
        self.figure.axes[0].tick_format = ",.0f"
        self.figure.axes[1].visible = False
        self.figure.layout = W.Layout(width="100%", min_width="320px", max_width="760px",
                                      height="230px")

    # -- engine ---------------------------------------------------------------------------------
    def _order(self):
        """The order as ``Account.open`` keyword arguments."""
        return {self.amount_kind.value: self.amount.value}

    def _trial(self):
        """A copy of the account with the ticket's margin mode and leverage applied."""
        trial = self.account.copy()
        symbol = self.symbol.value
        if trial.margin_mode(symbol) != self.margin_mode.value:
            trial.set_margin_mode(symbol, self.margin_mode.value)
        if trial.leverage(symbol) != self.leverage.value:
            trial.set_leverage(symbol, self.leverage.value)
        return trial

    def _mark(self):
        symbol = self.symbol.value
        price = self.account.mark_price(symbol)
        if price is None:
            raise InvalidInput(f"{symbol} has no mark price yet: mark it on the account first "
                               f"(got none)")
        return price

    def fill_max(self):
        """Put the largest size the engine accepts (at this leverage and mode) in the ticket."""
        try:
            size = self._trial().max_open_size(self.symbol.value, self.side.value, self._mark())
        except CrossMarginError as err:
            self._show_refusal(str(err))
            return
        self._syncing = True
        try:
            self.amount_kind.value = "size"
            self.amount.value = math.floor(size * 1e6) / 1e6
        finally:
            self._syncing = False
        self._update()

    def _controls(self):
        """The ticket's values: what a preview is of, and what Place order places."""
        return {"symbol": self.symbol.value, "side": self.side.value,
                "leverage": self.leverage.value, "margin_mode": self.margin_mode.value,
                "kind": self.amount_kind.value, "amount": self.amount.value}

    def submit(self):
        """Place the previewed order on the account (what the button does); returns the
        preview it filled, or None. It places exactly the values of the preview on screen;
        if the ticket changed since, it shows the new preview and places nothing."""
        shown = self._previewed
        if self.preview is None or shown is None:
            return None
        if shown != self._controls():
            self._update()
            self.status.value = _refused("the ticket changed since the preview: check the new "
                                         "preview, then press Place order again")
            return None
        symbol, price = shown["symbol"], self._mark()
        try:
            if self.account.margin_mode(symbol) != shown["margin_mode"]:
                self.account.set_margin_mode(symbol, shown["margin_mode"])
            if self.account.leverage(symbol) != shown["leverage"]:
                self.account.set_leverage(symbol, shown["leverage"])
            self.account.open(symbol, shown["side"], price, **{shown["kind"]: shown["amount"]})
        except CrossMarginError as err:          # e.g. the account changed elsewhere
            self.refresh()
            self._show_refusal(str(err))
            return None
        filled = self.preview
        self.refresh()
        self.status.value = _ok(
            f"Filled: {filled['side']} {filled['size']:,.6g} {symbol} at {style.fmt_price(price)}"
            f", fee {style.fmt_usdt(filled['fee'])}.") + " " + self._holding(symbol)
        return filled

    def _holding(self, symbol):
        """The position the account holds in ``symbol`` now, in words."""
        held = self._held.get(symbol)
        if held is None:
            return f"No {symbol} position is open now."
        side, size, lp = held
        base = self.account.contracts[symbol].base
        return (f"Your {symbol} position now: <b>{side} {size:,.6g} {base}</b>, liquidation "
                f"price <b>{style.fmt_price(lp)}</b>.")

    # -- view -----------------------------------------------------------------------------------
    def refresh(self):
        """Re-read the account (after it changed elsewhere) and update everything."""
        frame = self.account.positions()
        # what the preview compares with: side, size and liquidation price per open symbol
        self._held = {symbol: (row["side"], row["contracts"],
                               self.account.liquidation_price(symbol))
                      for symbol, row in frame.iterrows()}
        if frame.empty:
            self.positions_table.value = "<i>none</i>"
        else:
            cols = ["side", "contracts", "entry_price", "mark_price", "leverage", "margin_mode",
                    "unrealized_pnl", "liquidation_price"]
            self.positions_table.value = frame[cols].reset_index().to_html(
                index=False, na_rep="--",
                float_format=lambda x: f"{x:,.6g}" if abs(x) < 1 else f"{x:,.2f}")
        self._update()

    def _sync_symbol(self):
        """Set the leverage range and the current settings of the selected symbol."""
        symbol = self.symbol.value
        self._syncing = True
        try:
            self.leverage.max = int(self.account.contracts[symbol].max_leverage)
            self.leverage.value = int(min(self.account.leverage(symbol), self.leverage.max))
            self.margin_mode.value = self.account.margin_mode(symbol)
        finally:
            self._syncing = False

    def _on_symbol(self, _change):
        self._sync_symbol()
        self._update()

    def _on_mode(self, change):
        """A switch the engine refuses (e.g. with a position open) puts the toggle back."""
        if self._syncing:
            return
        symbol = self.symbol.value
        try:
            self.account.copy().set_margin_mode(symbol, change["new"])
        except CrossMarginError as err:
            real = self.account.margin_mode(symbol)
            self._syncing = True
            try:
                self.margin_mode.value = real
            finally:
                self._syncing = False
            self._update()
            self.status.value = _refused(f"{err} (the ticket stays on {real})")
            return
        self._update()

    def _on_kind(self, change):
        """Keep the same order when switching between margin and size."""
        if self.preview is not None and not self._syncing:
            self._syncing = True
            try:
                if change["new"] == "size":
                    self.amount.value = round(float(self.preview["size"]), 6)
                else:
                    self.amount.value = round(float(self.preview["initial_margin"]), 2)
            finally:
                self._syncing = False
        self._update()

    def _show_refusal(self, message):
        self.preview = None
        self._previewed = None
        self.preview_title.value = "<b>Preview</b>: --"
        self.place.disabled = True
        self.status.value = _refused(message)
        for label, name in ((self.size_label, "Size"), (self.cost_label, "Cost"),
                            (self.available_label, "Available"),
                            (self.ratio_label, "Cross margin ratio"),
                            (self.liquidation_label, "Liquidation price after"),
                            (self.max_label, "Largest size")):
            label.value = f"{name}: --"
        marks = (self.liquidation_point, self.before_point, self.mark_point)
        with contextlib.ExitStack() as stack:
            for mark in (*marks, self.distance_line):
                stack.enter_context(mark.hold_sync())
            for mark in marks:
                mark.x, mark.y = [], []
            self.distance_line.visible = False

    def _update(self, _change=None):
        if self._syncing:
            return
        symbol, side = self.symbol.value, self.side.value
        try:
            price = self._mark()
            trial = self._trial()
            preview = trial.preview_open(symbol, side, price, **self._order())
            max_size = trial.max_open_size(symbol, side, price)
        except CrossMarginError as err:
            self._show_refusal(str(err))
            return
        self.preview = preview
        self._previewed = self._controls()
        self.place.disabled = False
        self.status.value = ""
        base = self.account.contracts[symbol].base
        ratio_before, ratio_after = self.account.margin_ratio(), preview["margin_ratio_after"]
        after_lp = preview["liquidation_price_after"]
        held, held_size, before_lp = self._held.get(symbol, (None, 0.0, None))
        reducing = held is not None and held != side
        closed = reducing and math.isclose(preview["size"], held_size, rel_tol=1e-9)
        side_after = held if reducing and preview["size"] < held_size else side
        note = f" — it first reduces your open {held} (one-way mode)" if reducing else ""
        if held is None:
            self.preview_title.value = "<b>Preview: if you place this order</b>"
        else:
            self.preview_title.value = (
                f"<b>Preview: if you place another order</b> ({side} on top of your "
                f"{held} {held_size:,.6g} {base}, liquidation price now "
                f"{style.fmt_price(before_lp)})")
        self.price_label.value = f"Fills at the mark price: <b>{style.fmt_price(price)}</b>"
        self.size_label.value = (f"Size: <b>{preview['size']:,.6g} {base}</b>, notional "
                                 f"{style.fmt_usdt(preview['notional'])}{note}")
        self.cost_label.value = (f"Cost: <b>{style.fmt_usdt(preview['cost'])}</b> = initial margin "
                                 f"{style.fmt_usdt(preview['initial_margin'])} + open loss "
                                 f"{style.fmt_usdt(preview['open_loss'])}; with the taker fee "
                                 f"{style.fmt_usdt(preview['fee'])}: "
                                 f"{style.fmt_usdt(preview['total'])}")
        self.available_label.value = (f"Available: {style.fmt_usdt(preview['available_before'])} "
                                      f"→ <b>{style.fmt_usdt(preview['available_after'])}</b>")
        colour = style.ratio_color(ratio_after)
        self.ratio_label.value = (f"Cross margin ratio: {style.fmt_pct(ratio_before)} → "
                                  f"<b style='color:{colour}'>{style.fmt_pct(ratio_after)}</b>")
        if after_lp is None:
            where = "the position is closed" if closed else "none: the collateral covers any fall"
            self.liquidation_label.value = f"Liquidation price after: <b>--</b> ({where})"
        else:
            distance = (after_lp - price) / price
            whose = "after this order" if held is None else "of the position after that order"
            self.liquidation_label.value = (
                f"Liquidation price {whose}: <b>{style.fmt_price(after_lp)}</b> "
                f"({'+' if distance > 0 else ''}{style.fmt_pct(distance)} from the mark)"
                + (f", now: {style.fmt_price(before_lp)}" if before_lp is not None else ""))
        self.max_label.value = (f"Largest size at {self.leverage.value}x "
                                f"{self.margin_mode.value}: {max_size:,.6g} {base}")
        self._draw(price, before_lp, after_lp, side_after)

    def _draw(self, price, before_lp, after_lp, side):
        points = [p for p in (price, before_lp, after_lp) if p is not None]
        low, high = min(points), max(points)
        pad = max(high - low, price * 0.05) * 0.15
        marks = (self.x_scale, self.mark_point, self.liquidation_point, self.distance_line,
                 self.before_point)
        with contextlib.ExitStack() as stack:
            for mark in marks:
                stack.enter_context(mark.hold_sync())
            self.x_scale.min, self.x_scale.max = float(max(0.0, low - pad)), float(high + pad)
            self.mark_point.x, self.mark_point.y = [price], [0.0]
            if after_lp is None:
                self.liquidation_point.x, self.liquidation_point.y = [], []
                self.distance_line.visible = False
            else:
                self.liquidation_point.x, self.liquidation_point.y = [after_lp], [0.0]
                self.distance_line.x, self.distance_line.y = [after_lp, price], [0.0, 0.0]
                self.distance_line.colors = [style.COLORS[side]]
                self.distance_line.visible = True
            if before_lp is None:
                self.before_point.x, self.before_point.y = [], []
            else:
                self.before_point.x, self.before_point.y = [before_lp], [0.0]
