"""The pages of the course website, read as HTML: every lesson and guide is there, nothing is
loaded from another host, images have alt text, headings go in order, solutions are folded,
checks of the text and instructor notes are left out, widgets carry their saved state, and
every glossary link lands on a glossary entry.

They read ``make test``'s build (build/site-subset/: every page, lessons 01 and 07 executed)
or ``CROSSMARGIN_SITE_DIR`` (e.g. build/site after ``make site``); built here if missing.
"""
import functools
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from crossmargin.course import lessons
from crossmargin.course.website import SOLUTION_PROMPT, glossary_terms
from helpers.site_build import load_build  # tests/helpers: not part of the package

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
WRITTEN = [row for row in lessons(NOTEBOOKS) if row["written"]]
GUIDES = ("glossary", "cheat-sheet", "instructor-guide", "adapting-lessons", "AUTHORING")
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


build = load_build()


@pytest.fixture(scope="module")
def site():
    return build.ensure_built()


@functools.lru_cache(maxsize=64)
def soup(site, name):
    return BeautifulSoup((site / name).read_text(encoding="utf-8"), "html.parser")


def article(page):
    """The page's own content, without the theme's navigation or the print-only header."""
    return page.select_one("article.bd-article")


def lesson_page(row):
    return f"notebooks/{row['notebook'][:-6]}.html"


def executed(page):
    return bool(page.select("div.cell_output"))


def notebook(row):
    return json.loads((NOTEBOOKS / row["notebook"]).read_text(encoding="utf-8"))


def cells(row, tag):
    return [c for c in notebook(row)["cells"] if tag in c.get("metadata", {}).get("tags", [])]


def all_pages(site):
    return build.pages(site)


def test_every_lesson_and_guide_has_a_page_and_the_search_page_is_there(site):
    pages = set(all_pages(site))
    assert {lesson_page(row) for row in WRITTEN} <= pages
    assert {f"notebooks/{g}.html" for g in GUIDES} | {"index.html"} <= pages
    assert (site / "search.html").exists() and (site / "searchindex.js").exists()


def test_the_subset_lessons_ran(site):
    for row in WRITTEN:
        if row["lesson"] in build.SUBSET:
            assert executed(soup(site, lesson_page(row))), row["notebook"]


def test_nothing_is_loaded_from_another_host(site):
    """Scripts, styles, images, fonts and frames all come from the site itself."""
    external = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)
    found = []
    for name in all_pages(site) + ["search.html"]:
        page = soup(site, name)
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"),
                          ("source", "src"), ("video", "src"), ("audio", "src")):
            for el in page.find_all(tag):
                url = el.get(attr) or ""
                rel = el.get("rel") or []
                if tag == "link" and not set(rel) & {"stylesheet", "preload", "icon", "modulepreload"}:
                    continue  # a plain link (next, prev, search) loads nothing
                if external.match(url):
                    found.append((name, tag, url))
    for css in (site / "_static").rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css.read_text(encoding="utf-8", errors="replace")):
            if external.match(url):
                found.append((css.name, "css", url))
    assert found == []


def test_the_widget_javascript_is_served_by_the_site(site):
    page = soup(site, lesson_page(WRITTEN[1]))
    scripts = [urlsplit(s.get("src")).path for s in page.find_all("script") if s.get("src")]
    local = [s for s in scripts if "_static/widgets/" in s or s.endswith("crossmargin-widgets.js")]
    assert [Path(s).name for s in local] == ["require.js", "crossmargin-widgets.js", "embed-amd.js"]
    for name in ("widgets/require.js", "widgets/html-manager/embed-amd.js",
                 "widgets/bqplot/index.js", "widgets/bqscales/index.js", "widgets/SOURCES.json"):
        assert (site / "_static" / name).stat().st_size > 0, name


def test_images_have_alt_text_and_headings_go_in_order(site):
    problems = []
    for name in all_pages(site):
        content = article(soup(site, name))
        for img in content.find_all("img"):
            if not (img.get("alt") or "").strip():
                problems.append((name, "image without alt text", img.get("src")))
        levels = [int(h.name[1]) for h in content.find_all(re.compile(r"^h[1-6]$"))]
        if levels[:1] != [1] or levels.count(1) != 1:
            problems.append((name, "one h1 first", levels[:3]))
        for a, b in zip(levels, levels[1:]):
            if b > a + 1:
                problems.append((name, f"h{a} then h{b}", None))
    assert problems == []


@pytest.mark.parametrize("row", WRITTEN, ids=[r["lesson"] for r in WRITTEN])
def test_solutions_are_folded_and_checks_and_instructor_notes_are_left_out(site, row):
    content = article(soup(site, lesson_page(row)))
    folds = [d for d in content.select("details.hide") if SOLUTION_PROMPT[0] in d.summary.get_text()]
    solutions = cells(row, "solution")
    assert len(folds) == len(solutions)
    assert all(not d.has_attr("open") for d in folds)
    text_outside = "".join(content.find_all(string=lambda s: not s.find_parent("details")))
    text_folded = "".join(d.get_text() for d in folds)
    for cell in solutions:
        code = "".join(cell["source"]).split("\n", 1)[1].strip()  # after "# Worked solution"
        assert code in text_folded and code not in text_outside
    # a solved exercise ("✓ Exercise NN.k") appears only inside a fold
    assert not re.search(r"✓ Exercise \d\d\.\d+", text_outside)
    for tag in ("verify", "instructor"):
        for cell in cells(row, tag):
            first = "".join(cell["source"]).splitlines()[0].strip()
            assert first not in content.get_text(), f"{tag} cell shown: {first}"


@pytest.mark.parametrize("row", WRITTEN, ids=[r["lesson"] for r in WRITTEN])
def test_each_lesson_has_its_launch_note_with_a_binder_link(site, row):
    note = article(soup(site, lesson_page(row))).select_one(".crossmargin-launch")
    assert note is not None and "Run the lesson to move its tools" in note.get_text()
    hrefs = [a["href"] for a in note.find_all("a")]
    assert any(h.startswith("https://mybinder.org/v2/gh/") and h.endswith(f"notebooks/{row['notebook']}")
               for h in hrefs)


def test_executed_lessons_embed_the_state_of_every_widget_they_show(site):
    checked = 0
    for row in WRITTEN:
        page = soup(site, lesson_page(row))
        if not executed(page):
            continue
        states = page.find_all("script", type=WIDGET_STATE)
        assert len(states) == 1, row["notebook"]
        state = json.loads(states[0].string)["state"]
        views = [json.loads(s.string)["model_id"]
                 for s in page.find_all("script", type="application/vnd.jupyter.widget-view+json")]
        assert views and set(views) <= set(state), row["notebook"]
        if any(w in ("LeverageExplorer", "StopLossLab") for w in row["widgets"]):
            assert any(m["model_module"] == "bqplot" and m["model_name"] == "FigureModel"
                       for m in state.values()), row["notebook"]
        checked += 1
    assert checked >= len(build.SUBSET)


def test_every_glossary_link_in_a_lesson_lands_on_a_glossary_entry(site):
    glossary = soup(site, "notebooks/glossary.html")
    entries = {dt["id"]: dt.get_text(" ", strip=True).rstrip("#").strip()
               for dt in glossary.select("dl.glossary dt[id]")}
    terms = glossary_terms((NOTEBOOKS / "glossary.md").read_text(encoding="utf-8"))
    assert sorted(entries.values()) == sorted(t for t, _ in terms)
    links = 0
    for row in WRITTEN:
        for a in article(soup(site, lesson_page(row))).find_all("a", href=True):
            href = urlsplit(a["href"])
            if href.path.endswith("glossary.html") and href.fragment:
                assert href.fragment in entries, (row["notebook"], a["href"])
                links += 1
    assert links > 50


def test_index_links_every_lesson_and_the_guides(site):
    page = soup(site, "index.html")
    hrefs = {urlsplit(a["href"]).path for a in article(page).find_all("a", href=True)}
    for row in WRITTEN:
        assert lesson_page(row) in hrefs
    for guide in ("glossary", "cheat-sheet", "instructor-guide", "adapting-lessons"):
        assert f"notebooks/{guide}.html" in hrefs
    assert "| Half-day 1 |" not in page.get_text()  # the schedule is a table, not raw markdown
    assert page.find("td", string=re.compile("Half-day 1"))


def test_the_course_colours_are_on_every_page(site):
    css = (site / "_static" / "crossmargin.css").read_text(encoding="utf-8")
    assert "--pst-color-primary: #0072B2" in css
    for name in all_pages(site):
        assert soup(site, name).find("link", href=re.compile(r"_static/crossmargin\.css")), name
