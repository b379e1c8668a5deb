"""A learner's Run All in JupyterLab shows no answer; opening a solution on purpose does."""
import re

from .lab_page import CURRENT, assert_no_widget_errors, cell_errors, open_notebook, run_all

SOLVED = re.compile(r"✓ Exercise 07\.\d")


def test_answers_stay_hidden_until_a_solution_is_opened(lab, page, output_dir):
    base, token, _ = lab
    open_notebook(page, base, token, "notebooks/07-stop-losses.ipynb")
    run_all(page)
    assert cell_errors(page) == []
    assert_no_widget_errors(page)
    notebook = page.locator(CURRENT)
    assert not SOLVED.search(notebook.inner_text()), "a solved exercise is on screen"

    solution = notebook.locator(".jp-CodeCell:has(details.cm-solution)").first
    solution.scroll_into_view_if_needed()
    assert "check(" not in solution.inner_text(), "the solution's code is on screen"
    page.screenshot(path=str(output_dir / "solution-folded.png"))

    solution.locator(".jp-InputPlaceholder").click()              # open the code ...
    solution.locator("details.cm-solution summary").click()       # ... and its result
    page.wait_for_function("el => el.innerText.includes('check(')",
                           arg=solution.element_handle(), timeout=10_000)
    assert SOLVED.search(solution.inner_text())
    solution.scroll_into_view_if_needed()
    page.screenshot(path=str(output_dir / "solution-opened.png"))
