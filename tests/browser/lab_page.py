"""Driving a notebook in JupyterLab: open, run all, wait, find widgets."""
import re
import time

ERROR_TEXT = "Error displaying widget"


#: The notebook on screen (other tabs stay in the page, hidden).
CURRENT = ".jp-NotebookPanel:not(.lm-mod-hidden)"


def open_notebook(page, base, token, path):
    """Open ``path`` alone (``reset`` drops tabs restored from an earlier test)."""
    page.goto(f"{base}/lab/tree/{path}?token={token}&reset", wait_until="domcontentloaded")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_function(
        "() => document.querySelector('#jp-main-statusbar')?.innerText.includes('Idle')",
        timeout=60_000)


def run_all(page, timeout_s=90):
    """Run → Run All Cells, then wait until the kernel has been idle for a while with no cell
    pending ("[*]") or left unrun ("[ ]"). Returns the number of numbered prompts."""
    page.click("#jp-MainMenu >> text=Run")
    page.click(".lm-Menu-content >> text=Run All Cells")
    deadline = time.monotonic() + timeout_s
    numbered = re.compile(r"\[\d+\]")
    idle_since = None
    while time.monotonic() < deadline:
        prompts = [p.strip() for p in
                   page.locator(f"{CURRENT} .jp-CodeCell .jp-InputPrompt").all_inner_texts()
                   if p.strip()]
        done = prompts and all(numbered.search(p) for p in prompts)
        if done and "Idle" in page.inner_text("#jp-main-statusbar"):
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since > 1.5:
                return len(prompts)
        else:
            idle_since = None
        time.sleep(0.25)
    raise AssertionError(f"notebook did not finish in {timeout_s} s: prompts {prompts}")


def assert_no_widget_errors(page):
    """No output area shows ipywidgets' "Error displaying widget" (lesson text may mention it)."""
    errors = page.locator(f".jp-OutputArea-output:has-text('{ERROR_TEXT}')")
    assert errors.count() == 0, f"the page shows '{ERROR_TEXT}': {errors.all_inner_texts()}"


def cell_errors(page):
    """Texts of error outputs (tracebacks) in the notebook."""
    return page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'], "
                        ".jp-RenderedText[data-mime-type='application/vnd.jupyter.error']"
                        ).all_inner_texts()
