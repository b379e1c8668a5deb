"""Monte Carlo benchmark: 10,000 paths x 1,440 steps x 3 symbols, isolated and cross.

    python tests/benchmarks/bench_montecarlo.py [--paths 10000] [--replayed 20]

Prints the median time of montecarlo.run (budget in DESIGN.md: <= 2 s) and its speed-up
against replaying paths one step at a time through Account (simulate.replay), both
measured in this run: the replay is timed on --replayed paths per mode and scaled to the
same number of paths (budget: >= 100x).
"""
import argparse
import statistics
import time

import numpy as np
import pandas as pd

from crossmargin import Order, montecarlo, replay, scenarios

SYMBOLS = ["BTCUSDT", "ETHUSDT", "SOLUSDT"]
PLAN = [Order("BTCUSDT", "long", margin=2_000, leverage=10),
        Order("ETHUSDT", "short", margin=2_000, leverage=10),
        Order("SOLUSDT", "long", margin=2_000, leverage=10)]
#: SOL at 20x with 60,000 of notional sits in a tier whose MMR is above the clearance fee:
#: a liquidation's cut can restore the margin ("partial liquidation on").
CUTS = [Order("BTCUSDT", "long", margin=1_000, leverage=10),
        Order("ETHUSDT", "short", margin=1_000, leverage=10),
        Order("SOLUSDT", "long", margin=3_000, leverage=20)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=1_440)
    parser.add_argument("--replayed", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--plan", choices=("default", "cuts"), default="default",
                        help="cuts: a plan whose liquidations can end in a cut")
    args = parser.parse_args(argv)
    plan = CUTS if args.plan == "cuts" else PLAN

    start = time.perf_counter()
    paths = scenarios.random_paths(args.paths, args.steps, [60_000, 3_000, 150],
                                   [0.03, 0.04, 0.055], 0.8, seed=1)
    generate = time.perf_counter() - start
    runs = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        result = montecarlo.run(plan, paths, SYMBOLS)
        runs.append(time.perf_counter() - start)
    vectorized = statistics.median(runs)

    start = time.perf_counter()
    for i in range(args.replayed):
        frame = pd.DataFrame(paths[i], columns=SYMBOLS)
        for mode in ("isolated", "cross"):
            replay(frame, plan, margin_mode=mode, liquidation_prices=False)
    per_path = (time.perf_counter() - start) / args.replayed
    replayed_all = per_path * args.paths

    size = f"{args.paths:,} paths x {args.steps:,} steps x {len(SYMBOLS)} symbols"
    print(f"Monte Carlo, {size}, isolated and cross, plan {args.plan!r}")
    print(f"  generate the paths (scenarios.random_paths): {generate:.2f} s")
    print(f"  montecarlo.run: median {vectorized:.3f} s over {args.repeat} runs "
          f"(min {min(runs):.3f}, max {max(runs):.3f}); budget 2 s")
    print(f"  Account replay, both modes: {per_path * 1e3:.0f} ms per path "
          f"(measured on {args.replayed} paths) -> {replayed_all:,.0f} s for {args.paths:,}")
    print(f"  speed-up: {replayed_all / vectorized:,.0f}x (budget >= 100x)")
    summary = result.summary()
    print(f"  p(liquidation) isolated {summary.loc['p_liquidation', 'isolated']:.3f}, "
          f"cross {summary.loc['p_liquidation', 'cross']:.3f}")
    assert np.isfinite(result.outcomes["final_equity"]).all()


if __name__ == "__main__":
    main()
