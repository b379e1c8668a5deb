"""The stylized days: hand-shaped price paths that each show one thing happening.

* ``btc_crash``: BTC falls sharply, ETH and SOL harder, then a small bounce;
* ``eth_decouples``: BTC drops while ETH rises (a long BTC / short ETH hedge loses twice);
* ``slow_grind``: a slow, steady decline;
* ``whipsaw``: a sharp drop and a full recovery, twice;
* ``gap_through_stop``: a one-step gap down that a stop fills far below its trigger.

Each is a log-price *shape* through keyframes (``_shape``) plus a little seeded noise that is zero
at both ends, so the day always starts and ends where the shape says (``_stylized``).
"""
import math

import numpy as np

from .._validate import non_negative, positive
from .common import (
    CORRELATION, FREQ, NOISE, START, START_PRICES, STEPS, SYMBOLS, check_seed, fraction,
    per_symbol, scenario_frame, steps_in_a_day, time_index,
)
from .random import correlation_matrix, simulate_paths


# --------------------------------------------------------------------------- shape helpers


def _span(duration):
    """A Timedelta in words: '3 hours', '2 hours 24 minutes', '45 seconds'."""
    seconds = int(round(duration.total_seconds()))
    parts = []
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {unit}{'s' if count != 1 else ''}")
    return " ".join(parts[:2]) or "0 seconds"


def _shape(t, keys, eased=True):
    """Log price ratio through keyframes [(time fraction, price ratio), ...].

    Between keyframes the path eases in and out (smoothstep), or is a straight line in log.
    """
    times = np.array([k[0] for k in keys], dtype=float)
    logs = np.log([k[1] for k in keys])
    i = np.clip(np.searchsorted(times, t, side="right") - 1, 0, len(times) - 2)
    u = np.clip((t - times[i]) / (times[i + 1] - times[i]), 0.0, 1.0)
    if eased:
        u = u * u * (3 - 2 * u)
    return logs[i] + u * (logs[i + 1] - logs[i])


def _stylized_starts(start_prices):
    """Start prices of BTC, ETH, SOL: the defaults, overridden by a ``{symbol: price}`` dict."""
    return per_symbol({} if start_prices is None else start_prices, SYMBOLS, "start_prices",
                      positive, START_PRICES)


def _timeline(n_steps, freq, start):
    """The index of a scenario and each row's place along it (0 at the start, 1 at the end)."""
    index = time_index(n_steps, freq, start)
    return index, np.linspace(0.0, 1.0, len(index))


def _stylized(name, description, log_shape, index, *, freq, start_prices, noise, seed, parameters):
    """Prices = start * exp(shape + noise); the noise is a seeded bridge that is 0 at both ends."""
    noise = non_negative(noise, "noise")
    seed = check_seed(seed)
    starts = _stylized_starts(start_prices)
    n_steps = len(index) - 1
    wiggle = simulate_paths(1, n_steps, np.full(3, noise), correlation_matrix(CORRELATION, 3),
                            np.zeros(3), 0.0, np.zeros(3), np.zeros(3), steps_in_a_day(freq),
                            seed)[0]
    wiggle -= np.linspace(0.0, 1.0, n_steps + 1)[:, None] * wiggle[-1]
    parameters = dict(parameters, start_prices=dict(zip(SYMBOLS, starts.tolist())), noise=noise,
                      n_steps=n_steps, freq=freq, start=index[0].isoformat(), seed=seed)
    return scenario_frame(starts * np.exp(log_shape + wiggle), SYMBOLS, index, name=name,
                          description=description, stylized=True, seed=seed, parameters=parameters)


def _btc_led(name, description, btc, index, parameters, *, eth_beta, sol_beta, **day):
    """A day on which ETH and SOL follow BTC's log shape ``btc`` at ``eth_beta`` and
    ``sol_beta`` times its log return (the two betas close ``parameters``); ``day`` is
    :func:`_stylized`'s ``freq``, ``start_prices``, ``noise`` and ``seed``."""
    return _stylized(name, description, btc[:, None] * [1, eth_beta, sol_beta], index,
                     parameters=dict(parameters, eth_beta=eth_beta, sol_beta=sol_beta), **day)


def _clock(index, share):
    """The time of day at a share of the path (0 to 1), e.g. '06:00'."""
    total = index[-1] - index[0]
    return (index[0] + share * total).strftime("%H:%M")


# --------------------------------------------------------------------------- the days


def btc_crash(*, drop=0.20, eth_beta=1.3, sol_beta=1.6, start_prices=None, noise=NOISE,
              n_steps=STEPS, freq=FREQ, start=START, seed=1):
    """BTC falls sharply (``drop``, default 20 %) within three hours, ETH and SOL fall harder
    (log return = beta x BTC's), then a small bounce. Stylized."""
    drop = fraction(drop, "drop")
    eth_beta, sol_beta = positive(eth_beta, "eth_beta"), positive(sol_beta, "sol_beta")
    index, t = _timeline(n_steps, freq, start)
    btc = _shape(t, [(0, 1), (6 / 24, 1), (9 / 24, 1 - drop), (12 / 24, 1 - 0.75 * drop),
                     (1, 1 - 0.85 * drop)])
    crash = _span((index[-1] - index[0]) * 3 / 24)
    description = (f"Stylized: BTC falls {drop:.0%} in {crash} from {_clock(index, 6 / 24)}, "
                   f"ETH follows {eth_beta:g}x as hard (-{1 - (1 - drop) ** eth_beta:.0%}) and "
                   f"SOL {sol_beta:g}x (-{1 - (1 - drop) ** sol_beta:.0%}), then a small bounce.")
    return _btc_led("btc_crash", description, btc, index, dict(drop=drop),
                    eth_beta=eth_beta, sol_beta=sol_beta,
                    freq=freq, start_prices=start_prices, noise=noise, seed=seed)


def eth_decouples(*, btc_drop=0.15, eth_rise=0.10, sol_beta=1.5, start_prices=None, noise=NOISE,
                  n_steps=STEPS, freq=FREQ, start=START, seed=2):
    """BTC drops while ETH rises: a long BTC / short ETH hedge loses on both legs. Stylized."""
    btc_drop = fraction(btc_drop, "btc_drop")
    eth_rise = positive(eth_rise, "eth_rise")
    sol_beta = positive(sol_beta, "sol_beta")
    index, t = _timeline(n_steps, freq, start)
    btc = _shape(t, [(0, 1), (6 / 24, 1), (9 / 24, 1 - btc_drop), (12 / 24, 1 - 0.8 * btc_drop),
                     (1, 1 - 0.9 * btc_drop)])
    eth = _shape(t, [(0, 1), (6 / 24, 1), (9 / 24, 1 + 0.8 * eth_rise), (1, 1 + eth_rise)])
    window = _span((index[-1] - index[0]) * 3 / 24)
    description = (f"Stylized: from {_clock(index, 6 / 24)} BTC falls {btc_drop:.0%} in {window} "
                   f"while ETH rises {eth_rise:.0%}, so a long BTC / short ETH hedge loses on "
                   f"both legs; SOL follows BTC {sol_beta:g}x.")
    shape = np.column_stack([btc, eth, sol_beta * btc])
    return _stylized("eth_decouples", description, shape, index,
                     freq=freq, start_prices=start_prices, noise=noise, seed=seed,
                     parameters=dict(btc_drop=btc_drop, eth_rise=eth_rise, sol_beta=sol_beta))


def slow_grind(*, decline=0.10, eth_beta=1.2, sol_beta=1.4, start_prices=None, noise=NOISE,
               n_steps=STEPS, freq=FREQ, start=START, seed=3):
    """A slow, steady decline with no sharp move (BTC -``decline`` over the path). Stylized."""
    decline = fraction(decline, "decline")
    eth_beta, sol_beta = positive(eth_beta, "eth_beta"), positive(sol_beta, "sol_beta")
    index, t = _timeline(n_steps, freq, start)
    btc = _shape(t, [(0, 1), (1, 1 - decline)], eased=False)
    description = (f"Stylized: a slow, steady decline with no sharp move - BTC loses {decline:.0%} "
                   f"over {_span(index[-1] - index[0])}, ETH {eth_beta:g}x and SOL {sol_beta:g}x "
                   "as much in log terms.")
    return _btc_led("slow_grind", description, btc, index, dict(decline=decline),
                    eth_beta=eth_beta, sol_beta=sol_beta,
                    freq=freq, start_prices=start_prices, noise=noise, seed=seed)


def whipsaw(*, drop=0.10, eth_beta=1.3, sol_beta=1.5, start_prices=None, noise=NOISE,
            n_steps=STEPS, freq=FREQ, start=START, seed=4):
    """A sharp drop and a full recovery, twice, ending where it started. Stylized."""
    drop = fraction(drop, "drop")
    eth_beta, sol_beta = positive(eth_beta, "eth_beta"), positive(sol_beta, "sol_beta")
    index, t = _timeline(n_steps, freq, start)
    low = 1 - drop
    btc = _shape(t, [(0, 1), (4 / 24, 1), (6 / 24, low), (9 / 24, 1), (13 / 24, 1), (15 / 24, low),
                     (19 / 24, 1), (1, 1)])
    description = (f"Stylized: BTC drops {drop:.0%} in {_span((index[-1] - index[0]) * 2 / 24)}, "
                   "recovers fully, then drops and recovers again, ending where it started - stops "
                   f"near the lows are hit just before the rebound (ETH {eth_beta:g}x, "
                   f"SOL {sol_beta:g}x).")
    return _btc_led("whipsaw", description, btc, index, dict(drop=drop),
                    eth_beta=eth_beta, sol_beta=sol_beta,
                    freq=freq, start_prices=start_prices, noise=noise, seed=seed)


def gap_through_stop(*, gap=0.08, slide=0.03, gap_at=0.5, eth_beta=1.2, sol_beta=1.5,
                     start_prices=None, noise=NOISE, n_steps=STEPS, freq=FREQ, start=START,
                     seed=5):
    """Prices ease ``slide`` lower, then jump ``gap`` down in one step at ``gap_at`` (fraction of
    the path): a stop between the two prices fills far below its trigger. Stylized."""
    gap = fraction(gap, "gap")
    slide = fraction(slide, "slide")
    gap_at = fraction(gap_at, "gap_at")
    eth_beta, sol_beta = positive(eth_beta, "eth_beta"), positive(sol_beta, "sol_beta")
    index, t = _timeline(n_steps, freq, start)
    step = min(max(round(gap_at * n_steps), 1), n_steps)
    btc = _shape(t, [(0, 1), (step / n_steps, 1 - slide), (1, 1 - slide)] if step < n_steps
                 else [(0, 1), (1, 1 - slide)])
    btc[step:] += math.log(1 - gap)
    frame = _btc_led("gap_through_stop", "", btc, index, dict(gap=gap, slide=slide, gap_at=gap_at),
                     eth_beta=eth_beta, sol_beta=sol_beta,
                     freq=freq, start_prices=start_prices, noise=noise, seed=seed)
    before, after = frame["BTCUSDT"].iloc[step - 1], frame["BTCUSDT"].iloc[step]   # with noise
    frame.attrs["description"] = (
        f"Stylized: BTC eases {slide:.0%} lower, then gaps {gap:.0%} down in one step at "
        f"{index[step]:%H:%M} ({before:,.0f} to {after:,.0f}), so a stop between the two prices "
        "fills far below its trigger; ETH and SOL gap too.")
    return frame


