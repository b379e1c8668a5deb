"""The course website (make site, site/build.py): its converter and sources, then the pages
it built, read as HTML.

The pages are those of ``make test``'s build (build/site-subset/: every page, lessons 01 and 07
executed), or of ``CROSSMARGIN_SITE_DIR`` (e.g. build/site after ``make site``); the build
runs here if neither is there. tests/browser/test_site.py opens them in chromium.
"""
import json
import re
from pathlib import Path

import pytest

from crossmargin.course import lessons
from crossmargin.course.website import (REMOVED_TAGS, SOLUTION_PROMPT, glossary_page,
                                        glossary_terms, launch_links, site_cell, site_notebook,
                                        slug)
from crossmargin.errors import InvalidInput
from helpers.site_build import load_build  # tests/helpers: not part of the package

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
GLOSSARY = NOTEBOOKS / "glossary.md"


build = load_build()
WRITTEN = [row for row in lessons(NOTEBOOKS) if row["written"]]


def tagged(nb, tag):
    return [c for c in nb["cells"] if tag in c.get("metadata", {}).get("tags", [])]


def read_nb(row):
    return json.loads((NOTEBOOKS / row["notebook"]).read_text(encoding="utf-8"))


# ---------------------------------------------------------------- the glossary converter

def test_glossary_page_makes_one_sphinx_glossary_with_every_term():
    text = GLOSSARY.read_text(encoding="utf-8")
    page = glossary_page(text)
    terms = glossary_terms(text)
    assert len(terms) == len(re.findall(r"^### ", text, re.M)) > 50
    assert page.count("````{glossary}") == 1 and "\n### " not in page
    body = page.split("````{glossary}\n", 1)[1].split("\n````", 1)[0]
    term_lines = [line for line in body.splitlines() if line and not line[0].isspace()]
    assert term_lines == [term for term, _ in terms]
    # the title and the introduction stay outside the directive, as written
    assert page.startswith(text.split("\n### ", 1)[0].rstrip())


def test_glossary_definition_keeps_its_lines_indented_and_blank_lines_between_entries():
    page = glossary_page("# G\n\n### A term\n\nFirst line.\n\n- *Also*: x\n### B\nDef B.\n")
    assert page.endswith("````{glossary}\nA term\n   First line.\n\n   - *Also*: x\n\nB\n   Def B.\n````\n")


def test_a_heading_inside_a_code_fence_is_not_a_term_and_other_headings_close_the_glossary():
    text = "# G\n\n### T1\n\nDef.\n\n```md\n### not a term\n```\n\n## Also see\n\nText.\n"
    assert glossary_terms(text) == [("T1", "t1")]
    page = glossary_page(text)
    assert "   ### not a term" in page
    assert page.index("````\n") < page.index("## Also see")


@pytest.mark.parametrize("text, words", [
    ("# G\n\nno terms\n", "at least one '### Term'"),
    ("### A\n\nx\n\n### A\n\ny\n", "different anchors (got a more than once)"),
    ("### A\n\n### B\n\nx\n", "term 'A' must have a definition"),
    (None, "text must be the markdown text"),
])
def test_glossary_page_refuses_bad_input_naming_the_problem(text, words):
    with pytest.raises(InvalidInput, match=re.escape(words)):
        glossary_page(text)


def test_slug_is_the_anchor_the_lessons_link():
    assert slug("Cum (maintenance amount)") == "cum-maintenance-amount"
    assert slug("Long and short") == "long-and-short"
    with pytest.raises(InvalidInput, match="heading must be a string"):
        slug(3)


# ---------------------------------------------------------------- cells and launch links

def test_solutions_fold_and_checks_and_instructor_notes_leave_the_page():
    solution = site_cell({"cell_type": "code", "metadata": {"tags": ["solution"]}, "source": "x"})
    assert "hide-cell" in solution["metadata"]["tags"]
    assert solution["metadata"]["mystnb"]["code_prompt_show"] == SOLUTION_PROMPT[0]
    for tag in REMOVED_TAGS:
        cell = site_cell({"cell_type": "markdown", "metadata": {"tags": [tag]}, "source": "x"})
        assert cell["metadata"]["tags"] == [tag, "remove-cell"]
    plain = {"cell_type": "code", "metadata": {"tags": ["exercise"]}, "source": "x"}
    assert site_cell(plain) == plain


def test_site_notebook_leaves_the_lesson_itself_alone():
    nb = read_nb(WRITTEN[1])
    before = json.dumps(nb, sort_keys=True)
    out = site_notebook(nb)
    assert json.dumps(nb, sort_keys=True) == before
    assert len(out["cells"]) == len(nb["cells"]) and out["metadata"] == nb["metadata"]
    assert len(tagged(out, "hide-cell")) == len(tagged(nb, "solution")) > 0
    assert len(tagged(out, "remove-cell")) == len(tagged(nb, "verify")) + len(tagged(nb, "instructor"))


@pytest.mark.parametrize("bad, words", [({"source": ""}, "cell must be a notebook cell"),
                                        ([], "nb must be a notebook")])
def test_site_cell_and_notebook_refuse_what_is_not_one(bad, words):
    with pytest.raises(InvalidInput, match=words):
        (site_cell if isinstance(bad, dict) else site_notebook)(bad)


def test_launch_links_binder_and_nbgitpuller():
    links = launch_links("https://github.com/o/r", "notebooks/07-x.ipynb",
                         jupyterhub="https://hub.example.org/")
    assert links["Binder"] == "https://mybinder.org/v2/gh/o/r/main?urlpath=lab/tree/notebooks/07-x.ipynb"
    assert links["JupyterHub"] == ("https://hub.example.org/hub/user-redirect/git-pull?"
                                   "repo=https%3A%2F%2Fgithub.com%2Fo%2Fr&branch=main&"
                                   "urlpath=lab%2Ftree%2Fr%2Fnotebooks%2F07-x.ipynb")
    assert set(launch_links("https://github.com/o/r", "a.ipynb")) == {"Binder"}
    with pytest.raises(InvalidInput, match="repository must be https://github.com/OWNER/NAME"):
        launch_links("https://gitlab.com/o/r", "a.ipynb")
    with pytest.raises(InvalidInput, match="jupyterhub must be the hub's address"):
        launch_links("https://github.com/o/r", "a.ipynb", jupyterhub="hub")


# ---------------------------------------------------------------- sources (site/build.py)

def test_index_gets_the_course_map_schedules_and_every_written_lesson():
    text = build.fill_index((ROOT / "site" / "index.md").read_text(encoding="utf-8"), NOTEBOOKS)
    assert "<!-- site:lessons -->" not in text
    for row in WRITTEN:
        assert f"](notebooks/{row['notebook']})" in text  # the course map links it
        assert f"\nnotebooks/{row['notebook'][:-6]}\n" in text  # the table of contents has it
    assert "| Half-day 1 |" in text and "| Day 1 |" in text


def test_staged_lessons_carry_the_launch_note_after_their_title(tmp_path):
    written = build.stage(tmp_path)
    for row in WRITTEN:
        name = f"notebooks/{row['notebook']}"
        assert name in written
        nb = json.loads((tmp_path / name).read_text(encoding="utf-8"))
        original = read_nb(row)
        assert nb["cells"][0] == original["cells"][0]
        assert "Run the lesson to move its tools" in nb["cells"][1]["source"]
        assert build.launch_links(build.repository(), name)["Binder"] in nb["cells"][1]["source"]
        assert len(nb["cells"]) == len(original["cells"]) + 1
    assert "````{glossary}" in (tmp_path / "notebooks" / "glossary.md").read_text(encoding="utf-8")
    assert (tmp_path / "images").is_dir()
    # a stale file in the staging folder is removed
    (tmp_path / "notebooks" / "old.md").write_text("x")
    build.stage(tmp_path)
    assert not (tmp_path / "notebooks" / "old.md").exists()


def test_a_change_to_any_input_changes_the_fingerprint(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("x = 1")
    (tmp_path / "lock.txt").write_text("numpy==2")
    first = build.fingerprint(tmp_path / "pkg", tmp_path / "lock.txt")
    (tmp_path / "pkg" / "__pycache__").mkdir()
    (tmp_path / "pkg" / "__pycache__" / "a.pyc").write_bytes(b"compiled")
    assert build.fingerprint(tmp_path / "pkg", tmp_path / "lock.txt") == first
    (tmp_path / "pkg" / "a.py").write_text("x = 2")
    assert build.fingerprint(tmp_path / "pkg", tmp_path / "lock.txt") != first
    (tmp_path / "pkg" / "a.py").write_text("x = 1")
    (tmp_path / "pkg" / "b.py").write_text("")
    assert build.fingerprint(tmp_path / "pkg", tmp_path / "lock.txt") != first


def test_staged_lessons_carry_the_engine_fingerprint(tmp_path):
    build.stage(tmp_path, engine="abc123")
    nb = json.loads((tmp_path / "notebooks" / WRITTEN[0]["notebook"]).read_text(encoding="utf-8"))
    assert nb["metadata"]["crossmargin_site"] == {"engine": "abc123"}


def test_widget_javascript_is_pinned_and_checked():
    for package, (version, integrity, files) in build.NPM.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), package
        assert re.fullmatch(r"sha512-[A-Za-z0-9+/]{86}==", integrity), package
        assert files
    # npm's form of the SHA-512 of nothing (cf83e135...): base64, prefixed
    assert build.npm_integrity(b"") == ("sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXy"
                                      "sP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==")


def test_a_tarball_that_does_not_match_its_pin_is_refused(tmp_path, monkeypatch):
    class Done:
        returncode, stdout, stderr = 0, "fake-1.0.0.tgz\n", ""

    def fake_npm(cmd, cwd, **kwargs):
        (Path(cwd) / "fake-1.0.0.tgz").write_bytes(b"not the pinned package")
        return Done()

    monkeypatch.setattr(build.subprocess, "run", fake_npm)
    monkeypatch.setattr(build.shutil, "which", lambda name: "/usr/bin/npm")
    with pytest.raises(build.BuildError, match="does not match its pinned sha512"):
        build.npm_tarball("fake", "1.0.0", build.npm_integrity(b"the real one"), tmp_path)
    monkeypatch.setattr(build.shutil, "which", lambda name: None)
    with pytest.raises(build.BuildError, match="needs npm"):
        build.npm_tarball("fake", "1.0.0", build.npm_integrity(b"x"), tmp_path)
