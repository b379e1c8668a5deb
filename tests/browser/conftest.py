"""A real JupyterLab in Debian's chromium, driven by Playwright.

The server (crossmargin.course.headless.lab_command) runs on 127.0.0.1 with a token, the
course's JupyterLab settings and isolated config/runtime/workspace folders, on a *copy* of
notebooks/ and images/ (so autosave never touches the repository). Chromium is $CHROMIUM, else
``chromium`` on the PATH. In CI (``CI`` set) a missing browser is a failure; elsewhere the
tests are skipped with the reason.
"""
import os
import shutil
from pathlib import Path

import pytest

# The lab, its settings and the browser's options are the package's, shared with `make check`
# and the browser benchmark (crossmargin/course/headless.py).
from crossmargin.course.headless import (CHROMIUM_ARGS, chromium_path, free_port,  # noqa: F401
                                         lab_command, serving)

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = chromium_path() or "/usr/bin/chromium"
OUTPUT = ROOT / "tests" / "output"


def _need(condition, reason):
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"browser tests need {reason} (CI must install it: see .ci/run)")
    pytest.skip(f"browser tests skipped: {reason} is not available here")


def course_copy(tmp_path_factory, name):
    """A scratch home with a copy of notebooks/ and images/ under ``course/``: (home, root)."""
    home = tmp_path_factory.mktemp(name)
    root = home / "course"
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    shutil.copytree(ROOT / "images", root / "images")
    return home, root


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """A running JupyterLab: yields ``(base_url, token, root)``."""
    _need(Path(CHROMIUM).exists(), f"chromium at {CHROMIUM}")
    home, root = course_copy(tmp_path_factory, "lab")
    cmd, env, base, token = lab_command(home, root)
    with serving(cmd, env, home / "server.log", f"{base}/api/status?token={token}",
                 what="JupyterLab"):
        yield base, token, root


@pytest.fixture(scope="session")
def browser():
    _need(Path(CHROMIUM).exists(), f"chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need(False, "the playwright package")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture(scope="session")
def output_dir():
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT
