"""The course website in chromium, served from this machine only.

The site ``make test`` builds (build/site-subset/: every page, lessons 01 and 07 executed; or
``CROSSMARGIN_SITE_DIR``, e.g. build/site after ``make site``) is served by Python's
http.server on 127.0.0.1. Every request the pages make is recorded; one to any other host is
refused and fails the test, so the site is shown to work offline and behind a firewall.
Screenshots at 1400x1000 and 390x844 go to tests/output/site/.
"""
import json
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crossmargin.course.website import SOLUTION_PROMPT, glossary_terms, slug
from helpers.site_build import load_build  # tests/helpers: not part of the package

from .conftest import CHROMIUM, _need, free_port, serving
from .lab_page import ERROR_TEXT

ROOT = Path(__file__).resolve().parents[2]
LAPTOP = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 90_000  # a widget page on a busy 2-core machine
#: The two lessons ``make test`` executes (site/build.py SUBSET): 01 has the leverage
#: explorer (bqplot), 07 the stop-loss lab, exercises with worked solutions and glossary links.
LESSONS = ("notebooks/01-margin-basics.html", "notebooks/07-stop-losses.html")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """``(base URL, folder)`` of the built site, served on 127.0.0.1."""
    _need(Path(CHROMIUM).exists(), f"chromium at {CHROMIUM}")
    folder = load_build().ensure_built()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
           "--directory", str(folder)]
    log = tmp_path_factory.mktemp("site") / "http.log"
    with serving(cmd, None, log, f"{base}/index.html", what="http.server"):
        yield base, folder


class Recorder:
    """Every request of a browser context; those that would leave the machine are refused."""

    def __init__(self, base):
        self.base, self.requests, self.outside, self.failed = base, [], [], []

    def __call__(self, route):
        url = route.request.url
        self.requests.append(url)
        if url.startswith(self.base + "/"):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def on_response(self, response):
        if response.status >= 400:
            self.failed.append(f"{response.status} {response.url}")


@pytest.fixture(scope="module")
def request_log(output_dir):
    """tests/output/site/requests.log, emptied once per run: every URL the pages asked for."""
    path = output_dir / "site" / "requests.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("", encoding="utf-8")
    return path


@pytest.fixture
def open_site(browser, site, request_log):
    """``open_site(viewport) -> (page, recorder)``; at the end, no request left the machine,
    none failed, and the requests are added to tests/output/site/requests.log."""
    base, _ = site
    made = []

    def opener(viewport=LAPTOP):
        context = browser.new_context(viewport=viewport)
        recorder = Recorder(base)
        context.route("**/*", recorder)
        page = context.new_page()
        page.on("response", recorder.on_response)
        made.append((context, recorder))
        return page, recorder

    yield opener
    for context, _ in made:
        context.close()
    log = [u for _, r in made for u in r.requests]
    with open(request_log, "a", encoding="utf-8") as f:
        f.write("\n".join(log) + "\n")
    outside = [u for _, r in made for u in r.outside]
    failed = [u for _, r in made for u in r.failed]
    assert log, "no request was recorded"
    assert outside == [], f"requests that would leave the machine: {outside}"
    assert failed == [], f"requests that failed on the site itself: {failed}"


def goto(page, site, path):
    base, _ = site
    page.goto(f"{base}/{path}", wait_until="load", timeout=TIMEOUT_MS)


def first_figure(page):
    """The first bqplot figure once drawn: its box has a size and its lines a path."""
    figure = page.locator(".bqplot.figure").first
    figure.wait_for(state="attached", timeout=TIMEOUT_MS)
    page.wait_for_function(
        """() => [...document.querySelectorAll('.bqplot.figure path.line')]
                 .some(p => (p.getAttribute('d') || '').length > 20)""", timeout=TIMEOUT_MS)
    return figure


def scroll_to(locator, above=0):
    """Scroll the page (only the page: no inner box sideways) to ``above`` px over ``locator``."""
    locator.evaluate("(e, above) => window.scrollTo(0, e.getBoundingClientRect().top"
                     " + window.scrollY - above)", above)


def screenshot(page, output_dir, name, viewport):
    out = output_dir / "site"
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / f"{name}-{viewport['width']}x{viewport['height']}.png"))


def lesson_glossary_slugs(notebook):
    """The glossary anchors a lesson links, in the order of its markdown."""
    nb = json.loads((ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    return re.findall(r"\]\(glossary\.md#([\w-]+)\)", text)


def test_index_then_a_lesson_with_its_bqplot_figure_drawn(open_site, site, output_dir):
    page, _ = open_site()
    goto(page, site, "index.html")
    assert page.locator("article h1").inner_text().startswith("Cross Margin, Step by Step")
    screenshot(page, output_dir, "index", LAPTOP)
    page.locator("article table a[href$='07-stop-losses.html']").first.click()
    page.wait_for_url("**/notebooks/07-stop-losses.html", timeout=TIMEOUT_MS)
    figure = first_figure(page)
    scroll_to(figure, 300)
    box = figure.bounding_box()
    assert box["width"] > 200 and box["height"] > 150, box
    lines = figure.locator("path.line").evaluate_all("ps => ps.map(p => p.getAttribute('d'))")
    assert any(len(d or "") > 20 for d in lines)
    assert ERROR_TEXT not in page.inner_text("body")
    screenshot(page, output_dir, "07-stop-losses", LAPTOP)


def test_no_answer_is_visible_until_the_worked_solution_is_opened(open_site, site):
    page, _ = open_site()
    goto(page, site, LESSONS[1])
    first_figure(page)
    nb = json.loads((ROOT / "notebooks" / "07-stop-losses.ipynb").read_text(encoding="utf-8"))
    solution = next(c for c in nb["cells"] if "solution" in c["metadata"].get("tags", []))
    line = "".join(solution["source"]).splitlines()[2].strip()  # a line of its code
    visible = page.evaluate("() => document.body.innerText")
    assert line not in visible
    assert not re.search(r"✓ Exercise \d\d\.\d+", visible)
    fold = page.locator("details.hide", has_text=SOLUTION_PROMPT[0]).first
    assert not fold.locator("pre").first.is_visible()
    fold.locator(":scope > summary").click()
    assert fold.locator("pre").first.is_visible()
    assert line in page.evaluate("() => document.body.innerText")


def test_a_glossary_link_lands_on_its_entry(open_site, site):
    page, _ = open_site()
    goto(page, site, LESSONS[1])
    expected = lesson_glossary_slugs("07-stop-losses.ipynb")[0]
    link = page.locator("article a[href*='glossary.html#']").first
    link.scroll_into_view_if_needed()
    link.click()
    page.wait_for_url("**/glossary.html#*", timeout=TIMEOUT_MS)
    fragment = urlsplit(page.url).fragment
    target = page.locator(f"[id='{fragment}']")
    assert target.evaluate("e => e.tagName") == "DT"
    assert target.evaluate("e => e.closest('dl').classList.contains('glossary')")
    term = target.inner_text().rstrip("#").strip()
    assert slug(term) == expected
    terms = dict(glossary_terms((ROOT / "notebooks" / "glossary.md").read_text(encoding="utf-8")))
    assert term in terms
    box = target.bounding_box()
    assert 0 <= box["y"] < LAPTOP["height"], "the entry is not on screen"


def test_search_for_liquidation_price_finds_the_lessons_that_explain_it(open_site, site):
    page, _ = open_site()
    goto(page, site, "search.html?q=liquidation+price")
    # results appear one by one; Sphinx says "Search finished" after the last
    page.wait_for_function("() => /Search finished/.test(document.querySelector("
                           "'#search-results')?.innerText || '')", timeout=TIMEOUT_MS)
    hrefs = page.locator("#search-results li a").evaluate_all(
        "as => as.map(a => a.getAttribute('href'))")
    pages = [urlsplit(h).path for h in hrefs]
    # the glossary's entry names the lesson where the term first appears: it must be found
    glossary = (ROOT / "notebooks" / "glossary.md").read_text(encoding="utf-8")
    entry = glossary.split("### Liquidation price\n", 1)[1].split("\n### ", 1)[0]
    first = re.search(r"\*First appears\*: \[[^\]]*\]\((\d\d-[\w-]+)\.ipynb\)", entry)[1]
    assert f"notebooks/{first}.html" in pages[:5], pages  # among the first results
    assert "notebooks/glossary.html" in pages
    lessons = [p for p in pages if re.search(r"notebooks/\d\d-", p)]
    assert len(lessons) >= 3, pages


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_index_and_two_lessons_fit_the_screen(open_site, site, output_dir, viewport):
    page, _ = open_site(viewport)
    for path in ("index.html",) + LESSONS:
        goto(page, site, path)
        name = Path(path).stem
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{path} is {width} px wide at {viewport['width']} px"
        if path == "index.html":
            screenshot(page, output_dir, name, viewport)
            continue
        figure = first_figure(page)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{path} with its widgets drawn is {width} px wide"
        scroll_to(figure, 300 if viewport is PHONE else 360)  # the controls above it too
        box = figure.bounding_box()
        assert 0 <= box["x"] and box["x"] + box["width"] <= viewport["width"], (path, box)
        assert box["height"] > 100, (path, box)
        screenshot(page, output_dir, name, viewport)
