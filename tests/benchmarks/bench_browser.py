"""Browser benchmark: for every tool, time "key press on its main control -> redraw" in chromium.

    python tests/benchmarks/bench_browser.py [--presses 20]

Starts JupyterLab (crossmargin.course.headless.lab_command, as the browser tests do), opens a
scratch notebook that builds each tool with its defaults, then for each tool focuses its main
control (a slider handle; LiquidationStepper's Next button) and presses a key ``--presses`` times
with Playwright (a real, trusted key press). Each time is measured in the page: from the keydown
to the last change of the tool's figure or labels in the DOM (the redraw after the kernel's update
arrives; "last" = no further change for 250 ms). HedgeLab and ReserveTool are timed after their
background grid is complete (``precomputed.wait()`` in the kernel). Budget (issue 12): p95 (nearest
rank) <= 100 ms. Needs chromium ($CHROMIUM, else chromium on the PATH) and the playwright
package; without them it says so and stops. Times go to tests/output/browser-redraw-bench.json.
"""
import argparse
import json
import math
import statistics
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from crossmargin.course.headless import (CHROMIUM_ARGS, cell_errors, chromium_path,  # noqa: E402
                                         lab_command, open_notebook, run_all, serving)

CHROMIUM = chromium_path() or "/usr/bin/chromium"

BUDGET_MS = 100

# tool, root CSS class, main control (attribute), its CSS class, what the kernel redraws.
# "key": "slider" presses ArrowRight/ArrowLeft on the slider handle (turning at either end);
# "button" presses Enter on the button.
TOOLS = [
    ("SetupCheck", "cm-setup-check", "leverage", "cm-setup-leverage", "slider",
     ["cm-setup-figure", "cm-setup-status"]),
    ("LeverageExplorer", "cm-leverage-explorer", "leverage", "cm-leverage", "slider",
     ["cm-leverage-figure", "cm-liquidation", "cm-distance"]),
    ("ModeExplorer", "cm-mode-explorer", "btc_shock", "cm-btc-shock", "slider",
     ["cm-mode-figure", "cm-isolated-status", "cm-cross-status"]),
    ("CollateralBuilder", "cm-collateral-builder", "btc_move", "cm-collateral-move", "slider",
     ["cm-collateral-figure", "cm-collateral-total", "cm-collateral-change"]),
    ("OrderTicket", "cm-order-ticket", "leverage", "cm-order-ticket-leverage", "slider",
     ["cm-order-ticket-figure", "cm-order-ticket-cost", "cm-order-ticket-liquidation"]),
    ("MarginRatioMonitor", "cm-margin-ratio-monitor", "step", "cm-step", "slider",
     ["cm-ratio-figure", "cm-gauge", "cm-clock", "cm-status"]),
    ("StopLossLab", "cm-stop-loss-lab", "stop_distance", "cm-stop-distance", "slider",
     ["cm-stop-loss-figure", "cm-fill", "cm-pnl"]),
    ("HedgeLab", "cm-hedge-lab", "hedge_ratio", "cm-hedge-ratio", "slider",
     ["cm-hedge-figure", "cm-hedge-status", "cm-isolated-status", "cm-cross-status"]),
    ("CascadeLab", "cm-cascade-lab", "shock", "cm-shock", "slider",
     ["cm-cascade-price", "cm-cascade-notional", "cm-final-price", "cm-status"]),
    ("CapstoneReport", "cm-capstone-report", "hour", "cm-hour", "slider",
     ["cm-equity-figure", "cm-ratio-figure", "cm-now"]),
    ("ReserveTool", "cm-reserve-tool", "reserve", "cm-reserve-tool-reserve", "slider",
     ["cm-reserve-tool-figure", "cm-reserve-tool-summary", "cm-reserve-tool-ratio"]),
    ("LiquidationStepper", "cm-liquidation-stepper", "next", "cm-liquidation-stepper-next",
     "button", ["cm-liquidation-figure", "cm-liquidation-stepper-event-text",
                "cm-liquidation-stepper-totals"]),
    ("VenueSwitcher", "cm-venue-switcher", "move", "cm-venue-switcher-move", "slider",
     ["cm-venue-figure", "cm-venue-gauge", "cm-venue-switcher-headline",
      "cm-venue-switcher-screen"]),
]

# In the page: watch the targets; note the time of the next keydown and of the last mutation.
ARM = """
(selectors) => {
  const b = window.__bench = {start: null, last: null};
  b.observer = new MutationObserver(() => { if (b.start !== null) b.last = performance.now(); });
  for (const sel of selectors)
    for (const el of document.querySelectorAll(sel))
      b.observer.observe(el, {subtree: true, childList: true, attributes: true,
                              characterData: true});
  b.onkey = () => { if (b.start === null) b.start = performance.now(); };
  document.addEventListener('keydown', b.onkey, true);
}
"""
# Wait for the redraw to settle (250 ms without change, 5 s at most): ms from keydown, or null.
COLLECT = """
async () => {
  const b = window.__bench;
  const deadline = performance.now() + 5000;
  while (performance.now() < deadline) {
    await new Promise(r => setTimeout(r, 20));
    if (b.last !== null && performance.now() - b.last > 250) break;
  }
  b.observer.disconnect();
  document.removeEventListener('keydown', b.onkey, true);
  return (b.last === null || b.start === null) ? null : b.last - b.start;
}
"""


def scratch_notebook(path):
    """One cell per tool: build it with its defaults, wait for its background grid, show it."""
    cells = [nbformat.v4.new_code_cell("from crossmargin import widgets")]
    for name, *_ in TOOLS:
        var = name.lower()
        src = f"{var} = widgets.{name}()\n"
        if name in ("HedgeLab", "ReserveTool"):
            src += f"{var}.precomputed.wait()\n"
        cells.append(nbformat.v4.new_code_cell(src + var))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)


def slider_key(handle, key):
    """ArrowRight, or ArrowLeft at the slider's top end (and back at its bottom end)."""
    now = float(handle.get_attribute("aria-valuenow"))
    if key == "ArrowRight" and now >= float(handle.get_attribute("aria-valuemax")):
        return "ArrowLeft"
    if key == "ArrowLeft" and now <= float(handle.get_attribute("aria-valuemin")):
        return "ArrowRight"
    return key


def time_tool(page, spec, presses):
    name, root, _, control_class, kind, targets = spec
    tool = page.locator(f".{root}").first
    tool.scroll_into_view_if_needed()
    selectors = [f".{root} .{t}" for t in targets]
    if kind == "slider":
        control = tool.locator(f".{control_class} .noUi-handle").first
    else:
        control = tool.locator(f"button.{control_class}").first
        back = tool.locator("button.cm-liquidation-stepper-back").first
        event = tool.locator(".cm-liquidation-stepper-event .noUi-handle").first
    control.wait_for()
    times, missed, key = [], 0, "ArrowRight"
    for _ in range(presses):
        if kind == "slider":
            key = slider_key(control, key)
        else:                       # at the last event: back to the first (not timed)
            while control.is_disabled() or (event.count() and event.get_attribute(
                    "aria-valuenow") == event.get_attribute("aria-valuemax")):
                before = event.get_attribute("aria-valuenow")
                back.click()
                page.wait_for_function(
                    "([el, old]) => el.getAttribute('aria-valuenow') !== old",
                    arg=[event.element_handle(), before], timeout=10_000)
            key = "Enter"
        page.evaluate(ARM, selectors)
        control.focus()
        page.keyboard.press(key)
        ms = page.evaluate(COLLECT)
        if ms is None:
            missed += 1
        else:
            times.append(ms)
    return times, missed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=20, help="key presses per tool")
    parser.add_argument("--json", type=Path, default=ROOT / "tests" / "output"
                        / "browser-redraw-bench.json", help="where to write the times")
    args = parser.parse_args(argv)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if sync_playwright is None or not Path(CHROMIUM).exists():   # a benchmark, not a gate
        print(f"bench_browser skipped: needs the playwright package and chromium at {CHROMIUM} "
              "(set CHROMIUM)")
        return

    with tempfile.TemporaryDirectory(prefix="bench-browser-") as tmp:
        home = Path(tmp)
        (home / "course").mkdir()
        scratch_notebook(home / "course" / "bench.ipynb")
        cmd, env, base, token = lab_command(home, home / "course")
        with serving(cmd, env, home / "server.log", f"{base}/api/status?token={token}",
                     what="JupyterLab"), sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            open_notebook(page, base, token, "bench.ipynb")
            run_all(page, timeout_s=300)
            errors = cell_errors(page)
            if errors:
                sys.exit("the scratch notebook failed:\n" + "\n".join(errors))
            # The grids are complete in the kernel; wait until no tool says "computing…".
            page.wait_for_function(
                "() => !document.querySelector('.jp-Notebook').innerText.includes('computing')",
                timeout=60_000)
            rows = []
            print(f"{'tool':<20}{'control':<15}{'n':>4}{'median ms':>11}{'p95 ms':>8}"
                  f"{'max ms':>8}  p95 <= {BUDGET_MS} ms")
            for spec in TOOLS:
                times, missed = time_tool(page, spec, args.presses)
                name, control = spec[0], spec[2]
                if not times:
                    print(f"{name:<20}{control:<15}{0:>4}  (no redraw seen after "
                          f"{missed} key presses)")
                    rows.append({"tool": name, "control": control, "n": 0, "missed": missed})
                    continue
                s = sorted(times)
                med = statistics.median(s)
                p95 = s[math.ceil(0.95 * len(s)) - 1]      # nearest rank
                ok = "yes" if p95 <= BUDGET_MS else "no"
                note = f"  ({missed} presses without a redraw)" if missed else ""
                print(f"{name:<20}{control:<15}{len(s):>4}{med:>11.0f}{p95:>8.0f}"
                      f"{s[-1]:>8.0f}  {ok}{note}")
                rows.append({"tool": name, "control": control, "n": len(s), "missed": missed,
                             "median_ms": med, "p95_ms": p95, "max_ms": s[-1],
                             "within_budget": p95 <= BUDGET_MS, "runs_ms": times})
            browser.close()
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"budget_p95_ms": BUDGET_MS, "tools": rows}, indent=1))
    print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
