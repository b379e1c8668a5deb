"""Keep a reserve? Survival odds of the same plan with more or less of the deposit committed.

The *reserve* is the share of the deposit that is **not** committed as initial margin:
with a 10,000 USDT deposit and a 30 % reserve the plan's positions get 7,000 USDT of
margin between them (split as the plan's margins say), and the opening fees come out of
the remaining 3,000. The leverage setting stays the same, so a bigger reserve means
smaller positions. What the reserve does then depends on the margin mode:

- **cross**: the reserve stays in the cross wallet and backs every position, so the
  account's *effective leverage* — total notional / equity — is ``(1 - reserve) x
  leverage`` at the start, and liquidation needs a bigger move;
- **isolated**: each position can only lose its own margin; the reserve is never touched,
  so it does not change the odds that a position is liquidated — it is what is left.

:func:`reserve_outcomes` runs a plan at several reserves over the same price paths with
:func:`crossmargin.simulation.montecarlo.run`; :func:`odds` compares any named plans the same way;
:func:`effective_leverage` measures notional / equity along every path of a cross account;
:func:`what_if` is the pre-trade check (margin ratio and every liquidation price after a
proposed order, from :meth:`Account.preview_open`).
"""
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..simulation import montecarlo
from .._validate import non_empty_list, non_negative, positive
from ..engine.account import DEFAULT_LEVERAGE, Account
from ..errors import InsufficientBalance, InvalidInput
from .. import scenarios
from ..scenarios import START_PRICES
from ..simulation.replay import Order, open_orders

__all__ = ["PLANS", "RESERVES", "SYMBOLS", "market_paths", "scaled_plan", "open_plan", "odds",
           "reserve_outcomes", "effective_leverage", "what_if", "WhatIf"]

#: The price columns of :func:`market_paths`.
SYMBOLS = list(START_PRICES)

#: Two plans the lesson compares, for a 10,000 USDT deposit with half of it in reserve:
#: 2,500 USDT of margin per position at 10x (scaled_plan rescales them).
PLANS = {
    "hedge: long BTC, short ETH": [Order("BTCUSDT", "long", margin=2_500, leverage=10),
                                   Order("ETHUSDT", "short", margin=2_500, leverage=10)],
    "two bets: long BTC, long SOL": [Order("BTCUSDT", "long", margin=2_500, leverage=10),
                                     Order("SOLUSDT", "long", margin=2_500, leverage=10)],
}
#: Reserve shares the lesson and the tool look at (5 % to 90 % of the deposit).
RESERVES = tuple(np.round(np.arange(0.05, 0.901, 0.05), 2))
#: Final equity below this share of the deposit counts as "half the deposit lost".
HALF = 0.5


def market_paths(n_paths=1_000, *, days=10, steps_per_day=144, seed=10):
    """Seeded random paths of BTC, ETH and SOL for the lesson's Monte Carlo runs: the
    course's start prices and daily volatilities (3 %, 4 %, 5.5 %), correlation 0.8, no
    drift, ``days`` long with ``steps_per_day`` marks a day (144: every 10 minutes).
    An array ``(n_paths, days * steps_per_day + 1, 3)``, columns :data:`SYMBOLS`."""
    for field, value in (("days", days), ("steps_per_day", steps_per_day)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise InvalidInput(f"{field} must be a whole number >= 1 (got {value!r})")
    return scenarios.market_paths(SYMBOLS, n_paths, days * steps_per_day,
                                  steps_per_day=steps_per_day, seed=seed)


def _plan(plan):
    """The plan as a list of Orders with margins, opened at step 0 without stops."""
    if isinstance(plan, str):
        if plan not in PLANS:
            raise InvalidInput(f"plan must be one of {', '.join(map(repr, PLANS))} or a list "
                               f"of Orders (got {plan!r})")
        plan = PLANS[plan]
    orders = non_empty_list(plan, "plan", of="Orders", one="Order")
    for n, order in enumerate(orders):
        if not isinstance(order, Order):
            raise InvalidInput(f"plan item {n} must be an Order (got {order!r})")
        if order.margin is None or order.size is not None or order.notional is not None:
            raise InvalidInput(f"plan item {n} must give margin= only: the margins say how the "
                               f"committed part of the deposit is split (got size="
                               f"{order.size}, notional={order.notional})")
        order.check(f"plan item {n}")
    return orders


def _reserve(reserve):
    value = non_negative(reserve, "reserve")
    if value >= 1:
        raise InvalidInput(f"reserve must be a share of the deposit below 1 (got {reserve!r})")
    return value


def scaled_plan(plan, reserve, *, deposit=10_000.0, leverage=None):
    """The plan with its margins scaled to add up to ``(1 - reserve) * deposit`` (same
    split), at ``leverage`` if given (every order), else at each order's own."""
    orders, reserve = _plan(plan), _reserve(reserve)
    deposit = positive(deposit, "deposit")
    if leverage is not None and positive(leverage, "leverage") < 1:
        raise InvalidInput(f"leverage must be >= 1 (got {leverage!r})")
    total = sum(positive(o.margin, "margin") for o in orders)
    committed = (1.0 - reserve) * deposit
    return [Order(o.symbol, o.side, margin=o.margin / total * committed,
                  leverage=o.leverage if leverage is None else leverage,
                  margin_mode=o.margin_mode) for o in orders]


def open_plan(plan, prices, *, deposit=10_000.0, margin_mode="cross"):
    """A fresh account with ``deposit`` USDT, marked at ``prices`` ({symbol: price}), with
    the plan's orders placed at those prices in ``margin_mode``. Raises what the account
    raises (e.g. InsufficientBalance when the orders do not fit)."""
    return open_orders(_plan(plan), prices, deposit=deposit, margin_mode=margin_mode)


def _stats(result, orders, deposit):
    """One row per mode: notional, effective leverage, odds and equity quantiles."""
    notional = sum(o.margin * (o.leverage or DEFAULT_LEVERAGE) for o in orders)
    rows = []
    for mode, group in result.outcomes.groupby("mode", sort=False):
        equity = group["final_equity"]
        rows.append({
            "mode": mode, "margin": sum(o.margin for o in orders), "notional": notional,
            "effective_leverage": notional / deposit,
            "p_liquidation": group["liquidated"].mean(),
            "p_all_liquidated": (group["liquidations"] == len(orders)).mean(),
            "p_half_lost": (equity < HALF * deposit).mean(),
            "p_wipeout": group["wiped_out"].mean(),
            "median_equity": equity.median(),
            "equity_p05": equity.quantile(0.05),
        })
    return rows


def odds(plans, paths, symbols, *, deposit=10_000.0, modes=montecarlo.MODES):
    """Each named plan (``{label: [Order, ...]}``, margins in USDT) over the same ``paths``
    with :func:`crossmargin.simulation.montecarlo.run`. Tidy: one row per plan and mode with
    ``margin``, ``notional`` and ``effective_leverage`` (notional / deposit) at the start,
    then the share of paths with any liquidation (``p_liquidation``), with every
    position liquidated (``p_all_liquidated``), ending below half the deposit
    (``p_half_lost``) or with (almost) nothing (``p_wipeout``, below
    ``montecarlo.WIPEOUT_SHARE``), the median final equity and its 5 % quantile."""
    if not hasattr(plans, "items") or not plans:
        raise InvalidInput(f"plans must be a non-empty dict {{label: [Order, ...]}} "
                           f"(got {plans!r})")
    rows = []
    for label, plan in plans.items():
        orders = _plan(plan)
        result = montecarlo.run(orders, paths, symbols, deposit=deposit, modes=modes)
        rows += [{"plan": label, **row} for row in _stats(result, orders, deposit)]
    return pd.DataFrame(rows)


def reserve_outcomes(plan, paths, symbols, *, reserves=RESERVES, leverage=None,
                     deposit=10_000.0, modes=montecarlo.MODES):
    """The same plan with each share of the deposit in ``reserves`` kept back (see
    :func:`scaled_plan`), over the same paths: :func:`odds` with a ``reserve`` column
    instead of ``plan``. A reserve too small for the opening fees is refused, naming it."""
    shares = [_reserve(r) for r in non_empty_list(reserves, "reserves",
                                                  of="shares like [0.1, 0.5]", one="share")]
    plans = {r: scaled_plan(plan, r, deposit=deposit, leverage=leverage) for r in shares}
    frames = []
    for r, orders in plans.items():
        try:
            frames.append(odds({r: orders}, paths, symbols, deposit=deposit, modes=modes))
        except InsufficientBalance as err:
            raise InsufficientBalance(f"reserve {r:g} leaves too little for the opening "
                                      f"fees: {err}") from None
    return pd.concat(frames, ignore_index=True).rename(columns={"plan": "reserve"})


def effective_leverage(plan, paths, symbols, *, deposit=10_000.0):
    """Total notional / equity of the plan's cross account along every path.

    The notional moves with the prices (sizes are fixed at the opening), the equity with
    the profit and loss; after a liquidation nothing is open. One row per path:
    ``start``, ``highest`` (before any liquidation), ``final`` (NaN once liquidated),
    ``liquidated`` and ``last_before_liquidation`` (NaN if never liquidated).
    """
    orders = _plan(plan)
    result = montecarlo.run(orders, paths, symbols, deposit=deposit, modes=("cross",),
                            keep_equity=True)
    paths = np.asarray(paths, dtype=float)
    if paths.ndim == 2:
        paths = paths[:, :, np.newaxis]
    symbols = [symbols] if isinstance(symbols, str) else list(symbols)
    notional = 0.0
    for order in orders:
        column = paths[:, :, symbols.index(order.symbol)]
        leverage = order.leverage or DEFAULT_LEVERAGE
        notional = notional + order.margin * leverage / column[:, :1] * column   # size x price
    outcome = result.outcomes
    first = outcome["first_liquidation_step"].to_numpy()
    steps = np.arange(paths.shape[1])[None, :]
    alive = ~(steps >= np.where(np.isnan(first), np.inf, first)[:, None])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(alive, notional / result.equity["cross"], np.nan)
    last = np.where(np.isnan(first), np.nan, ratio[np.arange(len(ratio)),
                                                    np.nan_to_num(first - 1).astype(int)])
    return pd.DataFrame({"start": ratio[:, 0], "highest": np.nanmax(ratio, axis=1),
                         "final": ratio[:, -1], "liquidated": outcome["liquidated"].to_numpy(),
                         "last_before_liquidation": last})


@dataclass
class WhatIf:
    """A pre-trade check: ``preview`` is :meth:`Account.preview_open`'s Series plus
    ``margin_ratio_before``; ``positions`` has one row per symbol open before or after,
    with ``mark_price``, ``liquidation_before`` and ``liquidation_after`` (NaN: no
    position, or no price liquidates it)."""

    preview: pd.Series
    positions: pd.DataFrame


def what_if(account, symbol, side, price=None, *, size=None, margin=None, notional=None,
            leverage=None):
    """What ``account.open(symbol, side, price, ...)`` would do, without doing it: the
    margin ratio before and after, and the liquidation price of **every** position before
    and after (in cross, adding a position moves the others'). ``price`` defaults to the
    mark; ``leverage`` sets the symbol's leverage first (on a copy). Raises what ``open``
    would raise; the account is never changed."""
    if not isinstance(account, Account):
        raise InvalidInput(f"account must be a crossmargin Account (got {account!r})")
    trial = account.copy()
    if leverage is not None:
        trial.set_leverage(symbol, leverage)
    if price is None:
        price = trial.mark_price(symbol)
        if price is None:
            raise InvalidInput(f"price must be given: {symbol} has no mark price yet")
    preview = trial.preview_open(symbol, side, price, size=size, margin=margin,
                                 notional=notional)
    # A new Series rather than preview[...] = ...: adding a label to a Series is slow.
    preview = pd.Series({**preview, "margin_ratio_before": account.margin_ratio()},
                        name=preview.name, dtype=preview.dtype)
    trial.open(symbol, side, price, size=size, margin=margin, notional=notional)
    symbols = list(dict.fromkeys(account.open_symbols + trial.open_symbols))
    frame = pd.DataFrame(
        [[trial.mark_price(s), _liquidation(account, s), _liquidation(trial, s)]
         for s in symbols],
        index=pd.Index(symbols, name="symbol"),
        columns=["mark_price", "liquidation_before", "liquidation_after"], dtype=float)
    return WhatIf(preview, frame)


def _liquidation(account, symbol):
    """The symbol's liquidation price, NaN when it has no position or no such price."""
    if symbol not in account.open_symbols:
        return np.nan
    price = account.liquidation_price(symbol)
    return np.nan if price is None else price
