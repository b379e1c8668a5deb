"""Widget benchmark: for every tool, time "set a control value -> all marks updated".

    python tests/benchmarks/bench_widgets.py [--steps 60]

Each tool is built with its defaults; every slider (and numeric text box) it exposes as an
attribute is swept across its range, one value at a time. Observers run synchronously in the
kernel, so the time of the assignment is the time until every mark and label is updated
(Python side). Budget (DESIGN.md): median <= 5 ms, p95 <= 20 ms. The browser's slider->redraw
time is measured by tests/browser (tests/output/browser-slider-redraw.json).
"""
import argparse
import statistics
import time

import ipywidgets as W
import numpy as np

from crossmargin import widgets

SWEEPABLE = (W.FloatSlider, W.IntSlider, W.FloatLogSlider, W.BoundedFloatText, W.BoundedIntText)


def controls(tool):
    """The tool's sweepable controls, by attribute name."""
    found = {}
    for name, value in vars(tool).items():
        if isinstance(value, SWEEPABLE) and not name.startswith("_"):
            found[name] = value
    return found


def sweep(control, steps):
    """Time setting ``steps`` values a learner can reach: the slider's own steps."""
    lo, hi = control.min, control.max
    values = np.linspace(lo, hi, steps)
    step = getattr(control, "step", None)
    if step:                                   # snap to the slider's grid, as dragging does
        values = np.unique(np.round((values - lo) / step) * step + lo)
        values = values[values <= hi + 1e-12]
    if isinstance(control, (W.IntSlider, W.BoundedIntText)):
        values = np.unique(np.round(values).astype(int))
    times = []
    for v in values:
        start = time.perf_counter()
        control.value = type(control.value)(v)
        times.append(time.perf_counter() - start)
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60, help="values per control")
    args = parser.parse_args(argv)
    print(f"{'tool':<22}{'control':<22}{'n':>5}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}")
    worst = []
    for name in widgets.__all__:
        cls = getattr(widgets, name)
        if name in ("COLORS", "Quiz"):
            continue
        try:
            tool = cls()
        except TypeError as err:        # a plot of given results, not a tool with controls
            print(f"{name:<22}(built from results, no default: {err})")
            continue
        grid = getattr(tool, "precomputed", None)
        if grid is not None:      # tools that fill a grid in the background: time the lookups
            grid.wait()
        found = controls(tool)
        if not found:
            print(f"{name:<22}(no slider or numeric box to sweep)")
        for cname, control in found.items():
            times = sorted(sweep(control, args.steps))
            med = statistics.median(times) * 1e3
            p95 = times[min(len(times) - 1, int(0.95 * len(times)))] * 1e3
            worst.append((med, name, cname))
            print(f"{name:<22}{cname:<22}{len(times):>5}{med:>11.2f}{p95:>9.2f}"
                  f"{times[-1] * 1e3:>9.2f}")
    if worst:
        med, name, cname = max(worst)
        print(f"\nslowest median: {name}.{cname} at {med:.2f} ms (budget 5 ms)")


if __name__ == "__main__":
    main()
