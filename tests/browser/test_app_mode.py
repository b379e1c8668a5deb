"""App mode (`make app`): the explorers served by Voila, in chromium at a projector's size.

Voila renders a copy of notebooks/app.ipynb on 127.0.0.1 with isolated Jupyter folders; the
page must draw the explorers, show no widget error, and redraw a plot when a slider moves.
"""
import json
import os
import sys
import time
from pathlib import Path

import pytest

from .conftest import CHROMIUM, free_port, _need, course_copy, serving
from .lab_page import ERROR_TEXT

#: A common projector resolution (WXGA).
PROJECTOR = {"width": 1280, "height": 800}
TIMEOUT_MS = 120_000  # first render: kernel start and seven explorers on a busy 2-core machine


@pytest.fixture(scope="module")
def voila(tmp_path_factory):
    """A running Voila app on a copy of the course: yields its URL."""
    _need(Path(CHROMIUM).exists(), f"chromium at {CHROMIUM}")
    home, root = course_copy(tmp_path_factory, "voila")
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"))
    port = free_port()
    cmd = [sys.executable, "-m", "voila", str(root / "notebooks" / "app.ipynb"), "--no-browser",
           f"--port={port}", "--Voila.ip=127.0.0.1", "--Voila.port_retries=0",
           f"--Voila.connection_dir_root={home}", "--show_tracebacks=True"]
    base = f"http://127.0.0.1:{port}"
    # a static file answers without starting a kernel
    with serving(cmd, env, home / "voila.log", f"{base}/voila/static/voila.js", cwd=root,
                 what="Voila"):
        yield base


@pytest.fixture
def app_page(browser, voila):
    """A projector-sized page with every request outside the app refused (Voila asks a CDN
    for an icon font: unreachable here, it must not hold the page)."""
    context = browser.new_context(viewport=PROJECTOR)
    context.route(lambda url: not url.startswith(voila), lambda route: route.abort())
    page = context.new_page()
    yield page
    context.close()


def assert_clean(page):
    text = page.inner_text("body")
    for bad in (ERROR_TEXT, "Traceback", "There was an error when executing"):
        assert bad not in text, f"the app page shows {bad!r}"


def drawn(figure):
    """The ``d`` of every line of a bqplot figure (empty while nothing is drawn)."""
    return figure.locator("path.line").evaluate_all("ps => ps.map(p => p.getAttribute('d'))")


def press(page, handle, key, times):
    handle.focus()
    for _ in range(times):
        handle.press(key)


def test_app_mode_draws_the_explorers_and_follows_a_slider(app_page, voila, output_dir):
    page = app_page
    started = time.monotonic()
    page.goto(voila + "/", wait_until="domcontentloaded", timeout=TIMEOUT_MS)
    lever = page.locator(".cm-app .cm-leverage-explorer")
    figure = lever.locator("svg.svg-figure")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.cm-leverage-figure path.line')]"
        ".some(p => (p.getAttribute('d') || '').length > 20)", timeout=TIMEOUT_MS)
    figure.wait_for(state="visible", timeout=TIMEOUT_MS)
    load_s = time.monotonic() - started
    assert_clean(page)

    tabs = page.locator(".cm-app .cm-app-tabs .lm-TabBar-tab")
    assert tabs.count() == 7
    assert "Leverage" in tabs.first.inner_text()
    assert page.locator(".cm-app .cm-app-title").inner_text().startswith("Cross Margin")

    # Leverage tab: 5 steps up the leverage slider → a new equity curve and notional.
    leverage = lever.locator(".cm-leverage")
    readout = leverage.locator(".widget-readout")
    start = int(readout.inner_text())
    margin = int(lever.locator(".cm-margin .widget-readout").inner_text().replace(",", ""))
    before = drawn(figure)
    press(page, leverage.locator(".noUi-handle"), "ArrowRight", 5)
    page.wait_for_function("([el, want]) => el.innerText.trim() === want",
                           arg=[readout.element_handle(), str(start + 5)], timeout=30_000)
    notional = f"{margin * (start + 5):,.2f} USDT"       # notional = margin × leverage
    lever.locator(".cm-notional", has_text=notional).wait_for(timeout=30_000)
    page.wait_for_function(
        "([svg, old]) => [...svg.querySelectorAll('path.line')]"
        ".some((p, i) => p.getAttribute('d') !== old[i])",
        arg=[figure.element_handle(), before], timeout=30_000)
    assert drawn(figure) != before

    # A hidden tab's figure stays hidden (visibility) until bqplot lays it out on show.
    tabs.filter(has_text="Cross vs isolated").click()
    mode = page.locator(".cm-app .cm-mode-explorer")
    mode_figure = mode.locator("svg.svg-figure")
    mode_figure.wait_for(state="visible", timeout=30_000)
    page.wait_for_function(
        "svg => svg.getBoundingClientRect().width > 600 && [...svg.querySelectorAll("
        "'path.line')].some(p => (p.getAttribute('d') || '').length > 20)",
        arg=mode_figure.element_handle(), timeout=30_000)
    # One key at a time, each waited for: every 1 % BTC move changes the cross equity, so the
    # page ends showing the kernel's answer for the last step, not an intermediate one.
    cross = mode.locator(".cm-cross-status")
    mode_before = mode_figure.inner_html()
    handle = mode.locator(".cm-btc-shock .noUi-handle")
    handle.focus()
    for _ in range(12):
        shown = cross.inner_text()
        handle.press("ArrowLeft")
        page.wait_for_function("([el, old]) => el.innerText !== old",
                               arg=[cross.element_handle(), shown], timeout=30_000)
    page.wait_for_function("([el, old]) => el.innerHTML !== old",
                           arg=[mode_figure.element_handle(), mode_before], timeout=30_000)
    page.wait_for_function(  # the readout settles on -12 (d3 writes a minus sign)
        "el => /^[-\u2212]12$/.test(el.innerText.trim())",
        arg=mode.locator(".cm-btc-shock .widget-readout").element_handle(), timeout=30_000)
    assert_clean(page)

    shots = output_dir / "screenshots"
    shots.mkdir(exist_ok=True)
    page.screenshot(path=str(shots / "app-mode.png"))
    (output_dir / "app-mode.json").write_text(json.dumps({"page_load_s": round(load_s, 2)}))
    print(f"\napp mode: explorers drawn {load_s:.1f} s after opening the page")


def panel_bottom(page):
    """Where the visible tab's panel ends on the page (pixels from the top)."""
    panel = page.locator(".cm-app .cm-app-tabs > .widget-tab-contents > "
                         ":not(.lm-mod-hidden)").first
    return panel.evaluate("e => e.getBoundingClientRect().bottom")


def test_every_tab_fits_a_1280x720_screen(browser, voila, output_dir):
    """Controls, figures and results of each explorer are on screen without scrolling."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    context.route(lambda url: not url.startswith(voila), lambda route: route.abort())
    page = context.new_page()
    try:
        page.goto(voila + "/", wait_until="domcontentloaded", timeout=TIMEOUT_MS)
        page.wait_for_function(
            "() => [...document.querySelectorAll('.cm-leverage-figure path.line')]"
            ".some(p => (p.getAttribute('d') || '').length > 20)", timeout=TIMEOUT_MS)
        tabs = page.locator(".cm-app .cm-app-tabs .lm-TabBar-tab")
        shots = output_dir / "screenshots"
        shots.mkdir(exist_ok=True)
        for i in range(tabs.count()):
            tabs.nth(i).click()
            panel = page.locator(".cm-app .cm-app-tabs > .widget-tab-contents > "
                                 ":not(.lm-mod-hidden)").first
            figures = panel.locator("svg.svg-figure")
            figures.first.wait_for(state="visible", timeout=30_000)
            page.wait_for_timeout(500)                   # bqplot lays the figure out on show
            name = tabs.nth(i).inner_text()
            bottom = panel.evaluate("e => e.getBoundingClientRect().bottom")
            assert bottom <= 720, f"tab {name!r} ends at {bottom:.0f} px, below the screen"
            for j in range(figures.count()):
                box = figures.nth(j).bounding_box()
                assert box["height"] > 100 and box["y"] + box["height"] <= 720, (name, box)
            page.screenshot(path=str(shots / f"app-mode-720-tab{i}.png"))
        # the stepper's longest texts: the gap past bankruptcy, at its first and last event
        tabs.filter(has_text="At 100 %").click()
        stepper = page.locator(".cm-app .cm-liquidation-stepper")
        stepper.locator(".cm-liquidation-stepper-portfolio select").select_option(
            label="gap past bankruptcy")
        stepper.locator(".cm-liquidation-stepper-description",
                        has_text="gap past bankruptcy").wait_for(timeout=30_000)
        position = stepper.locator(".cm-liquidation-stepper-position")
        bottoms = [panel_bottom(page)]
        while not stepper.locator(".cm-liquidation-stepper-next").is_disabled():
            shown = position.inner_text()
            stepper.locator(".cm-liquidation-stepper-next").click()
            page.wait_for_function("([el, old]) => el.innerText !== old",
                                   arg=[position.element_handle(), shown], timeout=30_000)
        bottoms.append(panel_bottom(page))
        assert max(bottoms) <= 720, f"the stepper's tab ends at {max(bottoms):.0f} px"
        page.screenshot(path=str(shots / "app-mode-720-stepper-last.png"))
        assert_clean(page)
    finally:
        context.close()
