"""Instant price shocks: what a set of positions is worth after a sudden move, isolated vs cross.

Open some positions (each a :class:`Leg`: symbol, side, margin, leverage, entry
price), then move every price at once from its entry to ``entry * (1 + move)``.
:func:`shock_outcomes` answers, for a whole grid of moves in one vectorized call,
what :class:`~crossmargin.Account` would report after marking once at the shocked
prices, in both margin modes::

    legs = [Leg("BTCUSDT", "long", 2_000, 10, 60_000), Leg("ETHUSDT", "short", 2_000, 10, 3_000)]
    out = shock_outcomes(legs, 10_000, {"BTCUSDT": -0.15})     # BTC -15 %, ETH unchanged
    out.isolated_equity, out.isolated_liquidated["BTCUSDT"], out.cross_equity

The model is the account's on its default venue (Binance USDⓈ-M, one-way mode; see
account.py and :mod:`crossmargin.engine.venues`):

- opening charges the taker fee on the notional, from the wallet;
- the liquidation procedure starts when the margin ratio ``MM / margin balance`` reaches
  100 % (isolated: the position's own, ``MM / (margin + UPNL)``; cross: the account's,
  ``Σ MM / (wallet + Σ UPNL)``);
- **one cut** (Binance's IOC order that lowers the margin tier): if the margin balance is
  still > 0, the position with the largest maintenance margin that is above its first tier
  (cross: of all the legs; isolated: the position itself) is cut at the mark to the floor of
  its tier (:func:`~crossmargin.engine.venues.tier_step_target`), paying the clearance fee
  ``liquidation_fee_rate`` on the notional closed, capped by the balance. If the
  requirement is then below the balance, the account (position) survives, smaller;
- otherwise the rest is **closed**: the clearance fees on what is closed take at most what is
  left, and the account (position) ends at ``max(0, what is left)``, the insurance fund
  covering the rest. Closed or cut-then-closed, the trader keeps the same money.

With Binance's 1.25 % clearance fee a cut can only save a position whose tier's maintenance
rate is above 1.25 % (e.g. SOL above 50k, BTC above 12M): below that the fee costs more
than the cut frees, and the full close follows.

Every position is isolated in one run and cross in the other (as
:func:`crossmargin.simulation.replay.compare_modes` does). Moves are fractions: -0.3 is a
30 % drop. The maintenance margin uses the symbol's bracket table.
"""
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..engine import formulas
from .._validate import MARGIN_MODES, check_margin_mode, finite, positive
from ..engine.contracts import contract_specs
from ..engine.venues import tier_step_target
from ..errors import InvalidInput
from .orders import Leg, as_legs, check_legs

__all__ = ["Leg", "ShockOutcomes", "as_legs", "shock_outcomes", "liquidation_move"]

MODES = MARGIN_MODES[::-1]          # isolated first: the order of the tables' columns


@dataclass(frozen=True)
class ShockOutcomes:
    """What each margin mode looks like after the shock (arrays shaped like the moves,
    or plain numbers when every move was a number).

    ``isolated_liquidated``, ``isolated_cut`` and ``isolated_margin_ratio`` are dicts by
    symbol; ``cross_liquidated`` says whether the whole cross account was liquidated
    (every position closed). ``isolated_cut[s]`` / ``cross_cut[s]``: the liquidation cut
    ``s`` once and that was enough, so the position is still open, smaller (never True
    where it was liquidated). Margin ratios are taken at the shocked prices, before any
    liquidation (``inf`` when nothing is left): a ratio >= 1 means the procedure started.
    """

    legs: tuple
    deposit: float
    moves: dict
    isolated_equity: object
    isolated_liquidated: dict
    isolated_margin_ratio: dict
    cross_equity: object
    cross_liquidated: object
    cross_margin_ratio: object
    isolated_cut: dict
    cross_cut: dict

    def _one_shock(self, method):
        if np.ndim(self.isolated_equity):
            raise InvalidInput(f"{method}() describes one shock; these outcomes hold "
                               f"{np.size(self.isolated_equity)} (use the arrays)")

    def liquidated(self, mode):
        """Symbols liquidated (closed) in ``mode`` (for one shock: a list of symbols)."""
        _check_mode(mode)
        self._one_shock("liquidated")
        if mode == "cross":
            return [leg.symbol for leg in self.legs] if self.cross_liquidated else []
        return [leg.symbol for leg in self.legs if self.isolated_liquidated[leg.symbol]]

    def cut(self, mode):
        """Symbols cut by a liquidation that left them open in ``mode`` (one shock)."""
        _check_mode(mode)
        self._one_shock("cut")
        cuts = self.cross_cut if mode == "cross" else self.isolated_cut
        return [leg.symbol for leg in self.legs if cuts[leg.symbol]]

    def to_frame(self):
        """One row per shock: the moves, then each mode's equity, liquidations and margin ratio."""
        columns = {f"{s}_move": m for s, m in self.moves.items()}
        columns["isolated_equity"] = self.isolated_equity
        for leg in self.legs:
            columns[f"isolated_{leg.symbol}_liquidated"] = self.isolated_liquidated[leg.symbol]
        for leg in self.legs:
            columns[f"isolated_{leg.symbol}_cut"] = self.isolated_cut[leg.symbol]
        for leg in self.legs:
            columns[f"isolated_{leg.symbol}_margin_ratio"] = self.isolated_margin_ratio[leg.symbol]
        columns["cross_equity"] = self.cross_equity
        columns["cross_liquidated"] = self.cross_liquidated
        for leg in self.legs:
            columns[f"cross_{leg.symbol}_cut"] = self.cross_cut[leg.symbol]
        columns["cross_margin_ratio"] = self.cross_margin_ratio
        shape = np.shape(self.isolated_equity)
        return pd.DataFrame({k: np.broadcast_to(v, shape).ravel() for k, v in columns.items()})


def _check_mode(mode):
    check_margin_mode(mode, "mode", listed=MODES)


def _check_moves(moves, legs):
    """``{symbol: move}`` -> arrays broadcast together, one per leg (missing symbols: 0)."""
    if moves is None:
        moves = {}
    if not hasattr(moves, "items"):
        raise InvalidInput(f"moves must be a mapping symbol -> price move, e.g. "
                           f"{{'BTCUSDT': -0.2}} (got {moves!r})")
    symbols = [leg.symbol for leg in legs]
    arrays = {}
    for symbol, move in moves.items():
        if symbol not in symbols:
            raise InvalidInput(f"moves names {symbol!r}, which no leg holds "
                               f"(legs: {', '.join(symbols)})")
        if np.isscalar(move):
            arr = np.asarray(finite(move, f"move of {symbol}"))
        else:
            try:
                arr = np.asarray(move, dtype=float)
            except (TypeError, ValueError):
                raise InvalidInput(f"move of {symbol} must be numbers (got {move!r})") from None
        bad = ~np.isfinite(arr) | (arr <= -1)
        if bad.any():
            first = float(arr[bad].flat[0])
            raise InvalidInput(f"move of {symbol} must be finite and > -1 (-100 % would take "
                               f"the price to zero) (got {first!r})")
        arrays[symbol] = arr
    scalar = all(a.ndim == 0 for a in arrays.values())
    try:
        shaped = np.broadcast_arrays(*arrays.values()) if arrays else []
    except ValueError:
        shapes = ", ".join(f"{s} {a.shape}" for s, a in arrays.items())
        raise InvalidInput(f"moves must broadcast to one grid (got shapes {shapes})") from None
    shaped = dict(zip(arrays, shaped))
    zero = np.zeros(shaped[next(iter(shaped))].shape if shaped else ())
    return {s: shaped.get(s, zero) for s in symbols}, scalar


def _plain(x):
    """0-d arrays and numpy scalars as Python numbers/bools, for one shock."""
    if isinstance(x, np.generic) or (isinstance(x, np.ndarray) and x.ndim == 0):
        return x.item()
    return x


def shock_outcomes(legs, deposit, moves, *, contracts=None):
    """Equity, liquidations and margin ratios after an instant move, isolated and cross.

    ``legs``: the positions (:class:`Leg`), opened in this order from ``deposit``
    USDT (refused, as ``Account`` refuses, if they do not fit). ``moves``:
    ``{symbol: move}`` with numbers or numpy arrays that broadcast together (e.g.
    ``{"BTCUSDT": x[:, None], "ETHUSDT": y[None, :]}`` for a grid); a leg not named
    does not move. ``contracts`` replaces the default specs (fees, brackets).
    Returns a :class:`ShockOutcomes`.
    """
    deposit = positive(deposit, "deposit")
    specs = contract_specs(contracts)
    legs = check_legs(legs, deposit, specs)
    moves, scalar = _check_moves(moves, legs)
    out = _shock(legs, deposit, moves, specs)
    if scalar:
        out = {k: ({s: _plain(v) for s, v in out[k].items()} if isinstance(out[k], dict)
                   else _plain(out[k])) for k in out}
        moves = {s: _plain(m) for s, m in moves.items()}
    return ShockOutcomes(legs, deposit, moves, **out)


def _marked(leg, move, spec):
    """(UPNL, maintenance margin, notional, mark) of one leg at its shocked mark price."""
    size = leg.size
    mark = leg.price_after(move)
    upnl = formulas.unrealized_pnl(leg.side, size, leg.entry_price, mark)
    mm = formulas.maintenance_margin(size, mark, spec.brackets)
    return upnl, mm, size * mark, mark


def _cut(leg, mark, cut, target, spec):
    """One leg after the liquidation's cut where ``cut`` (to notional ``target``, at the mark,
    as ``Account`` books it): (size left, realized PnL, notional closed, UPNL and MM of what
    is left). Where not cut, the leg is unchanged."""
    qty = np.where(cut, leg.size - target / mark, 0.0)
    rest = leg.size - qty
    upnl = formulas.unrealized_pnl(leg.side, rest, leg.entry_price, mark)
    mm = formulas.maintenance_margin(rest, mark, spec.brackets)
    return rest, leg.sign * qty * (mark - leg.entry_price), qty * mark, upnl, mm


def _shock(legs, deposit, moves, specs):
    """The account's arithmetic, vectorized over the moves (loops run over legs only).

    Why this is not :func:`crossmargin.simulation.montecarlo.step_paths` (the one stepper):
    an instant shock is one mark over a grid of moves of any shape, and the answer is per
    leg — each isolated position's liquidation and margin ratio, the cross margin ratio —
    where the stepper follows paths and reports per-path totals. Going through it would
    build a two-row path per grid point and lose the per-leg numbers; and it reads the
    maintenance margin from the bracket table as ``Account`` does
    (:func:`~crossmargin.engine.formulas.maintenance_margin`), so the liquidation boundary
    that lesson 08 checks to 1e-9 stays the account's to the last digit. The tests check it
    against ``Account`` shock by shock."""
    fees = [leg.notional * specs[leg.symbol].taker_fee for leg in legs]
    marked = [_marked(leg, moves[leg.symbol], specs[leg.symbol]) for leg in legs]
    rates = [specs[leg.symbol].liquidation_fee_rate for leg in legs]
    targets = [np.asarray(tier_step_target(value, specs[leg.symbol].brackets))
               for leg, (_, _, value, _) in zip(legs, marked)]
    shape = np.shape(marked[0][0])

    # Isolated: each position against its own margin; survivors keep margin + UPNL.
    wallet = deposit
    for fee, leg in zip(fees, legs):
        wallet = wallet - fee - leg.initial_margin
    iso_equity = wallet
    iso_liquidated, iso_cut, iso_ratio = {}, {}, {}
    for leg, (upnl, mm, _, mark), target, rate in zip(legs, marked, targets, rates):
        left = leg.initial_margin + upnl
        ratio = np.asarray(formulas.margin_ratio(mm, left))
        started = ratio >= 1.0
        cut = started & (left > 0) & (target > 0)
        rest, pnl, closed, upnl_after, mm_after = _cut(leg, mark, cut, target,
                                                       specs[leg.symbol])
        # the cut's clearance fee comes out of the position's margin
        kept = leg.initial_margin + pnl - np.minimum(closed * rate, np.maximum(0.0, left))
        left_after = kept + upnl_after
        survives = cut & (mm_after < left_after)
        # the rest is closed: the fee on it takes at most what is left
        fee = np.minimum(rest * mark * rate, np.maximum(0.0, left_after))
        closed_left = np.maximum(0.0, left_after - fee)
        iso_equity = iso_equity + np.where(survives, left_after,
                                           np.where(started, closed_left, left))
        iso_liquidated[leg.symbol] = started & ~survives
        iso_cut[leg.symbol] = survives
        iso_ratio[leg.symbol] = ratio

    # Cross: one wallet behind every position.
    wallet = deposit
    for fee in fees:
        wallet = wallet - fee
    total_upnl = total_mm = 0.0
    for upnl, mm, _, _ in marked:
        total_upnl = total_upnl + upnl
        total_mm = total_mm + mm
    balance = wallet + total_upnl
    cross_ratio = np.asarray(formulas.margin_ratio(total_mm, balance))
    started = cross_ratio >= 1.0
    # The cut: the leg with the largest MM among those above their first tier (the first
    # such leg on a tie, as Account sorts them).
    mms = np.stack([np.broadcast_to(mm, shape) for _, mm, _, _ in marked])
    above = np.stack([np.broadcast_to(t > 0, shape) for t in targets])
    chosen = np.argmax(np.where(above, mms, -np.inf), axis=0)
    cut_any = started & (balance > 0) & above.any(axis=0)
    after = [_cut(leg, mark, cut_any & (chosen == n), target, specs[leg.symbol])
             for n, (leg, (_, _, _, mark), target) in enumerate(zip(legs, marked, targets))]
    cut_pnl = cut_fee = 0.0
    for (_, pnl, closed, _, _), rate in zip(after, rates):
        cut_pnl = cut_pnl + pnl
        cut_fee = cut_fee + np.minimum(closed * rate, np.maximum(0.0, balance))
    wallet_after = wallet + cut_pnl - cut_fee
    upnl_after = mm_after = 0.0
    for _, _, _, upnl, mm in after:
        upnl_after = upnl_after + upnl
        mm_after = mm_after + mm
    balance_after = wallet_after + upnl_after
    survives = cut_any & (mm_after < balance_after)
    # Closed: every position closes, then the fees together take at most what is left.
    liquidation_fees = sum(rest * mark * rate for (rest, *_), (_, _, _, mark), rate
                           in zip(after, marked, rates))
    left = balance_after - np.minimum(liquidation_fees, np.maximum(0.0, balance_after))
    cross_equity = np.where(survives, balance_after,
                            np.where(started, np.maximum(0.0, left), balance))
    cross_cut = {leg.symbol: survives & (chosen == n) for n, leg in enumerate(legs)}

    shape = np.shape(cross_equity)
    return dict(
        isolated_equity=np.broadcast_to(iso_equity, shape).astype(float),
        isolated_liquidated={s: np.broadcast_to(v, shape) for s, v in iso_liquidated.items()},
        isolated_margin_ratio={s: np.broadcast_to(v, shape) for s, v in iso_ratio.items()},
        cross_equity=cross_equity, cross_liquidated=started & ~survives,
        cross_margin_ratio=np.broadcast_to(cross_ratio, shape),
        isolated_cut={s: np.broadcast_to(v, shape) for s, v in iso_cut.items()},
        cross_cut={s: np.broadcast_to(v, shape) for s, v in cross_cut.items()})


def liquidation_move(legs, deposit, symbol, mode, moves=None, *, contracts=None):
    """The move of ``symbol``'s price (a fraction, e.g. -0.0964) that liquidates it: the
    move that puts the margin ratio at 100 %, where the liquidation procedure starts (a
    position large enough may survive it with a cut, see :func:`shock_outcomes`).

    Isolated: the move to the position's own liquidation price. Cross: the move
    to the account's liquidation price along ``symbol``, with the other legs held
    at their ``moves`` (numbers or arrays); it shifts when they move. Binance's
    one-way formula (:func:`crossmargin.engine.formulas.liquidation_price`) with brackets.
    ``None`` (NaN in arrays) when no price liquidates it.
    """
    _check_mode(mode)
    deposit = positive(deposit, "deposit")
    specs = contract_specs(contracts)
    legs = check_legs(legs, deposit, specs)
    by_symbol = {leg.symbol: leg for leg in legs}
    if symbol not in by_symbol:
        raise InvalidInput(f"symbol {symbol!r} is not one of the legs "
                           f"({', '.join(by_symbol)})")
    moves = dict(moves or {})
    if symbol in moves:
        raise InvalidInput(f"moves must not name {symbol!r}: its move is what is solved for "
                           f"(got {moves[symbol]!r})")
    leg, brackets = by_symbol[symbol], specs[symbol].brackets
    if mode == "isolated":
        lp = formulas.liquidation_price(leg.side, leg.size, leg.entry_price, leg.initial_margin,
                                        brackets=brackets)
    else:
        shaped, _ = _check_moves(moves, legs)
        wallet = deposit
        for other in legs:
            wallet = wallet - other.notional * specs[other.symbol].taker_fee
        other_mm = other_upnl = 0.0
        for other in legs:
            if other.symbol != symbol:
                upnl, mm, _, _ = _marked(other, shaped[other.symbol], specs[other.symbol])
                other_mm, other_upnl = other_mm + mm, other_upnl + upnl
        lp = formulas.liquidation_price(leg.side, leg.size, leg.entry_price, wallet,
                                        brackets=brackets, other_maintenance=_plain(
                                            np.asarray(other_mm)),
                                        other_unrealized_pnl=_plain(np.asarray(other_upnl)))
    if lp is None:
        return None
    return _plain(np.asarray(lp) / leg.entry_price - 1.0)
