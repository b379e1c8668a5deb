"""Cascading liquidations: in one cross account, and across a whole market.

**In one account.** Cross positions share one wallet, so one position's loss
pulls every other position's liquidation price closer, and a cross liquidation
closes them all at once. :func:`shared_pool_effect` measures, over many random
paths, how often sharing the wallet *saves* a position that would have been
liquidated on its own (another position was winning) and how often it *drags
it down* with the others (another position was losing)::

    paths = scenarios.random_paths(2_000, 1_440, [60_000, 150], [0.03, 0.055], 0.8, seed=9)
    plan = [Order("BTCUSDT", "long", margin=2_000, leverage=20),
            Order("SOLUSDT", "long", margin=2_000, leverage=20)]
    effect = shared_pool_effect(plan, paths, ["BTCUSDT", "SOLUSDT"], deposit=4_040)
    effect["effect"].value_counts(normalize=True)

**Across a market.** A :class:`Crowd` is many traders, each holding one position
on the same contract opened at the same price (its own margin alone backs it: an
isolated position, or a cross account that holds nothing else) at its own
leverage. :func:`run` hits the price with a shock and follows the cascade, round
by round:

1. every position whose liquidation price the price has reached is liquidated
   (:func:`crossmargin.engine.formulas.liquidation_price`, with the contract's brackets);
2. the liquidation engine closes them at market: liquidated longs sell,
   liquidated shorts buy back;
3. that forced net selling moves the price (the *impact rule*)::

       price[r + 1] = price[r] * exp(-impact * net_forced[r] / depth)

   ``net_forced[r]``: coins sold minus coins bought in round ``r``, valued at the
   pre-shock price (USDT); ``depth``: USDT of net selling that moves the price by
   ``impact`` in log terms (default: the crowd's open interest, so ``impact = 0.5``
   means "force-selling 1 % of the open interest moves the price about 0.5 %");
4. repeat until a round liquidates nobody.

A simplification to keep in mind: real order books are not linear, other traders
step in, and exchanges liquidate large positions in parts. The model shows what
drives a cascade (how many traders sit close to their liquidation price, and how
much the market moves per forced order), not a forecast. Valuing forced orders
at the pre-shock price makes the total move depend only on who was liquidated::

    final price = shocked price * exp(-impact * (net forced, all rounds) / depth)

The cascade is vectorized over accounts (sorted liquidation prices and
cumulative sums); the loop runs over rounds only, and ends after at most one
round per account.
"""
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..engine import formulas
from ..simulation import montecarlo
from .._validate import finite, non_empty_list, non_negative, positive, positive_array, side_sign
from ..engine.contracts import default_contracts
from ..errors import InvalidInput, LeverageTooHigh, UnknownSymbol
from ..scenarios.random import random_paths
from ..simulation.replay import Order
from ..simulation.stats import wilson_interval

__all__ = ["Crowd", "crowd", "Cascade", "run", "shared_pool_effect", "pool_effect_by_seed",
           "EFFECTS"]

#: What sharing the wallet did to a position, per path (see :func:`shared_pool_effect`).
EFFECTS = ("saved by the pool", "dragged down by the pool", "liquidated either way",
           "safe either way")


# --------------------------------------------------------------------------- the crowd


def _per_account(values, n, field):
    """A number > 0 for everyone, or one per account, as a float array of length n."""
    if np.ndim(values) == 0:
        return np.full(n, positive(values, field))
    arr = np.asarray(positive_array(values, field), float)
    if arr.shape != (n,):
        raise InvalidInput(f"{field} must hold one value per account ({n}) "
                           f"(got shape {np.shape(values)})")
    return arr


@dataclass(frozen=True, eq=False)
class Crowd:
    """Many traders, one position each on ``symbol``, all opened at ``price`` (USDT).

    ``sides``: ``"long"``/``"short"`` or +1/-1 per account; ``leverages`` and
    ``notionals`` (USDT at entry): one number for all or one per account. Each
    position's margin is ``notional / leverage`` and backs it alone. Derived
    arrays: ``size`` (coins), ``margin`` and ``liquidation_price``
    (:func:`crossmargin.engine.formulas.liquidation_price` with the contract's brackets;
    NaN where no price liquidates it, e.g. a 1x long).
    """

    sides: object
    leverages: object
    notionals: object
    price: float = 60_000.0
    symbol: str = "BTCUSDT"
    size: np.ndarray = field(init=False, repr=False)
    margin: np.ndarray = field(init=False, repr=False)
    liquidation_price: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        specs = default_contracts()
        if self.symbol not in specs:
            raise UnknownSymbol(f"symbol {self.symbol!r} has no contract spec "
                                f"(known: {', '.join(specs)})")
        sides = self.sides
        if isinstance(sides, str) or np.ndim(sides) != 1 or len(sides) == 0:
            raise InvalidInput(f"sides must be a list with one side per account, at least one "
                               f"(got {sides!r})")
        signs = np.array([side_sign(s, f"sides[{i}]") if isinstance(s, str) else
                          _sign_number(s, i) for i, s in enumerate(sides)], float)
        n = signs.size
        price = positive(self.price, "price")
        leverages = _per_account(self.leverages, n, "leverages")
        notionals = _per_account(self.notionals, n, "notionals")
        brackets = specs[self.symbol].brackets
        low = np.flatnonzero(leverages < 1)
        if low.size:
            raise InvalidInput(f"leverages must be >= 1 (got {leverages[low[0]]:g} at account "
                               f"{low[0]})")
        too_big = np.flatnonzero(notionals > brackets.max_position_notional)
        if too_big.size:
            raise LeverageTooHigh(f"notionals[{too_big[0]}] = {notionals[too_big[0]]:,.0f} USDT "
                                  f"exceeds {self.symbol}'s largest bracket "
                                  f"({brackets.max_position_notional:,.0f})")
        limit = brackets.max_leverage(notionals)
        over = np.flatnonzero(leverages > limit)
        if over.size:
            i = over[0]
            raise LeverageTooHigh(f"leverages[{i}] = {leverages[i]:g}x exceeds the {limit[i]:g}x "
                                  f"maximum of {self.symbol} for a {notionals[i]:,.0f} USDT "
                                  f"position")
        size = notionals / price
        margin = notionals / leverages
        lp = formulas.liquidation_price(signs, size, np.full(n, price), margin, brackets=brackets)
        for name, value in (("sides", signs), ("leverages", leverages), ("notionals", notionals),
                            ("price", price), ("size", size), ("margin", margin),
                            ("liquidation_price", np.asarray(lp, float))):
            object.__setattr__(self, name, value)

    def __len__(self):
        return self.sides.size

    @property
    def open_interest(self):
        """Total notional of every position at ``price`` (USDT)."""
        return float(self.notionals.sum())

    def to_frame(self):
        """One row per account: side, leverage, notional, size, margin, liquidation price and
        the move that reaches it (``liquidation_price / price - 1``)."""
        return pd.DataFrame({
            "side": np.where(self.sides > 0, "long", "short"), "leverage": self.leverages,
            "notional": self.notionals, "size": self.size, "margin": self.margin,
            "liquidation_price": self.liquidation_price,
            "liquidation_move": self.liquidation_price / self.price - 1.0,
        }).rename_axis("account")

    def __repr__(self):
        longs = int((self.sides > 0).sum())
        return (f"<Crowd of {len(self):,} {self.symbol} traders at {self.price:,.2f}: "
                f"{longs:,} long, {len(self) - longs:,} short, leverage "
                f"{self.leverages.min():g}x-{self.leverages.max():g}x, open interest "
                f"{self.open_interest:,.0f} USDT>")


def _sign_number(value, i):
    if isinstance(value, (bool, np.bool_)) or value not in (1, -1):
        raise InvalidInput(f"sides[{i}] must be 'long', 'short', +1 or -1 (got {value!r})")
    return float(value)


def _share(value, field):
    x = non_negative(value, field)
    if x > 1:
        raise InvalidInput(f"{field} must be from 0 to 1 (got {value!r})")
    return x


def _range(value, field):
    try:
        lo, hi = (finite(v, field) for v in value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{field} must be a pair (lowest, highest), e.g. (2, 10) "
                           f"(got {value!r})") from None
    if not 1 <= lo <= hi:
        raise InvalidInput(f"{field} must satisfy 1 <= lowest <= highest (got {value!r})")
    return lo, hi


def crowd(n_accounts=2_000, *, high_leverage_share=0.2, low_leverage=(2, 10),
          high_leverage=(20, 100), long_share=0.6, notional=20_000.0, price=60_000.0,
          symbol="BTCUSDT"):
    """A :class:`Crowd` from a leverage mix, built deterministically (no randomness).

    ``high_leverage_share`` of the accounts (rounded) trade at leverages spread
    evenly (geometrically) over ``high_leverage``, the others over ``low_leverage``.
    Within each group ``long_share`` of the accounts are long, spread evenly over
    the leverages. Every position has the same ``notional`` (USDT).
    """
    if isinstance(n_accounts, bool) or not isinstance(n_accounts, (int, np.integer)) \
            or n_accounts < 1:
        raise InvalidInput(f"n_accounts must be a whole number >= 1 (got {n_accounts!r})")
    share = _share(high_leverage_share, "high_leverage_share")
    long_share = _share(long_share, "long_share")
    groups = (_range(low_leverage, "low_leverage"), _range(high_leverage, "high_leverage"))
    n_high = int(round(share * n_accounts))
    leverages, sides = [], []
    for (lo, hi), k in zip(groups, (n_accounts - n_high, n_high)):
        j = np.arange(k)
        leverages.append(np.geomspace(lo, hi, k) if k > 1 else np.full(k, lo))
        # Bresenham's spread: account j is long when floor((j + 1) * share) steps up.
        sides.append(np.where(np.floor((j + 1) * long_share) > np.floor(j * long_share), 1, -1))
    return Crowd(np.concatenate(sides), np.concatenate(leverages), notional, price, symbol)


# --------------------------------------------------------------------------- the cascade


@dataclass
class Cascade:
    """What a market cascade did.

    ``rounds``: one row per round — ``round`` (0 = the shock itself), ``price``
    (after the previous round's forced orders), ``move`` (from the pre-shock
    price), ``liquidated_accounts`` (new in this round), ``liquidated_notional``
    (their notional at this round's price, USDT), ``net_forced_selling`` (USDT at
    the pre-shock price: longs sold minus shorts bought back, what moves the price
    next), ``cumulative_accounts`` and ``cumulative_notional``. The last row
    liquidates nobody: its price is the final price.
    ``accounts``: the crowd's table plus ``liquidated_round`` (NaN: survived).
    """

    crowd: Crowd
    shock: float
    impact: float
    depth: float
    rounds: pd.DataFrame
    accounts: pd.DataFrame

    @property
    def final_price(self):
        """The price once a round liquidates nobody."""
        return float(self.rounds["price"].iloc[-1])

    def summary(self):
        """The cascade at a glance (a pandas Series)."""
        r, start = self.rounds, self.crowd.price
        final_move = self.final_price / start - 1.0
        busy = int((r["liquidated_accounts"] > 0).sum())
        return pd.Series({
            "start_price": start, "shocked_price": float(r["price"].iloc[0]),
            "final_price": self.final_price, "shock": self.shock, "final_move": final_move,
            "amplification": final_move / self.shock if self.shock else math.nan,
            "rounds": busy, "accounts": len(self.crowd),
            "liquidated_accounts": int(r["cumulative_accounts"].iloc[-1]),
            "liquidated_share": r["cumulative_accounts"].iloc[-1] / len(self.crowd),
            "liquidated_notional": float(r["cumulative_notional"].iloc[-1]),
            "open_interest": self.crowd.open_interest,
        }, name="cascade", dtype=object)


class _Side:
    """One side's liquidation prices sorted in the order the cascade reaches them, with the
    cumulative sizes (coins): how many accounts, and how many coins, a price has reached."""

    def __init__(self, crowd, sign):
        mask = (crowd.sides == sign) & np.isfinite(crowd.liquidation_price)
        lp, size = crowd.liquidation_price[mask], crowd.size[mask]
        order = np.argsort(-sign * lp, kind="stable")      # longs: highest LP first
        self.sign, self.key = sign, -sign * lp[order]
        self.sizes = np.concatenate([[0.0], np.cumsum(size[order])])

    def reached(self, price):
        """Accounts of this side liquidated once the price has touched ``price``."""
        return int(np.searchsorted(self.key, -self.sign * price, side="right"))


def run(crowd, shock, *, impact=0.5, depth=None):
    """Follow the liquidation cascade after an instant move of ``shock`` (-0.05 = 5 % drop).

    ``impact`` (>= 0) and ``depth`` (USDT, default the crowd's open interest) set the
    impact rule of the module docstring. Returns a :class:`Cascade`.
    """
    if not isinstance(crowd, Crowd):
        raise InvalidInput(f"crowd must be a Crowd, e.g. cascade.crowd() "
                           f"(got {type(crowd).__name__})")
    shock = finite(shock, "shock")
    if not -1 < shock < 1:
        raise InvalidInput(f"shock must be between -1 and 1, e.g. -0.05 for a 5 % drop "
                           f"(got {shock!r})")
    impact = non_negative(impact, "impact")
    depth = crowd.open_interest if depth is None else positive(depth, "depth")
    longs, shorts = _Side(crowd, 1.0), _Side(crowd, -1.0)
    start = crowd.price
    price = start * (1.0 + shock)
    rows, done_long, done_short = [], 0, 0
    while True:
        n_long, n_short = longs.reached(price), shorts.reached(price)
        sold = longs.sizes[n_long] - longs.sizes[done_long]
        bought = shorts.sizes[n_short] - shorts.sizes[done_short]
        new = n_long - done_long + n_short - done_short
        net = (sold - bought) * start
        rows.append((len(rows), price, new, (sold + bought) * price, net))
        if new == 0:
            break
        done_long, done_short = n_long, n_short
        price = price * math.exp(-impact * net / depth)
    rounds = pd.DataFrame(rows, columns=["round", "price", "liquidated_accounts",
                                         "liquidated_notional", "net_forced_selling"])
    rounds.insert(2, "move", rounds["price"] / start - 1.0)
    rounds["cumulative_accounts"] = rounds["liquidated_accounts"].cumsum()
    rounds["cumulative_notional"] = rounds["liquidated_notional"].cumsum()
    accounts = crowd.to_frame()
    accounts["liquidated_round"] = _liquidated_round(crowd, rounds["price"].to_numpy())
    return Cascade(crowd, shock, impact, depth, rounds, accounts)


def _liquidated_round(crowd, prices):
    """First round whose price reaches each account's liquidation price (NaN: never)."""
    lowest, highest = np.minimum.accumulate(prices), np.maximum.accumulate(prices)
    lp, n = crowd.liquidation_price, prices.size
    with np.errstate(invalid="ignore"):
        # Running lows fall and running highs rise: the first round reaching LP by bisection.
        long_round = np.searchsorted(-lowest, -lp, side="left")
        short_round = np.searchsorted(highest, lp, side="left")
    first = np.where(crowd.sides > 0, long_round, short_round).astype(float)
    return np.where(np.isfinite(lp) & (first < n), first, np.nan)


# --------------------------------------------------------------------------- in one account


def shared_pool_effect(plan, paths, symbols, *, deposit, symbol="BTCUSDT"):
    """Per path: was ``symbol``'s position saved, or dragged down, by sharing the wallet?

    Runs ``plan`` (a list of :class:`~crossmargin.simulation.replay.Order`, as for
    :func:`crossmargin.simulation.montecarlo.run`) in one cross account funded with ``deposit``,
    and ``symbol``'s order alone as an isolated position, over the same ``paths``.
    Returns one row per path: ``isolated_liquidated`` (the position on its own
    margin), ``cross_liquidated`` (the whole account, which closes every
    position), ``effect`` (one of :data:`EFFECTS`), and for every symbol
    ``<symbol>_move_at_worst``: its price move from the start to the step where
    ``symbol``'s position was at its worst (lowest price for a long, highest for a short).
    """
    arr, symbols = montecarlo.check_paths(paths, symbols)
    if symbol not in symbols:
        raise InvalidInput(f"symbol {symbol!r} is not one of the path's symbols "
                           f"({', '.join(symbols)})")
    plan = list(plan)
    own = [o for o in plan if isinstance(o, Order) and o.symbol == symbol]
    if len(own) != 1:
        raise InvalidInput(f"plan must hold exactly one {symbol} order (got {len(own)})")
    cross = montecarlo.run(plan, arr, symbols, deposit=deposit, modes=("cross",))
    column = symbols.index(symbol)
    alone = montecarlo.run(own, arr[:, :, [column]], [symbol], deposit=deposit,
                           modes=("isolated",))
    iso = alone.outcomes["liquidated"].to_numpy()
    dead = cross.outcomes["liquidated"].to_numpy()
    effect = np.select([iso & ~dead, ~iso & dead, iso & dead],
                       EFFECTS[:3], default=EFFECTS[3])
    prices = arr[:, :, column]
    worst = (prices.argmin(axis=1) if side_sign(own[0].side) > 0 else prices.argmax(axis=1))
    at_worst = arr[np.arange(arr.shape[0]), worst, :] / arr[:, 0, :] - 1.0
    frame = pd.DataFrame({f"{s}_move_at_worst": at_worst[:, k] for k, s in enumerate(symbols)})
    frame["isolated_liquidated"] = iso
    frame["cross_liquidated"] = dead
    frame["effect"] = pd.Categorical(effect, categories=EFFECTS)
    return frame.rename_axis("path")


def pool_effect_by_seed(plan, seeds, *, n_paths, n_steps, start_prices, daily_volatility,
                        correlation, symbols, deposit, symbol="BTCUSDT"):
    """:func:`shared_pool_effect` over fresh :func:`crossmargin.scenarios.random_paths` for each
    of ``seeds`` (the other keywords are theirs): how much a seed-dependent verdict moves.

    One row per seed: ``paths``, ``saved`` and ``dragged`` (counts of paths "saved by the pool"
    and "dragged down by the pool"), their shares with 95 % Wilson intervals
    (``saved_share``, ``saved_low``, ``saved_high``, the same for ``dragged``;
    :func:`crossmargin.simulation.stats.wilson_interval`) and ``ratio`` = dragged / saved
    (inf when nothing was saved)."""
    if isinstance(seeds, (str, bytes)):
        raise InvalidInput(f"seeds must be a list of whole numbers (got {seeds!r})")
    seeds = non_empty_list(seeds, "seeds", of="whole numbers", one="seed")
    rows = []
    for seed in seeds:
        paths = random_paths(n_paths, n_steps, start_prices, daily_volatility, correlation,
                             seed=seed)
        counts = shared_pool_effect(plan, paths, symbols, deposit=deposit, symbol=symbol)[
            "effect"].value_counts()
        row = {"seed": seed, "paths": n_paths}
        for name, effect in (("saved", EFFECTS[0]), ("dragged", EFFECTS[1])):
            hits = int(counts.get(effect, 0))
            low, high = wilson_interval(hits, n_paths)
            row.update({name: hits, f"{name}_share": hits / n_paths, f"{name}_low": low,
                        f"{name}_high": high})
        row["ratio"] = row["dragged"] / row["saved"] if row["saved"] else math.inf
        rows.append(row)
    return pd.DataFrame(rows).set_index("seed")
