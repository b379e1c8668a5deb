"""Funding over time: what holding a perpetual costs a cross or an isolated account.

Every 8 hours (00:00, 08:00, 16:00 UTC) longs pay shorts ``size × mark × funding rate``
when the rate is positive (Binance, "Introduction to Binance Futures Funding Rates"). In
cross the payment comes out of the shared wallet, so it raises the margin ratio of the whole
account; in isolated it comes out of the position's own margin, so it moves that position's
liquidation price toward the mark. :func:`holding_cost` holds one position at a flat price
and records both; :func:`net_funding` adds up what a set of positions (a hedge) pays at a
flat price.
"""
import dataclasses

import pandas as pd

from .._validate import finite, positive, side_sign
from ..engine.account import LIQUIDATION_EVENTS, Account
from ..engine.contracts import default_contracts
from ..errors import InvalidInput

__all__ = ["holding_cost", "net_funding"]

START = pd.Timestamp("2024-01-01 00:00", tz="UTC")
#: A sanity bound on the rate per 8 hours (3 %; exchanges cap it far lower).
MAX_RATE = 0.03


def holding_cost(*, symbol="BTCUSDT", side="long", price=60_000.0, margin=2_000.0, leverage=20,
                 deposit=10_000.0, days=30, funding_rate=None):
    """Hold one position at a flat mark ``price`` for ``days``, in cross and in isolated.

    Returns a table indexed by ``margin_mode`` and ``day`` (0 = just opened) with
    ``funding`` (cumulative, USDT, negative = paid), ``wallet_balance`` (the position's
    pool: the cross wallet, or the isolated margin), ``margin_ratio`` and
    ``liquidation_price`` (NaN once liquidated) and ``liquidated``. ``funding_rate`` per
    8 hours defaults to the contract's.
    """
    whole_days = positive(days, "days")
    if whole_days != int(whole_days) or whole_days > 3_650:
        raise InvalidInput(f"days must be a whole number from 1 to 3650 (got {days!r})")
    side_sign(side, "side")
    price = positive(price, "price")
    rate = None if funding_rate is None else finite(funding_rate, "funding_rate")
    if rate is not None and abs(rate) > MAX_RATE:
        raise InvalidInput(f"funding_rate must be from -{MAX_RATE} to {MAX_RATE} per 8 hours "
                           f"(got {funding_rate!r})")
    rows = []
    for mode in ("cross", "isolated"):
        account = Account(time=START)
        if symbol not in account.contracts:
            raise InvalidInput(f"symbol must be one of {', '.join(account.contracts)} "
                               f"(got {symbol!r})")
        if rate is not None:
            account.contracts[symbol] = dataclasses.replace(account.contracts[symbol],
                                                            funding_rate=rate)
        account.deposit(deposit)
        account.set_margin_mode(symbol, mode)
        account.set_leverage(symbol, leverage)
        account.open(symbol, side, price, margin=margin)
        paid, liquidated_on = 0.0, None
        hours = account.contracts[symbol].funding_interval_hours    # one mark per funding
        for day in range(int(whole_days) + 1):
            for step in range(1, 24 // hours + 1 if day else 1):
                when = START + pd.Timedelta(days=day - 1, hours=hours * step)
                events = account.mark({symbol: price}, when)
                paid += sum(e["amount"] for e in events if e["type"] == "funding")
                if liquidated_on is None and any(e["type"] in LIQUIDATION_EVENTS for e in events):
                    liquidated_on = day
            holding = liquidated_on is None
            pool = account.balances().query("wallet == 'cross' and asset == 'USDT'"
                                            if mode == "cross" else
                                            "wallet == 'isolated' and symbol == @symbol")
            rows.append({"margin_mode": mode, "day": day, "funding": paid,
                         "wallet_balance": float(pool["balance"].sum()),
                         "margin_ratio": account.margin_ratio(None if mode == "cross" else symbol)
                         if holding else float("nan"),
                         "liquidation_price": account.liquidation_price(symbol) if holding
                         else float("nan"),
                         "liquidated": not holding})
    return pd.DataFrame(rows).set_index(["margin_mode", "day"])


def net_funding(orders, days=30):
    """USDT a set of positions pays in funding over ``days`` at a flat price (negative =
    received), each at its contract's default rate and interval:
    ``Σ sign × notional × rate × (24 / interval_hours) × days``, sign +1 for a long (longs pay
    shorts when the rate is positive; Binance, "Introduction to Binance Futures Funding
    Rates"). ``orders``: :class:`~crossmargin.Order` s with a ``notional`` (or a ``margin``
    and a ``leverage``). A long and a short of the same notional and rate cancel; a hedge
    whose long is bigger pays on the difference."""
    span = positive(days, "days")
    if span > 3_650:
        raise InvalidInput(f"days must be from above 0 to 3650 (got {days!r})")
    specs = default_contracts()
    total = 0.0
    for n, order in enumerate(orders):
        if order.symbol not in specs:
            raise InvalidInput(f"orders[{n}].symbol must be one of {', '.join(specs)} "
                               f"(got {order.symbol!r})")
        if order.notional is not None:
            notional = positive(order.notional, f"orders[{n}].notional")
        elif order.margin is not None and order.leverage is not None:
            notional = positive(order.margin, f"orders[{n}].margin") * positive(
                order.leverage, f"orders[{n}].leverage")
        else:
            raise InvalidInput(f"orders[{n}] must give a notional, or a margin and a leverage "
                               f"(got {order!r})")
        spec = specs[order.symbol]
        per_day = 24 / spec.funding_interval_hours
        total += side_sign(order.side, f"orders[{n}].side") * notional * spec.funding_rate \
            * per_day * span
    return total
