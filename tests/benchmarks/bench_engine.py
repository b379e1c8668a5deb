"""Engine benchmark: prints medians (and ratios) of the engine's hot paths.

    python tests/benchmarks/bench_engine.py            # full sizes
    python tests/benchmarks/bench_engine.py --quick    # smaller, for a smoke run

Figures, not assertions: budgets are in DESIGN.md, results go into the issue notes.
"""
import argparse
import statistics
import sys
import time

import numpy as np

from crossmargin import Account, Brackets, formulas, scenarios
from crossmargin.simulation.replay import Order, replay

try:
    from crossmargin.engine import venues as engine_venues
except ImportError:         # a commit before the venues existed (the "before" column)
    engine_venues = None


def timed(fn, repeat):
    """Median and p95 of ``repeat`` runs of ``fn`` (seconds)."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    runs.sort()
    return statistics.median(runs), runs[min(len(runs) - 1, int(0.95 * len(runs)))]


def bench_formulas(n, repeat):
    table = Brackets.load("BTCUSDT")
    rng = np.random.default_rng(1)
    prices = rng.uniform(30_000, 90_000, n)
    wallets = rng.uniform(1_000, 50_000, n)
    rows = []
    cases = {
        "unrealized_pnl": lambda: formulas.unrealized_pnl("long", 2.0, 60_000, prices),
        "maintenance_margin (brackets)": lambda: formulas.maintenance_margin(2.0, prices, table),
        "margin_ratio": lambda: formulas.margin_ratio(prices * 0.01, wallets),
        "liquidation_price (brackets)": lambda: formulas.liquidation_price(
            "long", 2.0, 60_000, wallets, brackets=table),
    }
    loop_n = max(1, n // 100)
    for name, fn in cases.items():
        median, _ = timed(fn, repeat)
        rows.append((name, median))
    # The same liquidation prices one scalar call at a time, for the speed-up.
    sample = wallets[:loop_n]
    loop, _ = timed(lambda: [formulas.liquidation_price("long", 2.0, 60_000, float(w),
                                                        brackets=table) for w in sample], 3)
    print(f"\n1. Vectorized formulas over {n:,} prices (median of {repeat})")
    for name, median in rows:
        print(f"   {name:<32} {median * 1e3:8.2f} ms   {median / n * 1e9:6.1f} ns/price")
    per_scalar = loop / loop_n
    print(f"   liquidation_price, scalar loop    {per_scalar * 1e6:8.2f} µs/call "
          f"-> vectorized is {per_scalar / (rows[-1][1] / n):,.0f}x faster per price")


def three_position_account(venue=None):
    acc = Account() if venue is None else Account(venue=venue)
    acc.deposit(100_000)
    acc.mark({"BTCUSDT": 60_000, "ETHUSDT": 3_000, "SOLUSDT": 150})
    acc.set_leverage("BTCUSDT", 5)
    acc.open("BTCUSDT", "long", 60_000, margin=10_000)
    acc.set_leverage("ETHUSDT", 5)
    acc.open("ETHUSDT", "short", 3_000, margin=10_000)
    acc.set_margin_mode("SOLUSDT", "isolated")
    acc.set_leverage("SOLUSDT", 3)
    acc.open("SOLUSDT", "long", 150, margin=5_000)
    return acc


def bench_mark(steps, repeat):
    path = scenarios.random_walk(n_steps=steps, seed=7)
    rows = [dict(zip(path.columns, r)) for r in path.to_numpy().tolist()]
    venues = getattr(engine_venues, "VENUE_NAMES", (None,))   # None: before venues existed
    print(f"\n2. Account.mark with 3 positions (2 cross, 1 isolated), {steps:,} steps "
          f"(median of {repeat})")
    for name in venues:
        def run():
            acc = three_position_account(name)
            for prices in rows:
                acc.mark(prices)
            assert len(acc.open_symbols) == 3, "a position was closed: the benchmark measured less"

        median, p95 = timed(run, repeat)
        print(f"   {name or 'binance':<12} per step: median {median / steps * 1e6:.1f} µs, "
              f"p95 run {p95 / steps * 1e6:.1f} µs")


def bench_replay(steps, repeat):
    path = scenarios.random_walk(n_steps=steps - 1, seed=11)
    plan = [Order("BTCUSDT", "long", margin=3_000, leverage=5),
            Order("ETHUSDT", "short", margin=3_000, leverage=5),
            Order("SOLUSDT", "long", margin=2_000, leverage=3, margin_mode="isolated")]
    print(f"\n3. replay() of a {len(path):,}-step path with 3 positions (median of {repeat})")
    for with_lp in (True, False):
        median, p95 = timed(lambda: replay(path, plan, liquidation_prices=with_lp), repeat)
        label = "with liquidation prices" if with_lp else "without liquidation prices"
        print(f"   {label:<28} median {median:.3f} s  p95 {p95:.3f} s  "
              f"({median / len(path) * 1e6:.1f} µs/step)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    args = parser.parse_args(argv)
    n, steps, repeat = (10_000, 500, 3) if args.quick else (1_000_000, 10_000, 7)
    print(f"crossmargin engine benchmark — numpy {np.__version__}, Python "
          f"{sys.version.split()[0]}")
    bench_formulas(n, repeat)
    bench_mark(steps, repeat)
    bench_replay(steps, max(3, repeat // 2))


if __name__ == "__main__":
    main()
