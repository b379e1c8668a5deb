"""Collateral builder: how much of your USDT, BTC and ETH counts as margin.

Each asset is deposited into its own engine :class:`~crossmargin.Account` at the
starting prices; the BTC move (and ETH's, when it follows) is applied with
``Account.mark``; the margin value is that account's ``cross_wallet_balance``.
So the haircut (Binance Multi-Assets mode: BTC and ETH count 95 %, see
``crossmargin.engine.contracts.COLLATERAL_VALUE_RATIOS``) is the engine's, never this module's.
"""
import bqplot as bq
import ipywidgets as W
import pandas as pd

from .._validate import finite, non_negative, positive
from ..engine.account import Account
from ..engine.contracts import default_contracts
from ..errors import InvalidInput
from . import style

__all__ = ["CollateralBuilder", "ASSETS"]

#: The assets the builder deposits, in the order of the bars.
ASSETS = ("USDT", "BTC", "ETH")
#: The BTC move slider's range, in % of the starting price.
MOVE_LIMIT = 50.0


class CollateralBuilder(W.VBox):
    """Amounts of USDT, BTC and ETH -> market value vs margin value, before and after a BTC move.

    Attributes a test (or a learner) can drive: ``usdt``, ``btc``, ``eth`` (amount
    sliders), ``btc_move`` (% move of BTC), ``eth_follows`` (ETH moves by the same %),
    ``figure`` with ``bars`` (stacked: margin value + haircut = market value, after the
    move) and ``before`` (margin value before the move), labels ``market_label``,
    ``total_label`` and ``change_label``. ``collateral_table()`` returns the numbers.
    """

    def __init__(self, usdt=5_000.0, btc=0.1, eth=1.0, *, btc_price=60_000.0, eth_price=3_000.0,
                 btc_move=0.0, eth_follows=False):
        amounts = {"USDT": non_negative(usdt, "usdt"), "BTC": non_negative(btc, "btc"),
                   "ETH": non_negative(eth, "eth")}
        self.prices = {"USDT": 1.0, "BTC": positive(btc_price, "btc_price"),
                       "ETH": positive(eth_price, "eth_price")}
        move = finite(btc_move, "btc_move")
        if abs(move) > MOVE_LIMIT:
            raise InvalidInput(f"btc_move must be between -{MOVE_LIMIT:g} and +{MOVE_LIMIT:g} % "
                               f"(got {btc_move!r})")
        if not isinstance(eth_follows, bool):
            raise InvalidInput(f"eth_follows must be True or False (got {eth_follows!r})")
        self._contracts = default_contracts()

        self.usdt = style.slider("USDT", amounts["USDT"], 0, max(20_000, amounts["USDT"]), 100,
                                 fmt=",.0f", css_class="cm-collateral-usdt")
        self.btc = style.slider("BTC", amounts["BTC"], 0, max(1.0, amounts["BTC"]), 0.01,
                                fmt=",.2f", css_class="cm-collateral-btc")
        self.eth = style.slider("ETH", amounts["ETH"], 0, max(10.0, amounts["ETH"]), 0.1,
                                fmt=",.1f", css_class="cm-collateral-eth")
        self.btc_move = style.slider("BTC price move (%)", move, -MOVE_LIMIT, MOVE_LIMIT, 1,
                                     fmt="+.0f", css_class="cm-collateral-move")
        for control in (self.usdt, self.btc, self.eth, self.btc_move):
            control.style.description_width = "150px"
        self.eth_follows = W.Checkbox(value=eth_follows, description="ETH moves with BTC",
                                      indent=False)
        self.eth_follows.add_class("cm-collateral-eth-follows")

        xs = bq.OrdinalScale(domain=list(ASSETS))
        ys = bq.LinearScale(min=0.0)
        self.bars = bq.Bars(x=list(ASSETS), y=[[0.0] * 3, [0.0] * 3], type="stacked",
                            colors=[style.COLORS["cross"], style.COLORS["neutral"]],
                            labels=["counts as margin", "haircut (does not count)"],
                            display_legend=True, padding=0.35, scales={"x": xs, "y": ys})
        self.before = bq.Scatter(x=list(ASSETS), y=[0.0] * 3, marker="diamond",
                                 colors=[style.COLORS["text"]], default_size=120,
                                 labels=["margin value before the move"], display_legend=True,
                                 scales={"x": xs, "y": ys})
        self.figure, _, self.y_scale = style.figure(
            "Collateral: market value and margin value", "asset", "value (USDT)",
            x_scale=xs, y_scale=ys, css_class="cm-collateral-figure",
            marks=[self.bars, self.before])
        self.figure.legend_location = "top-left"

        self.market_label = style.value_label("cm-collateral-market")
        self.total_label = style.value_label("cm-collateral-total")
        self.change_label = style.value_label("cm-collateral-change")

        controls = W.VBox([self.usdt, self.btc, self.eth, self.btc_move, self.eth_follows])
        labels = W.VBox([self.market_label, self.total_label, self.change_label])
        super().__init__([controls, self.figure, labels])
        self.add_class("cm-collateral-builder")
        for control in (self.usdt, self.btc, self.eth, self.btc_move, self.eth_follows):
            control.observe(self._update, names="value")
        self._update()

    # -- engine ---------------------------------------------------------------------------------
    def moved_prices(self):
        """Prices after the move: BTC moves by ``btc_move`` %, ETH too if ``eth_follows``."""
        factor = 1.0 + self.btc_move.value / 100.0
        return {"USDT": 1.0, "BTC": self.prices["BTC"] * factor,
                "ETH": self.prices["ETH"] * (factor if self.eth_follows.value else 1.0)}

    def _margin_values(self, asset, amount, moved_price):
        """(before, after) margin value of ``amount`` of one asset, from an engine account."""
        if amount <= 0:
            return 0.0, 0.0
        account = Account(self._contracts)
        if asset == "USDT":
            account.deposit(amount)
        else:
            account.deposit(amount, asset, price=self.prices[asset])
        before = account.summary()["cross_wallet_balance"]
        if asset != "USDT":
            account.mark({f"{asset}USDT": moved_price})
        return before, account.summary()["cross_wallet_balance"]

    def collateral_table(self):
        """One row per asset: amount, price after the move, market value, margin value
        (engine: cross wallet balance of an account holding only it), haircut, and the
        margin value before the move."""
        amounts = {"USDT": self.usdt.value, "BTC": self.btc.value, "ETH": self.eth.value}
        moved = self.moved_prices()
        rows = []
        for asset in ASSETS:
            before, after = self._margin_values(asset, amounts[asset], moved[asset])
            market = amounts[asset] * moved[asset]
            rows.append({"asset": asset, "amount": amounts[asset], "price": moved[asset],
                         "market_value": market, "margin_value": after,
                         "haircut": market - after, "margin_value_before": before})
        return pd.DataFrame(rows).set_index("asset")

    # -- view -----------------------------------------------------------------------------------
    def _update(self, _change=None):
        table = self.collateral_table()
        with self.bars.hold_sync():
            self.bars.y = [table["margin_value"].to_numpy(), table["haircut"].to_numpy()]
        with self.before.hold_sync():
            self.before.y = table["margin_value_before"].to_numpy()
        top = max(table["market_value"].max(), table["margin_value_before"].max())
        self.y_scale.max = float(top * 1.6) if top > 0 else 1.0     # room for the legend

        market, margin = table["market_value"].sum(), table["margin_value"].sum()
        before = table["margin_value_before"].sum()
        self.market_label.value = f"Market value of the collateral: <b>{style.fmt_usdt(market)}</b>"
        self.total_label.value = (
            f"Counts as margin (cross wallet): <b>{style.fmt_usdt(margin)}</b> "
            f"&nbsp;(haircut {style.fmt_usdt(market - margin)})")
        move = self.btc_move.value
        if move == 0:
            self.change_label.value = ("Move the BTC slider to see the margin value follow "
                                       "the price.")
            return
        change = margin - before
        share = ("+" if change > 0 else "") + style.fmt_pct(change / before) if before > 0 else "--"
        kind = "liquidation" if change < 0 else "long"
        who = "BTC and ETH" if self.eth_follows.value else "BTC"
        self.change_label.value = (
            f"{who} {move:+.0f} % (BTC at {style.fmt_price(self.moved_prices()['BTC'])}): "
            f"margin value {style.fmt_usdt(before)} → {style.fmt_usdt(margin)} "
            f"<span style='color:{style.COLORS[kind]};font-weight:600'>"
            f"({change:+,.2f} USDT, {share})</span>")
