"""A real JupyterLab in Debian's chromium, driven by Playwright.

The server runs on 127.0.0.1 with a token, isolated config/runtime/workspace
folders, on a *copy* of notebooks/ and images/ (so autosave never touches the
repository). In CI (``CI`` set) a missing browser is a failure; elsewhere the
tests are skipped with the reason.
"""
import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
OUTPUT = ROOT / "tests" / "output"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]


def _need(condition, reason):
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"browser tests need {reason} (CI must install it: see .ci/run)")
    pytest.skip(f"browser tests skipped: {reason} is not available here")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def course_copy(tmp_path_factory, name):
    """A scratch home with a copy of notebooks/ and images/ under ``course/``: (home, root)."""
    home = tmp_path_factory.mktemp(name)
    root = home / "course"
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    shutil.copytree(ROOT / "images", root / "images")
    return home, root


@contextlib.contextmanager
def serving(cmd, env, log_path, ready_url, *, cwd=None, what="the server"):
    """Run ``cmd`` until the block ends; wait (60 s at most) until ``ready_url`` answers."""
    log = open(log_path, "w")
    server = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
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
    """The JupyterLab the browser tests (and bench_browser) drive, serving ``root`` with
    isolated Jupyter folders under ``home``: no news toast, every cell rendered (no
    windowing). Returns ``(cmd, env, base_url, token)``."""
    config = home / "config"
    (config / "labconfig").mkdir(parents=True)
    # No "Jupyter news" toast over the page.
    (config / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
    # Render every cell (no windowing), so each prompt and widget is in the page.
    settings = home / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config),
               JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"))
    port, token = free_port(), secrets.token_hex(16)
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
           "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd, env, f"http://127.0.0.1:{port}", token


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
