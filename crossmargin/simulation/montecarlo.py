"""Many price paths at once: THE vectorized stepper, and the same positions run isolated
and cross.

:func:`step_paths` is the one stepper every many-paths result goes through
(:func:`run`, the capstone's odds, the hedge grid, the reserve what-if): open
positions (:class:`Opened`, each with its own margin mode and optional stop) are
marked at every step of every path by the account's rules under Binance's procedure
(see account.py and venues.py): funding, then the stops the price passed (filled at
the trigger), then an isolated position is liquidated when its own margin ratio
reaches 100 % (it loses its margin, the rest of the account is untouched), then the
cross account when the account's margin ratio reaches 100 % (every cross position
closes), then the stops the price gapped through (a liquidation in the same step
cancels them). Liquidation fees are capped by what is left; nothing ends below zero.

What the arrays do not follow: a liquidation whose one cut (Binance's "Smart
Liquidation", :func:`~crossmargin.engine.venues.tier_step_target`) restores the margin,
after which a smaller position lives on. The stepper finds those paths (the cut is
checked at every liquidation it finds) and steps each of them with the account itself,
so they agree too; with the shipped tiers that happens only for positions whose tier's
MMR is above the 1.25 % clearance fee (e.g. SOL above 50,000 USDT). Results agree with
:func:`crossmargin.simulation.replay.replay` path by path (tests check it). Loops run over
chunks of paths and over positions, never over steps, except for the paths handed to the
account.

:func:`run` opens a plan's step-0 orders (no stops) at the first row of every path,
every position isolated in one run and cross in the other.

    paths = scenarios.random_paths(2_000, 1_440, [60_000, 3_000], 0.04, 0.8, seed=1)
    result = montecarlo.run(plan, paths, ["BTCUSDT", "ETHUSDT"], deposit=10_000)
    result.summary()      # odds of a liquidation, of a wipe-out (95 % intervals), quantiles
"""
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._validate import MARGIN_MODES, check_margin_mode, positive
from ..engine.account import CLOSING_LIQUIDATIONS, LIQUIDATION_EVENTS, Account
from ..engine.contracts import Contract, contract_specs
from ..engine.venues import tier_step_target
from ..errors import InvalidInput
from .progress import reporter
from .stats import wilson_interval
from .orders import Leg, Order, check_legs

__all__ = ["run", "MonteCarlo", "WIPEOUT_SHARE", "step_paths", "Opened", "opened"]

MODES = MARGIN_MODES[::-1]          # isolated first: the order of the result's columns
#: A path "loses the whole account" when it ends with less than this share of the deposit.
WIPEOUT_SHARE = 0.01
#: Values handled per chunk of paths (bounds the memory: ~8 bytes each, a few arrays at once).
CHUNK_VALUES = 250_000
_EPOCH = pd.Timestamp("2024-01-01 00:00:01", tz="UTC")


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
        """One column per mode: the number of ``paths``; the odds of a liquidation and of a
        wipe-out, each with its 95 % Wilson interval (``p_liquidation_low`` and ``_high``,
        ``p_wipeout_low`` and ``_high``: where the model's odds lie, given that only ``paths``
        were drawn; see :func:`crossmargin.simulation.stats.wilson_interval`); equity
        quantiles; median steps to the first liquidation."""
        rows = {}
        for mode, group in self.outcomes.groupby("mode", sort=False):
            eq = group["final_equity"]
            n = len(group)
            row = {"paths": n}
            for name, column in (("p_liquidation", "liquidated"), ("p_wipeout", "wiped_out")):
                hits = int(group[column].sum())
                row[name] = hits / n
                row[f"{name}_low"], row[f"{name}_high"] = wilson_interval(hits, n)
            rows[mode] = {
                **row,
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
        kind, value = order.check(f"plan item {n}").amount()
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


@dataclass(frozen=True)
class Opened:
    """One open position as the stepper steps it: what ``Account.positions()`` says of it
    right after the order filled (``margin`` is the isolated collateral, 0 in cross;
    ``stop_loss_price`` None without a stop; ``contract`` gives the fees, funding rate and
    brackets)."""

    symbol: str
    side: str
    size: float
    entry_price: float
    margin_mode: str
    margin: float
    stop_loss_price: float | None
    contract: Contract

    @property
    def sign(self):
        return 1 if self.side == "long" else -1

    @property
    def cross(self):
        return self.margin_mode == "cross"


def opened(account):
    """The open positions of ``account`` as :class:`Opened` (in the account's order) and its
    USDT wallet balance: where :func:`step_paths` starts."""
    specs = account.contracts
    legs = [Opened(s, p["side"], float(p["contracts"]), float(p["entry_price"]),
                   p["margin_mode"], 0.0 if p["margin_mode"] == "cross" else float(p["collateral"]),
                   None if pd.isna(p["stop_loss_price"]) else float(p["stop_loss_price"]),
                   specs[s])
            for s, p in account.positions().iterrows()]
    return legs, float(account.summary()["wallet_balance"])


def _marked(legs, prices, funding_counts):
    """Per leg: (UPNL, funding received so far or None, maintenance margin, notional), arrays
    (paths, steps + 1). The marks do not depend on the margin modes: computed once."""
    out = []
    for leg, price in zip(legs, prices):
        upnl = leg.sign * leg.size * (price - leg.entry_price)
        value = leg.size * price
        funding = None
        if funding_counts is not None:         # a long pays a positive rate, per instant
            rate = -leg.sign * leg.size * leg.contract.funding_rate
            funding = np.cumsum(price * funding_counts * rate, axis=1)
        out.append((upnl, funding, _maintenance(value, leg.contract.brackets), value))
    return out


def _cut_survives(value, balance, others, contract):
    """Whether Binance's one cut brings a liquidated group back under 100 %: the position of
    notional ``value`` is cut at the mark to :func:`~crossmargin.engine.venues.tier_step_target`,
    paying the clearance fee on the part closed (capped by what is left); ``others`` is the
    rest of the group's maintenance margin and ``balance`` its margin balance."""
    target = tier_step_target(value, contract.brackets)
    fee = np.minimum((value - target) * contract.liquidation_fee_rate, np.maximum(0.0, balance))
    after = others + _maintenance(np.atleast_1d(np.asarray(target, dtype=float)),
                                  contract.brackets)
    return (target > 0) & (balance > 0) & (after < balance - fee)


def _isolated_cuts(leg, held, price, funding, at_liq, cuts):
    """Follow isolated positions whose liquidation's cut restored the margin (rows ``cuts``):
    from each cut on, the position holds the tier floor's size, its margin what was left
    less the fee (its stop was cancelled), until its next liquidation, where the cut is
    tried again. Writes the new equity rows into ``held``; returns (rows, exit step — the
    row count if it lives to the end —, what the final close left in the wallet)."""
    rows = price.shape[1]
    steps = np.arange(rows)
    rate, brackets = leg.contract.liquidation_fee_rate, leg.contract.brackets
    sub = np.flatnonzero(cuts)
    exit_at, delta = np.full(len(sub), rows), np.zeros(len(sub))
    t = at_liq[sub].copy()
    left = held[sub, t]
    value = leg.size * price[sub, t]
    cur = np.arange(len(sub))
    while len(cur):
        at, prices = t[cur], price[sub[cur]]
        ar = np.arange(len(cur))
        target = tier_step_target(value[cur], brackets)
        kept = left[cur] - np.minimum((value[cur] - target) * rate, np.maximum(0.0, left[cur]))
        size = target / prices[ar, at]
        new = kept[:, None] + leg.sign * size[:, None] * (prices - prices[ar, at][:, None])
        if funding is not None:                       # funding on the smaller size from here
            per_unit = funding[sub[cur]] / leg.size
            new += size[:, None] * (per_unit - per_unit[ar, at][:, None])
        held[sub[cur]] = np.where(steps[None, :] >= at[:, None], new, held[sub[cur]])
        when, hit = _first((_maintenance(size[:, None] * prices, brackets) >= new)
                           & (steps[None, :] > at[:, None]))
        when = np.maximum(when, 0)
        left_then, value_then = new[ar, when], size * prices[ar, when]
        again = hit & _cut_survives(value_then, left_then, 0.0, leg.contract)
        final = hit & ~again
        fee = np.minimum(value_then * rate, np.maximum(0.0, left_then))
        exit_at[cur[final]] = when[final]
        delta[cur[final]] = np.maximum(0.0, left_then - fee)[final]
        t[cur[again]], left[cur[again]] = when[again], left_then[again]
        value[cur[again]] = value_then[again]
        cur = cur[again]
    return sub, exit_at, delta


def _replay_times(legs, rows, counts):
    """The account's clock for :func:`_replay_path`, one time per step: a step with ``k``
    funding instants ends on the k-th, any other step a microsecond after the one before."""
    hours = legs[0].contract.funding_interval_hours
    when, times = _EPOCH, [_EPOCH]
    for step in range(1, rows):
        k = 0 if counts is None else int(counts[step])
        when = (when.floor(f"{hours}h") + pd.Timedelta(hours=hours * k) if k
                else when + pd.Timedelta(microseconds=1))
        times.append(when)
    return times


def _replay_path(got, i, legs, wallet, prices, counts, gap_threshold, quiet, early, times):
    """Step path ``i`` with the account itself and write its results into ``got``: for the
    paths where a liquidation's cut leaves a smaller position open, which the arrays do not
    follow. ``times``: the clock of :func:`_replay_times` (the account pays a step's funding
    instants on that step's mark, as the arrays do).

    Before step ``quiet`` (the path's first stop, liquidation or cut) nothing but funding
    changes the account, so only the funding steps are marked there; ``early`` is the
    arrays' equity of those steps."""
    account = Account([leg.contract.with_(taker_fee=0.0) for leg in legs],
                      gap_threshold=gap_threshold, time=_EPOCH)
    account.deposit(wallet + sum(leg.margin for leg in legs if not leg.cross))
    for leg in legs:                              # the positions as they were, fees paid
        account.set_margin_mode(leg.symbol, leg.margin_mode)
        notional = leg.size * leg.entry_price
        leverage = (max(1.0, notional / leg.margin) if not leg.cross
                    else leg.contract.brackets.max_leverage(notional))
        account.set_leverage(leg.symbol, leverage)
        account.open(leg.symbol, leg.side, leg.entry_price, size=leg.size)
        if not leg.cross and leg.margin - notional / leverage > 1e-9:
            account.add_margin(leg.symbol, leg.margin - notional / leverage)
    for leg in legs:
        account.contracts[leg.symbol] = leg.contract
        if leg.stop_loss_price is not None:
            account.set_stop_loss(leg.symbol, leg.stop_loss_price, trigger_by="mark")
    equity, kinds = [account.snapshot().equity], []
    for step, when in enumerate(times[1:], start=1):
        if step < quiet and not (counts is not None and counts[step]):
            equity.append(early[step])
            continue
        events = account.mark({leg.symbol: p[step] for leg, p in zip(legs, prices)}, when)
        kinds += [(step, e["type"]) for e in events]
        equity.append(account.snapshot().equity)
    equity = np.array(equity)
    starts = [s for s, kind in kinds if kind in LIQUIDATION_EVENTS]
    got["final_equity"][i], got["lowest_equity"][i] = equity[-1], equity.min()
    got["liquidations"][i] = sum(kind in CLOSING_LIQUIDATIONS for _, kind in kinds)
    got["first_liquidation_step"][i] = starts[0] if starts else -1
    got["stops"][i] = sum(kind == "stop_loss" for _, kind in kinds)
    if got["equity"] is not None:
        got["equity"][i] = equity


def _stepped(legs, marked, prices, wallet, gap_threshold, keep, counts=None):
    """The account's rules over one chunk of paths (see :func:`step_paths`).

    Each position's own exit (its stop, or an isolated liquidation) does not depend on the
    others, so it is found for every path at once; the cross account's liquidation is then
    the first step where the cross positions still open fail the margin check against the
    wallet as those exits left it. Loops run over positions, never over steps."""
    n, rows = prices[0].shape
    idx, steps = np.arange(n), np.arange(rows)
    exits, deltas, by_stop, terms, gapped, started = [], [], [], [], [], []
    cut = np.zeros(n, dtype=bool)     # paths where a liquidation's cut restores the margin
    for leg, (upnl, funding, mm, value), price in zip(legs, marked, prices):
        held = upnl if leg.cross else leg.margin + upnl     # what the position adds to equity
        if funding is not None:
            held = held + funding
        stop = leg.stop_loss_price
        at_stop = at_liq = np.full(n, rows)
        if stop is not None:
            when, hit = _first(price <= stop if leg.sign > 0 else price >= stop)
            at_stop = np.where(hit, when, rows)
        if not leg.cross:
            when, hit = _first(mm >= held)
            at_liq = np.where(hit, when, rows)
        exit_at = np.minimum(at_stop, at_liq)
        gap_at_stop = np.zeros(n, dtype=bool)     # the price gapped through the stop
        if stop is not None and (at_stop < rows).any():
            gap = leg.contract.gap_threshold if gap_threshold is None else gap_threshold
            mark = price[idx, np.minimum(at_stop, rows - 1)]
            gap_at_stop = (at_stop < rows) & (np.abs(mark - stop) > gap * stop)
        # A stop the price passed on its way goes before a liquidation in its step; one it
        # gapped through is cancelled by the liquidation.
        stopped = ((at_stop < at_liq) | ((at_stop == at_liq) & ~gap_at_stop)) & (exit_at < rows)
        delta = np.zeros(n)                                   # what the exit left in the wallet
        if (exit_at < rows).any():
            at = np.minimum(exit_at, rows - 1)
            paid = 0.0 if funding is None else funding[idx, at]
            if stop is not None:                       # filled at the trigger, or at the mark
                mark = price[idx, at]                  # when the price gapped through it
                fill = np.where(gap_at_stop, mark, stop)
                gain = (leg.sign * leg.size * (fill - leg.entry_price)
                        - leg.size * fill * leg.contract.taker_fee)
                delta = (gain + paid if leg.cross
                         else np.maximum(0.0, leg.margin + paid + gain))
            if not leg.cross:                          # liquidated: the fee takes what it can
                left = held[idx, at]
                fee = np.minimum(value[idx, at] * leg.contract.liquidation_fee_rate,
                                 np.maximum(0.0, left))
                kept = np.maximum(0.0, left - fee)
                delta = kept if stop is None else np.where(stopped, delta, kept)
                cuts = ~stopped & (exit_at < rows) & _cut_survives(value[idx, at], left, 0.0,
                                                                    leg.contract)
                if cuts.any():                         # it lives on, smaller: follow it
                    rows_cut, exit_cut, delta_cut = _isolated_cuts(leg, held, price, funding,
                                                                   at_liq, cuts)
                    exit_at[rows_cut], delta[rows_cut] = exit_cut, delta_cut
            term = np.where(steps[None, :] < exit_at[:, None], held, delta[:, None])
        else:
            term = held
        exits.append(exit_at)
        started.append(np.where(~stopped & (at_liq < rows), at_liq, rows))
        deltas.append(delta)
        by_stop.append(stopped)
        terms.append(term)
        gapped.append(stopped & gap_at_stop)
    cross = [i for i, leg in enumerate(legs) if leg.cross]
    isolated = [i for i, leg in enumerate(legs) if not leg.cross]
    balance = wallet                # the cross balance: wallet + what the cross positions hold
    if len(cross) == 1:             # (UPNL while open, then what their stop left)
        balance = wallet + terms[cross[0]]
    elif cross:                     # (sums into new arrays only: terms may be shared marks)
        balance = terms[cross[0]] + terms[cross[1]]
        for i in cross[2:]:
            balance += terms[i]
        balance += wallet
    equity = balance
    for i in isolated:              # + each isolated position's margin and UPNL, or what it left
        if equity is balance:
            equity = balance + terms[i]
        else:
            equity += terms[i]
    count = np.zeros(n, dtype=int)
    first = np.full(n, rows)
    for i in isolated:
        count += ~by_stop[i] & (exits[i] < rows)
        first = np.minimum(first, started[i])         # a cut starts a liquidation too
    stops = sum((by_stop[i] for i in isolated), np.zeros(n, dtype=int))
    if cross:
        # The margin check of a step sees the exits before it in the account's order: the
        # stops the price passed and the isolated liquidations, not the gapped stops (they
        # come after the liquidations, which cancel them).
        check = balance
        for i in cross:
            if gapped[i].any():                       # held through the step of its gap
                held = marked[i][0] if marked[i][1] is None else marked[i][0] + marked[i][1]
                check = check + np.where(gapped[i][:, None]
                                         & (steps[None, :] == exits[i][:, None]),
                                         held - terms[i], 0.0)
        for i in isolated:                            # what isolated exits gave the wallet
            if (exits[i] < rows).any():
                balance = balance + np.where(steps[None, :] >= exits[i][:, None],
                                             deltas[i][:, None], 0.0)
                after = np.where(gapped[i], exits[i] + 1, exits[i])
                check = check + np.where(steps[None, :] >= after[:, None],
                                         deltas[i][:, None], 0.0)
        cross_mm = None
        for i in cross:
            mm = marked[i][2]
            if (exits[i] < rows).any():
                until = np.where(gapped[i], exits[i] + 1, exits[i])
                mm = np.where(steps[None, :] < until[:, None], mm, 0.0)
            cross_mm = mm if cross_mm is None else cross_mm + mm
        dead = cross_mm >= check
        if any((exits[i] < rows).any() for i in cross):
            dead &= cross_mm > 0
        when, hit = _first(dead)
        at = np.where(hit, when, 0)
        live = [hit & ((exits[i] > at) | ((exits[i] == at) & gapped[i])) for i in cross]
        then = check[idx, at]
        if hit.any():     # the cut goes to the live cross position with the largest MM
            at_mm = np.array([np.where(alive & (tier_step_target(marked[i][3][idx, at],
                                                                 legs[i].contract.brackets) > 0),
                                       marked[i][2][idx, at], -np.inf)
                              for i, alive in zip(cross, live)])
            biggest = np.where(np.isfinite(at_mm).any(axis=0), at_mm.argmax(axis=0), -1)
            for k, i in enumerate(cross):
                mine = hit & (biggest == k)
                if mine.any():
                    others = cross_mm[idx, at] - marked[i][2][idx, at]
                    cut |= mine & _cut_survives(marked[i][3][idx, at], then, others,
                                                legs[i].contract)
        fees = sum(np.where(alive, marked[i][3][idx, at] * legs[i].contract.liquidation_fee_rate,
                            0.0) for i, alive in zip(cross, live))
        kept = np.maximum(0.0, then - np.minimum(fees, np.maximum(0.0, then)))
        for i, alive in zip(cross, live):
            count += alive
            stops = stops + (by_stop[i] & ~alive)     # a stop after it never fired
        first = np.where(hit, np.minimum(first, when), first)
        exited = [exits[i] for i in cross]
        last = np.max(exited, axis=0)
        if not hit.all() and (last < rows).any():
            # The last cross position closed by its stop: a wallet left below zero is set to
            # zero there (the insurance fund), before any isolated exit after it in that step.
            a = len(cross) - 1 - np.argmax(np.array(exited)[::-1] == last, axis=0)
            x = wallet + sum(deltas[i] for i in cross)
            for i in isolated:
                early = (exits[i] < last) | ((exits[i] == last) & by_stop[i]
                                             & (i < np.array(cross)[a]))
                x = x + np.where(early, deltas[i], 0.0)
            cover = np.where(~hit & (last < rows), np.maximum(0.0, -x), 0.0)
            if (cover > 0).any():
                equity = equity + np.where(steps[None, :] >= last[:, None], cover[:, None], 0.0)
        if hit.any():
            after = kept[:, None]                     # the cross wallet, then what the
            for i in isolated:                        # isolated positions still open add
                later = exits[i] > at
                if later.any():
                    after = after + np.where(later[:, None], terms[i], 0.0)
            equity = np.where(hit[:, None] & (steps[None, :] >= at[:, None]), after, equity)
    if np.ndim(equity) == 0:
        equity = np.full((n, rows), float(equity))
    final = equity[:, -1]
    got = {"final_equity": final, "lowest_equity": equity.min(axis=1),
           "liquidations": count, "first_liquidation_step": np.where(first < rows, first, -1),
           "stops": stops, "equity": equity if keep else None, "account_stepped": cut}
    if cut.any():                     # the account itself steps what the arrays cannot
        quiet = np.minimum.reduce([*exits, np.where(hit, at, rows)])
        times = _replay_times(legs, rows, counts)
        for i in np.flatnonzero(cut):
            _replay_path(got, i, legs, wallet, [p[i] for p in prices], counts, gap_threshold,
                         quiet[i], equity[i], times)
    return got


def step_paths(legs, wallet, prices, *, funding_counts=None, gap_threshold=None,
               keep_equity=False):
    """THE stepper: the account's rules over many paths at once.

    ``legs``: the open positions (:class:`Opened`, e.g. from :func:`opened`), each with its
    own margin mode and optional stop; ``wallet``: the USDT wallet after the opening (fees
    and isolated margins paid). ``prices``: one array ``(paths, steps + 1)`` of mark prices
    per leg, row 0 the opening. ``funding_counts``: how many funding instants fall in each
    step (array ``steps + 1``, row 0 ignored; None: no funding). Per step, as
    :meth:`crossmargin.Account.mark`: funding, then the stops the price passed (filled at
    the trigger), then isolated liquidations, then the cross account (every cross position
    closes; fees capped by what is left; never below zero), then the stops the price gapped
    through, more than ``gap_threshold`` past the trigger (filled at the mark; None reads each
    contract's ``gap_threshold``, as the account does). A path where a liquidation's cut
    restores the margin is stepped by the account (see the module docstring).

    Returns a dict of arrays, one value per path: ``final_equity``, ``lowest_equity``,
    ``liquidations`` (positions), ``first_liquidation_step`` (-1: none), ``stops`` (stops
    that fired), ``account_stepped`` (True where the account stepped the path: a cut) and
    ``equity`` (``(paths, steps + 1)``, only with ``keep_equity``).
    Results agree with :func:`crossmargin.simulation.replay.replay` path by path (the tests
    check it)."""
    legs = list(legs)
    prices = [np.asarray(p, dtype=float) for p in prices]
    if not legs or len(prices) != len(legs):
        raise InvalidInput(f"prices must hold one array per leg ({len(legs)} legs, got "
                           f"{len(prices)} arrays)")
    n, rows = prices[0].shape
    counts = None
    if funding_counts is not None:
        counts = np.asarray(funding_counts, dtype=float).copy()
        if counts.shape != (rows,):
            raise InvalidInput(f"funding_counts must hold one count per row ({rows}, got "
                               f"shape {counts.shape})")
        counts[0] = 0.0
        counts = counts if counts.any() else None
    per_chunk = max(1, CHUNK_VALUES // (rows * len(legs)))
    parts = []
    for a in range(0, n, per_chunk):
        chunk = [np.ascontiguousarray(p[a:a + per_chunk]) for p in prices]
        parts.append(_stepped(legs, _marked(legs, chunk, counts), chunk, wallet,
                              gap_threshold, keep_equity, counts))
    return {k: (None if parts[0][k] is None else np.concatenate([p[k] for p in parts]))
            for k in parts[0]}


def _chunk(legs, prices, deposit, specs, modes, keep):
    """Outcomes of one chunk of paths for each mode (dict of arrays): every leg isolated,
    then every leg cross, through the one stepper (the marks are shared)."""
    fees = sum(leg.notional * specs[leg.symbol].taker_fee for leg in legs)
    marked = _marked([_opened(leg, "cross", specs) for leg in legs], prices, None)
    out = {}
    for mode in modes:
        held = [_opened(leg, mode, specs) for leg in legs]
        wallet = deposit - fees
        if mode == "isolated":
            wallet = wallet - sum(leg.initial_margin for leg in legs)
        got = _stepped(held, marked, prices, wallet, None, keep)
        out[mode] = _rows(got["equity"] if keep else None, got, deposit)
    return out


def _opened(leg, mode, specs):
    """A :class:`Leg` opened in ``mode`` at its entry, as the stepper steps it."""
    return Opened(leg.symbol, leg.side, leg.size, leg.entry_price, mode,
                  leg.initial_margin if mode == "isolated" else 0.0, None, specs[leg.symbol])


def _rows(equity, got, deposit):
    count, final = got["liquidations"], got["final_equity"]
    return {"final_equity": final, "lowest_equity": got["lowest_equity"],
            "liquidated": count > 0, "liquidations": count,
            "first_liquidation_step": got["first_liquidation_step"],
            "wiped_out": final < WIPEOUT_SHARE * deposit,
            "equity": equity}


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
