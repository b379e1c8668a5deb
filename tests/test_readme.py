"""The README tells the truth: its course map matches the notebooks' metadata."""
import re
import sys
from pathlib import Path

import nbformat

from crossmargin.course import sync

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
ROW = re.compile(r"^\| (\d\d) \| ([^|]+) \| \[`([^`]+)`\]\(notebooks/([^)]+)\) \| ([^|]*) \| "
                 r"(\d+) \+ (\d+)(?: \(\+\d+ optional\))? \|$")


def course_map():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text, [ROW.match(line).groups() for line in text.splitlines() if ROW.match(line)]


def test_course_map_lists_every_lesson_with_its_metadata():
    _, rows = course_map()
    notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    assert [r[3] for r in rows] == notebooks
    for number, title, shown, link, widgets, teaching, exercises in rows:
        assert shown == link
        meta = nbformat.read(ROOT / "notebooks" / link, as_version=4).metadata["course"]
        assert (int(number), title.strip()) == (meta["lesson"], meta["title"])
        assert re.findall(r"`(\w+)`", widgets) == meta["widgets"]
        assert (int(teaching), int(exercises)) == (meta["minutes"]["teaching"],
                                                   meta["minutes"]["exercises"])


def test_course_map_total_time():
    text, rows = course_map()
    total = sum(int(r[5]) + int(r[6]) for r in rows)
    assert f"{len(rows)} lessons, {total // 60} h {total % 60:02d} min in all" in text


def test_every_generated_section_of_readme_and_guide_is_up_to_date():
    for markdown in (ROOT / "README.md", ROOT / "notebooks" / "instructor-guide.md"):
        assert sync(markdown, ROOT / "notebooks", check=True) == [], (
            f"run: python -m crossmargin.course sync {markdown.relative_to(ROOT)}")


def test_readme_shows_the_course_map_and_both_schedules():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("course-map", "schedule-half-day", "schedule-full-day"):
        assert f"<!-- generated:{name} -->\n| " in text


def test_the_two_commands_come_first():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_section = text.split("\n## ")[1]
    assert first_section.startswith("The two commands")
    assert "make lab" in first_section and "make test" in first_section


def repository():
    with open(ROOT / "pyproject.toml", "rb") as f:
        url = tomllib.load(f)["project"]["urls"]["Repository"]
    assert url.startswith("https://github.com/")
    return url, url.removeprefix("https://github.com/")


def test_binder_links_open_files_that_exist_in_the_published_repository():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    _, slug = repository()
    links = re.findall(r"\(https://mybinder\.org/v2/gh/([^/]+/[^/]+)/HEAD\?urlpath=([^)\s]+)\)", text)
    assert {urlpath.split("/")[0] for _, urlpath in links} == {"lab", "voila"}
    for repo, urlpath in links:
        assert repo == slug
        target = urlpath.split("/", 2)[2]  # lab/tree/<path> or voila/render/<path>
        assert (ROOT / target).is_file(), f"the Binder link opens {target}, which does not exist"


def test_the_jupyterhub_link_pulls_the_published_repository():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    url, slug = repository()
    pull = re.search(r"git-pull\?repo=(\S+?)&branch=main&urlpath=lab/tree/([^/]+)/(\S+?)`", text)
    assert pull and pull[1] == url and pull[2] == slug.split("/")[1]
    assert (ROOT / pull[3]).is_file()


def test_readme_screenshots_exist_have_alt_text_and_come_from_the_browser_tests():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    shots = re.findall(r"!\[([^\]]*)\]\((images/screenshots/[^)]+)\)", text)
    assert len(shots) >= 4
    browser_tests = "\n".join(p.read_text(encoding="utf-8")
                              for p in (ROOT / "tests" / "browser").glob("test_*.py"))
    for alt, path in shots:
        assert len(alt) > 30, f"{path}: alt text should say what the picture shows"
        assert (ROOT / path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
        assert f'"{Path(path).stem}' in browser_tests, f"no browser test saves {path}"
