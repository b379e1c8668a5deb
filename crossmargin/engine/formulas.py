"""Margin math of USDT-margined linear perpetuals, as Binance USDⓈ-M publishes it.

Pure functions: every argument may be a scalar or a numpy array (broadcast
together), so a widget computes a whole curve and a Monte Carlo a whole batch
in one call. ``side`` is ``"long"``/``"short"`` or an array of +1/-1.

Source: Binance, "How to Calculate Liquidation Price of USDⓈ-M Contracts" and
"Leverage and Margin of USDⓈ-M Futures" (FAQ); see shared/reference/margin-rules.md.
"""
import numpy as np

from .._validate import positive_array, side_signs
from ..errors import InvalidInput

__all__ = [
    "unrealized_pnl", "notional", "initial_margin", "maintenance_margin",
    "margin_balance", "margin_ratio", "liquidation_price", "bankruptcy_price",
    "position_summary", "position_curve", "order_cost",
]


def _scalar_or_array(x):
    arr = np.asarray(x, dtype=float)
    return float(arr) if arr.ndim == 0 else arr


def unrealized_pnl(side, size, entry_price, mark_price):
    """Unrealized PnL on the mark price: ``side * size * (mark_price - entry_price)``."""
    size = positive_array(size, "size")
    entry_price = positive_array(entry_price, "entry_price")
    mark_price = positive_array(mark_price, "mark_price")
    return _scalar_or_array(side_signs(side) * np.asarray(size) * (np.asarray(mark_price)
                                                             - np.asarray(entry_price)))


def notional(size, price):
    """Position value: ``size * price`` (size in base units, e.g. BTC)."""
    return _scalar_or_array(np.asarray(positive_array(size, "size"))
                            * np.asarray(positive_array(price, "price")))


def initial_margin(size, price, leverage):
    """Initial margin: ``notional / leverage`` (Binance uses the mark price for open positions)."""
    return _scalar_or_array(notional(size, price)
                            / np.asarray(positive_array(leverage, "leverage")))


def maintenance_margin(size, mark_price, brackets=None, *, mmr=None, cum=0.0):
    """Maintenance margin: ``notional(mark) * MMR - cum``.

    With ``brackets``, ``(MMR, cum)`` come from the tier that contains the
    notional; otherwise ``mmr`` and ``cum`` are used as given.
    """
    value = (np.asarray(positive_array(size, "size"))
             * np.asarray(positive_array(mark_price, "mark_price")))
    if brackets is not None:
        mmr, cum = brackets.lookup(value)
    elif mmr is None:
        raise InvalidInput("maintenance_margin needs brackets or mmr (got neither)")
    return _scalar_or_array(value * np.asarray(mmr, float) - np.asarray(cum, float))


def order_cost(side, size, order_price, mark_price, leverage):
    """Binance's order cost: ``cost = initial margin + open loss``.

    ``initial margin = size * order_price / leverage`` and
    ``open loss = size * |min(0, direction * (mark_price - order_price))|`` with direction
    +1 for a buy (long), -1 for a sell (short): an order priced worse than the mark starts
    with a loss the balance must pay for. The fee is not part of Binance's cost.
    ``size`` may be 0 (nothing opens: everything is 0). Returns a dict of
    ``initial_margin``, ``open_loss`` and ``cost``.

    Source: Binance FAQ "How to Calculate Cost Required to Open a Position in Perpetual
    Futures Contracts" (87fa7ee33b574f7084d42bd2ce2e463b). Its example, a sell of 1 BTC at
    9,253.30 with the mark at 9,259.84 and 20x: initial margin 9,253.30 / 20 = 462.665 (at
    the order price), open loss 6.54, cost 469.205; the FAQ shows 462.66 + 6.54 = 469.20,
    each cut down to the cent (rounding half up would give 462.67 and 469.21).

    >>> import math
    >>> c = order_cost("short", 1, 9_253.30, 9_259.84, 20)
    >>> [math.floor(round(c[k] * 100, 6)) / 100 for k in ("initial_margin", "open_loss", "cost")]
    [462.66, 6.54, 469.2]
    """
    sign = side_signs(side)
    size = np.asarray(size, dtype=float)
    bad = ~np.isfinite(size) | (size < 0)
    if bad.any():
        raise InvalidInput(f"size must be finite and >= 0 (got {float(size[bad].flat[0])!r})")
    price = np.asarray(positive_array(order_price, "order_price"))
    mark = np.asarray(positive_array(mark_price, "mark_price"))
    lev = np.asarray(positive_array(leverage, "leverage"))
    margin = size * price / lev
    loss = size * np.abs(np.minimum(0.0, sign * (mark - price)))
    return {"initial_margin": _scalar_or_array(margin), "open_loss": _scalar_or_array(loss),
            "cost": _scalar_or_array(margin + loss)}


def margin_balance(wallet_balance, unrealized_pnl):
    """Margin balance: ``wallet balance + unrealized PnL``."""
    return _scalar_or_array(np.asarray(wallet_balance, float) + np.asarray(unrealized_pnl, float))


def margin_ratio(maintenance_margin, margin_balance):
    """Binance's margin ratio: ``maintenance margin / margin balance``.

    Rises toward 1.0 (100 %); liquidation at >= 1.0. A margin balance <= 0 gives ``inf``.
    """
    mm = np.asarray(maintenance_margin, float)
    mb = np.asarray(margin_balance, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(mb > 0, mm / np.where(mb > 0, mb, 1.0), np.inf)
    return _scalar_or_array(ratio)


def _lp(sign, size, entry_price, free_balance, mmr, cum, collateral=0.0):
    """Solve ``free + C*LP + side*Q*(LP-EP) = Q*LP*MMR - cum`` for LP."""
    return ((free_balance + cum - sign * size * entry_price)
            / (size * mmr - sign * size - collateral))


def liquidation_price(side, size, entry_price, wallet_balance, *, brackets=None, mmr=None,
                      cum=0.0, other_maintenance=0.0, other_unrealized_pnl=0.0,
                      collateral_units=0.0):
    """Liquidation price in Binance's one-way mode.

    ``LP = (WB - TMM1 + UPNL1 + cum - side*Q*EP) / (Q*MMR - side*Q)``

    Isolated: ``wallet_balance`` is the position's isolated margin. Cross: it is
    the cross wallet balance, with ``other_maintenance`` (TMM1) and
    ``other_unrealized_pnl`` (UPNL1) of the other cross positions. With
    ``brackets`` the tier is the one that contains ``size * LP`` (Binance's
    note: recompute in the right bracket); with ``mmr``/``cum`` they are used
    as given. Returns ``None`` (NaN in arrays) when no positive price solves it,
    e.g. a long whose collateral covers the whole notional.

    ``collateral_units`` (C): cross collateral in the position's own asset, in
    units already multiplied by its value ratio (0.1 BTC at 95 % -> 0.095) and
    left out of ``wallet_balance``: its value moves with the price, so it moves
    the liquidation price too (BTC collateral behind a BTC long brings it closer)::

        LP = (WB - TMM1 + UPNL1 + cum - side*Q*EP) / (Q*MMR - side*Q - C)
    """
    sign = side_signs(side)
    size = positive_array(size, "size")
    entry = positive_array(entry_price, "entry_price")
    if brackets is not None and all(np.ndim(v) == 0 for v in
                                    (sign, size, entry, wallet_balance, other_maintenance,
                                     other_unrealized_pnl, collateral_units)):
        free = float(wallet_balance) - float(other_maintenance) + float(other_unrealized_pnl)
        return _scalar_lp_in_brackets(sign, size, entry, free, brackets,
                                      float(collateral_units))
    size = np.asarray(size)
    entry = np.asarray(entry)
    free = (np.asarray(wallet_balance, float) - np.asarray(other_maintenance, float)
            + np.asarray(other_unrealized_pnl, float))
    units = np.asarray(collateral_units, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if brackets is None:
            if mmr is None:
                raise InvalidInput("liquidation_price needs brackets or mmr (got neither)")
            lp = _lp(sign, size, entry, free, np.asarray(mmr, float), np.asarray(cum, float),
                     units)
        else:
            lp = _lp_in_brackets(sign, size, entry, free, brackets, units)
    # A price below a billionth of the entry is round-off of zero: no liquidation.
    lp = np.where(np.isfinite(lp) & (lp > entry * 1e-9), lp, np.nan)
    if lp.ndim == 0:
        return None if np.isnan(lp) else float(lp)
    return lp


def _lp_in_brackets(sign, size, entry, free, brackets, collateral):
    """Try every tier at once; keep the tier whose notional range holds ``Q * LP``.

    The margin balance minus the maintenance margin is strictly monotone in the
    price and continuous across tiers (the cum rule), so exactly one tier holds it.
    """
    floors, caps = brackets.floors, brackets.caps
    shape = np.broadcast(sign, size, entry, free, collateral).shape
    expand = (...,) + (np.newaxis,)
    lps = _lp(np.asarray(sign)[expand], size[expand], entry[expand], free[expand],
              brackets.maintenance_margin_rates, brackets.maintenance_amounts,
              collateral[expand])
    value = size[expand] * lps
    inside = (lps > 0) & (value >= floors) & (value < caps)
    first = np.argmax(inside, axis=-1)
    chosen = np.take_along_axis(lps, first[..., np.newaxis], axis=-1)[..., 0]
    return np.broadcast_to(np.where(inside.any(axis=-1), chosen, np.nan), shape)


def _scalar_lp_in_brackets(sign, size, entry, free, brackets, collateral):
    """The same as :func:`_lp_in_brackets` for one position, in plain Python (fast)."""
    for floor, cap, mmr, cum in brackets.tiers:
        denominator = size * mmr - sign * size - collateral
        if denominator == 0:
            continue
        lp = (free + cum - sign * size * entry) / denominator
        if lp > entry * 1e-9 and floor <= size * lp < cap:
            return lp
    return None


def bankruptcy_price(side, size, entry_price, wallet_balance, *, other_unrealized_pnl=0.0):
    """Price at which the margin balance reaches zero: ``EP - side * (WB + UPNL1) / Q``.

    ``None`` (NaN in arrays) when that price is not positive.
    """
    sign = side_signs(side)
    size = np.asarray(positive_array(size, "size"))
    entry = np.asarray(positive_array(entry_price, "entry_price"))
    with np.errstate(divide="ignore", invalid="ignore"):
        bp = entry - sign * (np.asarray(wallet_balance, float)
                             + np.asarray(other_unrealized_pnl, float)) / size
    bp = np.where(np.isfinite(bp) & (bp > 0), bp, np.nan)
    if bp.ndim == 0:
        return None if np.isnan(bp) else float(bp)
    return bp


def position_summary(side, leverage, entry_price, margin, *, brackets):
    """One isolated position opened with ``margin`` at ``leverage``, in numbers.

    The size follows from the definition of leverage (notional = margin × leverage), then
    every number is one of the formulas above with the symbol's ``brackets``:

    ``size``, ``notional``, ``initial_margin``, ``maintenance_margin`` and ``margin_ratio``
    at entry, ``liquidation_price`` (``None`` when none exists or when the position is
    ``liquidated`` on opening: maintenance margin >= margin), ``bankruptcy_price``,
    ``distance`` (liquidation price / entry - 1, ``None`` without one) and ``max_leverage``
    (what the bracket of this notional allows). Arrays give arrays (NaN for ``None``),
    e.g. a whole curve over leverages.

    >>> from crossmargin.engine.contracts import contract
    >>> s = position_summary("long", 10, 60_000, 1_000, brackets=contract("BTCUSDT").brackets)
    >>> s["notional"], round(s["size"], 6), s["initial_margin"], s["maintenance_margin"]
    (10000.0, 0.166667, 1000.0, 40.0)
    >>> round(s["liquidation_price"], 2), round(s["bankruptcy_price"], 2)
    (54216.87, 54000.0)
    """
    leverage = positive_array(leverage, "leverage")
    entry = positive_array(entry_price, "entry_price")
    margin = positive_array(margin, "margin")
    size = margin * leverage / entry                      # notional = margin × leverage
    value = notional(size, entry)
    maintenance = maintenance_margin(size, entry, brackets)
    ratio = margin_ratio(maintenance, margin)
    liq = liquidation_price(side, size, entry, margin, brackets=brackets)
    bankrupt = bankruptcy_price(side, size, entry, margin)
    liquidated = ratio >= 1
    if np.ndim(liquidated) == 0:
        liquidated = bool(liquidated)
        if liquidated:
            liq = None                                   # gone on opening: no price to wait for
        distance = None if liq is None else liq / entry - 1
    else:
        liq = np.where(liquidated, np.nan, liq)
        distance = liq / entry - 1
    return dict(size=size, notional=value, initial_margin=initial_margin(size, entry, leverage),
                maintenance_margin=maintenance, margin_ratio=ratio, liquidation_price=liq,
                bankruptcy_price=bankrupt, distance=distance, liquidated=liquidated,
                max_leverage=brackets.max_leverage(value))


def position_curve(side, size, entry_price, margin, prices, *, brackets):
    """An isolated position's equity (margin + unrealized PnL) and maintenance margin at
    each of ``prices``: ``(equity, maintenance)``. They meet at the liquidation price; the
    equity reaches 0 at the bankruptcy price.

    >>> from crossmargin.engine.contracts import contract
    >>> equity, mm = position_curve("long", 0.5, 60_000, 3_000, [60_000, 54_000],
    ...                             brackets=contract("BTCUSDT").brackets)
    >>> equity.tolist(), mm.tolist()
    ([3000.0, 0.0], [120.0, 108.0])
    """
    prices = np.asarray(prices, dtype=float)
    equity = margin_balance(margin, unrealized_pnl(side, size, entry_price, prices))
    return equity, maintenance_margin(size, prices, brackets)
