"""Many price paths at once: the same positions run isolated and cross, vectorized.

The positions open at the first row of every path (as :func:`simulate.replay`
opens a plan's step-0 orders) and are then marked at every step; the rules are
the account's (see account.py): an isolated position is liquidated when its own
margin ratio reaches 100 % (it loses its margin, the rest of the account is
untouched); the cross account is liquidated when the account's margin ratio
reaches 100 % (every position closes). Liquidation fees are capped by what is
left; nothing ends below zero. No funding and no stop-losses here: for those,
replay the paths through :func:`simulate.replay` (results agree path by path,
tests check it). Loops run over chunks of paths and over positions, never over
steps or single paths.

    paths = scenarios.random_paths(2_000, 1_440, [60_000, 3_000], 0.04, 0.8, seed=1)
    result = montecarlo.run(plan, paths, ["BTCUSDT", "ETHUSDT"], deposit=10_000)
    result.summary()      # odds of a liquidation and of a wipe-out, equity quantiles
"""
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._validate import MARGIN_MODES, check_margin_mode, positive
from ..engine.contracts import contract_specs
from ..errors import InvalidInput
from .progress import reporter
from .shocks import Leg, check_legs
from .replay import Order

__all__ = ["run", "MonteCarlo", "WIPEOUT_SHARE"]

MODES = MARGIN_MODES[::-1]          # isolated first: the order of the result's columns
#: A path "loses the whole account" when it ends with less than this share of the deposit.
WIPEOUT_SHARE = 0.01
#: Values handled per chunk of paths (bounds the memory: ~8 bytes each, a few arrays at once).
CHUNK_VALUES = 250_000


@dataclass
class MonteCarlo:
    """What a Monte Carlo run produced.

    ``outcomes``: one row per path and mode — ``final_equity``, ``lowest_equity``,
    ``liquidated`` (any position), ``liquidations`` (how many positions),
    ``first_liquidation_step`` (NaN if none) and ``wiped_out``.
    ``equity``: ``{mode: array (paths, steps + 1)}`` when ``keep_equity=True``.
    ``complete`` is False when the run was interrupted (the rows cover the paths done).
    """

    outcomes: pd.DataFrame
    deposit: float
    n_paths: int
    n_steps: int
    seconds: float
    complete: bool = True
    equity: dict = field(default_factory=dict, repr=False)

    def summary(self):
        """One column per mode: odds of a liquidation and of a wipe-out, equity quantiles,
        median steps to the first liquidation."""
        rows = {}
        for mode, group in self.outcomes.groupby("mode", sort=False):
            eq = group["final_equity"]
            rows[mode] = {
                "paths": len(group),
                "p_liquidation": group["liquidated"].mean(),
                "p_wipeout": group["wiped_out"].mean(),
                "mean_final_equity": eq.mean(),
                "final_equity_p05": eq.quantile(0.05),
                "final_equity_p50": eq.quantile(0.50),
                "final_equity_p95": eq.quantile(0.95),
                "median_steps_to_first_liquidation": group["first_liquidation_step"].median(),
            }
        return pd.DataFrame(rows)


def _legs(plan, paths, symbols, deposit, specs):
    """The plan's orders as shocks.Leg s opened at the paths' first prices (checked)."""
    start = paths[0, 0, :]
    if not np.allclose(paths[:, 0, :], start):
        raise InvalidInput("paths must all start at the same prices (row 0 of every path)")
    legs = []
    for n, order in enumerate(plan):
        if not isinstance(order, Order):
            raise InvalidInput(f"plan item {n} must be an Order (got {order!r})")
        if order.symbol not in symbols:
            raise InvalidInput(f"plan item {n} trades {order.symbol} but symbols holds only "
                               f"{', '.join(symbols)}")
        if order.at != 0 or order.stop_loss is not None or order.stop_distance is not None:
            raise InvalidInput(f"plan item {n}: the Monte Carlo opens every order at step 0 "
                               f"without stops (got at={order.at}, stop_loss={order.stop_loss}, "
                               f"stop_distance={order.stop_distance}); use simulate.replay")
        price = float(start[symbols.index(order.symbol)])
        leverage = 20.0 if order.leverage is None else order.leverage
        given = [(k, v) for k, v in (("size", order.size), ("margin", order.margin),
                                     ("notional", order.notional)) if v is not None]
        if len(given) != 1:
            raise InvalidInput(f"plan item {n}: give exactly one of size, margin or notional "
                               f"(got {', '.join(k for k, _ in given) or 'none'})")
        (kind, value), = given
        value = positive(value, kind)
        margin = {"margin": value, "notional": value / leverage,
                  "size": value * price / leverage}[kind]
        legs.append(Leg(order.symbol, order.side, margin, leverage, price))
    return check_legs(legs, deposit, specs)


def check_paths(paths, symbols):
    arr = np.asarray(paths, dtype=float)
    if arr.ndim == 2:
        arr = arr[:, :, np.newaxis]
    if arr.ndim != 3 or arr.shape[0] < 1 or arr.shape[1] < 2:
        raise InvalidInput(f"paths must be an array (paths, steps + 1, symbols) with at least "
                           f"one path and one step (got shape {np.shape(paths)})")
    if isinstance(symbols, str):
        symbols = [symbols]
    symbols = list(symbols)
    if len(symbols) != arr.shape[2]:
        raise InvalidInput(f"symbols must name the {arr.shape[2]} price columns of paths "
                           f"(got {symbols})")
    if not np.isfinite(arr).all() or (arr <= 0).any():
        raise InvalidInput("paths must hold finite prices > 0 everywhere")
    return arr, symbols


def _maintenance(value, brackets):
    """MM of notionals ``value`` (any shape): the cum rule makes it convex and piecewise
    linear, so it is the largest of the tiers' lines ``value * MMR - cum`` — only the
    tiers that the values reach need to be looked at."""
    lo, hi = brackets.tier(float(value.min())), brackets.tier(float(value.max()))
    rates, cums = brackets.maintenance_margin_rates, brackets.maintenance_amounts
    mm = value * rates[lo] - cums[lo]
    for k in range(lo + 1, hi + 1):
        np.maximum(mm, value * rates[k] - cums[k], out=mm)
    return mm


def _first(dead):
    """(first step where ``dead`` holds, any) along axis 1; step 0 never counts."""
    dead[:, 0] = False
    hit = dead.any(axis=1)
    return np.where(hit, dead.argmax(axis=1), -1), hit


def _chunk(legs, prices, deposit, specs, modes, keep):
    """Outcomes of one chunk of paths for each mode (dict of arrays)."""
    n, steps = prices[0].shape
    marked = []
    for leg, price in zip(legs, prices):
        upnl = leg.sign * leg.size * (price - leg.entry_price)
        value = leg.size * price
        marked.append((upnl, _maintenance(value, specs[leg.symbol].brackets), value))
    open_fees = sum(leg.notional * specs[leg.symbol].taker_fee for leg in legs)
    rows = np.arange(n)
    out = {}
    if "isolated" in modes:
        equity = np.full((n, steps), deposit - open_fees - sum(l.initial_margin for l in legs))
        count = np.zeros(n, dtype=int)
        first = np.full(n, np.iinfo(np.int64).max)
        for leg, (upnl, mm, value) in zip(legs, marked):
            left = leg.initial_margin + upnl
            when, hit = _first(mm >= left)
            at = np.where(hit, when, 0)
            left_then = left[rows, at]
            fee = np.minimum(value[rows, at] * specs[leg.symbol].liquidation_fee_rate,
                             np.maximum(0.0, left_then))
            kept = np.maximum(0.0, left_then - fee)
            after = hit[:, None] & (np.arange(steps)[None, :] >= at[:, None])
            equity += np.where(after, kept[:, None], left)
            count += hit
            first = np.where(hit, np.minimum(first, when), first)
        out["isolated"] = _rows(equity, count, first, deposit, keep)
    if "cross" in modes:
        balance = deposit - open_fees + sum(m[0] for m in marked)
        mm = sum(m[1] for m in marked)
        when, hit = _first(mm >= balance)
        at = np.where(hit, when, 0)
        then = balance[rows, at]
        fees = sum(m[2][rows, at] * specs[leg.symbol].liquidation_fee_rate
                   for leg, m in zip(legs, marked))
        kept = np.maximum(0.0, then - np.minimum(fees, np.maximum(0.0, then)))
        after = hit[:, None] & (np.arange(steps)[None, :] >= at[:, None])
        equity = np.where(after, kept[:, None], balance)
        count = np.where(hit, len(legs), 0)
        first = np.where(hit, when, np.iinfo(np.int64).max)
        out["cross"] = _rows(equity, count, first, deposit, keep)
    return out


def _rows(equity, count, first, deposit, keep):
    final = equity[:, -1]
    return {"final_equity": final, "lowest_equity": equity.min(axis=1),
            "liquidated": count > 0, "liquidations": count,
            "first_liquidation_step": np.where(count > 0, first, -1),
            "wiped_out": final < WIPEOUT_SHARE * deposit,
            "equity": equity if keep else None}


def run(plan, paths, symbols, *, deposit=10_000.0, modes=MODES, contracts=None,
        keep_equity=False, progress=None):
    """Run ``plan`` (a list of :class:`~crossmargin.simulation.replay.Order`, all at step 0, no stops)
    over every path of ``paths`` (array ``(paths, steps + 1, symbols)``, e.g. from
    :func:`scenarios.random_paths`), isolated and cross. Returns a :class:`MonteCarlo`.

    ``progress``: ``True`` shows a progress bar in a notebook; a callable gets the
    fraction done after each chunk. Interrupting the kernel (■) stops at the next
    chunk and returns the paths done so far (``complete=False``).
    """
    started = time.perf_counter()
    deposit = positive(deposit, "deposit")
    modes = tuple(modes)
    for mode in modes:
        check_margin_mode(mode, "modes", listed=MODES, joiner="and/or")
    paths, symbols = check_paths(paths, symbols)
    specs = contract_specs(contracts)
    legs = _legs(list(plan), paths, symbols, deposit, specs)
    n_paths, steps, _ = paths.shape
    columns = [symbols.index(leg.symbol) for leg in legs]
    per_chunk = max(1, CHUNK_VALUES // (steps * max(1, len(legs))))
    report = reporter(progress, n_paths)
    parts = {mode: [] for mode in modes}
    done, complete = 0, True
    try:
        for a in range(0, n_paths, per_chunk):
            chunk = paths[a:a + per_chunk]
            prices = [np.ascontiguousarray(chunk[:, :, c]) for c in columns]
            for mode, rows in _chunk(legs, prices, deposit, specs, modes, keep_equity).items():
                parts[mode].append(rows)
            done = min(n_paths, a + per_chunk)
            report(done)
    except KeyboardInterrupt:
        complete = False
    if done == 0:
        raise KeyboardInterrupt("Monte Carlo interrupted before the first chunk finished")
    frames, equity = [], {}
    for mode in modes:
        cols = {k: np.concatenate([p[k] for p in parts[mode]]) for k in parts[mode][0]
                if k != "equity"}
        frame = pd.DataFrame(cols)
        frame["first_liquidation_step"] = frame["first_liquidation_step"].where(
            frame["liquidated"]).astype(float)
        frame.insert(0, "mode", mode)
        frame.insert(0, "path", np.arange(done))
        frames.append(frame)
        if keep_equity:
            equity[mode] = np.concatenate([p["equity"] for p in parts[mode]])
    return MonteCarlo(pd.concat(frames, ignore_index=True), deposit, done, steps - 1,
                      time.perf_counter() - started, complete, equity)
