"""JupyterLab without a screen: the course's lab on a free port, driven in chromium.

One set-up shared by ``make check`` (:func:`smoke_test`), the browser tests
(tests/browser) and the browser benchmark, so the three start the same lab:

- :func:`lab_command`: JupyterLab on 127.0.0.1 with a token, the course's settings
  (``crossmargin/data/jupyter-config``, the folder ``make lab`` uses) and isolated
  Jupyter config, runtime, settings and workspace folders, so that the settings of
  whoever runs it neither help nor hide anything;
- :func:`serving`: run a server until the block ends, once it answers;
- :func:`open_notebook`, :func:`run_all`, :func:`widget_errors`, :func:`cell_errors`:
  drive a notebook in a Playwright page;
- :func:`chromium_path`: the browser, ``$CHROMIUM`` or ``chromium`` on the PATH
  (Debian's; never a downloaded one).

Only the standard library is imported here; Playwright is imported by
:func:`smoke_test` when it runs, so a machine without it gets a FIX line, not a
traceback.
"""
import contextlib
import importlib.util
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from ..doctor import Finding

__all__ = ["CHROMIUM_ARGS", "LAB_CONFIG", "ERROR_TEXT", "WIDGET_ERROR", "TRACEBACK", "WIDGET_MIME", "CURRENT",
           "SMOKE", "SMOKE_WIDGET", "SMOKE_FIGURE", "SHORT_TMPDIR", "chromium_path", "free_port",
           "serving", "short_tmpdir",
           "lab_command", "open_notebook", "run_all", "widget_errors", "cell_errors",
           "smoke_notebook", "smoke_test"]

#: Chromium options for a headless run as root, in a container, offline.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]

#: The course's JupyterLab settings (the folder ``make lab`` puts first on JUPYTER_CONFIG_PATH).
LAB_CONFIG = Path(__file__).resolve().parents[1] / "data" / "jupyter-config"

#: What ipywidgets draws in place of a widget it cannot show.
ERROR_TEXT = "Error displaying widget"

#: The MIME type of a widget's output (without a widget front-end, JupyterLab shows text/plain).
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

#: The notebook on screen (other tabs stay in the page, hidden).
CURRENT = ".jp-NotebookPanel:not(.lm-mod-hidden)"


def chromium_path():
    """``$CHROMIUM`` when set (as given, even if nothing is there), else ``chromium`` on the
    PATH, else None."""
    return os.environ.get("CHROMIUM") or shutil.which("chromium")


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(cmd, env, log_path, ready_url, *, cwd=None, what="the server", timeout=60):
    """Run ``cmd`` until the block ends; wait (``timeout`` s at most) until ``ready_url``
    answers, else raise RuntimeError with the end of the server's log."""
    log = open(log_path, "w")
    server = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(ready_url, timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{what} did not start:\n"
                                       + Path(log_path).read_text()[-3000:])
                time.sleep(0.3)
        yield
    finally:
        server.terminate()  # Jupyter servers shut their kernels down on SIGTERM
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def lab_command(home, root):
    """JupyterLab serving ``root`` with the course's settings (:data:`LAB_CONFIG`: no news or
    update toast, every cell kept in the page) and isolated Jupyter folders under ``home``.
    Returns ``(cmd, env, base_url, token)``; start it with :func:`serving`."""
    home = Path(home)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"),
               JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"))
    # As `make lab` does: the course's folder first, as defaults (its labconfig/ overrides).
    others = os.environ.get("JUPYTER_CONFIG_PATH")
    env["JUPYTER_CONFIG_PATH"] = str(LAB_CONFIG) + (os.pathsep + others if others else "")
    port, token = free_port(), secrets.token_hex(16)
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
           "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           "--ServerApp.open_browser=False"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd, env, f"http://127.0.0.1:{port}", token


# ---------------------------------------------------------------- a notebook in the page

def open_notebook(page, base, token, path):
    """Open ``path`` alone (``reset`` drops tabs restored from an earlier visit) and wait
    until its kernel is idle."""
    page.goto(f"{base}/lab/tree/{path}?token={token}&reset", wait_until="domcontentloaded")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_function(
        "() => document.querySelector('#jp-main-statusbar')?.innerText.includes('Idle')",
        timeout=60_000)


def run_all(page, timeout_s=90):
    """Run → Run All Cells, then wait until the kernel has been idle for a while with no cell
    pending ("[*]") or left unrun ("[ ]"). Returns the number of numbered prompts; raises
    AssertionError when the notebook has not finished after ``timeout_s``."""
    page.click("#jp-MainMenu >> text=Run")
    page.click(".lm-Menu-content >> text=Run All Cells")
    deadline = time.monotonic() + timeout_s
    numbered = re.compile(r"\[\d+\]")
    idle_since = None
    prompts = []
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


#: An output area where ipywidgets could not draw a widget: its error view (ipywidgets 8
#: shows an icon, "Click to show javascript error.") or the text "Error displaying widget".
WIDGET_ERROR = (".jp-OutputArea-output:has(.jupyter-widgets-error-widget), "
                f".jp-OutputArea-output:has-text('{ERROR_TEXT}')")


def widget_errors(page):
    """Texts of the output areas where ipywidgets could not draw a widget
    (:data:`WIDGET_ERROR`; a lesson's prose may mention the phrase: only outputs count)."""
    return page.locator(WIDGET_ERROR).all_inner_texts()


#: An error output (a traceback, or text on stderr).
TRACEBACK = (".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'], "
             ".jp-RenderedText[data-mime-type='application/vnd.jupyter.error']")


def cell_errors(page):
    """Texts of error outputs (tracebacks) in the notebook."""
    return page.locator(TRACEBACK).all_inner_texts()


# ---------------------------------------------------------------- the smoke test

#: The smoke test's two rows, and the CSS class each widget carries in the page.
SMOKE_WIDGET = ("headless smoke test: ipywidget", "cm-smoke-widget")
SMOKE_FIGURE = ("headless smoke test: bqplot figure", "cm-smoke-figure")
#: The row when the smoke test could not run at all.
SMOKE = "headless smoke test"

_SMOKE_CELLS = [
    "import ipywidgets\n"
    "slider = ipywidgets.IntSlider(value=3, min=0, max=10, description='smoke')\n"
    f"slider.add_class('{SMOKE_WIDGET[1]}')\n"
    "slider",
    "import bqplot\n"
    "x = list(range(11))\n"
    "sx, sy = bqplot.LinearScale(), bqplot.LinearScale()\n"
    "line = bqplot.Lines(x=x, y=[v * v for v in x], scales={'x': sx, 'y': sy})\n"
    "figure = bqplot.Figure(marks=[line], axes=[bqplot.Axis(scale=sx),\n"
    "                       bqplot.Axis(scale=sy, side='left')],\n"
    "                       layout={'width': '480px', 'height': '320px'})\n"
    f"figure.add_class('{SMOKE_FIGURE[1]}')\n"
    "figure",
]


def smoke_notebook(path):
    """Write the smoke test's notebook to ``path``: one IntSlider, one bqplot line chart."""
    cells = [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
              "source": source} for source in _SMOKE_CELLS]
    Path(path).write_text(json.dumps(
        {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
         "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                     "language": "python"}}}, indent=1), encoding="utf-8")


def _missing_tools(course_root):
    """What the smoke test needs and this machine lacks: ``(what, install command)`` pairs."""
    missing = []
    chromium = chromium_path()
    if chromium is None or not os.access(chromium, os.X_OK) or Path(chromium).is_dir():
        where = (f"CHROMIUM={chromium} is not an executable" if chromium
                 else "no chromium on the PATH and CHROMIUM is not set")
        sudo = "" if hasattr(os, "geteuid") and os.geteuid() == 0 else "sudo "
        missing.append((where, f"{sudo}apt-get install chromium   (Debian/Ubuntu; elsewhere "
                               "install Chromium or Chrome and set CHROMIUM=/path/to/it)"))
    if importlib.util.find_spec("playwright") is None:
        where = f"cd {course_root} && " if course_root else ""
        missing.append(("the playwright package is not installed",
                        f"{where}{sys.executable} -m pip install -c requirements-lock.txt "
                        "playwright"))
    return missing


#: Longest temporary folder chromium's profile can live in: its sockets there
#: (``playwright_chromiumdev_profile-XXXXXX/SingletonSocket``) must fit a Unix socket path,
#: 107 bytes; a longer TMPDIR makes chromium close as it starts.
SHORT_TMPDIR = 40


@contextlib.contextmanager
def short_tmpdir():
    """While it is open, ``TMPDIR`` is a fresh folder in /tmp if the current temporary folder
    is longer than :data:`SHORT_TMPDIR` characters (Playwright makes chromium's profile there);
    else nothing changes."""
    if len(tempfile.gettempdir()) <= SHORT_TMPDIR or not os.access("/tmp", os.W_OK):
        yield
        return
    short, before = tempfile.mkdtemp(prefix="cm-", dir="/tmp"), os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = short
    tempfile.tempdir = None                       # tempfile re-reads TMPDIR
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = before
        tempfile.tempdir = None
        shutil.rmtree(short, ignore_errors=True)


def smoke_test(course_root=None, timeout_s=180):
    """Render one ipywidget and one bqplot figure in a headless JupyterLab, in chromium.

    Starts the course's lab (:func:`lab_command`) on a free port in a scratch folder, runs the
    notebook of :func:`smoke_notebook`, and checks that each widget is drawn with a non-zero
    size and that its output is not ipywidgets' error (:data:`WIDGET_ERROR`). Returns :class:`Finding` rows: the
    two rows of :data:`SMOKE_WIDGET` and :data:`SMOKE_FIGURE`, or one :data:`SMOKE` row when it
    could not run (chromium or playwright missing, the lab did not start), with the command that
    fixes it. The scratch folder is deleted when both render, else kept (server log,
    screenshot) and named in the rows.
    """
    missing = _missing_tools(course_root)
    if missing:
        return [Finding(SMOKE, False, "not run: " + "; ".join(what for what, _ in missing),
                        " && ".join(fix for _, fix in missing))]
    from playwright.sync_api import Error as PlaywrightError, sync_playwright

    home = Path(tempfile.mkdtemp(prefix="crossmargin-check-"))
    root = home / "course"
    root.mkdir()
    smoke_notebook(root / "smoke.ipynb")
    cmd, env, base, token = lab_command(home, root)
    log = home / "server.log"
    kept = f"the server log (and a screenshot, if the page opened) are in {home}"
    try:
        with serving(cmd, env, log, f"{base}/api/status?token={token}", what="JupyterLab",
                     timeout=timeout_s), short_tmpdir(), sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), headless=True,
                                        args=CHROMIUM_ARGS)
            try:
                page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
                open_notebook(page, base, token, "smoke.ipynb")
                run_all(page, timeout_s=timeout_s)
                rows = _rendered(page, kept, f"chromium {browser.version}")
                page.screenshot(path=str(home / "smoke.png"), full_page=True)
            finally:
                browser.close()
    except (RuntimeError, AssertionError, OSError, PlaywrightError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        return [Finding(SMOKE, False, f"JupyterLab or chromium failed: {first}",
                        f"fix the FIX lines above, then run this again; {kept}")]
    if all(row.ok for row in rows):
        shutil.rmtree(home, ignore_errors=True)
    return rows


def _rendered(page, kept, where):
    """The two smoke rows, read from the page once the notebook has run: each widget is
    looked for in its own cell's output."""
    reinstall = ("see the lab extension rows above; if they are all OK, rebuild the "
                 f"environment: make distclean && make check; {kept}")
    rows = []
    cells = page.locator(f"{CURRENT} .jp-CodeCell")
    for n, ((check, css), what) in enumerate(((SMOKE_WIDGET, "an IntSlider"),
                                              (SMOKE_FIGURE, "a Figure"))):
        cell = cells.nth(n)
        output = cell.locator(".jp-OutputArea-output").first
        mime = output.get_attribute("data-mime-type") if output.count() else None
        # the figure's drawing (its svg), not only its box
        drawing = cell.locator(f".{css} svg" if css == SMOKE_FIGURE[1] else f".{css}").first
        if mime == WIDGET_MIME:
            try:
                drawing.wait_for(state="visible", timeout=15_000)
            except Exception:       # Playwright's TimeoutError: reported below as not drawn
                pass
        box = drawing.bounding_box() if drawing.count() else None
        size = None if box is None else (round(box["width"]), round(box["height"]))
        errors = _error_texts(cell)
        tracebacks = cell.locator(TRACEBACK).all_inner_texts()
        if size and size[0] > 0 and size[1] > 0 and not errors:
            rows.append(Finding(check, True, f"{what} drawn {size[0]}×{size[1]} px in {where}",
                                ""))
            continue
        seen = (f"ipywidgets could not draw it: {errors[0][:200]}" if errors else
                f"its cell failed: {tracebacks[0].strip().splitlines()[-1][:160]}" if tracebacks
                else "shown as text, not drawn: JupyterLab has no widget front-end for it"
                if mime == "text/plain" else "not drawn" if size is None
                else f"drawn {size[0]}×{size[1]} px")
        rows.append(Finding(check, False, f"{what}: {seen}", reinstall))
    return rows


def _error_texts(cell):
    """The messages of the widget errors in ``cell``'s output, one line each. ipywidgets 8
    hides its message behind "Click to show javascript error.": it is clicked to read it."""
    found = cell.locator(WIDGET_ERROR)
    texts = []
    for n in range(found.count()):
        icon = found.nth(n).locator(".jupyter-widgets-error-widget")
        if icon.count():
            icon.first.click()
        text = " ".join(found.nth(n).inner_text().split())
        texts.append(re.sub(r"^\[Open Browser Console[^\]]*\]\s*", "", text))
    return texts
