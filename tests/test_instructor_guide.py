"""notebooks/instructor-guide.md: one section per lesson, the misconceptions the course names,
and only course code that exists. Its generated parts are checked by test_readme.py."""
import importlib
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "notebooks" / "instructor-guide.md"
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
SUBSECTIONS = ("Goal", "Misconceptions", "Where learners get stuck", "What to project",
               "Live-coding order")
#: Parts a section may add, anywhere among the five.
OPTIONAL = ("What to stress", "Timings")
#: The misconceptions the issue names; each must have a row in the table at a glance.
MISCONCEPTIONS = ("cross vs isolated", "mark price", "OKX", "brackets", "funding",
                  "cross is always safer")


def text():
    return GUIDE.read_text(encoding="utf-8")


def lesson_sections():
    """{"00": (heading title, body)} for every "## Lesson NN — Title" section."""
    parts = re.split(r"^## ", text(), flags=re.M)
    sections = {}
    for part in parts:
        match = re.match(r"Lesson (\d\d) — (.+)\n", part)
        if match:
            sections[match[1]] = (match[2].strip(), part[match.end():])
    return sections


def test_every_lesson_has_a_section_titled_as_in_its_metadata():
    sections = lesson_sections()
    assert sorted(sections) == [p.name[:2] for p in LESSONS]
    for path in LESSONS:
        meta = nbformat.read(path, as_version=4).metadata["course"]
        assert sections[path.name[:2]][0] == meta["title"]


@pytest.mark.parametrize("number", [p.name[:2] for p in LESSONS])
def test_each_lesson_section_has_its_summary_and_the_five_parts(number):
    _, body = lesson_sections()[number]
    assert f"<!-- generated:lesson-{number} -->" in body
    headings = re.findall(r"^### (.+)$", body, flags=re.M)
    assert tuple(h for h in headings if h not in OPTIONAL) == SUBSECTIONS
    for name, content in zip(headings, re.split(r"^### .+$", body, flags=re.M)[1:]):
        words = re.sub(r"<!--.*?-->", "", content, flags=re.S).split()
        assert len(words) >= 12, f"lesson {number}: '{name}' is nearly empty"
    order = body.split("### Live-coding order", 1)[1]
    assert re.search(r"^1\. ", order, flags=re.M), f"lesson {number}: the order is a numbered list"


def test_the_misconceptions_table_covers_the_ones_learners_bring():
    glance = text().split("## Misconceptions at a glance", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in glance.splitlines() if line.startswith("|")][2:]
    for misconception in MISCONCEPTIONS:
        matching = [row for row in rows if misconception.lower() in row.lower()]
        assert matching, f"no row for the misconception {misconception!r}"
        assert re.search(r"\b(0\d|1[01])\b", matching[0]), \
            f"{misconception!r}: the row should name the lesson(s) that address it"


def resolve(dotted):
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            obj = getattr(obj, attribute)
        return obj
    raise ImportError(dotted)


def test_every_course_name_in_the_guide_exists():
    names = set(re.findall(r"`(crossmargin(?:\.\w+)+)", text()))
    assert len(names) >= 20, "the live-coding orders name the course code they use"
    missing = []
    for name in sorted(names):
        try:
            resolve(name)
        except (ImportError, AttributeError):
            missing.append(name)
    assert missing == []


def test_the_guide_has_both_schedules():
    for name in ("schedule-half-day", "schedule-full-day"):
        assert f"<!-- generated:{name} -->" in text()
