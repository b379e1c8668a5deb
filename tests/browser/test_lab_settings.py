"""The JupyterLab that `make lab` starts: no news pop-up, every notebook cell kept in the page.

The server is started by `make lab` itself (the Makefile's own command line and environment) in
a scratch copy of the course's Makefile and JupyterLab settings folder, next to a long notebook
(`make lab` serves the folder it runs in), with isolated Jupyter folders, so that the
settings of whoever runs the tests neither help nor hide anything.
"""
import json
import os
import secrets
import shutil
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import CHROMIUM, ROOT, free_port, _need, serving

CELLS = 150  # far more than fit on screen: windowing would leave most of them out of the page


@pytest.fixture(scope="module")
def course_lab(tmp_path_factory):
    """`make lab` on a scratch folder: yields ``(base_url, token)``."""
    _need(Path(CHROMIUM).exists(), f"chromium at {CHROMIUM}")
    _need(shutil.which("make") is not None, "make")
    home = tmp_path_factory.mktemp("make-lab")
    root = home / "course"
    shutil.copytree(ROOT / "crossmargin" / "data" / "jupyter-config",
                    root / "crossmargin" / "data" / "jupyter-config")
    shutil.copy(ROOT / "Makefile", root / "Makefile")
    cells = [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
              "source": f"cell_{i} = {i}"} for i in range(CELLS)]
    (root / "long.ipynb").write_text(json.dumps(
        {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                     "language": "python"}},
         "nbformat": 4, "nbformat_minor": 5}))
    env = {k: v for k, v in os.environ.items() if k != "JUPYTER_CONFIG_PATH"}
    env.update(JUPYTER_CONFIG_DIR=str(home / "config"),
               JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"))
    port, token = free_port(), secrets.token_hex(16)
    # This interpreter's environment as the Makefile's VENV; `-o` keeps make from reinstalling.
    venv = Path(sys.prefix)
    lab_args = (f"--no-browser --port={port} --ServerApp.port_retries=0 --ServerApp.ip=127.0.0.1 "
                f"--IdentityProvider.token={token}")
    cmd = ["make", "-s", "-C", str(root), "-o", str(venv / ".installed"), "-o", str(venv / "bin/python"),
           "lab", f"VENV={venv}", f"LAB_ARGS={lab_args}"]
    base = f"http://127.0.0.1:{port}"
    with serving(cmd, env, home / "server.log", f"{base}/api/status?token={token}",
                 what="make lab"):
        yield base, token


def test_make_lab_shows_no_news_or_update_toast(course_lab, page):
    base, token = course_lab
    page.goto(f"{base}/lab?token={token}&reset", wait_until="domcontentloaded")
    page.wait_for_selector("#jp-main-statusbar", timeout=60_000)
    # Without the course's settings JupyterLab asks about news a moment after start-up.
    time.sleep(5)
    toasts = page.locator(".jp-Notification-Toast, .Toastify__toast").all_inner_texts()
    assert not [t for t in toasts if "news" in t.lower() or "update" in t.lower()], toasts
    settings = page.evaluate("""async () => {
        const get = async id => (await (await fetch(`/lab/api/settings/${id}`)).json()).schema;
        return [await get('@jupyterlab/apputils-extension:notification'),
                await get('@jupyterlab/notebook-extension:tracker')];
    }""")
    notification, tracker = (s["properties"] for s in settings)
    assert notification["fetchNews"]["default"] == "false"
    assert notification["checkForUpdates"]["default"] is False
    assert tracker["windowingMode"]["default"] == "none"


def test_make_lab_keeps_every_cell_of_a_long_notebook_in_the_page(course_lab, page):
    base, token = course_lab
    page.goto(f"{base}/lab/tree/long.ipynb?token={token}&reset", wait_until="domcontentloaded")
    # A notebook panel starts with one empty cell and swaps in the file's cells once it has
    # loaded: wait for the file's first cell before counting.
    page.locator(".jp-Notebook .jp-Cell").first.get_by_text("cell_0 = 0").wait_for(timeout=60_000)
    notebook = page.locator(".jp-Notebook")
    assert "jp-content-visibility-mode" not in (notebook.get_attribute("class") or "")
    # "none": every cell is made whole (no placeholders filled in on scrolling), the last
    # included; with windowing the count would stay at the few cells on screen.
    expect(page.locator(".jp-Notebook .jp-Cell")).to_have_count(CELLS, timeout=10_000)
    expect(page.locator(".jp-Notebook .jp-Cell .cm-editor")).to_have_count(CELLS, timeout=10_000)
    assert f"cell_{CELLS - 1} = {CELLS - 1}" in notebook.inner_text()
