"""Hedging a BTC long with an ETH short, measured over many random price paths.

The guide's first strategy: long BTC, and short ETH against it, so that when the
market falls the short's profit pays for the long's loss. The **hedge ratio** is
the ETH short's notional per USDT of BTC long notional: 0 = no hedge, 1 = as many
dollars short as long, above 1 = more short than long (a bet on a fall).

Whether the hedge protects depends on the **correlation** of the two prices. The
pair's P&L for small moves is ``N * (r_BTC - h * r_ETH)``; its variance
``N² (σ_B² + h² σ_E² - 2 h ρ σ_B σ_E)`` is smallest at ``h* = ρ σ_B / σ_E``
(:func:`min_variance_ratio`); with ρ ≤ 0 every hedge adds risk.

Everything is measured with :func:`crossmargin.simulation.montecarlo.run` over seeded
:func:`crossmargin.scenarios.random_paths` (BTC and ETH, daily volatilities from
``scenarios.DAILY_VOLATILITY``, 30 days of hourly marks by default; no funding)::

    plan = hedge_plan(3_000, 0.6, 15)                   # BTC long 45,000 + ETH short 27,000
    grid = hedge_grid([0, 0.6, 1.0], [0.8, 0.0])        # odds, equity quantiles, upside kept
    pair_volatility(0.6, 0.8)                           # the pair's daily swing, 0.018
    required_deposit(0.6, 0.8, "cross")                 # money for <= 5 % liquidation odds
"""
import functools
import math

import numpy as np
import pandas as pd

from ..simulation import montecarlo
from .. import scenarios
from ..scenarios.common import check_seed
from .._validate import check_margin_mode, finite, positive
from ..engine.contracts import default_contracts
from ..errors import InvalidInput
from ..simulation.progress import reporter
from ..simulation.stats import wilson_interval
from ..simulation.replay import Order

__all__ = ["SYMBOLS", "DEPOSIT", "BTC_MARGIN", "LEVERAGE", "DAYS", "STEPS_PER_DAY", "N_PATHS",
           "SEED", "MAX_HEDGE_RATIO", "hedge_plan", "opening_cost", "min_variance_ratio",
           "pair_volatility", "hedge_paths", "hedge_outcomes", "summarize", "hedge_grid", "required_deposit"]

SYMBOLS = ("BTCUSDT", "ETHUSDT")
#: The lesson's account: 10,000 USDT, a BTC long of 3,000 USDT margin at 15x (45,000 notional).
DEPOSIT = 10_000.0
BTC_MARGIN = 3_000.0
LEVERAGE = 15.0
#: 30 days of hourly marks: long enough for a month's swings, fine enough to catch most wicks.
DAYS = 30
STEPS_PER_DAY = 24
N_PATHS = 1_000
SEED = 8
#: Hedge ratios above this are refused (a short three times the long is no longer a hedge).
MAX_HEDGE_RATIO = 3.0


# --------------------------------------------------------------------------- checks

def _ratio(value, field="hedge_ratio"):
    h = finite(value, field)
    if not 0 <= h <= MAX_HEDGE_RATIO:
        raise InvalidInput(f"{field} must be between 0 and {MAX_HEDGE_RATIO:g} (got {value!r})")
    return round(h, 10)          # 0.30000000000000004 from np.arange is 0.3


def _correlation(value, field="correlation"):
    rho = finite(value, field)
    if not -1 <= rho <= 1:
        raise InvalidInput(f"{field} must be between -1 and 1 (got {value!r})")
    return round(rho, 10)


def _values(values, check, field):
    """One number or a list of numbers -> a list of checked, distinct numbers (order kept)."""
    if isinstance(values, str) or np.ndim(values) == 0:
        values = [values]
    out = []
    for n, v in enumerate(np.asarray(values, dtype=object).ravel()):
        x = check(v, f"{field}[{n}]")
        if x not in out:
            out.append(x)
    if not out:
        raise InvalidInput(f"{field} must hold at least one value (got none)")
    return out


def _count(value, field, minimum, maximum):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InvalidInput(f"{field} must be a whole number (got {value!r})")
    if not minimum <= value <= maximum:
        raise InvalidInput(f"{field} must be between {minimum:,} and {maximum:,} (got {value!r})")
    return int(value)


def _volatility(daily_volatility):
    """(σ_BTC, σ_ETH) per day; default: the course's scenario volatilities."""
    if daily_volatility is None:
        return tuple(scenarios.DAILY_VOLATILITY[s] for s in SYMBOLS)
    if isinstance(daily_volatility, str) or np.ndim(daily_volatility) != 1 \
            or len(daily_volatility) != 2:
        raise InvalidInput(f"daily_volatility must be two numbers, BTC's and ETH's "
                           f"(got {daily_volatility!r})")
    return tuple(positive(v, f"daily_volatility[{n}]") for n, v in enumerate(daily_volatility))


# --------------------------------------------------------------------------- the plan

def hedge_plan(btc_margin=BTC_MARGIN, hedge_ratio=1.0, leverage=LEVERAGE):
    """A BTC long of ``btc_margin`` USDT at ``leverage`` and an ETH short whose notional is
    ``hedge_ratio`` × the long's (same leverage, so its margin is ``hedge_ratio`` ×
    ``btc_margin``), as :class:`~crossmargin.Order` s for :func:`montecarlo.run` /
    :func:`~crossmargin.replay`. Ratio 0: the long alone."""
    btc_margin = positive(btc_margin, "btc_margin")
    hedge_ratio = _ratio(hedge_ratio)
    leverage = positive(leverage, "leverage")
    if leverage < 1:
        raise InvalidInput(f"leverage must be >= 1 (got {leverage!r})")
    long_notional = btc_margin * leverage
    plan = [Order(SYMBOLS[0], "long", notional=long_notional, leverage=leverage)]
    if hedge_ratio > 0:
        plan.append(Order(SYMBOLS[1], "short", notional=hedge_ratio * long_notional,
                          leverage=leverage))
    return plan


def opening_cost(btc_margin=BTC_MARGIN, hedge_ratio=1.0, leverage=LEVERAGE):
    """What opening :func:`hedge_plan` takes from the wallet: initial margins + taker fees
    (``Σ notional / leverage + Σ notional × taker fee``). A deposit must be at least this."""
    specs = default_contracts()
    return sum(o.notional / o.leverage + o.notional * specs[o.symbol].taker_fee
               for o in hedge_plan(btc_margin, hedge_ratio, leverage))


def min_variance_ratio(correlation, daily_volatility=None):
    """The hedge ratio that makes the pair's P&L vary least: ``h* = ρ σ_BTC / σ_ETH``
    (set the derivative of ``σ_B² + h² σ_E² - 2 h ρ σ_B σ_E`` to zero). Negative when the
    prices move against each other: then a short adds risk and only a long would hedge."""
    rho = _correlation(correlation)
    btc, eth = _volatility(daily_volatility)
    return rho * btc / eth


def pair_volatility(hedge_ratio, correlation, daily_volatility=None):
    """How much the pair swings in a day, per USDT of BTC long notional: the standard
    deviation of ``r_BTC - h r_ETH`` for small moves,
    ``sqrt(σ_B² + h² σ_E² - 2 h ρ σ_B σ_E)`` (the variance of a difference of two
    correlated returns). BTC's own volatility at ratio 0; ``σ_B sqrt(1 - ρ²)`` at
    :func:`min_variance_ratio`, the least it can be.

    >>> round(pair_volatility(0.0, 0.5), 4), round(pair_volatility(0.375, 0.5), 4)
    (0.03, 0.026)
    """
    h = _ratio(hedge_ratio)
    rho = _correlation(correlation)
    btc, eth = _volatility(daily_volatility)
    return math.sqrt(max(btc * btc + h * h * eth * eth - 2 * h * rho * btc * eth, 0.0))


# --------------------------------------------------------------------------- paths

def _generate(correlation, n_paths, days, steps_per_day, volatility, seed):
    paths = scenarios.market_paths(SYMBOLS, n_paths, days * steps_per_day,
                                   daily_volatility=list(volatility), correlation=correlation,
                                   steps_per_day=steps_per_day, seed=seed)
    paths.flags.writeable = False
    return paths


_cached_paths = functools.lru_cache(maxsize=4)(_generate)


def hedge_paths(correlation, n_paths=N_PATHS, *, days=DAYS, steps_per_day=STEPS_PER_DAY,
                daily_volatility=None, seed=SEED):
    """BTC and ETH mark prices, ``(n_paths, days * steps_per_day + 1, 2)``, from
    :func:`scenarios.random_paths` with the given ``correlation`` (seeded; read-only, the
    last few seeded sets are cached). Same seed → the same random draws at every
    correlation, so comparisons across correlations and hedge ratios are not blurred by
    luck; ``seed=None`` draws new paths every time."""
    args = (_correlation(correlation), _count(n_paths, "n_paths", 1, 100_000),
            _count(days, "days", 1, 365), _count(steps_per_day, "steps_per_day", 1, 1440),
            _volatility(daily_volatility), check_seed(seed))
    return _generate(*args) if seed is None else _cached_paths(*args)


# --------------------------------------------------------------------------- outcomes

def hedge_outcomes(hedge_ratios, correlations, n_paths=N_PATHS, *, btc_margin=BTC_MARGIN,
                   leverage=LEVERAGE, deposit=DEPOSIT, days=DAYS, steps_per_day=STEPS_PER_DAY,
                   daily_volatility=None, seed=SEED, modes=montecarlo.MODES, progress=None):
    """One row per path, mode, hedge ratio and correlation: the :func:`hedge_plan` run by
    :func:`montecarlo.run` over :func:`hedge_paths`.

    Columns: ``hedge_ratio``, ``correlation``, ``mode``, ``path``, ``final_equity``,
    ``gain`` (final equity − deposit), ``lowest_equity``, ``liquidated`` (any position),
    ``wiped_out`` (ends below 1 % of the deposit) and ``btc_up`` (BTC ended above its start).
    Every hedge ratio at one correlation runs on the same paths.
    """
    ratios = _values(hedge_ratios, _ratio, "hedge_ratios")
    rhos = _values(correlations, _correlation, "correlations")
    deposit = positive(deposit, "deposit")
    plans = {h: hedge_plan(btc_margin, h, leverage) for h in ratios}
    report = reporter(progress, len(ratios) * len(rhos), unit="runs")
    frames = []
    for rho in rhos:
        paths = hedge_paths(rho, n_paths, days=days, steps_per_day=steps_per_day,
                            daily_volatility=daily_volatility, seed=seed)
        btc_up = paths[:, -1, 0] > paths[:, 0, 0]
        for h in ratios:
            out = montecarlo.run(plans[h], paths, list(SYMBOLS), deposit=deposit,
                                 modes=modes).outcomes
            frames.append(pd.DataFrame({
                "hedge_ratio": h, "correlation": rho, "mode": out["mode"], "path": out["path"],
                "final_equity": out["final_equity"], "gain": out["final_equity"] - deposit,
                "lowest_equity": out["lowest_equity"], "liquidated": out["liquidated"],
                "wiped_out": out["wiped_out"], "btc_up": btc_up[out["path"].to_numpy()]}))
            report(len(frames))
    return pd.concat(frames, ignore_index=True)


def summarize(outcomes):
    """The tidy summary of :func:`hedge_outcomes`: one row per hedge ratio, correlation and
    mode with ``paths``, ``p_liquidation``, ``p_wipeout``, ``median_final_equity``,
    ``final_equity_p05``, ``final_equity_p95``, ``mean_gain_btc_up`` (average gain on the
    paths where BTC rose) and ``upside_kept`` = that gain ÷ the same without a hedge (ratio
    0 at that correlation and mode; NaN when ratio 0 is missing or gained nothing); last
    ``p_liquidation_low/_high`` and ``p_wipeout_low/_high``, the 95 % Wilson intervals of
    the two odds over ``paths`` (:func:`crossmargin.simulation.stats.wilson_interval`)."""
    needed = {"hedge_ratio", "correlation", "mode", "final_equity", "gain", "liquidated",
              "wiped_out", "btc_up"}
    if not isinstance(outcomes, pd.DataFrame) or not needed <= set(outcomes.columns):
        raise InvalidInput(f"outcomes must be a DataFrame from hedge_outcomes with columns "
                           f"{sorted(needed)}")
    keys = ["hedge_ratio", "correlation", "mode"]
    groups = outcomes.groupby(keys, sort=False)
    equity = groups["final_equity"]
    up = outcomes["gain"].where(outcomes["btc_up"])
    table = pd.DataFrame({
        "paths": groups.size(),
        "p_liquidation": groups["liquidated"].mean(),
        "p_wipeout": groups["wiped_out"].mean(),
        "median_final_equity": equity.median(),
        "final_equity_p05": equity.quantile(0.05),
        "final_equity_p95": equity.quantile(0.95),
        "mean_gain_btc_up": up.groupby([outcomes[k] for k in keys], sort=False).mean(),
    }).reset_index()
    unhedged = table[table["hedge_ratio"] == 0].set_index(["correlation", "mode"])
    reference = pd.MultiIndex.from_frame(table[["correlation", "mode"]])
    base = unhedged["mean_gain_btc_up"].reindex(reference).to_numpy()
    table["upside_kept"] = np.where(base > 0, table["mean_gain_btc_up"] / np.where(
        base > 0, base, 1.0), np.nan)
    for name, hits in (("p_liquidation", groups["liquidated"].sum()),
                       ("p_wipeout", groups["wiped_out"].sum())):
        counts = hits.reindex(pd.MultiIndex.from_frame(table[keys])).to_numpy()
        table[f"{name}_low"], table[f"{name}_high"] = wilson_interval(
            counts, table["paths"].to_numpy())
    return table


def hedge_grid(hedge_ratios, correlations, n_paths=N_PATHS, **options):
    """:func:`summarize` of :func:`hedge_outcomes` over every hedge ratio × correlation
    (options as for :func:`hedge_outcomes`). Ratio 0 is run as well when missing, as the
    reference of ``upside_kept``, and left out of the table."""
    ratios = _values(hedge_ratios, _ratio, "hedge_ratios")
    runs = ratios if 0.0 in ratios else [*ratios, 0.0]
    table = summarize(hedge_outcomes(runs, correlations, n_paths, **options))
    return table[table["hedge_ratio"].isin(ratios)].reset_index(drop=True)


# --------------------------------------------------------------------------- money needed

def required_deposit(hedge_ratio, correlation, mode, *, target=0.05, n_paths=N_PATHS,
                     btc_margin=BTC_MARGIN, leverage=LEVERAGE, days=DAYS,
                     steps_per_day=STEPS_PER_DAY, daily_volatility=None, seed=SEED,
                     tolerance=10.0):
    """The least money (USDT) that keeps the odds of any liquidation ≤ ``target`` for the
    positions of :func:`hedge_plan` (their notionals are fixed), found by bisection to
    ``tolerance`` USDT over the same :func:`hedge_paths`.

    - ``"cross"``: the deposit behind both positions (at least :func:`opening_cost`: the
      exchange needs the initial margins first); more deposit = more room.
    - ``"isolated"``: the margins put into the two positions plus the fees — both legs at
      one leverage, so each gets margin in proportion to its notional; money left in the
      wallet protects nothing. More margin = lower leverage.
    """
    check_margin_mode(mode, "mode", listed=montecarlo.MODES)
    target = finite(target, "target")
    if not 0 <= target < 1:
        raise InvalidInput(f"target must be a probability from 0 to below 1 (got {target!r})")
    tolerance = positive(tolerance, "tolerance")
    plan = hedge_plan(btc_margin, hedge_ratio, leverage)
    paths = hedge_paths(correlation, n_paths, days=days, steps_per_day=steps_per_day,
                        daily_volatility=daily_volatility, seed=seed)
    specs = default_contracts()
    notionals = [o.notional for o in plan]
    fees = sum(o.notional * specs[o.symbol].taker_fee for o in plan)

    if mode == "cross":
        def odds(money):
            run = montecarlo.run(plan, paths, list(SYMBOLS), deposit=money, modes=("cross",))
            return run.outcomes["liquidated"].mean()
        low = opening_cost(btc_margin, hedge_ratio, leverage)
        high = math.inf
    else:
        def odds(money):
            lev = sum(notionals) / (money - fees)
            orders = [Order(o.symbol, o.side, notional=o.notional, leverage=lev) for o in plan]
            run = montecarlo.run(orders, paths, list(SYMBOLS), deposit=money + 1e-6,
                                 modes=("isolated",))
            return run.outcomes["liquidated"].mean()
        top = min(specs[o.symbol].brackets.max_leverage(o.notional) for o in plan)
        low = sum(notionals) / top + fees          # the highest leverage the brackets allow
        high = sum(notionals) + fees               # leverage 1
        if odds(high) > target:
            raise InvalidInput(f"target {target:g} cannot be met even at leverage 1 "
                               f"(odds {odds(high):.3f})")
    if odds(low) <= target:
        return low
    step = max(low, 1.0)
    while high == math.inf:                        # cross: double until the odds are met
        if step > 100 * sum(notionals):
            raise InvalidInput(f"target {target:g} cannot be met with a deposit of up to "
                               f"100 x the notional (odds {odds(low + step):.3f})")
        if odds(low + step) <= target:
            high = low + step
        else:
            low, step = low + step, 2 * step
    while high - low > tolerance:
        middle = (low + high) / 2
        low, high = (low, middle) if odds(middle) <= target else (middle, high)
    return high
