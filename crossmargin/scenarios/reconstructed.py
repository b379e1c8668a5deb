"""Reconstructed days: hand-built price paths that match what was published about a real day.

No tick data of these days ships with the course, so each day is *reconstructed*: a path through
keyframes placed at the published levels and times (the size, the speed and the order of the
moves), with the levels in between chosen by hand. A reconstruction is not market data; its
``attrs`` say so (``"reconstructed": True``) and list the published facts it matches.

* ``crash_2025_10_10``: the 2025-10-10 liquidation cascade (BTC, ETH, SOL mark prices, one day
  from 12:00 UTC);
* ``CRASH_2025_10_10_FACTS``: what was published about that day, with sources (``Fact`` rows;
  ``pd.DataFrame(CRASH_2025_10_10_FACTS)`` prints them);
* ``fall_profile``: how deep, how fast and how far back a path fell, per symbol;
* ``crash_2025_10_10_checks``: a path's measures against the day's published magnitudes
  (``CRASH_2025_10_10_TARGETS``).
"""
from typing import NamedTuple

import numpy as np
import pandas as pd

from .._validate import non_negative, positive, positive_table
from ..errors import InvalidInput
from .common import (
    CORRELATION, FREQ, NOISE, STEPS, SYMBOLS, check_seed, scenario_frame, steps_in_a_day,
    time_index,
)
from .random import correlation_matrix, simulate_paths

AMBERDATA = ("Amberdata, \"How $3.21B Vanished in 60 Seconds: October 2025 Crypto Crash "
             "Explained Through 7 Charts\" (blog.amberdata.io)")
RECAPS = "market recaps of 2025-10-10/11 (CoinGlass data, Binance Square summaries)"


class Fact(NamedTuple):
    """One published fact about a day: what, where it was published, and how the
    reconstruction uses it (``in_path`` empty: context the lessons print, not in the prices)."""

    topic: str
    fact: str
    source: str
    in_path: str


CRASH_2025_10_10_FACTS = (
    Fact("size", "About $19B of positions were liquidated across venues on 2025-10-10/11, "
         "the largest day on record.", "CoinGlass liquidation data, as reported on 2025-10-11",
         ""),
    Fact("order", "A tariff announcement at 14:57 UTC moved prices first; the cascade began at "
         "20:50 UTC.", AMBERDATA,
         "BTC slides from 14:57 UTC; the cascade runs from 20:50 UTC"),
    Fact("speed", "About $9.9B was liquidated in 14 hours (13:00 to 03:00 UTC), about 70 % of "
         "it ($6.93B) in the 40 minutes from 20:50 UTC; the peak minute, 21:15 UTC, "
         "liquidated $3.21B.", AMBERDATA,
         "about 75 % of BTC's fall happens inside 40 minutes, steepest 21:10 to 21:20 UTC "
         "(the fact counts liquidations, the path reads it as price)"),
    Fact("btc_start", "BTC traded near 122,000 on 2025-10-10 before the crash.",
         f"{RECAPS}: 24-hour high about 122,500",
         "BTC opens at 121,500 at 12:00 UTC, high 122,400"),
    Fact("btc_low", "Binance's BTC perpetual printed about 101,400 (101,389) while spot stayed "
         "higher.", RECAPS,
         "BTC's low is 101,400 at 21:20 UTC (the perpetual's print, not spot)"),
    Fact("altcoin_wicks", "Many altcoin perpetuals wicked 50-80 % down for minutes.", RECAPS,
         "SOL wicks 35 % below its high (reported SOL lows: -31 % to -36 %); pass sol_low for a "
         "50-80 % altcoin wick"),
    Fact("eth", "ETH fell about 16-22 % (reported lows about 3,400-3,450).",
         RECAPS,
         "ETH falls from 4,380 to 3,435 (-22 %)"),
    Fact("recovery", "Prices bounced within the hour; BTC traded back near 112,000-113,000 "
         "that night.", RECAPS,
         "each symbol regains about 60 % of its cascade by 22:00 UTC, 70 % by the next noon"),
    Fact("collateral", "Binance valued USDe, wBETH and BNSOL collateral from its own order book; "
         "USDe printed about 0.65 there and unified-account users were liquidated on it "
         "(Binance later compensated them).", "Binance's announcements on the USDe, wBETH "
         "and BNSOL depeg of 2025-10-10 and its compensation", ""),
    Fact("adl", "Hyperliquid's auto-deleveraging closed about $2.1B of positions in 12 minutes, "
         "closing the profitable leg of hedges.", "Chitra, arXiv 2512.01112", ""),
)

# --------------------------------------------------------------------------- the day's keyframes

#: The default day starts here (UTC); every keyframe is a number of minutes after the start.
START_2025_10_10 = "2025-10-10 12:00"
#: Prices at 12:00 UTC (illustrative, near the reported levels of the day).
OPEN_2025_10_10 = {"BTCUSDT": 121_500.0, "ETHUSDT": 4_350.0, "SOLUSDT": 222.0}
#: The lows of the default path: Binance's BTC perpetual print, ETH's reported low, SOL 35 %
#: below its high (a choice inside the reported -31 % to -36 %).
LOWS_2025_10_10 = {"BTCUSDT": 101_400.0, "ETHUSDT": 3_435.0, "SOLUSDT": 145.0}

#: Before the cascade: (minutes after 12:00, price per symbol). 14:57 tariff post, 15:32 the
#: WLFI sell-off, 20:50 the cascade starts; levels between the anchors are illustrative.
_BEFORE = (
    (0, OPEN_2025_10_10),
    (150, {"BTCUSDT": 122_400.0, "ETHUSDT": 4_380.0, "SOLUSDT": 223.5}),   # 14:30 the high
    (177, {"BTCUSDT": 122_100.0, "ETHUSDT": 4_360.0, "SOLUSDT": 222.5}),   # 14:57 tariff post
    (215, {"BTCUSDT": 119_300.0, "ETHUSDT": 4_250.0, "SOLUSDT": 215.0}),   # 15:35
    (300, {"BTCUSDT": 119_800.0, "ETHUSDT": 4_270.0, "SOLUSDT": 216.0}),   # 17:00
    (420, {"BTCUSDT": 118_300.0, "ETHUSDT": 4_180.0, "SOLUSDT": 210.0}),   # 19:00
    (530, {"BTCUSDT": 117_000.0, "ETHUSDT": 4_100.0, "SOLUSDT": 205.0}),   # 20:50 cascade
)
CASCADE_MINUTE = _BEFORE[-1][0]
#: When the cascade began (Amberdata).
CASCADE_START = pd.Timestamp("2025-10-10 20:50", tz="UTC")
#: The cascade: share of the way from the 20:50 price down to the low (21:20 UTC).
_CASCADE = ((540, 0.15), (550, 0.45), (555, 0.75), (560, 1.0))
LOW_MINUTE = _CASCADE[-1][0]
#: After the low: share of the cascade regained (21:25, 21:30, 22:00, 23:00, 03:00, 12:00).
_RECOVERY = ((565, 0.35), (570, 0.45), (600, 0.60), (660, 0.72), (900, 0.66), (1440, 0.70))


def _keyframes(symbol, low):
    """(minutes, log of price / open) of one symbol's keyframes."""
    before = [(m, prices[symbol]) for m, prices in _BEFORE]
    top = before[-1][1]
    after = ([(m, top - share * (top - low)) for m, share in _CASCADE]
             + [(m, low + share * (top - low)) for m, share in _RECOVERY])
    minutes, prices = zip(*(before + after))
    return np.array(minutes, dtype=float), np.log(np.array(prices) / OPEN_2025_10_10[symbol])


def _low(value, symbol, field):
    """A low below the symbol's price when the cascade starts."""
    low = positive(value, field)
    top = _BEFORE[-1][1][symbol]
    if low >= top:
        raise InvalidInput(f"{field} must be < {top:,.0f}, {symbol}'s price when the cascade "
                           f"starts at 20:50 UTC (got {value!r})")
    return low


def crash_2025_10_10(*, btc_low=LOWS_2025_10_10["BTCUSDT"], eth_low=LOWS_2025_10_10["ETHUSDT"],
                     sol_low=LOWS_2025_10_10["SOLUSDT"], noise=NOISE, n_steps=STEPS, freq=FREQ,
                     start=START_2025_10_10, seed=10):
    """The 2025-10-10 crash, reconstructed (not market data): BTC, ETH and SOL mark prices for a
    day from 12:00 UTC.

    Built from the published facts (``CRASH_2025_10_10_FACTS``: Amberdata's timeline and the
    recaps of the day): a slide after the 14:57 UTC tariff post, the cascade from
    20:50 UTC to the lows at 21:20 UTC (steepest 21:10-21:20, around the peak minute 21:15),
    then a bounce that regains about 70 % of the cascade. Between keyframes the log price is a
    straight line plus a seeded noise pinned to 0 at every keyframe, so the levels hold exactly.

    * ``btc_low``: Binance's BTC *perpetual* printed about 101,400 while spot stayed higher; the
      path follows the perpetual, so it is harsh for a mark price built from the index. A higher
      ``btc_low`` is a shallower wick.
    * ``sol_low``: SOL is the course's altcoin; it wicks to 145, 35 % below its high (reports:
      -31 % to -36 %), less than the 50-80 % of many smaller altcoins; ``sol_low=67`` gives a
      70 % altcoin wick.
    * Every low must be below the symbol's 20:50 UTC price (BTC 117,000, ETH 4,100, SOL 205).
    * ``start`` moves the whole day (the moves keep their times after the start); the
      magnitudes hold at one-minute steps, coarser ``freq`` samples the path and can miss the
      wick. After 24 hours prices stay at the last keyframe (plus noise).
    """
    lows = [_low(btc_low, "BTCUSDT", "btc_low"), _low(eth_low, "ETHUSDT", "eth_low"),
            _low(sol_low, "SOLUSDT", "sol_low")]
    noise = non_negative(noise, "noise")
    seed = check_seed(seed)
    index = time_index(n_steps, freq, start)
    minutes = ((index - index[0]) / pd.Timedelta("1min")).to_numpy(dtype=float)
    frames = [_keyframes(s, low) for s, low in zip(SYMBOLS, lows)]
    shape = np.column_stack([np.interp(minutes, *frame) for frame in frames])
    wiggle = simulate_paths(1, n_steps, np.full(3, noise), correlation_matrix(CORRELATION, 3),
                            np.zeros(3), 0.0, np.zeros(3), np.zeros(3), steps_in_a_day(freq),
                            seed)[0]
    # pin the noise to 0 at every keyframe inside the path (past the last one it runs free)
    keys = frames[0][0]                          # the same minutes for every symbol
    keys = keys[keys <= minutes[-1]]
    for j in range(3):
        wiggle[:, j] -= np.interp(minutes, keys, np.interp(keys, minutes, wiggle[:, j]))
    shown = index[0] + pd.Timedelta(minutes=CASCADE_MINUTE)
    description = (f"Stylized reconstruction of the 2025-10-10 crash from published facts, not "
                   f"market data: from {shown:%H:%M} UTC BTC falls from "
                   f"{_BEFORE[-1][1]['BTCUSDT']:,.0f} to {lows[0]:,.0f} in "
                   f"{LOW_MINUTE - CASCADE_MINUTE} minutes, ETH to {lows[1]:,.0f} and SOL to "
                   f"{lows[2]:,.0f}, then each regains about 70 % of that fall.")
    parameters = dict(btc_low=lows[0], eth_low=lows[1], sol_low=lows[2], noise=noise,
                      n_steps=n_steps, freq=freq, start=index[0].isoformat(), seed=seed)
    opens = np.array([OPEN_2025_10_10[s] for s in SYMBOLS])
    frame = scenario_frame(opens * np.exp(shape + wiggle), SYMBOLS, index, name="crash_2025_10_10",
                           description=description, stylized=True, seed=seed,
                           parameters=parameters)
    frame.attrs.update(reconstructed=True,
                       facts=[f._asdict() for f in CRASH_2025_10_10_FACTS if f.in_path])
    return frame


# --------------------------------------------------------------------------- measuring a path


def _prices(prices):
    """A scenario DataFrame with a time index and finite prices > 0, else InvalidInput."""
    if not isinstance(prices, pd.DataFrame) or not isinstance(prices.index, pd.DatetimeIndex):
        raise InvalidInput("prices must be a scenario DataFrame with a time index, e.g. "
                           f"scenarios.crash_2025_10_10() (got {type(prices).__name__})")
    if len(prices) < 2 or prices.shape[1] == 0:
        raise InvalidInput(f"prices must have at least 2 rows and one symbol column "
                           f"(got {prices.shape[0]} rows, {prices.shape[1]} columns)")
    if not prices.index.is_monotonic_increasing or prices.index.has_duplicates:
        raise InvalidInput("prices must have its times in order without repeats")
    positive_table(prices, "prices")
    return prices


def _window(value, field):
    """A positive length of time: a Timedelta, text like '40min', or a number of minutes."""
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        return pd.Timedelta(minutes=positive(value, field))
    try:
        span = pd.Timedelta(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{field} must be a length of time like '40min' or a number of "
                           f"minutes (got {value!r})") from None
    if span is pd.NaT or span <= pd.Timedelta(0):
        raise InvalidInput(f"{field} must be a length of time > 0 (got {value!r})")
    return span


def _largest_fall(series, span):
    """The largest price fall from a high to a later low at most ``span`` later."""
    return float((series.rolling(span, closed="both").max() - series).max())


def _fastest(series, target):
    """The shortest time in which the price fell by ``target`` (binary search over minutes)."""
    times = series.index
    low, high = 0, int(np.ceil((times[-1] - times[0]) / pd.Timedelta("1min")))
    if _largest_fall(series, pd.Timedelta(minutes=high)) < target:
        return np.nan
    while high - low > 1:
        middle = (low + high) // 2
        if _largest_fall(series, pd.Timedelta(minutes=middle)) >= target:
            high = middle
        else:
            low = middle
    return float(high)


def fall_profile(prices, *, window="40min", share=0.7):
    """How deep, how fast and how far back each symbol of ``prices`` fell.

    One row per symbol: ``start``, ``peak`` / ``peak_time`` and ``trough`` / ``trough_time``
    (the largest peak-to-trough fall), ``drawdown = (peak - trough) / peak``, ``window_share``
    (the largest fall inside any ``window`` as a share of ``peak - trough``),
    ``fastest_minutes`` (the shortest time in which ``share`` of ``peak - trough`` was lost),
    ``end`` and ``recovered = (end - trough) / (peak - trough)``. A path that never falls has
    drawdown 0 and no shares (NaN).

    >>> round(float(fall_profile(crash_2025_10_10()).loc["BTCUSDT", "trough"]))
    101400
    """
    prices = _prices(prices)
    span = _window(window, "window")
    share = positive(share, "share")
    if share > 1:
        raise InvalidInput(f"share must be <= 1 (got {share!r})")
    rows = {}
    for symbol in prices.columns:
        series = prices[symbol].astype(float)
        values = series.to_numpy()
        running = np.maximum.accumulate(values)
        j = int(np.argmax(running - values))
        i = int(np.argmax(values[:j + 1]))
        fall = values[i] - values[j]
        rows[symbol] = dict(
            start=values[0], peak=values[i], peak_time=series.index[i], trough=values[j],
            trough_time=series.index[j], drawdown=fall / values[i],
            window_share=_largest_fall(series, span) / fall if fall > 0 else np.nan,
            fastest_minutes=_fastest(series, share * fall) if fall > 0 else np.nan,
            end=values[-1], recovered=(values[-1] - values[j]) / fall if fall > 0 else np.nan)
    return pd.DataFrame.from_dict(rows, orient="index")


class Target(NamedTuple):
    """A published magnitude a reconstruction of 2025-10-10 should show: ``measure`` of
    :func:`fall_profile` for ``symbol`` between ``low`` and ``high`` (the ``fact``'s topic)."""

    symbol: str
    measure: str
    low: float
    high: float
    fact: str


CRASH_2025_10_10_TARGETS = (
    Target("BTCUSDT", "start", 121_000.0, 122_500.0, "btc_start"),
    Target("BTCUSDT", "trough", 101_400.0 * 0.99, 101_400.0 * 1.01, "btc_low"),
    Target("BTCUSDT", "window_share", 0.70, 1.0, "speed"),
    Target("BTCUSDT", "fastest_minutes", 1.0, 40.0, "speed"),
    Target("BTCUSDT", "end", 110_000.0, 114_000.0, "recovery"),
    Target("ETHUSDT", "drawdown", 0.16, 0.23, "eth"),
    # SOL: a choice inside the reported -31 % to -36 %, not the 50-80 % of smaller altcoins
    Target("SOLUSDT", "drawdown", 0.30, 0.40, "altcoin_wicks"),
)


def crash_2025_10_10_checks(prices):
    """``prices`` measured against ``CRASH_2025_10_10_TARGETS``: one row per target of a symbol
    the path holds, with the published range (``low``, ``high``), the ``measured`` value and
    whether it is ``within``; plus whether each symbol's trough falls inside the 40 minutes from
    2025-10-10 20:50 UTC (``trough_time``; a path moved to another ``start`` fails it)."""
    profile = fall_profile(prices)
    held = [s for s in SYMBOLS if s in profile.index]
    if not held:
        raise InvalidInput(f"prices must hold a column {', '.join(SYMBOLS)} (got "
                           f"{', '.join(map(str, prices.columns))})")
    rows = [dict(symbol=t.symbol, measure=t.measure, low=t.low, high=t.high,
                 measured=float(profile.loc[t.symbol, t.measure]), fact=t.fact)
            for t in CRASH_2025_10_10_TARGETS if t.symbol in held]
    end = CASCADE_START + pd.Timedelta("40min")
    rows += [dict(symbol=symbol, measure="trough_time", low=CASCADE_START, high=end,
                  measured=profile.loc[symbol, "trough_time"], fact="speed") for symbol in held]
    table = pd.DataFrame(rows)
    table["within"] = [bool(r["low"] <= r["measured"] <= r["high"]) for r in rows]
    return table
