"""Lessons in a real JupyterLab: run all cells, move a slider, watch the plot change."""
import json
import statistics
from pathlib import Path

import pytest

from crossmargin.course import QUIZ_KIND

from .lab_page import CURRENT, assert_no_widget_errors, cell_errors, open_notebook, run_all

# Measures, in the page, the time from a key press on a slider handle to the last change of
# the figure's SVG that follows it (the redraw after the kernel's update arrives).
MEASURE_KEY_TO_REDRAW = """
async ([figureSelector, handleSelector, key]) => {
  const svg = document.querySelector(figureSelector);
  const handle = document.querySelector(handleSelector);
  let last = null;
  const observer = new MutationObserver(() => { last = performance.now(); });
  observer.observe(svg, {subtree: true, childList: true, attributes: true, characterData: true});
  handle.focus();
  const start = performance.now();
  handle.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true}));
  const deadline = start + 3000;
  while (performance.now() < deadline) {
    await new Promise(r => setTimeout(r, 25));
    if (last !== null && performance.now() - last > 250) break;
  }
  observer.disconnect();
  return last === null ? null : last - start;
}
"""


def test_lesson02_mode_explorer(lab, page, output_dir):
    base, token, _ = lab
    open_notebook(page, base, token, "notebooks/02-cross-vs-isolated.ipynb")
    run_all(page)
    assert_no_widget_errors(page)
    assert cell_errors(page) == []

    explorer = page.locator(".cm-mode-explorer").first
    explorer.scroll_into_view_if_needed()
    figure = explorer.locator("svg.svg-figure").first
    figure.wait_for()
    assert figure.locator("path.line").count() >= 2, "the explorer draws no lines"
    handle = explorer.locator(".cm-btc-shock .noUi-handle").first
    before = figure.inner_html()
    handle.focus()
    for _ in range(5):
        handle.press("ArrowLeft")
    page.wait_for_function(
        "([el, old]) => el.innerHTML !== old", arg=[figure.element_handle(), before],
        timeout=10_000)
    assert figure.inner_html() != before
    assert_no_widget_errors(page)

    # Slider -> redraw time, measured in the page (budget in DESIGN.md: <= 150 ms).
    figure_sel = ".cm-mode-explorer svg.svg-figure"
    handle_sel = ".cm-mode-explorer .cm-btc-shock .noUi-handle"
    times = []
    for n in range(12):
        ms = page.evaluate(MEASURE_KEY_TO_REDRAW,
                           [figure_sel, handle_sel, "ArrowRight" if n % 2 else "ArrowLeft"])
        assert ms is not None, "a key press on the slider did not redraw the figure"
        times.append(ms)
    timing = {"median_ms": statistics.median(times), "max_ms": max(times), "runs": times}
    (output_dir / "browser-slider-redraw.json").write_text(json.dumps(timing, indent=1))
    print(f"\nslider -> redraw in the browser: median {timing['median_ms']:.0f} ms, "
          f"max {timing['max_ms']:.0f} ms over {len(times)} key presses")

    explorer.screenshot(path=str(output_dir / "lesson02-mode-explorer.png"))


NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
LESSONS = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
#: The README's screenshots: lesson number -> CSS class of the widget shown. Each is saved to
#: tests/output/screenshots/<class>.png; `make screenshots` copies them to images/screenshots/.
SCREENSHOTS = {"01": "cm-leverage-explorer", "02": "cm-mode-explorer",
               "04": "cm-order-ticket", "05": "cm-margin-ratio-monitor",
               "07": "cm-stop-loss-lab", "09": "cm-hedge-lab", "10": "cm-cascade-lab"}


@pytest.mark.parametrize("name", LESSONS)
def test_every_lesson_runs_and_draws_its_widgets(lab, page, output_dir, name):
    base, token, _ = lab
    open_notebook(page, base, token, f"notebooks/{name}")
    run_all(page)
    assert_no_widget_errors(page)
    assert cell_errors(page) == []
    tools = page.locator(f"{CURRENT} .jp-OutputArea-output [class*='cm-']")
    assert tools.count() > 0, f"{name}: no course widget was displayed"
    course = json.loads((NOTEBOOKS / name).read_text())["metadata"]["course"]
    if course.get("kind") == QUIZ_KIND:      # the final quiz: every question drawn, no chart
        asked = sum("Quiz(" in "".join(c["source"]) for c in
                    json.loads((NOTEBOOKS / name).read_text())["cells"] if c["cell_type"] == "code")
        shown = page.locator(f"{CURRENT} .jp-OutputArea-output .cm-quiz").count()
        assert shown == asked >= 15, f"{name}: {shown} quizzes drawn for {asked} asked"
    else:
        assert page.locator(f"{CURRENT} .jp-OutputArea-output svg.svg-figure").count() > 0 or \
            name.startswith("00"), f"{name}: no bqplot figure was drawn"
    first = tools.first
    first.scroll_into_view_if_needed()
    first.screenshot(path=str(output_dir / f"lesson-{name[:2]}-widget.png"))
    if name[:2] in SCREENSHOTS:
        main = page.locator(f"{CURRENT} .{SCREENSHOTS[name[:2]]}").first
        main.scroll_into_view_if_needed()
        (output_dir / "screenshots").mkdir(exist_ok=True)
        main.screenshot(path=str(output_dir / "screenshots" / f"{SCREENSHOTS[name[:2]]}.png"))
